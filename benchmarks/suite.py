"""keras-lint's benchmark suite: every figure measured in one run, next to the cost of parsing.

The floor is libcst's ``parse_module`` of every file of a corpus in one process. Each other
figure is a fresh process timed from spawn to exit, reported as a ratio to the floor with its
peak memory and the target it is held to. It reports; it does not gate: a missed target does
not change the exit status. See benchmarks/README.md for what each figure means.

    .venv/bin/python benchmarks/suite.py                        # a generated 1,000-file corpus
    .venv/bin/python benchmarks/suite.py path/to/tree --repeat 3 --json results.json
    .venv/bin/python benchmarks/suite.py --only flake8,fixit    # the floor and cold run, and these
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import generate_corpus
from benchmarks.growth import Growth, measure_growth
from benchmarks.measure import (
    REPO_ROOT,
    BenchmarkError,
    Corpus,
    Run,
    Series,
    collect_corpus,
    compile_bytecode,
    count_findings,
    findings_of,
    lint_help,
    run_floor,
    run_lint,
)
from benchmarks.peers import (
    FIXIT_COMMAND,
    FLAKE8_COMMAND,
    Environment,
    Flake8Setup,
    fixit_processes,
    flake8_setup,
    inspect_environment,
    run_fixit,
    run_flake8,
    sample_corpus,
)

#: what ``--only`` can name; the floor and the cold run are measured whenever a corpus is
FIGURES = ("floor", "cold", "jobs", "warm", "flake8", "fixit", "growth")
DEFAULT_SIZES = (1_000, 10_000, 50_000)
DEFAULT_FIXIT_FILES = 200

# The targets (benchmarks/README.md says where they come from).
COLD_MAX_RATIO = 0.5
COLD_MAX_MB = 300.0
WARM_MAX_RATIO = 0.05
JOBS_EFFICIENCY = 0.85  # --jobs N at least 0.85 * N times faster than --jobs 1: 1.7 on 2 cores
FLAKE8_MAX_RATIO = 1.5
FIXIT_MIN_SPEEDUP = 10.0

NOT_SELECTED = "not selected (--only)"
#: a 1-minute load average at the start from which the report warns that others used the CPU
BUSY_LOAD = 0.5


@dataclass
class Target:
    text: str  # what is promised, e.g. "<= 0.50x floor"
    value: float  # the measured quantity
    shown: str  # how it is printed, e.g. "0.31x"
    met: bool | None  # None: not applicable here (e.g. --jobs on one core)


@dataclass
class Figure:
    key: str
    label: str
    floor_key: str = "floor"  # the figure its ratio is taken to
    series: Series = field(default_factory=Series)
    reason: str | None = None  # why there are no numbers: n/a, not selected, or the failure
    failed: bool = False
    targets: list[Target] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)
    stdout: str = ""  # of the last run, for comparing findings; not in the JSON report

    @property
    def measured(self) -> bool:
        return bool(self.series.runs) and not self.failed


@dataclass
class CorpusResult:
    corpus: Corpus
    figures: dict[str, Figure]
    sample: Corpus | None = None  # where the Fixit figures were measured, if not the corpus
    planted: dict[str, int] | None = None
    notes: list[str] = field(default_factory=list)

    def ratio(self, figure: Figure) -> float | None:
        """Wall-clock seconds over the floor's (the fastest runs of each)."""
        floor = self.figures[figure.floor_key]
        if figure.measured and floor.measured:
            return figure.series.best / floor.series.best
        return None

    def cpu_ratio(self, figure: Figure) -> float | None:
        """CPU seconds over the floor's: steadier than wall time on a busy machine."""
        floor = self.figures[figure.floor_key]
        if figure.measured and floor.measured:
            return figure.series.cpu_seconds / floor.series.cpu_seconds
        return None


@dataclass
class Context:
    """What every figure needs: the interpreter, keras-lint's options, the peers, the limits."""

    python: str
    help_text: str
    jobs: int
    lint_args: list[str]
    count_parsed: bool
    timeout: float | None
    scratch: Path
    environment: Environment
    fixit_files: int
    flake8: Flake8Setup = field(default_factory=Flake8Setup)

    def has(self, option: str) -> bool:
        """Whether ``keras-lint --help`` lists the option."""
        return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", self.help_text) is not None

    def lint_arguments(self, jobs: int, cache_dir: Path | None = None) -> list[str]:
        arguments = ["--format", "json"]
        if self.has("--jobs"):
            arguments += ["--jobs", str(jobs)]
        if cache_dir is not None:
            arguments += ["--cache-dir", str(cache_dir)]
        elif self.has("--no-cache"):
            arguments.append("--no-cache")
        return arguments + self.lint_args

    def one_process(self) -> str:
        return "--jobs 1" if self.has("--jobs") else "(one process)"


def usable_cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def load_average() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


# --- the figures of one corpus --------------------------------------------------------------


def corpus_figures(context: Context, selected: set[str], sampled: bool) -> dict[str, Figure]:
    one, jobs = context.one_process(), context.jobs
    cache_run = "keras-lint --jobs 1, " if context.has("--jobs") else "keras-lint "
    processes = fixit_processes()
    peer_jobs = f"--jobs {processes}" if context.has("--jobs") else "(one process)"
    figures = [
        Figure("floor", "libcst parse only (floor)"),
        Figure("cold", f"keras-lint cold {one}"),
        Figure("jobs", f"keras-lint cold --jobs {jobs}"),
        Figure("fill", f"{cache_run}filling the cache"),
        Figure("warm", f"{cache_run}warm (cache hit)"),
        Figure("flake8", "flake8 -j1 alone (no keras-lint)"),
        Figure("flake8_plugin", "flake8 -j1 + keras-lint plugin"),
    ]
    if sampled:
        figures += [
            Figure("sample_floor", "  libcst parse only (sample floor)", "sample_floor"),
            Figure("sample_lint", f"  keras-lint cold {peer_jobs}", "sample_floor"),
        ]
    figures.append(
        Figure(
            "fixit",
            f"{'  ' if sampled else ''}fixit lint, one rule ({processes} processes)",
            "sample_floor" if sampled else "floor",
        )
    )
    by_key = {figure.key: figure for figure in figures}
    option_of = {
        "jobs": "jobs",
        "fill": "warm",
        "warm": "warm",
        "flake8": "flake8",
        "flake8_plugin": "flake8",
        "sample_floor": "fixit",
        "sample_lint": "fixit",
        "fixit": "fixit",
    }
    for key, figure in by_key.items():
        if option_of.get(key, "floor") not in selected | {"floor"}:
            figure.reason = NOT_SELECTED
    no_cache = "n/a (keras-lint has no --cache-dir)"
    unavailable = {
        ("jobs",): None if context.has("--jobs") else "n/a (keras-lint has no --jobs)",
        ("fill", "warm"): None if context.has("--cache-dir") else no_cache,
        ("flake8", "flake8_plugin"): context.flake8.reason,
        ("sample_floor", "sample_lint", "fixit"): (
            None
            if context.environment.versions.get("fixit")
            else 'n/a (fixit is not installed: pip install -e ".[bench]")'
        ),
    }
    for keys, reason in unavailable.items():
        for key in keys:
            if key in by_key and reason is not None and by_key[key].reason is None:
                by_key[key].reason = reason
                by_key[key].failed = reason.startswith("failed")
    return by_key


def record_lint(figure: Figure, run: Run, arguments: Sequence[str], parsed: int | None) -> Run:
    figure.details["command"] = ["keras-lint", "CORPUS", *arguments]
    figure.details["findings"] = dict(sorted(count_findings(run.stdout).items()))
    figure.details["libcst_parses"] = parsed
    figure.stdout = run.stdout
    return run


def measure_corpus(
    context: Context,
    corpus: Corpus,
    planted: dict[str, int] | None,
    selected: set[str],
    repeat: int,
    progress: Callable[[str], None],
) -> CorpusResult:
    """Every selected figure of one corpus, ``repeat`` times, the figures taking turns."""
    sample = None
    if "fixit" in selected and context.environment.versions.get("fixit"):
        sample = sample_corpus(corpus, context.fixit_files, context.scratch / "fixit")
    figures = corpus_figures(context, selected, sample is not None)
    result = CorpusResult(corpus, figures, sample, planted)
    python, timeout = context.python, context.timeout

    def lint(key: str, on: Corpus, arguments: list[str]) -> Callable[[], None]:
        def step() -> None:
            run, parsed = run_lint(python, on, arguments, context.count_parsed, timeout)
            figures[key].series.runs.append(record_lint(figures[key], run, arguments, parsed))

        return step

    def floor(key: str, on: Corpus) -> Callable[[], None]:
        def step() -> None:
            run = run_floor(python, on, timeout)
            figures[key].details.update(json.loads(run.stdout))
            figures[key].series.runs.append(run)

        return step

    def warm() -> None:
        with tempfile.TemporaryDirectory(prefix="cache-", dir=context.scratch) as cache:
            arguments = context.lint_arguments(1, Path(cache))
            lint("fill", corpus, arguments)()
            lint("warm", corpus, arguments)()

    def flake8(key: str, interpreter: str | Path | None) -> Callable[[], None]:
        def step() -> None:
            assert interpreter is not None
            run, codes = run_flake8(str(interpreter), corpus, context.scratch, timeout)
            figures[key].details["command"] = FLAKE8_COMMAND
            figures[key].details["reports"] = sum(codes.values())
            figures[key].details["keras_lint_reports"] = {
                code: n for code, n in sorted(codes.items()) if code.startswith("KER")
            }
            figures[key].series.runs.append(run)

        return step

    def fixit() -> None:
        run, places, not_linted = run_fixit(python, sample or corpus, context.scratch, timeout)
        figures["fixit"].details.update(
            command=FIXIT_COMMAND, reports=len(places), places=places, files_not_linted=not_linted
        )
        figures["fixit"].series.runs.append(run)

    steps: list[tuple[tuple[str, ...], Callable[[], None]]] = [
        (("floor",), floor("floor", corpus)),
        (("cold",), lint("cold", corpus, context.lint_arguments(1))),
        (("jobs",), lint("jobs", corpus, context.lint_arguments(context.jobs))),
        (("fill", "warm"), warm),
        (("flake8",), flake8("flake8", context.flake8.alone)),
        (("flake8_plugin",), flake8("flake8_plugin", context.flake8.plugged)),
    ]
    if sample is not None:
        peer_arguments = context.lint_arguments(fixit_processes())
        steps += [
            (("sample_floor",), floor("sample_floor", sample)),
            (("sample_lint",), lint("sample_lint", sample, peer_arguments)),
        ]
    steps.append((("fixit",), fixit))
    for repetition in range(1, repeat + 1):
        for keys, step in steps:
            if any(figures[key].reason is not None for key in keys):
                continue
            try:
                step()
            except BenchmarkError as error:
                for key in keys:
                    figures[key].failed = True
                    figures[key].reason = f"failed: {' '.join(str(error).split())}"
                progress(f"  [{corpus.name}] {figures[keys[0]].label.strip()}: failed: {error}")
                continue
            for key in keys:
                progress(
                    f"  [{corpus.name}] {figures[key].label.strip()}, run {repetition}/{repeat}: "
                    f"{figures[key].series.runs[-1].seconds:.2f} s"
                )
    judge(context, result)
    return result


# --- targets and notes ----------------------------------------------------------------------


def judge(context: Context, result: CorpusResult) -> None:
    """Attach each target to its figure, and the notes comparing findings."""
    f = result.figures
    cold, jobs, fill, warm = f["cold"], f["jobs"], f["fill"], f["warm"]
    if cold.measured:
        share = result.ratio(cold)
        if share is not None:
            cold.targets.append(
                Target(
                    f"<= {COLD_MAX_RATIO:.2f}x floor",
                    share,
                    f"{share:.2f}x",
                    share <= COLD_MAX_RATIO,
                )
            )
        peak = cold.series.peak_rss_mb
        cold.targets.append(
            Target(f"peak <= {COLD_MAX_MB:.0f} MB", peak, f"{peak:.0f} MB", peak <= COLD_MAX_MB)
        )
        parsed = cold.details.get("libcst_parses")
        if parsed is not None:
            result.notes.append(
                f"keras-lint parsed {parsed} of the {len(result.corpus.files)} files with libcst "
                "(the others cannot hold a finding)"
            )
    if jobs.measured and cold.measured:
        speedup = cold.series.best / jobs.series.best
        needed = JOBS_EFFICIENCY * context.jobs
        jobs.targets.append(
            Target(
                f">= {needed:.2f}x faster than --jobs 1",
                speedup,
                f"{speedup:.2f}x",
                speedup >= needed if context.jobs > 1 else None,
            )
        )
    if warm.measured and cold.measured:
        share = warm.series.best / cold.series.best
        warm.targets.append(
            Target(
                f"<= {WARM_MAX_RATIO:.2f}x cold", share, f"{share:.3f}x", share <= WARM_MAX_RATIO
            )
        )
        same = warm.details.get("findings") == fill.details.get("findings")
        same = same and fill.details.get("findings") == cold.details.get("findings")
        result.notes.append(
            f"warm run: {warm.details.get('libcst_parses')} libcst parses; findings "
            f"{'the same as' if same else 'DIFFERENT from'} the cold run's"
        )
    alone, plugged = f["flake8"], f["flake8_plugin"]
    if alone.measured and plugged.measured:
        share = plugged.series.best / alone.series.best
        plugged.targets.append(
            Target(
                f"<= {FLAKE8_MAX_RATIO:.2f}x flake8 alone",
                share,
                f"{share:.2f}x",
                share <= FLAKE8_MAX_RATIO,
            )
        )
        result.notes.append(
            f"KER reports through flake8: {format_counts(plugged.details['keras_lint_reports'])}; "
            f"keras-lint: {format_counts(cold.details.get('findings'))}"
        )
    fixit = f["fixit"]
    peer = f.get("sample_lint") or (
        jobs if jobs.measured and context.jobs == fixit_processes() else cold
    )
    if fixit.measured and peer.measured:
        speedup = fixit.series.best / peer.series.best
        on = peer.label.strip().replace("keras-lint cold ", "")
        fixit.targets.append(
            Target(
                f"keras-lint >= {FIXIT_MIN_SPEEDUP:.0f}x faster",
                speedup,
                f"{speedup:.1f}x, keras-lint {on}",
                speedup >= FIXIT_MIN_SPEEDUP,
            )
        )
        result.notes.append(agreement(peer, fixit, result.sample))
    if result.planted is not None:
        result.notes.append(f"planted bugs: {format_counts(result.planted)}")


def agreement(lint: Figure, fixit: Figure, sample: Corpus | None) -> str:
    """How the Fixit rule's reports compare with keras-lint's KER601 findings, place by place."""
    ours = {
        (os.path.realpath(str(finding["path"])), int(str(finding["line"])))
        for finding in findings_of(lint.stdout)
        if finding.get("code") == "KER601"
    }
    places = fixit.details.get("places")
    theirs = (
        {(str(path), int(line)) for path, line in places} if isinstance(places, list) else set()
    )
    where = f" on the sample ({sample.name}, {len(sample.files)} files)" if sample else ""
    not_linted = fixit.details.get("files_not_linted")
    text = (
        f"KER601{where}: keras-lint {len(ours)}, Fixit rule {len(theirs)}; same place "
        f"{len(ours & theirs)}, only keras-lint {len(ours - theirs)}, only Fixit "
        f"{len(theirs - ours)}"
    )
    return text + (f"; Fixit could not lint {not_linted} files" if not_linted else "")


def format_counts(counts: object) -> str:
    if not isinstance(counts, dict) or not counts:
        return "none"
    return ", ".join(f"{code} {n}" for code, n in sorted(counts.items()))


def growth_target(growth: Growth) -> Target | None:
    factors = growth.factors()
    if factors is None:
        return None
    parse, lint = factors["libcst"], factors["keras-lint"]
    return Target(
        "keras-lint's grows no faster than libcst's",
        lint / parse,
        f"libcst x{parse:.2f}, keras-lint x{lint:.2f}",
        lint <= parse,
    )


# --- output ---------------------------------------------------------------------------------

_WIDTH = 44
_HEADER = (
    f"{'figure':<{_WIDTH}}{'min s':>8}{'median s':>9}{'cpu s':>8}{'peak MB':>8}{'x floor':>8}"
    f"{'cpu x':>7}  {'target':<34}met?"
)


def table(result: CorpusResult) -> str:
    corpus = result.corpus
    lines = [
        f"corpus {corpus.name}: {corpus.root}",
        f"  {len(corpus.files)} .py files, {corpus.lines:,} lines, "
        f"{corpus.size_bytes / 1e6:.1f} MB",
        _HEADER,
    ]
    for key, figure in result.figures.items():
        if key == "sample_floor" and result.sample is not None:
            sample = result.sample
            lines.append(
                f"Fixit and its keras-lint peer on a sample: {sample.name} "
                f"({len(sample.files)} files, {sample.lines:,} lines)"
            )
        if figure.reason == NOT_SELECTED:
            continue
        if not figure.measured:
            reason = str(figure.reason).splitlines()[0]
            lines.append(f"{figure.label:<{_WIDTH}} {reason[:100]}")
            continue
        series, share, cpu = figure.series, result.ratio(figure), result.cpu_ratio(figure)
        row = (
            f"{figure.label:<{_WIDTH}}{series.best:>8.2f}{series.median:>9.2f}"
            f"{series.cpu_seconds:>8.2f}{series.peak_rss_mb:>8.0f}"
            f"{'' if share is None else f'{share:.2f}':>8}{'' if cpu is None else f'{cpu:.2f}':>7}"
        )
        lines += [row] if not figure.targets else []
        for index, goal in enumerate(figure.targets):
            lead = row if index == 0 else " " * len(row)
            lines.append(f"{lead}  {goal.text:<34}{verdict(goal)}")
    lines += result.notes
    return "\n".join(lines)


def verdict(goal: Target) -> str:
    word = {True: "yes", False: "NO", None: "n/a"}[goal.met]
    return f"{word} ({goal.shown})"


def growth_table(growth: Growth) -> str:
    lines = [
        "growth with file size: one generated module per size, CPU time in-process after the "
        "imports and a warm-up",
        f"{'lines':>8}{'libcst s':>10}{'us/line':>9}{'keras-lint s':>14}{'us/line':>9}"
        f"{'x libcst':>10}{'peak MB (libcst, keras-lint)':>31}",
    ]
    for size in growth.sizes:
        if not size.measured:
            continue
        parse, lint = size.tools["libcst"], size.tools["keras-lint"]
        lines.append(
            f"{size.lines:>8,}{parse.cpu:>10.3f}{size.per_line('libcst') * 1e6:>9.1f}"
            f"{lint.cpu:>14.3f}{size.per_line('keras-lint') * 1e6:>9.1f}"
            f"{lint.cpu / parse.cpu:>10.2f}{f'{parse.peak_mb:.0f}, {lint.peak_mb:.0f}':>31}"
        )
    if growth.failure:
        lines.append(growth.failure)
    goal = growth_target(growth)
    if goal is not None:
        measured = [size for size in growth.sizes if size.measured]
        lines.append(
            f"per-line cost from {measured[0].lines:,} to {measured[-1].lines:,} lines: "
            f"{goal.shown}; target: {goal.text}: {verdict(goal).split()[0]}"
        )
    return "\n".join(lines)


def figure_json(result: CorpusResult, figure: Figure) -> dict[str, object]:
    series, measured = figure.series, figure.measured
    return {
        "label": figure.label.strip(),
        "measured": measured,
        "reason": figure.reason,
        "seconds_min": series.best if measured else None,
        "seconds_median": series.median if measured else None,
        "seconds": [run.seconds for run in series.runs] if measured else [],
        "cpu_seconds": series.cpu_seconds if measured else None,
        "peak_mb": series.peak_rss_mb if measured else None,
        "ratio_to": figure.floor_key,
        "ratio": result.ratio(figure),
        "cpu_ratio": result.cpu_ratio(figure),
        "targets": [goal.__dict__ for goal in figure.targets],
        **figure.details,
    }


def corpus_json(result: CorpusResult) -> dict[str, object]:
    corpus, sample = result.corpus, result.sample
    return {
        "name": corpus.name,
        "root": str(corpus.root),
        "files": len(corpus.files),
        "lines": corpus.lines,
        "bytes": corpus.size_bytes,
        "planted": result.planted,
        "fixit_sample": None
        if sample is None
        else {"name": sample.name, "files": len(sample.files), "lines": sample.lines},
        "figures": {key: figure_json(result, figure) for key, figure in result.figures.items()},
        "notes": result.notes,
    }


def growth_json(growth: Growth) -> dict[str, object]:
    goal = growth_target(growth)
    return {
        "timing": "CPU seconds in-process after the imports and a warm-up; one process per run",
        "failure": growth.failure,
        "sizes": [
            {
                "target_lines": size.target_lines,
                "lines": size.lines,
                "keras_lint_findings": size.findings,
                **{
                    tool.replace("-", "_"): {
                        "cpu_seconds_min": m.cpu if m.cpu_seconds else None,
                        "us_per_line": m.cpu / size.lines * 1e6 if m.cpu_seconds else None,
                        "cpu_seconds": m.cpu_seconds,
                        "seconds": m.seconds,
                        "peak_mb": m.peak_mb,
                    }
                    for tool, m in size.tools.items()
                },
            }
            for size in growth.sizes
        ],
        "factors": growth.factors(),
        "target": None if goal is None else goal.__dict__,
    }


# --- command line ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="keras-lint's benchmark suite: each figure as a ratio to libcst's parse.",
        epilog="See benchmarks/README.md. The exit status is 0 whether or not targets are met; "
        "2 on a usage error or when a figure could not be measured (a crash, --timeout).",
    )
    parser.add_argument(
        "folders", nargs="*", type=Path, metavar="FOLDER",
        help="trees to measure on (default: a generated corpus of 1,000 files)",
    )  # fmt: skip
    parser.add_argument(
        "--generate", type=int, metavar="N",
        help="also measure on a generated corpus of N files (default 1000 when no FOLDER)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="of the generated files (default 0)")
    parser.add_argument(
        "--repeat", type=int, default=1, metavar="N", help="runs of each figure (default 1)"
    )
    parser.add_argument(
        "--only", metavar="FIGURES",
        help=f"comma-separated subset of: {', '.join(FIGURES)} (the floor and the cold run are "
        "measured whenever a corpus is)",
    )  # fmt: skip
    parser.add_argument(
        "--jobs", type=int, default=usable_cores(), metavar="N",
        help="N of the keras-lint --jobs N figure (default: the usable cores)",
    )  # fmt: skip
    parser.add_argument(
        "--sizes", default=",".join(map(str, DEFAULT_SIZES)),
        help="line counts of the growth modules (default 1000,10000,50000)",
    )  # fmt: skip
    parser.add_argument(
        "--fixit-files", type=int, default=DEFAULT_FIXIT_FILES, metavar="N",
        help=f"measure Fixit on a sample of N files of each corpus (default {DEFAULT_FIXIT_FILES};"
        " 0: the whole corpus)",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the numbers here")
    parser.add_argument(
        "--timeout", type=float, metavar="SECONDS",
        help="kill a run that takes longer; its figure is reported as failed (default: none)",
    )  # fmt: skip
    parser.add_argument("--python", default=sys.executable, help="the interpreter of every run")
    parser.add_argument(
        "--lint-arg", action="append", default=[], metavar="ARG",
        help="extra argument for every keras-lint run, repeatable (write --lint-arg=--flag)",
    )  # fmt: skip
    parser.add_argument(
        "--no-count-parsed", dest="count_parsed", action="store_false",
        help="do not count keras-lint's libcst.parse_module calls",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.jobs < 1:
        parser.error("--repeat and --jobs must be at least 1")
    args.selected = set(FIGURES)
    if args.only is not None:
        args.selected = {name.strip() for name in args.only.split(",") if name.strip()}
        unknown = args.selected - set(FIGURES)
        if unknown:
            parser.error(f"--only: unknown {', '.join(sorted(unknown))}; use {', '.join(FIGURES)}")
    try:
        args.sizes = sorted({int(size) for size in args.sizes.split(",") if size.strip()})
    except ValueError:
        parser.error("--sizes: comma-separated line counts")
    if "growth" in args.selected and len(args.sizes) < 2:
        parser.error("--sizes: give at least two")
    if args.generate is None and not args.folders:
        args.generate = 1000
    for folder in args.folders:
        if not folder.is_dir():
            parser.error(f"{folder} is not a folder")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started, load_start = time.time(), load_average()

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="keras-lint-suite-") as scratch:
        try:
            environment = inspect_environment(args.python, Path(scratch))
            help_text = lint_help(args.python)
        except BenchmarkError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        compile_bytecode(args.python)
        context = Context(
            python=args.python,
            help_text=help_text,
            jobs=args.jobs,
            lint_args=args.lint_arg,
            count_parsed=args.count_parsed,
            timeout=args.timeout,
            scratch=Path(scratch),
            environment=environment,
            fixit_files=args.fixit_files,
        )
        corpora = corpora_to_measure(args, context.scratch)
        if corpora and "flake8" in args.selected:
            context.flake8 = flake8_setup(args.python, environment, context.scratch)
        results = [
            measure_corpus(context, corpus, planted, args.selected, args.repeat, progress)
            for corpus, planted in corpora
        ]
        growth = None
        if "growth" in args.selected:
            growth = measure_growth(
                args.python,
                args.sizes,
                args.repeat,
                args.seed,
                context.scratch / "growth",
                args.timeout,
                progress,
            )

    facts = machine_facts(args, context, started, load_start)
    print_report(facts, results, growth)
    if args.json:
        report = {
            "machine": facts,
            "corpora": [corpus_json(result) for result in results],
            "growth": None if growth is None else growth_json(growth),
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    failed = any(figure.failed for result in results for figure in result.figures.values())
    return 2 if failed or (growth is not None and growth.failure) else 0


def corpora_to_measure(
    args: argparse.Namespace, scratch: Path
) -> list[tuple[Corpus, dict[str, int] | None]]:
    """The generated corpus (with its planted bugs) and the named folders."""
    if not args.selected - {"growth"}:
        return []
    corpora: list[tuple[Corpus, dict[str, int] | None]] = []
    if args.generate:
        generated = generate_corpus(scratch / "corpus", args.generate, args.seed)
        planted = dict(sorted(generated.planted.counts.items()))
        corpora.append((collect_corpus(generated.root, f"generated (seed {args.seed})"), planted))
    corpora += [(collect_corpus(folder.resolve()), None) for folder in args.folders]
    return corpora


def machine_facts(
    args: argparse.Namespace, context: Context, started: float, load_start: list[float] | None
) -> dict[str, object]:
    environment, flake8 = context.environment, context.flake8
    location = environment.keras_lint_location
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "usable_cores": usable_cores(),
        "python": environment.python,
        "python_implementation": environment.implementation,
        "versions": environment.versions,
        "flake8_version_without_keras_lint": flake8.versions[0] if flake8.versions else None,
        "flake8_version_with_keras_lint": flake8.versions[1] if flake8.versions else None,
        # the flake8 plugin is keras-lint as installed; every other figure runs this checkout
        "installed_keras_lint": location,
        "installed_keras_lint_is_this_checkout": location is not None
        and Path(location).resolve().is_relative_to(REPO_ROOT),
        "fixit_processes": fixit_processes(),
        "load_average_start": load_start,
        "load_average_end": load_average(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "wall_seconds": round(time.time() - started, 1),
        "repeat": args.repeat,
        "jobs": args.jobs,
        "keras_lint_options": [
            option for option in ("--jobs", "--no-cache", "--cache-dir") if context.has(option)
        ],
    }


def print_report(
    facts: dict[str, object], results: Sequence[CorpusResult], growth: Growth | None
) -> None:
    versions, options = facts["versions"], facts["keras_lint_options"]
    assert isinstance(versions, dict) and isinstance(options, list)
    print(
        f"machine: {facts['cpu_count']} CPUs ({facts['usable_cores']} usable), "
        f"{facts['platform']}, Python {facts['python']}"
    )
    print(
        "versions: " + ", ".join(f"{name} {v or '(not installed)'}" for name, v in versions.items())
    )
    print(
        f"load average (1, 5, 15 min): {fmt_load(facts['load_average_start'])} at the start, "
        f"{fmt_load(facts['load_average_end'])} at the end; {facts['wall_seconds']} s in all"
    )
    print(f"keras-lint options found: {', '.join(options) or 'none'}")
    load = facts["load_average_start"]
    if isinstance(load, list) and load[0] >= BUSY_LOAD:
        print(
            f"note: the machine was busy (load {load[0]:.2f} on {facts['usable_cores']} cores "
            "before the run): wall times stretch, so the wall-clock ratios and targets are "
            "less reliable than the cpu x column"
        )
    if not facts["installed_keras_lint_is_this_checkout"]:
        print(f"note: flake8 loads the keras-lint installed at {facts['installed_keras_lint']}")
    for result in results:
        print()
        print(table(result))
    if growth is not None:
        print()
        print(growth_table(growth))


def fmt_load(load: object) -> str:
    return " ".join(f"{value:.2f}" for value in load) if isinstance(load, list) else "unknown"


if __name__ == "__main__":
    sys.exit(main())
