"""A TensorFlow interpreter imported once, forking one child process per fixture run.

Importing TensorFlow and Keras costs about 7 CPU seconds on a small machine, more than most fixture
programs spend training. The preloader imports them once; for each run it forks a child that
starts its own process group, takes the run's environment, working folder and output
files, and runs the program as ``__main__``. Each run is still its own process: a crash, an
out-of-memory kill or a hang ends that child only, and the harness kills a child's process group at
the timeout. Nothing has touched a device before the fork: TensorFlow reads the thread,
determinism and visible-device settings when a program first uses it, so each child gets its own.
A GPU driver does not survive a fork once initialised, so the harness uses the preloader on the
CPU only and starts a fresh interpreter per run on a GPU. A forked run gives the same metrics as
a fresh interpreter for the same seed (checked on every fixture program).

Protocol: one JSON object per line. The harness writes ``{"id", "program", "cwd", "env",
"stdout", "stderr"}``; the preloader answers ``{"ready": true}`` once imported, then
``{"id", "pid"}`` when it forked a run (or ``{"id", "error"}``) and ``{"pid", "exit", "cpu"}``
when the run ended (the exit status as ``subprocess`` gives it, negative for a signal, and the
CPU seconds the child used).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

PRELOADED_MODULES = ("tensorflow", "keras", "numpy", "sklearn")

PRELOADER_PROGRAM = r"""
import importlib, json, os, runpy, select, sys, traceback

protocol = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)  # stray output of the imports goes to stderr, not into the protocol
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except ImportError:
        pass


def send(message):
    protocol.write(json.dumps(message) + "\n")
    protocol.flush()


def child(request):
    os.setsid()
    protocol.close()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    out = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [request["program"]]
    sys.path[0] = os.path.dirname(os.path.abspath(request["program"]))
    code = 0
    try:
        runpy.run_path(request["program"], run_name="__main__")
    except SystemExit as done:
        if done.code is None:
            code = 0
        elif isinstance(done.code, int):
            code = done.code
        else:
            print(done.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code & 0xFF)


send({"ready": True})
pending = b""
running = set()
stdin = sys.stdin.fileno()
open_input = True
while open_input or running:
    readable, _, _ = select.select([stdin] if open_input else [], [], [], 0.05)
    if readable:
        chunk = os.read(stdin, 65536)
        if not chunk:
            open_input = False
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            request = json.loads(line)
            try:
                pid = os.fork()
            except OSError as error:
                send({"id": request["id"], "error": "fork failed: " + str(error)})
                continue
            if pid == 0:
                child(request)
            running.add(pid)
            send({"id": request["id"], "pid": pid})
    while running:
        pid, status, usage = os.wait4(-1, os.WNOHANG)
        if pid == 0:
            break
        running.discard(pid)
        cpu = usage.ru_utime + usage.ru_stime
        send({"pid": pid, "exit": os.waitstatus_to_exitcode(status), "cpu": cpu})
"""


class PreloadError(Exception):
    """The preloaded interpreter could not start or died."""


class Preloader:
    """The harness's side of the preloaded interpreter; safe to use from several threads."""

    def __init__(
        self,
        python: str,
        environment: Mapping[str, str],
        log: Path,
        timeout: float,
        modules: Sequence[str] = PRELOADED_MODULES,
    ) -> None:
        self._log = open(log, "wb")  # closed in close()
        self._process = subprocess.Popen(
            [python, "-c", PRELOADER_PROGRAM, *modules],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=dict(environment),
            start_new_session=True,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._input: IO[bytes] = self._process.stdin
        self._condition = threading.Condition()
        self._pids: dict[int, int | str] = {}
        self._exits: dict[int, tuple[int, float]] = {}
        self._ready = False
        self._dead = False
        self._next_id = 0
        self._reader = threading.Thread(
            target=self._read, args=(self._process.stdout,), daemon=True
        )
        self._reader.start()
        try:
            with self._condition:
                ready = self._condition.wait_for(lambda: self._ready or self._dead, timeout)
        except BaseException:  # Ctrl-C while it imports: it must not live on
            self.close(0)
            raise
        if not ready:
            self.close(0)
            raise PreloadError(f"the preloaded interpreter was not ready in {timeout:g} s")
        if self._dead:
            why = self.log_tail() or f"exit status {self._process.wait()}"
            self.close()
            raise PreloadError(f"the preloaded interpreter did not start: {why}")

    def _read(self, stream: IO[bytes]) -> None:
        for raw in stream:
            try:
                message: dict[str, Any] = json.loads(raw)
            except json.JSONDecodeError:
                continue
            with self._condition:
                if message.get("ready"):
                    self._ready = True
                elif "exit" in message:
                    self._exits[int(message["pid"])] = (
                        int(message["exit"]),
                        float(message.get("cpu", 0.0)),
                    )
                elif "id" in message:
                    self._pids[int(message["id"])] = message.get("pid") or str(
                        message.get("error", "unknown error")
                    )
                self._condition.notify_all()
        with self._condition:
            self._dead = True
            self._condition.notify_all()

    def log_tail(self, lines: int = 5) -> str:
        try:
            self._log.flush()
            text = Path(self._log.name).read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            return ""
        return " ".join(text.strip().splitlines()[-lines:])

    def start(
        self, program: Path, cwd: Path, env: Mapping[str, str], stdout: Path, stderr: Path
    ) -> int:
        """Fork a child that runs ``program``; its process id."""
        with self._condition:
            if self._dead:
                raise PreloadError("the preloaded interpreter has died")
            self._next_id += 1
            request_id = self._next_id
            request = {
                "id": request_id,
                "program": str(program),
                "cwd": str(cwd),
                "env": dict(env),
                "stdout": str(stdout),
                "stderr": str(stderr),
            }
            try:
                self._input.write((json.dumps(request) + "\n").encode())
                self._input.flush()
            except OSError as error:
                raise PreloadError(f"the preloaded interpreter has died: {error}") from error
            self._condition.wait_for(lambda: request_id in self._pids or self._dead, 60)
            answer = self._pids.pop(request_id, None)
        if not isinstance(answer, int):
            raise PreloadError(f"could not start the run: {answer or 'no answer'}")
        return answer

    def wait(self, pid: int, timeout: float) -> tuple[int, float] | None:
        """The child's exit status and CPU seconds; None while it runs after ``timeout``."""
        with self._condition:
            self._condition.wait_for(lambda: pid in self._exits or self._dead, timeout)
            if pid in self._exits:
                return self._exits.pop(pid)
            if self._dead:
                raise PreloadError("the preloaded interpreter died while a run was going on")
            return None

    def kill(self, pid: int) -> None:
        """Kill a child that has not ended (and so is not yet reaped) and its process group."""
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def close(self, timeout: float = 30) -> None:
        """Close its input and wait for it to end (it ends once its children have); then kill it."""
        try:
            self._input.close()
        except OSError:
            pass
        try:
            self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=5)
        self._log.close()
