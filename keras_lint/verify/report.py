"""What ``keras-lint verify`` shows: the header, progress while models train, the table, JSON.

The JSON document is a contract::

    {"device": {...}, "versions": {...}, "seeds": [...], "seconds": ...,
     "rules": [{"code", "name", "verdict", "reason", "seconds", "seeds", "bad", "good",
                "margin", "criterion", "pairs"}]}

``verdict`` is one of ``verified``, ``failed``, ``skipped``, ``error``; ``margin`` is the
worst-case margin over the seeds (a number) or null when nothing was judged.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any, TextIO

from keras_lint import __version__
from keras_lint.verify.criteria import Criterion, Margin, PairResult
from keras_lint.verify.device import Device
from keras_lint.verify.harness import RuleReport, SideReport, Verification
from keras_lint.verify.runs import RunRequest, RunResult, RunSettings

SCHEMA_VERSION = 1


def _seeds_text(seeds: Sequence[int]) -> str:
    return ", ".join(str(seed) for seed in seeds)


def header(device: Device, seeds: Sequence[int], settings: RunSettings) -> str:
    versions = device.versions
    first = (
        f"keras-lint verify: {device.describe()}; TensorFlow {versions.get('tensorflow', '?')}, "
        f"Keras {versions.get('keras', '?')}, Python {versions.get('python', '?')}"
    )
    plural = "process" if settings.jobs == 1 else "processes"
    started = (
        "forked from one interpreter that imported TensorFlow once"
        if settings.preload
        else "each in a fresh interpreter"
    )
    second = (
        f"seeds {_seeds_text(seeds)}; {settings.jobs} fixture {plural} at a time ({started}), "
        f"{settings.threads} TensorFlow thread(s) each; timeout {settings.timeout:g} s; "
        f"deterministic ops {'on' if settings.deterministic else 'off'}"
    )
    return f"{first}\n{second}\n"


# -- the table ---------------------------------------------------------------------------------


def _margin_cell(margin: Margin | None, result: PairResult | None) -> str:
    if margin is None or result is None or result.worst is None:
        return "-"
    return f"{margin.short} {result.worst:+.3f} ({margin.bound()})"


def _rows(rule: RuleReport, device: Device) -> list[list[str]]:
    seconds = f"{rule.seconds:.1f}"
    criterion = rule.criterion
    if criterion is None:
        return [[rule.code, device.label(), "-", "-", "-", rule.verdict, seconds]]
    results = {id(r.pair): r for r in rule.judgement.pairs} if rule.judgement else {}
    rows = []
    for index, pair in enumerate(criterion.pairs):
        bad = rule.bad.outcomes.get(pair.bad, "-")
        good = rule.good.outcomes.get(pair.good, "-")
        if len(criterion.pairs) > 1:
            bad = f"{pair.bad}: {bad}"
            good = f"{pair.good}: {good}"
        margin = _margin_cell(pair.margin, results.get(id(pair)))
        first = index == 0
        rows.append(
            [
                rule.code if first else "",
                device.label() if first else "",
                bad,
                good,
                margin,
                rule.verdict if first else "",
                seconds if first else "",
            ]
        )
    return rows


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(verification: Verification, width: int | None = None) -> str:
    """The table; outcome cells are shortened to fit ``width`` columns (None: never)."""
    titles = [
        "rule",
        "device",
        "bad outcome",
        "good outcome",
        "margin (worst seed)",
        "verdict",
        "s",
    ]
    rows = [row for rule in verification.rules for row in _rows(rule, verification.device)]
    widths = [max(len(title), *(len(row[i]) for row in rows)) for i, title in enumerate(titles)]
    # Outcome columns give way first when the terminal is narrow.
    while (
        width is not None
        and sum(widths) + 2 * (len(widths) - 1) > width
        and max(widths[2], widths[3]) > 28
    ):
        column = 2 if widths[2] >= widths[3] else 3
        widths[column] -= 1
    lines = []
    for row in [titles, *rows]:
        cells = [_clip(cell, widths[i]) for i, cell in enumerate(row)]
        cells[-1] = cells[-1].rjust(widths[-1])
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells)).rstrip())
    return "\n".join(lines) + "\n"


def render_reasons(verification: Verification) -> str:
    lines = []
    for rule in verification.rules:
        lines.append(f"{rule.code} {rule.name}: {rule.verdict} ({rule.seconds:.1f} s)")
        lines.append(f"    {rule.reason}")
    return "\n".join(lines) + "\n"


def render_summary(verification: Verification) -> str:
    counts: dict[str, int] = {}
    for rule in verification.rules:
        counts[rule.verdict] = counts.get(rule.verdict, 0) + 1
    parts = [f"{count} {verdict}" for verdict, count in counts.items()]
    runs = [run for rule in verification.rules for run in rule.bad.runs + rule.good.runs]
    cpu = sum(run.cpu_seconds or 0.0 for run in runs)
    rules = len(verification.rules)
    return (
        f"{rules} rule{'s' if rules != 1 else ''}: {', '.join(parts)}; {len(runs)} fixture runs "
        f"({cpu:.1f} CPU s); total {verification.seconds:.1f} s\n"
    )


def render_text(verification: Verification, width: int | None = None) -> str:
    return "\n".join(
        [
            render_table(verification, width),
            render_reasons(verification),
            render_summary(verification),
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
    return {"path": str(criterion.path), "needs": criterion.needs, "claim": criterion.claim}


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
        "device": {"kind": device.kind, "name": device.name, "requested": device.requested},
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
            self.stream.write(
                f"[{self.done:>{width}}/{self.total}] {request.describe()}: {state} "
                f"({result.seconds:.1f} s{cpu})\n"
            )
            self._status()
            self.stream.flush()

    def note(self, message: str) -> None:
        with self.lock:
            self._clear()
            self.stream.write(f"{message}\n")
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
        columns = shutil.get_terminal_size((100, 24)).columns
        self.stream.write("\r\x1b[K" + _clip(f"training: {running}", columns - 1))
        self.stream.flush()

    def _clear(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
