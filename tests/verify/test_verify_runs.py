"""Fixture processes: metrics from the file or the stdout line, and every way a run can go wrong.

The programs here are plain Python (no TensorFlow), so these tests are fast.
"""

from __future__ import annotations

import json
import sys
import textwrap
import time
from pathlib import Path

import pytest

from keras_lint.verify.preload import Preloader
from keras_lint.verify.runs import (
    METRICS_FILE_VARIABLE,
    RunRequest,
    RunSettings,
    parse_metrics,
    run_all,
    run_fixture,
)

SETTINGS = RunSettings(python=sys.executable, timeout=20, device="cpu", jobs=1)
GOOD_METRICS = {"rule": "KER601", "fixture": "bad", "seed": 0}


def program(tmp_path: Path, body: str, name: str = "bad.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def run(tmp_path: Path, body: str, settings: RunSettings = SETTINGS, seed: int = 0):
    workdir = tmp_path / "work"
    workdir.mkdir(exist_ok=True)
    return run_fixture(RunRequest("KER601", program(tmp_path, body), seed), settings, workdir)


# -- parsing -------------------------------------------------------------------------------


def test_the_last_metrics_line_on_stdout_counts() -> None:
    stdout = "\n".join(
        [
            "KERAS_LINT_METRICS " + json.dumps({**GOOD_METRICS, "x": 1}),
            "Epoch 3/5 - loss: 0.2 KERAS_LINT_METRICS is mentioned in a log line",
            "KERAS_LINT_METRICS " + json.dumps({**GOOD_METRICS, "x": 2}),
            "done",
        ]
    )
    metrics, problem = parse_metrics(stdout, None, "KER601", "bad", 0)
    assert problem is None and metrics is not None and metrics["x"] == 2


def test_the_metrics_file_wins_over_stdout() -> None:
    stdout = "KERAS_LINT_METRICS " + json.dumps({**GOOD_METRICS, "x": 1})
    metrics, _ = parse_metrics(stdout, json.dumps({**GOOD_METRICS, "x": 2}), "KER601", "bad", 0)
    assert metrics is not None and metrics["x"] == 2


def test_a_broken_metrics_file_falls_back_to_the_stdout_line() -> None:
    stdout = "KERAS_LINT_METRICS " + json.dumps({**GOOD_METRICS, "x": 1})
    metrics, _ = parse_metrics(stdout, '{"rule": "KER6', "KER601", "bad", 0)
    assert metrics is not None and metrics["x"] == 1


@pytest.mark.parametrize(
    ("stdout", "problem"),
    [
        ("training...\ndone\n", "the program reported no metrics"),
        ("KERAS_LINT_METRICS {not json", "is not valid JSON"),
        ("KERAS_LINT_METRICS [1, 2]", "is not a JSON object"),
        (
            "KERAS_LINT_METRICS " + json.dumps({**GOOD_METRICS, "fixture": "good"}),
            "is for another run: fixture 'good' (expected 'bad')",
        ),
        (
            "KERAS_LINT_METRICS " + json.dumps({**GOOD_METRICS, "rule": "KER201", "seed": 1}),
            "rule 'KER201' (expected 'KER601'), seed 1 (expected 0)",
        ),
    ],
)
def test_metrics_that_cannot_be_trusted_are_refused(stdout: str, problem: str) -> None:
    metrics, found = parse_metrics(stdout, None, "KER601", "bad", 0)
    assert metrics is None and found is not None and problem in found


# -- runs ----------------------------------------------------------------------------------

WRITES_FILE = """\
    import json, os
    metrics = {"rule": "KER601", "fixture": "bad", "seed": int(os.environ["KERAS_LINT_SEED"])}
    metrics["env"] = {k: os.environ.get(k) for k in (
        "CUDA_VISIBLE_DEVICES", "TF_DETERMINISTIC_OPS", "KERAS_BACKEND", "TF_NUM_INTRAOP_THREADS")}
    with open(os.environ["KERAS_LINT_METRICS_FILE"], "w") as out:
        json.dump(metrics, out)
"""


def test_a_program_that_writes_its_metrics_file(tmp_path: Path) -> None:
    result = run(tmp_path, WRITES_FILE, seed=0)
    assert result.ok and result.exit_code == 0 and result.problem is None
    assert result.cpu_seconds is not None and 0 < result.cpu_seconds < 10
    assert result.metrics is not None
    assert result.metrics["env"] == {
        "CUDA_VISIBLE_DEVICES": "-1",
        "TF_DETERMINISTIC_OPS": "1",
        "KERAS_BACKEND": "tensorflow",
        "TF_NUM_INTRAOP_THREADS": "1",
    }
    assert result.observed()["exit_code"] == 0


def test_the_seed_reaches_the_program(tmp_path: Path) -> None:
    body = WRITES_FILE.replace(
        '"fixture": "bad"', '"fixture": "bad", "s": os.environ["KERAS_LINT_SEED"]'
    )
    result = run(tmp_path, body, seed=2)
    assert result.ok and result.metrics is not None and result.metrics["s"] == "2"


def test_without_determinism_and_on_a_gpu_the_environment_says_so(tmp_path: Path) -> None:
    settings = RunSettings(python=sys.executable, device="gpu", deterministic=False, threads=3)
    env = settings.environment({"TF_DETERMINISTIC_OPS": "1", METRICS_FILE_VARIABLE: "/x"})
    assert "TF_DETERMINISTIC_OPS" not in env and "CUDA_VISIBLE_DEVICES" not in env
    assert METRICS_FILE_VARIABLE not in env
    assert env["TF_NUM_INTRAOP_THREADS"] == "3" and env["OMP_NUM_THREADS"] == "3"


def test_a_crash_is_an_error_with_the_stderr_tail(tmp_path: Path) -> None:
    result = run(
        tmp_path, "import sys\nprint('loading data')\nraise RuntimeError('disk on fire')\n"
    )
    assert result.status == "no-metrics" and not result.ok
    assert result.problem == "the program reported no metrics (exit status 1)"
    assert "RuntimeError: disk on fire" in result.stderr_tail


def test_a_crash_after_printing_metrics_keeps_the_metrics_and_its_exit_status(
    tmp_path: Path,
) -> None:
    body = """\
        import json, sys
        print("KERAS_LINT_METRICS " + json.dumps({"rule": "KER601", "fixture": "bad", "seed": 0}))
        sys.exit(3)
    """
    result = run(tmp_path, body)
    assert result.ok and result.exit_code == 3  # the criterion's exit status decides


def test_a_hang_is_killed_at_the_timeout(tmp_path: Path) -> None:
    settings = RunSettings(python=sys.executable, timeout=1.5, device="cpu")
    started = time.perf_counter()
    result = run(tmp_path, "import time\nprint('epoch 1', flush=True)\ntime.sleep(60)\n", settings)
    assert time.perf_counter() - started < 15
    assert result.status == "timeout" and result.problem == "timed out after 1.5 s"


def test_a_hang_in_a_child_process_is_killed_with_it(tmp_path: Path) -> None:
    body = """\
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        print(child.pid, flush=True)
        time.sleep(60)
    """
    settings = RunSettings(python=sys.executable, timeout=1.5, device="cpu")
    result = run(tmp_path, body, settings)
    assert result.status == "timeout"
    child = int((tmp_path / "work" / "KER601-bad-0" / "stdout.txt").read_text().split()[0])
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with open(f"/proc/{child}/stat") as stat:
                if stat.read().split()[2] == "Z":
                    break
        except FileNotFoundError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the program's child survived the timeout")


def test_a_program_killed_by_a_signal_is_an_error(tmp_path: Path) -> None:
    result = run(tmp_path, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    assert result.status == "crashed"
    assert result.problem == "killed by SIGKILL (out of memory?)"


def test_a_missing_interpreter_is_an_error(tmp_path: Path) -> None:
    settings = RunSettings(python=str(tmp_path / "no-python"), device="cpu")
    result = run(tmp_path, "print(1)\n", settings)
    assert result.status == "crashed" and "cannot run it with" in (result.problem or "")


def test_metrics_for_another_program_are_an_error(tmp_path: Path) -> None:
    body = """\
        import json
        print("KERAS_LINT_METRICS " + json.dumps({"rule": "KER601", "fixture": "good", "seed": 0}))
    """
    result = run(tmp_path, body)
    assert result.status == "no-metrics"
    assert "fixture 'good' (expected 'bad')" in (result.problem or "")


#: a program that takes half a second and reports its seed: parallel runs overlap in time
HALF_A_SECOND_PER_SEED = """\
    import json, os, time
    time.sleep(0.5)
    seed = int(os.environ["KERAS_LINT_SEED"])
    metrics = {"rule": "KER601", "fixture": "bad", "seed": seed}
    print("KERAS_LINT_METRICS " + json.dumps(metrics))
"""


def test_run_all_runs_everything_in_parallel_and_reports_progress(tmp_path: Path) -> None:
    path = program(tmp_path, HALF_A_SECOND_PER_SEED)
    requests = [RunRequest("KER601", path, seed) for seed in range(4)]
    events: list[tuple[str, int]] = []
    settings = RunSettings(python=sys.executable, device="cpu", jobs=4)
    started = time.perf_counter()
    results = run_all(requests, settings, lambda event, r, _: events.append((event, r.seed)))
    assert all(results[request].ok for request in requests)
    assert sorted(events) == sorted(
        [("start", s) for s in range(4)] + [("end", s) for s in range(4)]
    )
    assert time.perf_counter() - started < 4 * 0.5 + 3  # not strictly one after another


def test_exclusive_runs_run_alone_before_the_others(tmp_path: Path) -> None:
    body = """\
        import json, os
        seed = int(os.environ["KERAS_LINT_SEED"])
        metrics = {"rule": "KER601", "fixture": "bad", "seed": seed}
        print("KERAS_LINT_METRICS " + json.dumps(metrics))
    """
    path = program(tmp_path, body)
    requests = [RunRequest("KER601", path, 0), RunRequest("KER601", path, 1, exclusive=True)]
    order: list[tuple[str, int]] = []
    settings = RunSettings(python=sys.executable, device="cpu", jobs=2)
    run_all(requests, settings, lambda event, r, _: order.append((event, r.seed)))
    assert order[:2] == [("start", 1), ("end", 1)]


# -- the preloaded interpreter ---------------------------------------------------------------


@pytest.fixture
def preloader(tmp_path: Path):
    """A preloaded interpreter that imports nothing heavy (the programs here are plain Python)."""
    env = SETTINGS.environment()
    started = Preloader(sys.executable, env, tmp_path / "preloader.log", 30, modules=("json",))
    yield started
    started.close()


def run_preloaded(tmp_path: Path, preloader: Preloader, body: str, timeout: float = 20):
    workdir = tmp_path / "work"
    workdir.mkdir(exist_ok=True)
    settings = RunSettings(python=sys.executable, timeout=timeout, device="cpu", preload=True)
    request = RunRequest("KER601", program(tmp_path, body), 0)
    return run_fixture(request, settings, workdir, preloader)


REPORTS = f'import json\nprint("KERAS_LINT_METRICS " + json.dumps({json.dumps(GOOD_METRICS)}))\n'


def test_a_preloaded_run_gets_its_own_environment_folder_and_outputs(
    tmp_path: Path, preloader: Preloader
) -> None:
    body = """\
        import json, os, sys
        print("to stdout")
        print("to stderr", file=sys.stderr)
        metrics = {"rule": "KER601", "fixture": "bad", "seed": int(os.environ["KERAS_LINT_SEED"]),
                   "cwd": os.getcwd(), "argv": sys.argv, "name": __name__,
                   "determinism": os.environ.get("TF_DETERMINISTIC_OPS"),
                   "pgid_is_pid": os.getpgid(0) == os.getpid()}
        with open(os.environ["KERAS_LINT_METRICS_FILE"], "w") as out:
            json.dump(metrics, out)
        sys.exit(1)
    """
    result = run_preloaded(tmp_path, preloader, body)
    assert result.ok and result.exit_code == 1 and result.metrics is not None
    assert result.metrics["cwd"] == str(tmp_path / "work" / "KER601-bad-0")
    assert result.metrics["argv"] == [str(tmp_path / "bad.py")]
    assert result.metrics["name"] == "__main__" and result.metrics["determinism"] == "1"
    assert result.metrics["pgid_is_pid"] is True
    assert result.cpu_seconds is not None and result.cpu_seconds >= 0
    assert result.stderr_tail == "to stderr"
    assert (tmp_path / "work" / "KER601-bad-0" / "stdout.txt").read_text() == "to stdout\n"


def test_a_preloaded_crash_is_an_error_with_its_traceback(
    tmp_path: Path, preloader: Preloader
) -> None:
    result = run_preloaded(tmp_path, preloader, "raise RuntimeError('disk on fire')\n")
    assert result.status == "no-metrics" and result.exit_code == 1
    assert "RuntimeError: disk on fire" in result.stderr_tail


def test_a_preloaded_hang_is_killed_and_the_interpreter_serves_the_next_run(
    tmp_path: Path, preloader: Preloader
) -> None:
    hang = run_preloaded(tmp_path, preloader, "import time\ntime.sleep(60)\n", timeout=1.5)
    assert hang.status == "timeout"
    assert run_preloaded(tmp_path, preloader, REPORTS).ok


def test_a_preloaded_run_killed_by_a_signal_is_an_error(
    tmp_path: Path, preloader: Preloader
) -> None:
    result = run_preloaded(tmp_path, preloader, "import os, signal\nos.kill(os.getpid(), 9)\n")
    assert result.status == "crashed" and result.problem == "killed by SIGKILL (out of memory?)"


def test_a_preloader_that_cannot_start_falls_back_to_fresh_interpreters(tmp_path: Path) -> None:
    path = program(tmp_path, REPORTS)
    python = tmp_path / "python-that-fails"
    python.write_text(f'#!/bin/sh\ncase "$1" in -c) exit 3;; esac\nexec {sys.executable} "$@"\n')
    python.chmod(0o755)
    settings = RunSettings(python=str(python), device="cpu", preload=True)
    notes: list[str] = []
    results = run_all([RunRequest("KER601", path, 0)], settings, notify=notes.append)
    assert [result.ok for result in results.values()] == [True]
    assert notes and notes[0].startswith("no preloaded interpreter (the preloaded interpreter")


def test_a_preloaded_interpreter_runs_jobs_in_parallel(tmp_path: Path) -> None:
    path = program(tmp_path, HALF_A_SECOND_PER_SEED)
    settings = RunSettings(
        python=sys.executable, device="cpu", jobs=4, preload=True, preload_modules=("json",)
    )
    requests = [RunRequest("KER601", path, seed) for seed in range(4)]
    started = time.perf_counter()
    results = run_all(requests, settings)
    assert all(results[request].ok for request in requests)
    assert time.perf_counter() - started < 4 * 0.5 + 3


def test_each_backend_gets_its_own_settings_and_none_of_another_s() -> None:
    base = {"TF_DETERMINISTIC_OPS": "1", "XLA_FLAGS": "--xla_dump_to=/x", "KERAS_BACKEND": "tf"}
    jax = RunSettings(device="cpu", threads=1, backend="jax").environment(base)
    assert jax["KERAS_BACKEND"] == "jax" and jax["JAX_PLATFORMS"] == "cpu"
    assert jax["XLA_FLAGS"] == "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    assert "TF_DETERMINISTIC_OPS" not in jax and "TF_NUM_INTRAOP_THREADS" not in jax
    torch = RunSettings(device="gpu", threads=2, backend="torch").environment(base)
    assert torch["KERAS_BACKEND"] == "torch" and torch["OMP_NUM_THREADS"] == "2"
    assert torch["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8" and "XLA_FLAGS" not in torch
    tf = RunSettings(device="cpu", threads=1).environment(base)
    assert tf["KERAS_BACKEND"] == "tensorflow" and tf["TF_DETERMINISTIC_OPS"] == "1"
    assert "XLA_FLAGS" not in tf


def test_gpu_memory_settings_are_the_measured_program_s_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    monkeypatch.setenv("TF_FORCE_GPU_ALLOW_GROWTH", "true")
    monkeypatch.setenv("XLA_CLIENT_MEM_FRACTION", ".2")  # the current name of the fraction
    settings = RunSettings(device="gpu", backend="jax")
    measured = settings.run_environment(RunRequest("KER303", Path("bad.py"), 0, exclusive=True))
    assert "XLA_PYTHON_CLIENT_PREALLOCATE" not in measured
    assert "XLA_CLIENT_MEM_FRACTION" not in measured
    assert "TF_FORCE_GPU_ALLOW_GROWTH" not in measured
    # The other programs share the GPU: JAX must not take three quarters of it in each.
    monkeypatch.delenv("XLA_PYTHON_CLIENT_PREALLOCATE")
    shared = settings.run_environment(RunRequest("KER601", Path("bad.py"), 1))
    assert shared["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false"
    assert shared["KERAS_LINT_SEED"] == "1"


def test_a_fresh_request_bypasses_the_preloaded_interpreter(tmp_path: Path) -> None:
    # colorsys: a module only the preloader imports, so a forked child has it already
    env = SETTINGS.environment()
    preloader = Preloader(sys.executable, env, tmp_path / "p.log", 30, modules=("colorsys",))
    body = """\
        import json, os, sys
        metrics = {"rule": "KER601", "fixture": "bad", "seed": 0,
                   "preloaded": "colorsys" in sys.modules}
        with open(os.environ["KERAS_LINT_METRICS_FILE"], "w") as out:
            json.dump(metrics, out)
    """
    workdir = tmp_path / "work"
    workdir.mkdir()
    settings = RunSettings(python=sys.executable, timeout=20, device="cpu", preload=True)
    path = program(tmp_path, body)
    try:
        forked = run_fixture(RunRequest("KER601", path, 0), settings, workdir, preloader)
        fresh = run_fixture(RunRequest("KER601", path, 0, fresh=True), settings, workdir, preloader)
    finally:
        preloader.close()
    assert forked.metrics is not None and forked.metrics["preloaded"] is True
    assert fresh.metrics is not None and fresh.metrics["preloaded"] is False
