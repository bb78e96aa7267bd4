"""Parallel runs: worker processes give exactly the result of a serial run, and survive crashes."""

from __future__ import annotations

import faulthandler
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from conftest import MISMATCH, project_tree, same_result, write_tree
from keras_lint import parallel
from keras_lint.analysis import ModuleFacts
from keras_lint.cli import main
from keras_lint.engine import lint_paths
from keras_lint.engine import runs as engine
from keras_lint.parallel import Failed, chunks, run_parallel
from keras_lint.rules import ALL_RULES
from keras_lint.rules.base import PythonRule, Report

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
#: the test process itself: a rule that kills its process must never run here (an environment
#: variable, so that a worker that imports this module anew still knows it)
TEST_PROCESS = int(os.environ.setdefault("KERAS_LINT_TEST_PROCESS", str(os.getpid())))


@pytest.fixture
def pool_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of files each pool was given (a serial run adds nothing)."""
    runs: list[int] = []
    real = engine.run_parallel

    def spy(work, items, **options):
        runs.append(len(items))
        return real(work, items, **options)

    monkeypatch.setattr(engine, "run_parallel", spy)
    return runs


# -- the same findings ----------------------------------------------------------------------------


def test_two_jobs_give_the_findings_of_one_on_the_fixtures(pool_runs: list[int]) -> None:
    serial = lint_paths([FIXTURES], jobs=1)
    assert pool_runs == []
    parallel_result = lint_paths([FIXTURES], jobs=2)
    assert pool_runs and pool_runs[0] >= 8
    assert serial.findings
    same_result(serial, parallel_result)


def test_two_jobs_see_helpers_and_dockerfile_env_of_the_whole_tree(
    tmp_path: Path, pool_runs: list[int]
) -> None:
    root = project_tree(tmp_path / "project")
    serial = lint_paths([root], jobs=1)
    parallel_result = lint_paths([root], jobs=2)
    assert pool_runs
    same_result(serial, parallel_result)
    found = {(Path(f.path).relative_to(root).as_posix(), f.code, f.line) for f in serial.findings}
    # the helpers were interpreted in the workers: only the uncompiled model is reported
    assert ("app0/run.py", "KER101", 5) in found
    assert ("app0/run.py", "KER101", 4) not in found
    assert ("lib/sub2/relative.py", "KER101", 5) in found
    # the Dockerfile ENV reached the worker that linted the file of its folder
    assert ("plain/train.py", "KER301", 6) in found
    assert not any(path == "docker/train.py" for path, _, _ in found)
    assert ("notebooks/train.ipynb", "KER201") in {(path, code) for path, code, _ in found}
    assert {"broken.py", "latin1.py"} <= {path for path, code, _ in found if code == "KER001"}
    # warnings from the workers (an unknown code in a noqa) come back
    assert len(serial.warnings) == 4


def test_named_files_in_parallel_see_their_project(tmp_path: Path, pool_runs: list[int]) -> None:
    root = project_tree(tmp_path / "project", copies=4)
    (root / "pyproject.toml").write_text("")
    named = sorted(str(path) for path in root.glob("app*/*.py"))
    serial = lint_paths(named, jobs=1)
    parallel_result = lint_paths(named, jobs=2)
    assert pool_runs
    same_result(serial, parallel_result)
    assert sum(f.code == "KER101" for f in serial.findings) == 4


def test_select_and_per_file_ignores_apply_the_same_in_parallel(tmp_path: Path) -> None:
    root = project_tree(tmp_path / "project")
    for options in ({"select": ["KER101"]}, {"ignore": ["KER001", "KER2"]}):
        same_result(lint_paths([root], jobs=1, **options), lint_paths([root], jobs=2, **options))


# -- when a pool is used -------------------------------------------------------------------------


def test_jobs_1_and_small_runs_stay_in_this_process(tmp_path: Path, pool_runs: list[int]) -> None:
    root = project_tree(tmp_path / "project")
    lint_paths([root], jobs=1)
    lint_paths([FIXTURES / "compile-before-fit"], jobs=4)  # two files
    assert pool_runs == []


def test_spawned_workers_need_more_files_to_pay_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pool_runs: list[int]
) -> None:
    root = project_tree(tmp_path / "project")  # 22 files to lint besides Dockerfiles
    monkeypatch.setattr(engine, "start_method", lambda: "spawn")
    lint_paths([root], jobs=2)
    assert pool_runs == []


def test_jobs_none_means_one_worker_per_available_cpu(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pool_runs: list[int]
) -> None:
    root = project_tree(tmp_path / "project")
    monkeypatch.setattr(engine, "available_cpus", lambda: 1)
    lint_paths([root], jobs=None)
    assert pool_runs == []
    monkeypatch.setattr(engine, "available_cpus", lambda: 2)
    lint_paths([root], jobs=None)
    assert len(pool_runs) == 1


def test_available_cpus_respects_the_affinity_mask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "process_cpu_count", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert parallel.available_cpus() == 1


def test_jobs_below_one_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(engine.UsageError, match="jobs"):
        lint_paths([tmp_path], jobs=0)


def test_work_goes_out_in_chunks_heaviest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[list[int]] = []
    real = parallel._Pool.submit

    def spy(self, work, items):
        sent.append(list(items))
        return real(self, work, items)

    monkeypatch.setattr(parallel._Pool, "submit", spy)
    items = list(range(100))
    results = run_parallel(
        _double, items, workers=2, initializer=_no_start, weights=[item % 10 for item in items]
    )
    assert results == [item * 2 for item in items]
    assert 1 < len(sent) < len(items)
    assert sorted(item for chunk in sent for item in chunk) == items
    weights = [item % 10 for chunk in sent for item in chunk]
    assert weights == sorted(weights, reverse=True)


def test_chunks_shrink_with_the_work_left_and_have_a_bounded_length() -> None:
    assert chunks(list(range(4)), 2) == [[0], [1], [2], [3]]
    assert chunks([], 2) == []
    # a heavy item alone, the light ones together
    assert chunks(list(range(10)), 1, weights=[100] + [1] * 9) == [
        [0],
        [1, 2, 3, 4, 5],
        [6, 7, 8, 9],
    ]
    pieces = chunks(list(range(10_000)), 2)
    assert max(len(piece) for piece in pieces) == parallel.MAX_CHUNK
    assert [item for piece in pieces for item in piece] == list(range(10_000))
    # guided: each chunk a share of the work left, down to a floor, so the last ones are short
    pieces = chunks(list(range(2_000)), 2, weights=[10] * 2_000)
    sizes = [len(piece) for piece in pieces]
    assert sizes == sorted(sizes, reverse=True)[: len(sizes) - 1] + sizes[-1:]
    assert sizes[0] == parallel.MAX_CHUNK and min(sizes[:-1]) == 32  # 1/64 of 2,000, rounded up


@pytest.mark.parametrize("method", ["forkserver", "spawn"])
def test_other_start_methods_give_the_same_findings(
    method: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pool_runs: list[int]
) -> None:
    """Where fork is not used, the rules and the project facts are pickled to the workers."""
    if method not in parallel.multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    root = project_tree(tmp_path / "project", copies=2)
    serial = lint_paths([root], jobs=1)
    monkeypatch.setattr(parallel, "start_method", lambda: method)
    monkeypatch.setattr(engine, "start_method", lambda: method)
    monkeypatch.setattr(engine, "MIN_FILES_PER_SPAWNED_WORKER", 4)
    same_result(serial, lint_paths([root], jobs=2))
    assert pool_runs


def test_fork_only_from_a_single_threaded_process() -> None:
    if parallel.sys.platform != "linux":
        pytest.skip("fork is used on Linux only")
    assert parallel.start_method() == "fork"
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert parallel.start_method() in ("forkserver", "spawn")
    finally:
        stop.set()
        thread.join()


# -- crashes, errors and interrupts ---------------------------------------------------------------


class ExitRule(PythonRule):
    """Ends its worker process abruptly on a file that says ``crash_here`` (``os._exit(3)``) or
    ``segfault_here`` (SIGSEGV), as a bug in native code would."""

    code = "KER907"
    name = "exit-process"
    summary = "ends the process"
    trigger = re.compile(r"crash_here|segfault_here")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        if os.getpid() == TEST_PROCESS:
            raise RuntimeError("ExitRule must only run in a worker process")
        if "segfault_here" in facts.module.code:
            faulthandler.disable()  # pytest's, inherited: no traceback dump on the test's output
            os.kill(os.getpid(), signal.SIGSEGV)
        os._exit(3)
        yield  # pragma: no cover


class RaisingRule(PythonRule):
    code = "KER908"
    name = "raise"
    summary = "raises"
    trigger = re.compile("raise_here")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        raise ValueError("rule bug")


def crash_tree(root: Path, *crashing: str) -> Path:
    files = {f"ok{index}.py": "x = 1\n" for index in range(10)}
    files.update({"bad.py": "def f(:\n", "mismatch.py": MISMATCH})
    files.update({name: f"{name.split('.')[0]}_here = 1\n" for name in crashing})
    return write_tree(root, files)


def test_a_crashed_worker_is_an_internal_error_for_its_file_only(tmp_path: Path) -> None:
    root = crash_tree(tmp_path, "crash.py")
    rules = [*ALL_RULES, ExitRule]
    result = lint_paths([root], rules=rules, jobs=2)
    assert result.errors == [
        f"{root / 'crash.py'}: linting failed in a worker process: "
        "the worker process exited with status 3"
    ]
    # every other file was linted, as in a run without the crashing file
    (root / "crash.py").unlink()
    assert result.findings == lint_paths([root], rules=rules, jobs=1).findings
    assert {Path(f.path).name for f in result.findings} == {"bad.py", "mismatch.py"}


def test_two_crashing_files_and_a_segfault_are_each_reported(tmp_path: Path) -> None:
    root = crash_tree(tmp_path, "crash.py", "other_crash.py", "segfault.py")
    result = lint_paths([root], rules=[*ALL_RULES, ExitRule], jobs=2)
    assert [line.split(": ", 1)[0] for line in result.errors] == [
        str(root / name) for name in ("crash.py", "other_crash.py", "segfault.py")
    ]
    assert result.errors[2].endswith("the worker process was killed by SIGSEGV")
    assert {Path(f.path).name for f in result.findings} == {"bad.py", "mismatch.py"}


def test_a_crashed_worker_makes_the_command_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    crash_tree(tmp_path, "crash.py")
    monkeypatch.chdir(tmp_path)
    ALL_RULES.append(ExitRule)
    try:
        assert main(["--jobs", "2", "--no-cache", "."]) == 2
    finally:
        ALL_RULES.remove(ExitRule)
    err = capsys.readouterr().err
    assert "internal error: crash.py: linting failed in a worker process" in err


def test_rule_errors_in_workers_come_back_as_in_a_serial_run(tmp_path: Path) -> None:
    root = crash_tree(tmp_path, "raise.py")
    rules = [*ALL_RULES, RaisingRule]
    serial = lint_paths([root], rules=rules, jobs=1)
    failure = "rule KER908 (raise) failed: ValueError: rule bug"
    assert serial.errors == [f"{root / 'raise.py'}: {failure}"]
    same_result(serial, lint_paths([root], rules=rules, jobs=2))


def test_unreadable_files_are_ker001_in_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_bytes = Path.read_bytes

    def deny_locked(path: Path) -> bytes:
        if path.name == "locked.py":  # chmod 0 would not stop root; forked workers inherit this
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", deny_locked)
    root = crash_tree(tmp_path, "locked.py")
    serial = lint_paths([root], jobs=1)
    same_result(serial, lint_paths([root], jobs=2))
    assert ("locked.py", "KER001", "cannot read: Permission denied") in {
        (Path(f.path).name, f.code, f.message) for f in serial.findings
    }


def test_run_parallel_pins_each_crash_on_its_item() -> None:
    items = list(range(40))
    results = run_parallel(_exit_on_7_and_23, items, workers=2, initializer=_no_start)
    died = Failed("the worker process exited with status 7")
    assert results == [died if item in (7, 23) else item * 2 for item in items]


def test_a_pool_that_broke_before_a_submit_fails_the_items_without_raising() -> None:
    # a worker may die between two submits: those items are lost like the running ones
    pool = parallel._Pool(1, _no_start, ())
    try:
        first = pool.submit(_exit_on_7_and_23, [7])
        with pytest.raises(BrokenProcessPool):
            first.result(timeout=30)
        second = pool.submit(_double, [1])  # raised before
        assert isinstance(second.exception(timeout=0), BrokenProcessPool)
        assert pool.exit_reason() == "the worker process exited with status 7"
    finally:
        pool.close()


def test_the_exit_status_is_read_after_the_executor_reaped_the_worker() -> None:
    # the executor's thread and exit_reason both wait for the dead worker: the status must be
    # found whichever of them reaps it (this lost the race about one run in ten)
    for _ in range(20):
        results = run_parallel(_exit_on_7_and_23, [6, 7], workers=2, initializer=_no_start)
        assert results == [12, Failed("the worker process exited with status 7")]


def test_a_worker_that_cannot_start_fails_its_items_without_a_crash() -> None:
    results = run_parallel(_double, [1, 2, 3], workers=2, initializer=_failing_start)
    assert results == [Failed("the worker process could not start: OSError: no start")] * 3


def test_ctrl_c_terminates_the_workers_and_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    pools: list[parallel._Pool] = []
    real_init = parallel._Pool.__init__

    def keep(self, *args):
        real_init(self, *args)
        pools.append(self)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(parallel._Pool, "__init__", keep)
    monkeypatch.setattr(parallel, "wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_parallel(_sleep, list(range(8)), workers=2, initializer=_no_start)
    processes = list(pools[0].processes.values())
    assert len(processes) == 2
    assert not any(process.is_alive() for process in processes)


ORPHAN_DRIVER = """\
import os, sys, time
from keras_lint.parallel import run_parallel

def report_and_sleep(item):
    with open(sys.argv[1], "a") as pids:
        pids.write(f"{os.getpid()}\\n")
    time.sleep(600)

def nothing():
    pass

run_parallel(report_and_sleep, [1, 2], workers=2, initializer=nothing)
"""


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[-1][0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
def test_workers_end_when_their_parent_is_killed(tmp_path: Path) -> None:
    """SIGKILL leaves the parent no chance to stop its workers: they notice and end."""
    pids_file = tmp_path / "pids"
    driver = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_DRIVER, str(pids_file)], start_new_session=True
    )
    try:
        for _ in range(600):
            if pids_file.exists() and len(pids_file.read_text().split()) == 2:
                break
            time.sleep(0.1)
        pids = [int(pid) for pid in pids_file.read_text().split()]
        assert len(pids) == 2
    finally:
        driver.kill()
        driver.wait()
    try:
        for _ in range(600):
            if not any(_running(pid) for pid in pids):
                break
            time.sleep(0.1)
        assert not any(_running(pid) for pid in pids)
    finally:
        for pid in filter(_running, pids):  # only if the test failed
            os.kill(pid, signal.SIGKILL)


def test_ctrl_c_exits_130_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("keras_lint.cli.lint_paths", interrupted)
    assert main(["."]) == 130
    assert capsys.readouterr().err == "keras-lint: interrupted\n"


# -- the command line ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_jobs_option_takes_a_positive_number(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--jobs", value, "--no-cache", str(FIXTURES)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("keras-lint: error: argument --jobs") and err.count("\n") == 1


def test_jobs_option_reaches_the_engine(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], pool_runs: list[int]
) -> None:
    assert main(["--jobs", "1", "--no-cache", str(FIXTURES)]) == 1
    serial = capsys.readouterr().out
    assert pool_runs == []
    assert main(["--jobs", "2", "--no-cache", str(FIXTURES)]) == 1
    assert capsys.readouterr().out == serial
    assert pool_runs


# -- module-level work for the pool tests (a worker finds them by name) --------------------------


def _no_start() -> None:
    pass


def _failing_start() -> None:
    raise OSError("no start")


def _double(item: int) -> int:
    return item * 2


def _exit_on_7_and_23(item: int) -> int:
    if item in (7, 23):
        assert os.getpid() != TEST_PROCESS
        os._exit(7)
    return item * 2


def _sleep(item: int) -> int:
    time.sleep(60)
    return item
