"""What ``keras-lint verify`` shows: the header, progress while models train, the table, JSON.

The JSON document is a contract::

    {"backend": "tensorflow" | "jax" | "torch", "device": {...}, "versions": {...},
     "seeds": [...], "seconds": ...,
     "rules": [{"code", "name", "verdict", "reason", "seconds", "seeds", "bad", "good",
                "fixed", "margin", "criterion", "pairs"}]}

``verdict`` is one of ``verified``, ``failed``, ``skipped``, ``error``, ``interrupted`` (Ctrl-C
stopped its runs); ``margin`` is the worst-case margin over the seeds (a number) or null when
nothing was judged. ``fixed`` describes the bad programs after ``--fix --unsafe-fixes`` (like
``bad`` and ``good``, plus ``failures``: the good criterion's conditions they missed); its
``programs`` list is empty for a rule with no applicable fix.
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
import threading
import time
from collections.abc import Sequence
from typing import Any, TextIO

from keras_lint import __version__
from keras_lint.verify.backends import display_name
from keras_lint.verify.criteria import Criterion, Margin, PairResult
from keras_lint.verify.device import Device
from keras_lint.verify.fixed_programs import fixed_name
from keras_lint.verify.harness import RuleReport, SideReport, Verification
from keras_lint.verify.runs import RunRequest, RunResult, RunSettings

SCHEMA_VERSION = 1
#: the widest line of the text report and of the progress lines
REPORT_WIDTH = 100
#: the narrowest an outcome column gets before the table overflows instead
OUTCOME_FLOOR = 14
#: where a table cell breaks first: after ", " and before " ("
_BREAKS = re.compile(r"(?<=,) | (?=\()")


def _seeds_text(seeds: Sequence[int]) -> str:
    return ", ".join(str(seed) for seed in seeds)


def header(device: Device, seeds: Sequence[int], settings: RunSettings) -> str:
    versions = device.versions
    backend = display_name(device.backend)
    first = (
        f"keras-lint verify: {device.describe()}; backend {backend} "
        f"{versions.get(device.backend) or '?'}, Keras {versions.get('keras') or '?'}, "
        f"Python {versions.get('python') or '?'}"
    )
    plural = "process" if settings.jobs == 1 else "processes"
    started = (
        f"forked from one interpreter that imported {backend} once"
        if settings.preload
        else "each in a fresh interpreter"
    )
    second = (
        f"seeds {_seeds_text(seeds)}; {settings.jobs} fixture {plural} at a time ({started}), "
        f"{settings.threads} {backend} thread(s) each; timeout {settings.timeout:g} s; "
        f"deterministic ops {'on' if settings.deterministic else 'off'}"
    )
    return (
        "\n".join(_wrap_text(first, REPORT_WIDTH) + _wrap_text(second, REPORT_WIDTH, "  ")) + "\n"
    )


# -- the table ---------------------------------------------------------------------------------


def _margin_cell(margin: Margin | None, result: PairResult | None) -> str:
    if margin is None or result is None or result.worst is None:
        return "-"
    return f"{margin.short} {result.worst:+.3f} ({margin.bound()})"


def _rows(rule: RuleReport) -> list[list[str]]:
    seconds = f"{rule.seconds:.1f}"
    criterion = rule.criterion
    if criterion is None:
        return [[rule.code, "-", "-", "-", "-", rule.verdict, seconds]]
    results = {id(r.pair): r for r in rule.judgement.pairs} if rule.judgement else {}
    rows = []
    for index, pair in enumerate(criterion.pairs):
        bad = rule.bad.outcomes.get(pair.bad, "-")
        good = rule.good.outcomes.get(pair.good, "-")
        if len(criterion.pairs) > 1:  # the program on a line of its own, then its outcome
            bad = f"{pair.bad}:\n{bad}"
            good = f"{pair.good}:\n{good}"
        margin = _margin_cell(pair.margin, results.get(id(pair)))
        first = index == 0
        rows.append(
            [
                rule.code if first else "",
                bad,
                good,
                _fixed_cell(rule, pair.bad),
                margin,
                rule.verdict if first else "",
                seconds if first else "",
            ]
        )
    return rows


def _fixed_cell(rule: RuleReport, bad: str) -> str:
    """Whether ``bad`` after ``--fix --unsafe-fixes`` met its pair's good criterion: "ok",
    "miss", or "-" when no fix applies to it or it did not run (its outcome is in the reason)."""
    name = fixed_name(bad)
    if name not in rule.fixed.programs or name not in rule.fixed.outcomes:
        return "-"
    missed = any(failure.startswith(f"{name} ") for failure in rule.fixed_failures)
    return "miss" if missed else "ok"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _wrap_cell(text: str, width: int) -> list[str]:
    """A cell as lines of at most ``width`` columns: its own line breaks kept, then broken after
    a comma or before a parenthesis where it can, inside a word only where it must."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        start = len(lines)
        for piece in _BREAKS.split(paragraph):
            if len(lines) > start and len(lines[-1]) + 1 + len(piece) <= width:
                lines[-1] += " " + piece
            else:
                lines += textwrap.wrap(piece, width, break_on_hyphens=False) or [""]
    return lines or [""]


def _fit(widths: list[int], width: int, floors: Sequence[dict[int, int]]) -> list[int]:
    """Narrow columns until the row fits ``width``: each group of ``floors`` in turn, the widest
    column of the group first (the later one of equals), none below its floor."""
    widths = list(widths)
    for group in floors:
        while sum(widths) + 2 * (len(widths) - 1) > width:
            narrowable = [index for index, floor in group.items() if widths[index] > floor]
            if not narrowable:
                break
            widths[max(narrowable, key=lambda index: (widths[index], index))] -= 1
    return widths


def render_table(verification: Verification, width: int | None = REPORT_WIDTH) -> str:
    """The table; long cells wrap onto more lines to fit ``width`` columns (None: never)."""
    # The device is the header's, the same for every row.
    titles = [
        "rule",
        "bad outcome",
        "good outcome",
        "fix",
        "margin (worst seed)",
        "verdict",
        "s",
    ]
    rows = [row for rule in verification.rules for row in _rows(rule)]
    widths = [max(len(title), *(len(row[i]) for row in rows)) for i, title in enumerate(titles)]
    if width is not None:
        # The margin wraps at its breaks first; the outcomes share what is left.
        margin_floor = max(
            len(piece) for cell in [titles[4], *(row[4] for row in rows)]
            for piece in _BREAKS.split(cell)
        )  # fmt: skip
        floors = [{4: margin_floor}, {1: OUTCOME_FLOOR, 2: OUTCOME_FLOOR}]
        widths = _fit(widths, width, floors)
    lines = []
    for row in [titles, *rows]:
        cells = [
            _wrap_cell(cell, widths[i]) if width is not None else [cell]
            for i, cell in enumerate(row)
        ]
        for number in range(max(len(cell) for cell in cells)):
            parts = [cell[number] if number < len(cell) else "" for cell in cells]
            parts[-1] = parts[-1].rjust(widths[-1])
            lines.append("  ".join(p.ljust(widths[i]) for i, p in enumerate(parts)).rstrip())
    return "\n".join(lines) + "\n"


def _wrap_text(text: str, width: int | None, indent: str = "") -> list[str]:
    if width is None:
        return [indent + line for line in text.splitlines()]
    return [
        wrapped
        for line in text.splitlines() or [""]
        for wrapped in textwrap.wrap(
            line, width, initial_indent=indent, subsequent_indent=indent + "  " * bool(indent),
            break_on_hyphens=False, break_long_words=False,  # a path stays whole
        ) or [indent]
    ]  # fmt: skip


def render_reasons(verification: Verification, width: int | None = REPORT_WIDTH) -> str:
    lines = []
    for rule in verification.rules:
        title = f"{rule.code} {rule.name}: {rule.verdict} ({rule.seconds:.1f} s)"
        lines += _wrap_text(title, width)
        lines += _wrap_text(rule.reason, width, "    ")
    return "\n".join(lines) + "\n"


def render_summary(verification: Verification) -> str:
    counts: dict[str, int] = {}
    for rule in verification.rules:
        counts[rule.verdict] = counts.get(rule.verdict, 0) + 1
    parts = [f"{count} {verdict}" for verdict, count in counts.items()]
    runs = [
        run
        for rule in verification.rules
        for run in rule.bad.runs + rule.good.runs + rule.fixed.runs
    ]
    cpu = sum(run.cpu_seconds or 0.0 for run in runs)
    rules = len(verification.rules)
    return (
        f"{rules} rule{'s' if rules != 1 else ''}: {', '.join(parts)}; {len(runs)} fixture runs "
        f"({cpu:.1f} CPU s); total {verification.seconds:.1f} s\n"
    )


def render_text(verification: Verification, width: int | None = REPORT_WIDTH) -> str:
    """The table, each rule's reason and a summary, in lines of at most ``width`` columns."""
    summary = render_summary(verification)
    if width is not None:
        summary = "\n".join(_wrap_text(summary.rstrip("\n"), width)) + "\n"
    return "\n".join(
        [
            render_table(verification, width),
            render_reasons(verification, width),
            summary,
        ]
    )


# -- JSON --------------------------------------------------------------------------------------


def _run_json(run: RunResult) -> dict[str, Any]:
    return {
        "program": run.request.program.name,
        "seed": run.request.seed,
        "status": run.status,
        "exit_code": run.exit_code,
        "seconds": round(run.seconds, 3),
        "cpu_seconds": None if run.cpu_seconds is None else round(run.cpu_seconds, 3),
        "problem": run.problem,
        "stderr_tail": run.stderr_tail if not run.ok else None,
        "metrics": run.metrics,
        "measured": run.measured or None,
    }


def _side_json(side: SideReport) -> dict[str, Any]:
    return {
        "programs": side.programs,
        "lint": side.lint,
        "outcome": side.outcome() if side.outcomes else None,
        "runs": [_run_json(run) for run in side.runs],
    }


def _criterion_json(criterion: Criterion | None) -> dict[str, Any] | None:
    if criterion is None:
        return None
    return {
        "path": str(criterion.path),
        "needs": criterion.needs,
        "backend": criterion.backend,
        "claim": criterion.claim,
    }


def _pairs_json(rule: RuleReport) -> list[dict[str, Any]]:
    if rule.criterion is None:
        return []
    results = {id(r.pair): r for r in rule.judgement.pairs} if rule.judgement else {}
    pairs = []
    for pair in rule.criterion.pairs:
        result = results.get(id(pair))
        margin = pair.margin
        pairs.append(
            {
                "bad": pair.bad,
                "good": pair.good,
                "backends": list(pair.backends) or None,
                "failure": pair.failure,
                "note": pair.note or None,
                "margin": None if result is None else result.worst,
                "margins_by_seed": (
                    None
                    if result is None
                    else [{"seed": s, "margin": v} for s, v in result.margins.items()]
                ),
                "margin_label": None if margin is None else margin.label,
                "margin_bound": None if margin is None else margin.bound(),
            }
        )
    return pairs


def to_json(verification: Verification) -> dict[str, Any]:
    device = verification.device
    settings = verification.settings
    return {
        "schema_version": SCHEMA_VERSION,
        "backend": device.backend,
        "device": {
            "kind": device.kind,
            "name": device.name,
            "requested": device.requested,
            "problem": device.problem,
            "gpu_memory_problem": device.gpu_memory_problem,
        },
        "versions": {**device.versions, "keras_lint": __version__},
        "seeds": verification.seeds,
        "settings": {
            "jobs": settings.jobs,
            "threads": settings.threads,
            "timeout": settings.timeout,
            "deterministic": settings.deterministic,
            "preload": settings.preload,
        },
        "seconds": round(verification.seconds, 3),
        "passed": verification.passed,
        "rules": [
            {
                "code": rule.code,
                "name": rule.name,
                "verdict": rule.verdict,
                "reason": rule.reason,
                "seconds": round(rule.seconds, 3),
                "seeds": sorted({run.request.seed for run in rule.bad.runs + rule.good.runs}),
                "bad": _side_json(rule.bad),
                "good": _side_json(rule.good),
                "fixed": {**_side_json(rule.fixed), "failures": rule.fixed_failures},
                "margin": rule.margin,
                "criterion": _criterion_json(rule.criterion),
                "pairs": _pairs_json(rule),
            }
            for rule in verification.rules
        ],
    }


# -- progress ----------------------------------------------------------------------------------


class ProgressPrinter:
    """One line per finished run; on a terminal also a status line of the runs in flight."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.running: dict[RunRequest, float] = {}
        self.lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> ProgressPrinter:
        if self.tty:
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
        with self.lock:
            self._clear()

    def __call__(self, event: str, request: RunRequest, result: RunResult | None) -> None:
        with self.lock:
            if event == "start":
                self.running[request] = time.perf_counter()
                self._status()
                return
            self.running.pop(request, None)
            self.done += 1
            assert result is not None
            state = "ok" if result.ok else f"{result.status}: {result.problem}"
            cpu = "" if result.cpu_seconds is None else f", {result.cpu_seconds:.1f} CPU s"
            self._clear()
            width = len(str(self.total))
            head = f"[{self.done:>{width}}/{self.total}] {request.describe()}: "
            tail = f" ({result.seconds:.1f} s{cpu})"
            room = REPORT_WIDTH - len(head) - len(tail)
            self.stream.write(f"{head}{_clip(state, max(room, 8))}{tail}\n")
            self._status()
            self.stream.flush()

    def note(self, message: str) -> None:
        with self.lock:
            self._clear()
            self.stream.write("\n".join(_wrap_text(message, REPORT_WIDTH, "")) + "\n")
            self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            with self.lock:
                self._status()

    def _status(self) -> None:
        if not self.tty or not self.running:
            return
        now = time.perf_counter()
        running = ", ".join(
            f"{request.describe()} {now - since:.0f} s" for request, since in self.running.items()
        )
        columns = min(REPORT_WIDTH, shutil.get_terminal_size((REPORT_WIDTH, 24)).columns - 1)
        self.stream.write("\r\x1b[K" + _clip(f"training: {running}", columns))
        self.stream.flush()

    def _clear(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
