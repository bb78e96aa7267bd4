"""Cold, single-process run of keras-lint against the floor of parsing every file with libcst.

Both sides run as fresh subprocesses, timed by wall clock from spawn to exit, so interpreter
start-up and imports are part of both figures. The floor reads and ``libcst.parse_module``-s
every ``.py`` file of the folder; keras-lint runs ``python -m keras_lint FOLDER --format json``.
The ratio between the two is what keras-lint costs relative to parsing everything
(it skips the parse of files no rule could report in, so it can come in below 1.00).

    .venv/bin/python benchmarks/cold_run.py                 # the installed keras package source
    .venv/bin/python benchmarks/cold_run.py some/folder --repeat 3

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

#: A directory keras-lint may write its cache to; a cache left from an earlier run makes it warm.
CACHE_DIR_NAME = ".keras-lint-cache"

#: Exit statuses of keras-lint that mean a completed run (0: no findings, 1: findings).
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

# Runs ``python -m keras_lint`` unchanged, counting calls of ``libcst.parse_module`` on the side:
# one line appended to a file per call, so processes forked by the engine are counted too. The
# patch happens before keras_lint is imported, so ``from libcst import parse_module`` sees it.
COUNTING_SHIM = """\
import os, runpy, sys
import libcst

_log = os.environ["KERAS_LINT_BENCH_PARSE_LOG"]
_parse_module = libcst.parse_module

def _counted_parse_module(*args, **kwargs):
    with open(_log, "a") as f:
        f.write("1\\n")
    return _parse_module(*args, **kwargs)

libcst.parse_module = _counted_parse_module
sys.argv[0] = "keras_lint"
runpy.run_module("keras_lint", run_name="__main__", alter_sys=True)
"""


@dataclass
class Corpus:
    root: Path
    files: list[Path]
    size_bytes: int


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

    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def times(self) -> list[float]:
        return [run.seconds for run in self.runs]

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

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


def default_folder() -> Path:
    """The installed keras package source, found without importing keras."""
    spec = importlib.util.find_spec("keras")
    if spec is None or not spec.submodule_search_locations:
        raise BenchmarkError("keras is not installed here; give a folder to lint")
    return Path(next(iter(spec.submodule_search_locations)))


def collect_corpus(root: Path) -> Corpus:
    """Every ``.py`` file under root, skipping hidden folders and ``__pycache__`` like the floor."""
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
        files.extend(Path(dirpath, name) for name in sorted(filenames) if name.endswith(".py"))
    return Corpus(root=root, files=files, size_bytes=sum(f.stat().st_size for f in files))


def warm_page_cache(corpus: Corpus) -> None:
    """Read every file once so neither side pays for the first read from disk."""
    for path in corpus.files:
        path.read_bytes()


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

    ``os.wait4`` returns the rusage of that one child (including the descendants it reaped), so
    runs of the same benchmark do not blur into each other as ``RUSAGE_CHILDREN`` would.
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


def lint_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The caller's environment with this checkout first on the path: keras-lint runs elsewhere."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


def lint_help(python: str) -> str:
    """``keras-lint --help``: which options exist. Also imports keras_lint once, untimed."""
    run = run_measured([python, "-m", "keras_lint", "--help"], REPO_ROOT, lint_environment())
    if run.returncode != 0:
        raise failure("python -m keras_lint --help", run)
    return run.stdout


def compile_bytecode(python: str) -> None:
    """Write keras_lint's .pyc files once, so no timed run pays for the first compilation."""
    script = (
        "import compileall, importlib.util\n"
        "spec = importlib.util.find_spec('keras_lint')\n"
        "compileall.compile_dir(list(spec.submodule_search_locations)[0], quiet=1)\n"
    )
    subprocess.run([python, "-c", script], cwd=REPO_ROOT, env=lint_environment(), check=False)


def lint_arguments(help_text: str, jobs: int, extra: Sequence[str]) -> list[str]:
    arguments = ["--format", "json"]
    if "--jobs" in help_text:
        arguments += ["--jobs", str(jobs)]
    if "--no-cache" in help_text:
        arguments.append("--no-cache")
    return arguments + list(extra)


def count_findings(stdout: str) -> collections.Counter[str]:
    """Findings per code from the ``--format json`` array."""
    try:
        findings = json.loads(stdout)
    except json.JSONDecodeError as error:
        raise BenchmarkError(f"keras-lint did not print JSON ({error}):\n{stdout[:500]}") from error
    if not isinstance(findings, list):
        raise BenchmarkError(f"keras-lint printed {type(findings).__name__}, not a JSON array")
    return collections.Counter(str(finding.get("code")) for finding in findings)


def files_with_findings(stdout: str) -> int:
    return len({finding.get("path") for finding in json.loads(stdout)})


def run_floor(python: str, corpus: Corpus, workdir: Path, timeout: float | None) -> Run:
    try:
        run = run_measured([python, "-c", FLOOR_SCRIPT, str(corpus.root)], workdir, None, timeout)
    except TimedOut as error:
        raise BenchmarkError(f"the libcst floor {error}") from error
    if run.returncode != 0:
        raise failure("the libcst floor", run)
    return run


def parsed_count(parse_log: Path) -> int:
    return len(parse_log.read_text().splitlines()) if parse_log.exists() else 0


def run_lint(
    python: str,
    corpus: Corpus,
    arguments: Sequence[str],
    count_parsed: bool,
    timeout: float | None,
) -> tuple[Run, int | None]:
    """One cold keras-lint run from a fresh working directory; returns it and its parse count."""
    cache_before = (corpus.root / CACHE_DIR_NAME).exists()
    with tempfile.TemporaryDirectory(prefix="keras-lint-bench-") as scratch:
        workdir = Path(scratch)
        parse_log = workdir / "parses.log"
        if count_parsed:
            command = [python, "-c", COUNTING_SHIM]
            env = lint_environment({"KERAS_LINT_BENCH_PARSE_LOG": str(parse_log)})
        else:
            command = [python, "-m", "keras_lint"]
            env = lint_environment()
        try:
            run = run_measured([*command, str(corpus.root), *arguments], workdir, env, timeout)
        except TimedOut as error:
            progress = ""
            if count_parsed:
                progress = f" ({parsed_count(parse_log)} libcst.parse_module calls by then)"
            raise BenchmarkError(f"keras-lint {error}{progress}") from error
        parsed = parsed_count(parse_log) if count_parsed else None
    if run.returncode not in LINT_SUCCESS:
        raise failure("keras-lint", run)
    stray_cache = corpus.root / CACHE_DIR_NAME
    if not cache_before and stray_cache.is_dir():
        # It appeared during this run: remove it so the next repetition is cold as well.
        shutil.rmtree(stray_cache)
    return run, parsed


def format_table(corpus: Corpus, floor: Series, lint: Series) -> str:
    count = len(corpus.files)
    header = f"{'':<28}{'min s':>9}{'median s':>10}{'files/s':>9}{'cpu s':>8}{'peak MB':>9}"
    header += f"{'ratio':>7}"
    rows = [header]
    for series in (floor, lint):
        rows.append(
            f"{series.label:<28}{series.best:>9.2f}{series.median:>10.2f}"
            f"{count / series.best:>9.1f}{series.cpu_seconds:>8.2f}"
            f"{series.peak_rss_mb:>9.0f}{series.best / floor.best:>7.2f}"
        )
    return "\n".join(rows)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Cold single-process keras-lint against a libcst parse-only floor."
    )
    parser.add_argument(
        "folder", nargs="?", type=Path, help="folder to lint (default: the installed keras source)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="repetitions of each (default 1)")
    parser.add_argument(
        "--python", default=sys.executable, help="interpreter for both subprocesses"
    )
    parser.add_argument(
        "--jobs", type=int, default=1, help="keras-lint --jobs, when it has one (default 1)"
    )
    parser.add_argument(
        "--lint-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for keras-lint, repeatable (write --lint-arg=--flag)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        metavar="SECONDS",
        help="kill a subprocess that runs longer and stop with status 2 (default: no limit)",
    )
    parser.add_argument(
        "--no-count-parsed",
        dest="count_parsed",
        action="store_false",
        help="run plain `python -m keras_lint`, without counting libcst.parse_module calls",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        folder = (args.folder or default_folder()).resolve()
        if not folder.is_dir():
            raise BenchmarkError(f"{folder} is not a folder")
        corpus = collect_corpus(folder)
        if not corpus.files:
            raise BenchmarkError(f"{folder} holds no .py files")
        print(
            f"corpus: {folder} ({len(corpus.files)} .py files, {corpus.size_bytes / 1e6:.1f} MB)",
            flush=True,
        )

        help_text = lint_help(args.python)
        compile_bytecode(args.python)
        warm_page_cache(corpus)
        arguments = lint_arguments(help_text, args.jobs, args.lint_arg)
        label = "keras-lint cold"
        if "--jobs" in help_text:
            label = f"keras-lint --jobs {args.jobs} cold"
        print(f"python: {args.python}", flush=True)
        print(f"keras-lint arguments: FOLDER {' '.join(arguments)}", flush=True)

        floor = Series("libcst parse only (floor)")
        lint = Series(label)
        parsed: int | None = None
        floor_report: dict[str, int] = {}
        with tempfile.TemporaryDirectory(prefix="libcst-floor-") as floor_dir:
            for repetition in range(1, args.repeat + 1):
                floor_run = run_floor(args.python, corpus, Path(floor_dir), args.timeout)
                floor.runs.append(floor_run)
                floor_report = json.loads(floor_run.stdout)
                lint_run, parsed = run_lint(
                    args.python, corpus, arguments, args.count_parsed, args.timeout
                )
                lint.runs.append(lint_run)
                print(
                    f"  run {repetition}/{args.repeat}: floor {floor_run.seconds:.2f} s, "
                    f"keras-lint {lint_run.seconds:.2f} s",
                    flush=True,
                )
    except BenchmarkError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    findings = count_findings(lint.runs[-1].stdout)
    print()
    print(format_table(corpus, floor, lint))
    print()
    by_code = ", ".join(f"{code}: {n}" for code, n in sorted(findings.items()))
    print(f"findings: {sum(findings.values())}" + (f" ({by_code})" if by_code else ""))
    print(f"files with findings: {files_with_findings(lint.runs[-1].stdout)}")
    print(
        f"floor: parsed {floor_report.get('files')} files, "
        f"{floor_report.get('errors')} parse errors"
    )
    if parsed is None:
        print("keras-lint libcst.parse_module calls: not counted (--no-count-parsed)")
    else:
        print(f"keras-lint libcst.parse_module calls: {parsed} (corpus: {len(corpus.files)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
