"""Running fixture programs: one process per program and seed, with a timeout, and their metrics.

A fixture program reports its metrics as one JSON object. The harness passes a file path in
``KERAS_LINT_METRICS_FILE`` and reads the object from there; a program that did not write the
file may instead print the line ``KERAS_LINT_METRICS {json}`` on stdout (the last such line
counts). Either way the object must name the rule, the program (its file name without ``.py``)
and the seed it was run for. Log text is never read for numbers.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keras_lint.verify.backends import (
    DEFAULT_BACKEND,
    GPU_MEMORY_VARIABLES,
    backend_environment,
    preloaded_modules,
)
from keras_lint.verify.device import GpuMemorySampler
from keras_lint.verify.preload import Preloader, PreloadError

METRICS_PREFIX = "KERAS_LINT_METRICS "
METRICS_FILE_VARIABLE = "KERAS_LINT_METRICS_FILE"
SEED_VARIABLE = "KERAS_LINT_SEED"
STDERR_TAIL_LINES = 15
#: seconds an interrupted run gets to end after SIGTERM before its process group is killed
STOP_GRACE = 2.0


@dataclass(frozen=True)
class RunSettings:
    python: str = sys.executable
    timeout: float = 300.0
    device: str = "cpu"  # the device chosen: "cpu" hides the GPUs from the programs
    deterministic: bool = True
    jobs: int = 1
    threads: int = 1  # the backend's intra-op threads per program
    #: fork the runs from one interpreter that imported the backend once (CPU only)
    preload: bool = False
    backend: str = DEFAULT_BACKEND
    #: what the preloaded interpreter imports; None: the backend's own list
    preload_modules: tuple[str, ...] | None = None

    def modules_to_preload(self) -> tuple[str, ...]:
        if self.preload_modules is not None:
            return self.preload_modules
        return preloaded_modules(self.backend)

    def environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment of every fixture process (and of the device probe)."""
        env = dict(os.environ if base is None else base)
        env.pop(METRICS_FILE_VARIABLE, None)
        for variable in ("TF_DETERMINISTIC_OPS", "XLA_FLAGS"):
            env.pop(variable, None)  # each backend's own settings below, none of another's
        env.update(
            {
                "PYTHONHASHSEED": "0",
                "PYTHONUNBUFFERED": "1",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "MPLBACKEND": "Agg",
                "OMP_NUM_THREADS": str(self.threads),
                "OPENBLAS_NUM_THREADS": str(self.threads),
                "MKL_NUM_THREADS": str(self.threads),
            }
        )
        env.update(backend_environment(self.backend, self.device, self.threads, self.deterministic))
        if self.device == "cpu":
            env["CUDA_VISIBLE_DEVICES"] = "-1"
            env["JAX_PLATFORMS"] = "cpu"  # JAX would otherwise warn that it found no GPU
        return env

    def run_environment(self, request: RunRequest) -> dict[str, str]:
        """One run's environment: a GPU-measured run decides its GPU memory settings itself;
        the others share a GPU, which JAX would otherwise take three quarters of, each."""
        env = self.environment()
        if request.exclusive:
            for variable in GPU_MEMORY_VARIABLES:
                env.pop(variable, None)
        elif self.device == "gpu" and self.backend == "jax":
            env["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
        env[SEED_VARIABLE] = str(request.seed)
        return env


@dataclass(frozen=True)
class RunRequest:
    rule: str
    program: Path
    seed: int
    #: run with no other fixture beside it, GPU memory sampled from outside
    exclusive: bool = False
    #: start a fresh interpreter even when a preloaded one is there (a program that must
    #: choose its Keras backend before Keras is imported)
    fresh: bool = False
    #: the ``fixture`` its metrics name, when not its stem (a fixed copy reports as its original)
    reports_as: str | None = None

    @property
    def stem(self) -> str:
        return self.program.stem

    @property
    def fixture(self) -> str:
        return self.reports_as or self.program.stem

    def key(self) -> tuple[str, int]:
        return (self.program.name, self.seed)

    def describe(self) -> str:
        return f"{self.rule} {self.program.name} seed {self.seed}"


@dataclass
class RunResult:
    request: RunRequest
    #: "ok" | "timeout" | "crashed" | "no-metrics"
    status: str
    exit_code: int | None
    seconds: float
    metrics: dict[str, Any] | None = None
    #: what went wrong, one line (None when status is "ok")
    problem: str | None = None
    stderr_tail: str = ""
    #: measurements the harness made from outside the process (``harness_gpu_*``)
    measured: dict[str, Any] = field(default_factory=dict)
    #: ``time.perf_counter()`` when the process started
    started: float = 0.0
    #: CPU seconds (user + system) the run's process used, when known
    cpu_seconds: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def observed(self) -> dict[str, Any]:
        """What criteria are judged on: the metrics, the harness's measurements, the exit code."""
        return {**(self.metrics or {}), **self.measured, "exit_code": self.exit_code}


class RunsInterrupted(Exception):
    """Ctrl-C stopped the runs; ``results`` holds the runs that had ended before it."""

    def __init__(self, results: dict[RunRequest, RunResult], total: int) -> None:
        super().__init__(f"interrupted after {len(results)} of {total} runs")
        self.results = results
        self.total = total


class Stopper:
    """The process groups of the runs in flight, so that an interrupt can end them all at once.

    Every run starts its own session (a Ctrl-C on the terminal reaches only the harness); a run
    registers its process group once started and unregisters it once reaped. ``stop`` refuses
    new runs, sends SIGTERM to every group, and SIGKILL to those still there after ``grace``.
    """

    def __init__(self, grace: float = STOP_GRACE) -> None:
        self.grace = grace
        self._condition = threading.Condition()
        self._groups: set[int] = set()
        self._stopped = False

    @property
    def stopped(self) -> bool:
        return self._stopped

    def register(self, pid: int) -> None:
        """A run's process (leader of its own group) started; killed at once after a stop."""
        with self._condition:
            self._groups.add(pid)
            if self._stopped:
                _signal_group(pid, signal.SIGKILL)

    def unregister(self, pid: int) -> None:
        with self._condition:
            self._groups.discard(pid)
            self._condition.notify_all()

    def stop(self) -> None:
        """End every run: SIGTERM to each group, SIGKILL to what is left after the grace."""
        with self._condition:
            self._stopped = True
            for pid in self._groups:
                _signal_group(pid, signal.SIGTERM)
            self._condition.wait_for(lambda: not self._groups, self.grace)
            for pid in self._groups:
                _signal_group(pid, signal.SIGKILL)
            # The threads that reap them unregister each; wait for them only briefly.
            self._condition.wait_for(lambda: not self._groups, self.grace)


def parse_metrics(
    stdout: str, file_text: str | None, rule: str, program: str, seed: int
) -> tuple[dict[str, Any] | None, str | None]:
    """The metrics object of one run, or None and why there is none."""
    candidates: list[tuple[str, str]] = []
    if file_text is not None and file_text.strip():
        candidates.append((METRICS_FILE_VARIABLE, file_text))
    lines = [line for line in stdout.splitlines() if line.startswith(METRICS_PREFIX)]
    if lines:
        candidates.append(
            (f"the last {METRICS_PREFIX.strip()} line", lines[-1][len(METRICS_PREFIX) :])
        )
    if not candidates:
        return None, "the program reported no metrics"
    problems = []
    for source, text in candidates:
        try:
            metrics = json.loads(text)
        except json.JSONDecodeError as error:
            problems.append(f"{source} is not valid JSON ({error.msg})")
            continue
        if not isinstance(metrics, dict):
            problems.append(f"{source} is not a JSON object")
            continue
        wrong = [
            f"{key} {metrics.get(key)!r} (expected {expected!r})"
            for key, expected in (("rule", rule), ("fixture", program), ("seed", seed))
            if metrics.get(key) != expected
        ]
        if wrong:
            problems.append(f"{source} is for another run: {', '.join(wrong)}")
            continue
        return metrics, None
    return None, "; ".join(problems)


def _tail(text: str, lines: int = STDERR_TAIL_LINES) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _spawned(
    request: RunRequest, settings: RunSettings, env: dict[str, str], rundir: Path,
    stdout_path: Path, stderr_path: Path, stopper: Stopper,
) -> tuple[int | None, float | None]:  # fmt: skip
    """Run the program in a fresh interpreter: (exit status or None at the timeout, CPU s)."""
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            [settings.python, str(request.program)],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            cwd=rundir,
            env=env,
            start_new_session=True,
        )
        stopper.register(process.pid)
        try:
            deadline = time.monotonic() + settings.timeout
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    process.returncode = os.waitstatus_to_exitcode(status)
                    return process.returncode, usage.ru_utime + usage.ru_stime
                if time.monotonic() > deadline:
                    _signal_group(process.pid, signal.SIGKILL)  # and whatever it started
                    process.wait()
                    return None, None
                time.sleep(0.05)
        finally:
            stopper.unregister(process.pid)


def _preloaded(
    request: RunRequest, settings: RunSettings, env: dict[str, str], rundir: Path,
    stdout_path: Path, stderr_path: Path, preloader: Preloader, stopper: Stopper,
) -> tuple[int | None, float | None]:  # fmt: skip
    """Run the program in a child of the preloaded interpreter: (exit status or None, CPU s)."""
    pid = preloader.start(request.program, rundir, env, stdout_path, stderr_path)
    stopper.register(pid)
    try:
        ended = preloader.wait(pid, settings.timeout)
        if ended is not None:
            return ended
        preloader.kill(pid)
        preloader.wait(pid, 60)
        return None, None
    finally:
        stopper.unregister(pid)


def _signal_group(pid: int, signum: int) -> None:
    """Signal a process that has not been reaped yet and its whole process group."""
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def run_fixture(
    request: RunRequest,
    settings: RunSettings,
    workdir: Path,
    preloader: Preloader | None = None,
    stopper: Stopper | None = None,
) -> RunResult:
    """Run one program for one seed in its own process and collect what it reported."""
    started = time.perf_counter()
    result = _run(request, settings, workdir, preloader, stopper or Stopper())
    result.started = started
    return result


def _run(
    request: RunRequest,
    settings: RunSettings,
    workdir: Path,
    preloader: Preloader | None,
    stopper: Stopper,
) -> RunResult:
    rundir = workdir / f"{request.rule}-{request.stem}-{request.seed}"
    rundir.mkdir(parents=True, exist_ok=True)
    metrics_path = rundir / "metrics.json"
    stdout_path, stderr_path = rundir / "stdout.txt", rundir / "stderr.txt"
    env = settings.run_environment(request)
    env[METRICS_FILE_VARIABLE] = str(metrics_path)
    sampler = GpuMemorySampler() if request.exclusive and settings.device == "gpu" else None
    if sampler is not None:
        sampler.start()
    started = time.perf_counter()
    try:
        if preloader is not None and not request.fresh:
            code, cpu = _preloaded(
                request, settings, env, rundir, stdout_path, stderr_path, preloader, stopper
            )
        else:
            code, cpu = _spawned(request, settings, env, rundir, stdout_path, stderr_path, stopper)
    except (OSError, PreloadError) as error:
        if sampler is not None:
            sampler.stop()
        preloaded = preloader is not None and not request.fresh
        how = "the preloaded interpreter" if preloaded else settings.python
        return RunResult(
            request, "crashed", None, time.perf_counter() - started,
            problem=f"cannot run it with {how}: {error}",
        )  # fmt: skip
    seconds = time.perf_counter() - started
    measured = sampler.stop() if sampler is not None else {}
    result = _collect(request, settings, code, seconds, measured, stdout_path, stderr_path)
    result.cpu_seconds = cpu
    return result


def _collect(
    request: RunRequest, settings: RunSettings, code: int | None, seconds: float,
    measured: dict[str, Any], stdout_path: Path, stderr_path: Path,
) -> RunResult:  # fmt: skip
    """What one ended run reported, or why it reported nothing usable."""
    metrics_path = stdout_path.parent / "metrics.json"
    out = stdout_path.read_text(encoding="utf-8", errors="replace")
    err = _tail(stderr_path.read_text(encoding="utf-8", errors="replace"))
    file_text = (
        metrics_path.read_text(encoding="utf-8", errors="replace")
        if metrics_path.is_file()
        else None
    )
    if code is None:
        return RunResult(
            request, "timeout", None, seconds,
            problem=f"timed out after {settings.timeout:g} s", stderr_tail=err, measured=measured,
        )  # fmt: skip
    if code < 0:
        try:
            signame = signal.Signals(-code).name
        except ValueError:
            signame = f"signal {-code}"
        hint = " (out of memory?)" if -code == signal.SIGKILL else ""
        return RunResult(
            request, "crashed", code, seconds,
            problem=f"killed by {signame}{hint}", stderr_tail=err, measured=measured,
        )  # fmt: skip
    metrics, problem = parse_metrics(out, file_text, request.rule, request.fixture, request.seed)
    if metrics is None:
        return RunResult(
            request, "no-metrics", code, seconds,
            problem=f"{problem} (exit status {code})", stderr_tail=err, measured=measured,
        )  # fmt: skip
    return RunResult(request, "ok", code, seconds, metrics, None, err, measured)


Progress = Callable[[str, RunRequest, "RunResult | None"], None]


def run_all(
    requests: Sequence[RunRequest],
    settings: RunSettings,
    progress: Progress | None = None,
    notify: Callable[[str], None] | None = None,
    stopper: Stopper | None = None,
) -> dict[RunRequest, RunResult]:
    """Run every request: the exclusive ones one at a time first, the others ``jobs`` at once.

    With ``settings.preload`` the programs run in children of one preloaded interpreter; when
    that interpreter cannot start, each program gets a fresh one. On Ctrl-C every run in flight
    is ended (see ``Stopper``) and ``RunsInterrupted`` carries the runs that had ended before.
    """
    results: dict[RunRequest, RunResult] = {}
    lock = threading.Lock()
    stopper = stopper or Stopper()

    def one(request: RunRequest) -> None:
        if stopper.stopped:
            return
        if progress is not None:
            progress("start", request, None)
        result = run_fixture(request, settings, workdir, preloader, stopper)
        if stopper.stopped:  # ended by the interrupt: no outcome of its own
            return
        with lock:
            results[request] = result
        if progress is not None:
            progress("end", request, result)

    with tempfile.TemporaryDirectory(prefix="keras-lint-verify-") as temporary:
        workdir = Path(temporary)
        preloader: Preloader | None = None
        # The runs go on in worker threads, so that Ctrl-C reaches this thread wherever they are.
        pool = ThreadPoolExecutor(max_workers=max(1, settings.jobs))
        try:
            if settings.preload and requests:
                try:
                    preloader = Preloader(
                        settings.python, settings.environment(), workdir / "preloader.log",
                        settings.timeout, settings.modules_to_preload(),
                    )  # fmt: skip
                except (OSError, PreloadError) as error:
                    if notify is not None:
                        notify(f"no preloaded interpreter ({error}): a fresh one for every run")
            for request in (r for r in requests if r.exclusive):
                pool.submit(one, request).result()
            shared = [r for r in requests if not r.exclusive]
            for future in [pool.submit(one, request) for request in shared]:
                future.result()
        except KeyboardInterrupt:
            _stop(stopper, pool, preloader)
            raise RunsInterrupted(dict(results), len(requests)) from None
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            if preloader is not None:
                preloader.close()
    return results


def _stop(stopper: Stopper, pool: ThreadPoolExecutor, preloader: Preloader | None) -> None:
    """End every run in flight and start no other; a second Ctrl-C does not cut this short."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals go elsewhere anyway
        previous = None
    try:
        pool.shutdown(wait=False, cancel_futures=True)
        stopper.stop()
        pool.shutdown(wait=True)
        if preloader is not None:
            preloader.close(stopper.grace)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
