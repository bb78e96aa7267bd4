"""The verification of each rule: lint its fixture pair, train both, judge the measured outcome.

Per rule: read ``criterion.toml``; lint every program of the rule (a bad one must report exactly
the rule, a good one nothing; when the linter misses, the rule fails and nothing is trained); when
the rule's failure can be shown on this device, run every program for every seed, each in its own
process, and judge the runs against the criterion. Runs of all rules share one pool of processes.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keras_lint.engine import lint_paths
from keras_lint.rules.base import Rule
from keras_lint.verify.backends import display_name
from keras_lint.verify.criteria import (
    Condition,
    Criterion,
    CriterionError,
    Judgement,
    Pair,
    judge,
    load_criterion,
)
from keras_lint.verify.device import Device
from keras_lint.verify.fixed_programs import fixed_name, make_fixed_program
from keras_lint.verify.runs import (
    RunRequest,
    RunResult,
    RunSettings,
    RunsInterrupted,
    run_all,
)

VERDICTS = ("verified", "failed", "skipped", "error", "interrupted")


@dataclass
class SideReport:
    """The bad (or good) programs of a rule: what the linter said and how their runs went."""

    programs: list[str] = field(default_factory=list)
    #: program -> the codes the linter reported in it
    lint: dict[str, list[str]] = field(default_factory=dict)
    #: program -> a short description of its runs, over the seeds
    outcomes: dict[str, str] = field(default_factory=dict)
    runs: list[RunResult] = field(default_factory=list)

    def outcome(self) -> str:
        if len(self.outcomes) == 1:
            return next(iter(self.outcomes.values()))
        return "; ".join(f"{program}: {text}" for program, text in self.outcomes.items())


@dataclass
class RuleReport:
    code: str
    name: str
    verdict: str = "error"
    reason: str = ""
    seconds: float = 0.0
    bad: SideReport = field(default_factory=SideReport)
    good: SideReport = field(default_factory=SideReport)
    margin: float | None = None
    criterion: Criterion | None = None
    judgement: Judgement | None = None
    #: the bad programs after ``--fix --unsafe-fixes`` (``bad.fixed.py``), judged against the
    #: criterion of their pair's good program; empty when no fix of the rule applies
    fixed: SideReport = field(default_factory=SideReport)
    #: the conditions the fixed programs missed
    fixed_failures: list[str] = field(default_factory=list)


@dataclass
class Verification:
    device: Device
    seeds: list[int]
    settings: RunSettings
    rules: list[RuleReport]
    seconds: float = 0.0
    #: Ctrl-C stopped the runs: (runs that ended before it, runs planned)
    interrupted: tuple[int, int] | None = None

    @property
    def passed(self) -> bool:
        """Every rule that could run was verified (skipped ones do not fail the run)."""
        return all(rule.verdict in ("verified", "skipped") for rule in self.rules)


def _lint_codes(path: Path) -> tuple[list[str], list[str]]:
    result = lint_paths([path])
    return sorted({finding.code for finding in result.findings}), result.errors


def _static_half(rule: type[Rule], criterion: Criterion, folder: Path, report: RuleReport) -> bool:
    """Lint every program of the rule; False (and the verdict set) when the linter misses."""
    problems: list[str] = []
    errors: list[str] = []
    for program in criterion.programs():
        side = criterion.side_of(program)
        codes, lint_errors = _lint_codes(folder / program)
        errors += lint_errors
        target = report.bad if side == "bad" else report.good
        target.programs.append(program)
        target.lint[program] = codes
        if side == "bad" and codes != [rule.code]:
            found = ", ".join(codes) or "nothing"
            problems.append(f"the linter reports {found} in {program}, expected only {rule.code}")
        if side == "good" and codes:
            problems.append(f"the linter reports {', '.join(codes)} in {program}, expected nothing")
    if errors:
        report.verdict, report.reason = "error", f"the linter failed: {errors[0]}"
        return False
    if problems:
        report.verdict = "failed"
        report.reason = "static half failed, nothing trained: " + "; ".join(problems)
        return False
    return True


def _static_summary(rule: type[Rule], report: RuleReport) -> str:
    bad = ", ".join(report.bad.programs)
    good = ", ".join(report.good.programs)
    return f"static half passed: {bad} report {rule.code}, {good} clean"


def _format_value(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        text = f"{value:.2f}" if abs(value) >= 0.005 or value == 0 else f"{value:.1e}"
        return "0" if text in ("0.00", "-0.00") else text
    return str(value)


def _range_text(values: Sequence[Any]) -> str:
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if numbers and len(numbers) == len(values):
        low, high = _format_value(min(numbers)), _format_value(max(numbers))
        return low if low == high else f"{low}..{high}"
    distinct = list(dict.fromkeys(_format_value(v) for v in values))
    return "/".join(distinct)


def describe_runs(pair: Pair, side: str, runs: Sequence[RunResult]) -> str:
    """One cell of the report: the pair's shown metrics for one side over the seeds."""
    failed = [run for run in runs if not run.ok]
    if failed:
        return f"{failed[0].status}: {failed[0].problem}"
    parts = []
    for shown in pair.show[side]:
        values = [run.observed().get(shown.metric) for run in runs]
        parts.append(f"{shown.label} {_range_text(values)}")
    return ", ".join(parts) or "ran"


def _error_reason(errors: Sequence[RunResult]) -> str:
    first = errors[0]
    more = f" (and {len(errors) - 1} more failed runs)" if len(errors) > 1 else ""
    tail = f"; stderr: {first.stderr_tail}" if first.stderr_tail else ""
    return f"{first.request.program.name} seed {first.request.seed}: {first.problem}{more}{tail}"


def _judged_reason(criterion: Criterion, judgement: Judgement, seeds: Sequence[int]) -> str:
    notes = [pair.note for pair in criterion.pairs if not pair.failure and pair.note]
    if not judgement.verified:
        return "; ".join(judgement.failures[:6]) + (
            f" (and {len(judgement.failures) - 6} more)" if len(judgement.failures) > 6 else ""
        )
    tightest = judgement.margin_pair
    assert tightest is not None and tightest.pair.margin is not None
    margin = tightest.pair.margin
    seed_text = (
        f"With seed {seeds[0]}"
        if len(seeds) == 1
        else (f"Worst case over seeds {seeds[0]}-{seeds[-1]}")
    )
    text = (
        f"{criterion.claim} {seed_text}: {margin.label} "
        f"{judgement.margin:+.3f} ({margin.bound()}, {tightest.pair.bad} vs {tightest.pair.good})."
    )
    return " ".join([text, *notes])


def _rule_folder(fixtures: Path, rule: type[Rule]) -> Path:
    return fixtures / rule.name


@dataclass
class Plan:
    """One rule's verification before anything is trained: its static half is done."""

    rule: type[Rule]
    report: RuleReport
    criterion: Criterion | None = None
    requests: list[RunRequest] = field(default_factory=list)
    #: the seeds its programs run with (``max_seeds`` may shorten the list)
    seeds: list[int] = field(default_factory=list)
    lint_seconds: float = 0.0
    #: the runs of the fixed programs, kept apart: they belong to no side of the criterion
    fixed_requests: list[RunRequest] = field(default_factory=list)
    #: the folder that holds the fixed programs until their runs are over
    fixed_folder: tempfile.TemporaryDirectory[str] | None = None


Progress = Callable[[str, RunRequest, "RunResult | None"], None]


def plan(
    rules: Sequence[type[Rule]], fixtures: Path, device: Device, seeds: Sequence[int]
) -> list[Plan]:
    """Read each rule's criterion, lint its programs, and list the runs it needs here."""
    plans = []
    for rule in rules:
        started = time.perf_counter()
        planned = Plan(rule, RuleReport(rule.code, rule.name))
        _plan_rule(planned, fixtures, device, seeds)
        planned.lint_seconds = time.perf_counter() - started
        plans.append(planned)
    return plans


def execute(
    plans: Sequence[Plan],
    device: Device,
    seeds: Sequence[int],
    settings: RunSettings,
    progress: Progress | None = None,
    notify: Callable[[str], None] | None = None,
) -> Verification:
    """Run every planned program and judge each rule."""
    started = time.perf_counter()
    requests = [
        request for planned in plans for request in planned.requests + planned.fixed_requests
    ]
    interrupted = None
    try:
        results = run_all(requests, settings, progress, notify) if requests else {}
    except RunsInterrupted as stop:
        results, interrupted = stop.results, (len(stop.results), stop.total)
    finally:
        for planned in plans:
            if planned.fixed_folder is not None:
                planned.fixed_folder.cleanup()
    for planned in plans:
        every = planned.requests + planned.fixed_requests
        if planned.requests and all(request in results for request in every):
            _judge_rule(planned, results)
        elif planned.requests:
            _interrupted_rule(planned, results)
        runs = [results[request] for request in every if request in results]
        first = min((run.started for run in runs), default=0.0)
        last = max((run.started + run.seconds for run in runs), default=0.0)
        planned.report.seconds = planned.lint_seconds + (last - first)
    lint = sum(planned.lint_seconds for planned in plans)
    return Verification(
        device, list(seeds), settings, [planned.report for planned in plans],
        lint + time.perf_counter() - started, interrupted,
    )  # fmt: skip


def verify(
    rules: Sequence[type[Rule]],
    fixtures: Path,
    device: Device,
    seeds: Sequence[int],
    settings: RunSettings,
    progress: Progress | None = None,
) -> Verification:
    """Verify ``rules`` with the fixtures under ``fixtures`` on ``device``."""
    return execute(plan(rules, fixtures, device, seeds), device, seeds, settings, progress)


def _plan_rule(planned: Plan, fixtures: Path, device: Device, seeds: Sequence[int]) -> None:
    rule, report = planned.rule, planned.report
    folder = _rule_folder(fixtures, rule)
    if not folder.is_dir():
        report.verdict, report.reason = "error", f"no fixture folder {folder}"
        return
    try:
        criterion = load_criterion(folder)
    except CriterionError as error:
        report.verdict, report.reason = "error", f"bad criterion: {error}"
        return
    if criterion.rule != rule.code:
        report.verdict = "error"
        report.reason = f"{criterion.path} is for {criterion.rule}, not {rule.code}"
        return
    planned.criterion = report.criterion = criterion
    if not _static_half(rule, criterion, folder, report):
        return
    static = _static_summary(rule, report)
    if criterion.needs == "static":
        report.verdict = "skipped"
        report.reason = f"verified statically only: {criterion.static_reason}; {static}"
        for side in (report.bad, report.good):
            side.outcomes = {program: "static only" for program in side.programs}
        return
    if criterion.backend is not None and criterion.backend != device.backend:
        needed = f"needs the {display_name(criterion.backend)} backend"
        report.verdict = "skipped"
        report.reason = f"skipped: {needed} (this run: --backend {device.backend}); {static}"
        for side in (report.bad, report.good):
            side.outcomes = {program: f"skipped: {needed}" for program in side.programs}
        return
    if criterion.needs == "gpu" and device.kind != "gpu":
        why = (
            "--device cpu"
            if device.requested == "cpu"
            else f"{display_name(device.backend)} sees no GPU here"
        )
        report.verdict = "skipped"
        report.reason = f"skipped: needs a GPU ({why}); {static}"
        for side in (report.bad, report.good):
            side.outcomes = {program: "skipped: needs a GPU" for program in side.programs}
        return
    problem = device.problem or (device.gpu_memory_problem if criterion.needs == "gpu" else None)
    if problem:
        report.verdict, report.reason = "error", f"{problem}; {static}"
        for side in (report.bad, report.good):
            side.outcomes = {program: "not run" for program in side.programs}
        return
    criterion = planned.criterion = report.criterion = criterion.on_backend(device.backend)
    exclusive = criterion.needs == "gpu"
    planned.seeds = list(seeds[: criterion.max_seeds] if criterion.max_seeds else seeds)
    planned.requests = [
        RunRequest(
            rule.code, folder / program, seed, exclusive, fresh=criterion.fresh_interpreter
        )
        for program in criterion.programs()
        for seed in planned.seeds
    ]
    _plan_fixed(planned, folder, exclusive)


def _plan_fixed(planned: Plan, folder: Path, exclusive: bool) -> None:
    """Make each bad program's fixed copy (when a fix of the rule applies to it) and plan its
    runs; the copy sits beside copies of the fixture's files, as the original does."""
    criterion = planned.criterion
    assert criterion is not None
    bad_programs = list(dict.fromkeys(pair.bad for pair in criterion.pairs))
    holder = tempfile.TemporaryDirectory(prefix="keras-lint-fixed-")
    into = Path(holder.name) / folder.name
    shutil.copytree(folder, into, ignore=shutil.ignore_patterns("__pycache__", "plots"))
    for program in bad_programs:
        fixed = make_fixed_program(folder / program, planned.rule.code, into)
        if fixed is None:
            continue
        planned.report.fixed.programs.append(fixed.name)
        planned.fixed_requests += [
            RunRequest(
                planned.rule.code,
                fixed,
                seed,
                exclusive,
                fresh=criterion.fresh_interpreter,
                reports_as=Path(program).stem,
            )
            for seed in planned.seeds
        ]
    if planned.fixed_requests:
        planned.fixed_folder = holder
    else:
        holder.cleanup()


def _judge_rule(planned: Plan, results: dict[RunRequest, RunResult]) -> None:
    report, criterion = planned.report, planned.criterion
    assert criterion is not None
    runs = [results[request] for request in planned.requests]
    for run in runs:
        side = report.bad if criterion.side_of(run.request.program.name) == "bad" else report.good
        side.runs.append(run)
    for pair in criterion.pairs:
        for side_name, side in (("bad", report.bad), ("good", report.good)):
            program = pair.program(side_name)
            if program not in side.outcomes:
                program_runs = [run for run in side.runs if run.request.program.name == program]
                side.outcomes[program] = describe_runs(pair, side_name, program_runs)
    errors = [run for run in runs if not run.ok]
    if errors:
        report.verdict, report.reason = "error", _error_reason(errors)
        return
    observed = {run.request.key(): run.observed() for run in runs}
    seeds = planned.seeds
    judgement = judge(criterion, observed, seeds)
    report.judgement = judgement
    report.margin = judgement.margin
    _judge_fixed(planned, results)
    verified = judgement.verified and not report.fixed_failures
    report.verdict = "verified" if verified else "failed"
    report.reason = _judged_reason(criterion, judgement, seeds)
    if report.fixed_failures:
        report.reason = "; ".join(
            ["the fixed program misses the good criterion", *report.fixed_failures[:4]]
        ) + ("" if judgement.verified else "; " + report.reason)
    elif report.fixed.programs:
        fixed = ", ".join(report.fixed.programs)
        report.reason += (
            f" After --fix --unsafe-fixes, {fixed} meets the good criterion"
            f" ({report.fixed.outcome()})."
        )


def _judge_fixed(planned: Plan, results: dict[RunRequest, RunResult]) -> None:
    """Each fixed program against the good program of every pair its bad program is in: the
    good program's exit status and conditions, in every seed."""
    report, criterion = planned.report, planned.criterion
    assert criterion is not None
    runs = [results[request] for request in planned.fixed_requests]
    report.fixed.runs = runs
    for pair in criterion.pairs:
        name = fixed_name(pair.bad)
        own = [run for run in runs if run.request.program.name == name]
        if not own:
            continue
        if name not in report.fixed.outcomes:
            report.fixed.outcomes[name] = describe_runs(pair, "good", own)
        for run in own:
            if not run.ok:
                report.fixed_failures.append(f"{name} seed {run.request.seed}: {run.problem}")
                continue
            observed = run.observed()
            conditions = (
                Condition("exit_code", "equals", pair.exit_code["good"]),
                *pair.expect["good"],
            )
            report.fixed_failures += [
                f"{name} seed {run.request.seed}: {condition.failure(observed)}"
                for condition in conditions
                if not condition.holds(observed)
            ]
    report.fixed_failures = list(dict.fromkeys(report.fixed_failures))


def _interrupted_rule(planned: Plan, results: dict[RunRequest, RunResult]) -> None:
    """A rule Ctrl-C cut short: what its finished runs showed, and no verdict on them."""
    report, criterion = planned.report, planned.criterion
    assert criterion is not None
    runs = [results[request] for request in planned.requests if request in results]
    for run in runs:
        side = report.bad if criterion.side_of(run.request.program.name) == "bad" else report.good
        side.runs.append(run)
    for pair in criterion.pairs:
        for side_name, side in (("bad", report.bad), ("good", report.good)):
            program = pair.program(side_name)
            if program in side.outcomes:
                continue
            planned_runs = [r for r in planned.requests if r.program.name == program]
            done = [run for run in side.runs if run.request.program.name == program]
            if len(done) == len(planned_runs):
                side.outcomes[program] = describe_runs(pair, side_name, done)
            else:
                side.outcomes[program] = f"interrupted ({len(done)} of {len(planned_runs)} runs)"
    report.verdict = "interrupted"
    report.reason = (
        f"interrupted (Ctrl-C) after {len(runs)} of {len(planned.requests)} runs: not judged"
    )
