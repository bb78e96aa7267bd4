"""Ctrl-C on ``keras-lint verify``: every run stops at once, the partial table, exit status 130.

The real command runs as a subprocess in its own process group, the way a shell starts it, on
stand-in fixtures: ``good.py`` reports at once, ``bad.py`` starts a grandchild, ignores SIGTERM
and sleeps. SIGINT goes to the whole group, as the terminal sends it. Every process the command
starts carries a marker in its environment, so the test finds any survivor, orphans included.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from test_verify_command import REPORT, stand_in_fixtures

REPOSITORY = Path(__file__).resolve().parents[2]

SLOW = """\
import signal
import subprocess
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)  # only SIGKILL ends it
sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
with open(os.environ["KERAS_LINT_TEST_PIDS"], "a") as pids:
    pids.write(f"{os.getpid()} {sleeper.pid}\\n")
time.sleep(120)
"""

# The stand-ins need no TensorFlow: answer the device probe, and let the preloaded interpreter
# import json instead of TensorFlow; every other call runs this Python unchanged.
WRAPPER = """\
#!{python}
import os
import sys

args = sys.argv[1:]
if args[:1] == ["-c"] and "KERAS_LINT_PROBE" in args[1]:
    print('KERAS_LINT_PROBE {{"python": "3", "tensorflow": "none", "keras": "none", "gpus": []}}')
    sys.exit(0)
if args[:1] == ["-c"]:
    args = args[:2] + ["json"]
os.execv(sys.executable, [sys.executable, *args])
"""


def _python_wrapper(folder: Path) -> Path:
    script = folder / "python"
    script.write_text(WRAPPER.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def _marked_processes(marker: str) -> list[int]:
    """Processes alive (not zombies) whose environment holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in environ and state != "Z":
            found.append(int(entry.name))
    return found


def _wait_for(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
@pytest.mark.parametrize("start", ["preloaded", "spawn"])
def test_ctrl_c_stops_every_run_at_once_and_prints_what_finished(
    tmp_path: Path, start: str
) -> None:
    fixtures = stand_in_fixtures(
        tmp_path, bad_body=SLOW, good_body=REPORT.format(stem="good", excess="0.0")
    )
    pids_file = tmp_path / "pids.txt"
    marker = f"KERAS_LINT_TEST_MARK_{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        "KERAS_LINT_TEST_PIDS": str(pids_file),
        marker: "1",
    }
    argv = [
        sys.executable, "-m", "keras_lint", "verify", "--fixtures", str(fixtures),
        "--rule", "KER601", "--seeds", "1", "--jobs", "2", "--device", "cpu",
        "--python", str(_python_wrapper(tmp_path)),
        *(["--spawn"] if start == "spawn" else []),
    ]  # fmt: skip
    out_path, err_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        verify = subprocess.Popen(
            argv, stdout=out, stderr=err, env=env, cwd=tmp_path, start_new_session=True
        )
    try:
        started = _wait_for(
            lambda: (
                pids_file.is_file()
                and pids_file.read_text().count("\n") >= 1
                and "[1/3] KER601 good.py seed 0: ok" in err_path.read_text()
            ),
            60,
        )
        assert started, out_path.read_text() + err_path.read_text()
        # the first line is the bad program's; its fixed copy may have started since
        run_pid, grandchild_pid = map(int, pids_file.read_text().splitlines()[0].split())
        assert {run_pid, grandchild_pid} <= set(_marked_processes(marker))

        interrupted = time.monotonic()
        os.killpg(verify.pid, signal.SIGINT)  # what Ctrl-C on the terminal does
        status = verify.wait(timeout=30)
        seconds = time.monotonic() - interrupted
    finally:
        if verify.poll() is None:
            verify.kill()
            verify.wait()

    out, err = out_path.read_text(), err_path.read_text()
    assert status == 130, out + err
    assert seconds < 6, f"took {seconds:.1f} s to stop"
    # Nothing the command started lives on: not the run, its grandchild or the interpreter.
    survivors = _marked_processes(marker)
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert survivors == []
    # The partial table: the good run's outcome, the bad one cut short, no verdict.
    lines = out.splitlines()
    row = next(line for line in lines if line.startswith("KER601"))
    assert "interrupted" in row and "excess 0" in row
    assert "interrupted (0 of 1 runs)" in " ".join(lines)
    assert "interrupted (Ctrl-C) after 1 of 2 runs: not judged" in out
    assert "keras-lint verify: interrupted after 1 of 3 fixture runs" in err
    assert "killed by" not in err  # the stopped run is no outcome of its own
