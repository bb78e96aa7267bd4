"""Measuring commands: fresh subprocesses, timed by wall clock from spawn to exit.

Interpreter start-up and imports are part of every figure. The rusage of each process (CPU
seconds, peak resident set size) comes from ``os.wait4``, so runs do not blur into each other.
``benchmarks/suite.py`` is the entry point; this module holds what it measures with.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

#: A folder keras-lint may write its cache to inside the linted tree, removed after each run.
CACHE_DIR_NAME = ".keras-lint-cache"

#: Exit statuses of keras-lint and flake8 that mean a completed run (0: clean, 1: findings).
LINT_SUCCESS = (0, 1)

# The floor. It discovers the files itself, like keras-lint does, and prints one JSON line.
FLOOR_SCRIPT = """\
import json, os, sys
import libcst

root = sys.argv[1]
files = errors = 0
for dirpath, dirnames, filenames in os.walk(root):
    dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
    for name in sorted(filenames):
        if name.endswith(".py"):
            with open(os.path.join(dirpath, name), "rb") as f:
                source = f.read()
            files += 1
            try:
                libcst.parse_module(source)
            except Exception:
                errors += 1
print(json.dumps({"files": files, "errors": errors}))
"""

# Counts calls of ``libcst.parse_module``: one line appended to a file per call. As a
# ``sitecustomize`` module on PYTHONPATH it patches libcst when (and only if) it is imported, in
# the keras-lint process and in every worker process it starts (forked or spawned). Importing
# libcst here instead would add its import time to every run, a warm run above all, which
# keras-lint itself never imports libcst in.
PARSE_COUNTER = """\
import os
import sys

_log = os.environ.get("KERAS_LINT_BENCH_PARSE_LOG")


def _count_calls(module):
    parse_module = module.parse_module

    def counted_parse_module(*args, **kwargs):
        with open(_log, "a") as f:
            f.write("1\\n")
        return parse_module(*args, **kwargs)

    module.parse_module = counted_parse_module


class _PatchLibcstWhenImported:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "libcst":
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            exec_module = spec.loader.exec_module

            def exec_and_patch(module):
                exec_module(module)
                _count_calls(module)

            spec.loader.exec_module = exec_and_patch
        return spec


if _log:
    sys.meta_path.insert(0, _PatchLibcstWhenImported)
"""


@dataclass
class Corpus:
    name: str
    root: Path
    files: list[Path]
    size_bytes: int
    lines: int


@dataclass
class Run:
    """One finished subprocess."""

    returncode: int
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    stdout: str
    stderr: str


@dataclass
class Series:
    """Repetitions of one command."""

    runs: list[Run] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(run.seconds for run in self.runs)

    @property
    def median(self) -> float:
        return statistics.median(run.seconds for run in self.runs)

    @property
    def cpu_seconds(self) -> float:
        return min(run.cpu_seconds for run in self.runs)

    @property
    def peak_rss_mb(self) -> float:
        return max(run.peak_rss_mb for run in self.runs)


class BenchmarkError(Exception):
    """A subprocess failed; the message says which and why."""


class TimedOut(BenchmarkError):
    """A subprocess ran past ``--timeout`` and was killed."""


def collect_corpus(root: Path, name: str | None = None) -> Corpus:
    """Every ``.py`` file under root, skipping hidden folders and ``__pycache__`` like the floor.

    Reading them here also puts them in the OS page cache, so no timed run reads from disk.
    """
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        files.extend(Path(dirpath, name) for name in sorted(filenames) if name.endswith(".py"))
    size = lines = 0
    for path in files:
        data = path.read_bytes()
        size += len(data)
        lines += data.count(b"\n")
    return Corpus(name or str(root), root, files, size, lines)


def rss_to_mb(maxrss: int) -> float:
    # ru_maxrss is in kilobytes on Linux and in bytes on macOS.
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def run_measured(
    command: Sequence[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
) -> Run:
    """Run command to completion; wall time from spawn to reap, rusage of the child itself.

    ``os.wait4`` returns the rusage of that one child, including the descendants it waited for
    (their CPU time is added; ``ru_maxrss`` is the largest single process, not a sum), so runs
    of the same benchmark do not blur into each other as ``RUSAGE_CHILDREN`` would.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
        # without a timeout, block in wait4; with one, poll (at most 10 ms added to the time)
        deadline = None if timeout is None else start + timeout
        pid, status, usage = os.wait4(process.pid, 0 if deadline is None else os.WNOHANG)
        while pid == 0:
            if deadline is not None and time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                process.returncode = -9
                raise TimedOut(f"killed after {timeout:g} s")
            time.sleep(0.01)
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            returncode=process.returncode,
            seconds=seconds,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            peak_rss_mb=rss_to_mb(usage.ru_maxrss),
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def tail(text: str, lines: int = 20) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def failure(label: str, run: Run) -> BenchmarkError:
    return BenchmarkError(
        f"{label} exited with status {run.returncode}; stderr ends with:\n{tail(run.stderr)}"
    )


def checked(label: str, run: Run, success: Sequence[int] = LINT_SUCCESS) -> Run:
    if run.returncode not in success:
        raise failure(label, run)
    return run


def lint_environment(
    extra: dict[str, str] | None = None, first_on_path: Sequence[Path] = ()
) -> dict[str, str]:
    """The caller's environment with this checkout first on the path: keras-lint runs elsewhere."""
    env = dict(os.environ)
    path = [*map(str, first_on_path), str(REPO_ROOT), env.get("PYTHONPATH")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, path))
    env.update(extra or {})
    return env


def lint_help(python: str) -> str:
    """``keras-lint --help``: which options exist. Also imports keras_lint once, untimed."""
    run = run_measured([python, "-m", "keras_lint", "--help"], REPO_ROOT, lint_environment())
    return checked("python -m keras_lint --help", run, (0,)).stdout


def compile_bytecode(python: str) -> None:
    """Write keras_lint's .pyc files once, so no timed run pays for the first compilation."""
    script = (
        "import compileall, importlib.util\n"
        "spec = importlib.util.find_spec('keras_lint')\n"
        "compileall.compile_dir(list(spec.submodule_search_locations)[0], quiet=1)\n"
    )
    subprocess.run([python, "-c", script], cwd=REPO_ROOT, env=lint_environment(), check=False)


def findings_of(stdout: str) -> list[dict[str, object]]:
    """The findings of a ``--format json`` run."""
    try:
        findings = json.loads(stdout)
    except json.JSONDecodeError as error:
        raise BenchmarkError(f"keras-lint did not print JSON ({error}):\n{stdout[:500]}") from error
    if not isinstance(findings, list):
        raise BenchmarkError(f"keras-lint printed {type(findings).__name__}, not a JSON array")
    return findings


def count_findings(stdout: str) -> Counter[str]:
    """Findings per code from the ``--format json`` array."""
    return Counter(str(finding.get("code")) for finding in findings_of(stdout))


def run_floor(python: str, corpus: Corpus, timeout: float | None) -> Run:
    with tempfile.TemporaryDirectory(prefix="libcst-floor-") as workdir:
        command = [python, "-c", FLOOR_SCRIPT, str(corpus.root)]
        run = run_measured(command, Path(workdir), None, timeout)
    return checked("the libcst floor", run, (0,))


def run_lint(
    python: str,
    corpus: Corpus,
    arguments: Sequence[str],
    count_parsed: bool,
    timeout: float | None,
) -> tuple[Run, int | None]:
    """One keras-lint run from a fresh working directory; returns it and its parse count."""
    cache_before = (corpus.root / CACHE_DIR_NAME).exists()
    with tempfile.TemporaryDirectory(prefix="keras-lint-bench-") as scratch:
        workdir = Path(scratch)
        parse_log = workdir / "parses.log"
        if count_parsed:
            (workdir / "sitecustomize.py").write_text(PARSE_COUNTER, encoding="utf-8")
            extra = {"KERAS_LINT_BENCH_PARSE_LOG": str(parse_log)}
            env = lint_environment(extra, first_on_path=[workdir])
        else:
            env = lint_environment()
        command = [python, "-m", "keras_lint", str(corpus.root), *arguments]
        try:
            run = run_measured(command, workdir, env, timeout)
        except TimedOut as error:
            if count_parsed:
                raise TimedOut(
                    f"{error} ({parsed_count(parse_log)} libcst.parse_module calls by then)"
                ) from error
            raise
        parsed = parsed_count(parse_log) if count_parsed else None
    stray_cache = corpus.root / CACHE_DIR_NAME
    if not cache_before and stray_cache.is_dir():
        # It appeared during this run: remove it so the next run is cold as well.
        shutil.rmtree(stray_cache)
    return checked("keras-lint", run), parsed


def parsed_count(parse_log: Path) -> int:
    return len(parse_log.read_text().splitlines()) if parse_log.exists() else 0
