"""Each rule's runtime failure, declared as data next to its fixtures, and its evaluation.

A rule's folder ``fixtures/<rule-name>/`` holds ``criterion.toml``: which programs are compared
(``[[pair]]``: a bad program and its good counterpart), what every run of each must show
(conditions on the metrics the program reports), and the margin by which the bad one must be worse
than the good one in every seed. This module reads those files and judges measured runs against
them; it knows nothing about how the runs were made. ``[plot]`` says what ``--plots`` draws for
the rule (``kind``, ``title``, ``series`` or ``metrics``, ``ylabel``, ``mark_best``,
``final_metric``, ``annotate``, ``gap_label``); a ``[pair.plot]`` table gives one pair its own.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CRITERION_FILE = "criterion.toml"

#: where a rule's runtime failure can be shown: on any device, only on a GPU, or nowhere here
#: (the failure needs something this machine cannot reach: the rule is verified statically only)
NEEDS = ("cpu", "gpu", "static")

_OPERATORS = ("equals", "not_equals", "at_least", "at_most", "contains", "is_null")
_SIDES = ("bad", "good")


class CriterionError(Exception):
    """A criterion file that is missing, not TOML, or not of the documented shape."""


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, float):
        if value != 0 and abs(value) < 1e-3:
            return f"{value:.3g}"
        return f"{value:.3f}".rstrip("0").rstrip(".")
    if isinstance(value, str):
        return repr(value)
    return str(value)


@dataclass(frozen=True)
class Condition:
    """One requirement on the metrics of every run of one program: ``metric <operator> value``."""

    metric: str
    operator: str
    expected: Any

    def holds(self, observed: Mapping[str, Any]) -> bool:
        if self.metric not in observed:
            return False
        value = observed[self.metric]
        if self.operator == "is_null":
            return (value is None) == bool(self.expected)
        if self.operator == "equals":
            return _same(value, self.expected)
        if self.operator == "not_equals":
            return not _same(value, self.expected)
        if self.operator == "contains":
            return isinstance(value, str) and str(self.expected) in value
        if not _is_number(value):
            return False
        if self.operator == "at_least":
            return float(value) >= float(self.expected)
        return float(value) <= float(self.expected)  # at_most

    def describe(self) -> str:
        symbol = {
            "equals": "=",
            "not_equals": "≠",
            "at_least": "≥",
            "at_most": "≤",
            "contains": "contains",
        }
        if self.operator == "is_null":
            return f"{self.metric} is {'null' if self.expected else 'not null'}"
        return f"{self.metric} {symbol[self.operator]} {_fmt(self.expected)}"

    def failure(self, observed: Mapping[str, Any]) -> str:
        """Why ``observed`` does not satisfy the condition (call when ``holds`` is false)."""
        if self.metric not in observed:
            return f"{self.describe()}: the program did not report {self.metric}"
        return f"{self.describe()}: got {_fmt(observed[self.metric])}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _same(value: Any, expected: Any) -> bool:
    if _is_number(value) and _is_number(expected):
        return float(value) == float(expected)
    return bool(value == expected and type(value) is type(expected))


@dataclass(frozen=True)
class Operand:
    """One side of a margin: a metric of the bad or the good run of the same seed, or a number."""

    side: str | None
    metric: str | None
    constant: float | None = None

    def value(self, observed: Mapping[str, Mapping[str, Any]]) -> float | None:
        if self.side is None:
            return self.constant
        assert self.metric is not None
        found: Any = observed[self.side].get(self.metric)
        return float(found) if _is_number(found) else None

    def describe(self) -> str:
        if self.side is None:
            return _fmt(self.constant)
        return f"{self.side}.{self.metric}"


@dataclass(frozen=True)
class Margin:
    """``of - minus`` (its absolute value when ``absolute``) for each seed, and its bounds."""

    label: str
    short: str
    of: Operand
    minus: Operand
    absolute: bool = False
    at_least: float | None = None
    at_most: float | None = None

    def value(self, bad: Mapping[str, Any], good: Mapping[str, Any]) -> float | None:
        observed = {"bad": bad, "good": good}
        left, right = self.of.value(observed), self.minus.value(observed)
        if left is None or right is None:
            return None
        difference = left - right
        return abs(difference) if self.absolute else difference

    def holds(self, value: float) -> bool:
        if self.at_least is not None and value < self.at_least:
            return False
        return not (self.at_most is not None and value > self.at_most)

    def worst(self, values: Sequence[float]) -> float:
        """The value closest to failing: the smallest for a lower bound, else the largest."""
        return min(values) if self.at_least is not None else max(values)

    def bound(self) -> str:
        parts = []
        if self.at_least is not None:
            parts.append(f"≥ {_fmt(self.at_least)}")
        if self.at_most is not None:
            parts.append(f"≤ {_fmt(self.at_most)}")
        return " and ".join(parts)

    def headroom(self, value: float) -> float:
        """How far ``value`` is from its lower bound, relative to the bound (ranks pairs)."""
        if self.at_least is None:
            return math.inf
        if self.at_least > 0:
            return value / self.at_least
        return value - self.at_least


@dataclass(frozen=True)
class Shown:
    """A metric shown in the report's outcome columns (its range over the seeds)."""

    metric: str
    label: str


@dataclass(frozen=True)
class Pair:
    """A bad program, its good counterpart, and what their runs must show."""

    bad: str
    good: str
    #: False: a documented case where this backend does not fail at run time (the pair's
    #: conditions still hold, but it has no margin and does not count for one)
    failure: bool
    note: str
    expect: Mapping[str, tuple[Condition, ...]]
    exit_code: Mapping[str, int]
    show: Mapping[str, tuple[Shown, ...]]
    margin: Margin | None
    #: this pair's panel in ``--plots`` (``[pair.plot]``); None: the rule's ``[plot]``
    plot: Plot | None = None

    def program(self, side: str) -> str:
        return self.bad if side == "bad" else self.good


@dataclass(frozen=True)
class Plot:
    """What ``--plots`` draws for the rule: per-epoch curves or per-run bars."""

    kind: str  # "curves" | "bars"
    title: str
    series: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    mark_best: bool = False
    final_metric: str | None = None
    #: curves: the arrow from the bad run's ``final_metric`` down to the good one's, labelled
    #: with this text; ``{gap}`` becomes the measured difference (worst seed)
    annotate: str | None = None
    ylabel: str = ""
    #: bars of two metrics: what the first minus the second is called ("" draws no gap)
    gap_label: str = "gap"


@dataclass(frozen=True)
class Criterion:
    rule: str
    needs: str
    claim: str
    #: why the runtime half cannot run here (``needs = "static"``)
    static_reason: str
    pairs: tuple[Pair, ...]
    plot: Plot | None
    path: Path
    #: run only the first N seeds: for a failure that does not depend on the seed
    max_seeds: int | None = None

    def programs(self) -> list[str]:
        """Every program of the rule once, bad ones first, in declaration order."""
        names: list[str] = []
        for side in _SIDES:
            for pair in self.pairs:
                if pair.program(side) not in names:
                    names.append(pair.program(side))
        return names

    def side_of(self, program: str) -> str:
        return "bad" if any(pair.bad == program for pair in self.pairs) else "good"


# -- reading -----------------------------------------------------------------------------------


class _Table:
    """A TOML table read with a path for error messages; unknown keys are errors."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise CriterionError(f"{where}: expected a table")
        self.data: dict[str, Any] = data
        self.where = where
        self.used: set[str] = set()

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is _REQUIRED:
                raise CriterionError(f"{self.where}: missing key {key!r}")
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _kinds(kind)):
            raise CriterionError(
                f"{self.where}: {key!r} has the wrong type ({type(value).__name__})"
            )
        return value

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise CriterionError(f"{self.where}: unknown key(s) {', '.join(map(repr, unknown))}")


_REQUIRED = object()


def _kinds(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _condition(data: Any, where: str) -> Condition:
    table = _Table(data, where)
    metric = table.get("metric", str, _REQUIRED)
    present = [op for op in _OPERATORS if op in table.data]
    if len(present) != 1:
        raise CriterionError(f"{where}: give exactly one of {', '.join(_OPERATORS)}")
    operator = present[0]
    kinds: dict[str, type | tuple[type, ...]] = {
        "at_least": (int, float),
        "at_most": (int, float),
        "contains": str,
        "is_null": bool,
        "equals": (str, int, float, bool),
        "not_equals": (str, int, float, bool),
    }
    expected = table.get(operator, kinds[operator])
    table.done()
    return Condition(metric, operator, expected)


def _operand(value: Any, where: str) -> Operand:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Operand(None, None, float(value))
    if isinstance(value, str) and value.count(".") == 1:
        side, metric = value.split(".")
        if side in _SIDES and metric:
            return Operand(side, metric)
    raise CriterionError(f"{where}: expected 'bad.<metric>', 'good.<metric>' or a number")


def _margin(data: Any, where: str) -> Margin:
    table = _Table(data, where)
    margin = Margin(
        label=table.get("label", str, _REQUIRED),
        short=table.get("short", str, _REQUIRED),
        of=_operand(table.get("of", (str, int, float), _REQUIRED), f"{where}.of"),
        minus=_operand(table.get("minus", (str, int, float), _REQUIRED), f"{where}.minus"),
        absolute=table.get("absolute", bool, False),
        at_least=_optional_float(table.get("at_least", (int, float))),
        at_most=_optional_float(table.get("at_most", (int, float))),
    )
    table.done()
    if margin.at_least is None and margin.at_most is None:
        raise CriterionError(f"{where}: give at_least or at_most")
    return margin


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _shown(data: Any, where: str) -> Shown:
    table = _Table(data, where)
    shown = Shown(table.get("metric", str, _REQUIRED), table.get("label", str, _REQUIRED))
    table.done()
    return shown


def _pair(data: Any, where: str, folder: Path) -> Pair:
    table = _Table(data, where)
    programs = {side: table.get(side, str, _REQUIRED) for side in _SIDES}
    for side, name in programs.items():
        if Path(name).name != name:
            raise CriterionError(f"{where}.{side}: a file name in the rule's folder, not a path")
        if not (folder / name).is_file():
            raise CriterionError(f"{where}.{side}: no file {name} in {folder}")
    failure = table.get("failure", bool, True)
    expect = {
        side: tuple(
            _condition(item, f"{where}.{side}_expect[{i}]")
            for i, item in enumerate(table.get(f"{side}_expect", list, []))
        )
        for side in _SIDES
    }
    show = {
        side: tuple(
            _shown(item, f"{where}.{side}_show[{i}]")
            for i, item in enumerate(table.get(f"{side}_show", list, []))
        )
        for side in _SIDES
    }
    exit_code = {side: table.get(f"{side}_exit_code", int, 0) for side in _SIDES}
    raw_margin = table.get("margin", dict)
    margin = None if raw_margin is None else _margin(raw_margin, f"{where}.margin")
    note = table.get("note", str, "")
    raw_plot = table.get("plot", dict)
    plot = None if raw_plot is None else _plot(raw_plot, f"{where}.plot")
    table.done()
    if failure and (margin is None or margin.at_least is None):
        raise CriterionError(f"{where}: a failure pair needs a margin with at_least")
    return Pair(
        programs["bad"], programs["good"], failure, note, expect, exit_code, show, margin, plot
    )


def _plot(data: Any, where: str) -> Plot:
    table = _Table(data, where)
    kind = table.get("kind", str, _REQUIRED)
    if kind not in ("curves", "bars"):
        raise CriterionError(f"{where}.kind: 'curves' or 'bars'")
    plot = Plot(
        kind=kind,
        title=table.get("title", str, ""),
        series=tuple(table.get("series", list, [])),
        metrics=tuple(table.get("metrics", list, [])),
        mark_best=table.get("mark_best", bool, False),
        final_metric=table.get("final_metric", str),
        annotate=table.get("annotate", str),
        ylabel=table.get("ylabel", str, ""),
        gap_label=table.get("gap_label", str, "gap"),
    )
    table.done()
    if kind == "curves" and not plot.series:
        raise CriterionError(f"{where}: curves need 'series' (history keys)")
    if kind == "bars" and not plot.metrics:
        raise CriterionError(f"{where}: bars need 'metrics'")
    return plot


def load_criterion(folder: Path) -> Criterion:
    """Read ``folder/criterion.toml``; raises CriterionError with the file and key at fault."""
    path = folder / CRITERION_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CriterionError(f"{path}: cannot read: {error.strerror or error}") from error
    except tomllib.TOMLDecodeError as error:
        raise CriterionError(f"{path}: not valid TOML: {error}") from error
    table = _Table(data, str(path))
    needs = table.get("needs", str, _REQUIRED)
    if needs not in NEEDS:
        raise CriterionError(f"{path}: needs must be one of {', '.join(NEEDS)}")
    pairs = tuple(
        _pair(item, f"{path}: pair[{i}]", folder)
        for i, item in enumerate(table.get("pair", list, _REQUIRED))
    )
    if not pairs:
        raise CriterionError(f"{path}: at least one [[pair]]")
    raw_plot = table.get("plot", dict)
    criterion = Criterion(
        rule=table.get("rule", str, _REQUIRED),
        needs=needs,
        claim=table.get("claim", str, _REQUIRED),
        static_reason=table.get("static_reason", str, ""),
        pairs=pairs,
        plot=None if raw_plot is None else _plot(raw_plot, f"{path}: plot"),
        path=path,
        max_seeds=table.get("max_seeds", int),
    )
    table.done()
    if criterion.max_seeds is not None and criterion.max_seeds < 1:
        raise CriterionError(f"{path}: max_seeds must be at least 1")
    if needs == "static" and not criterion.static_reason:
        raise CriterionError(f"{path}: a static-only rule says why in static_reason")
    if needs != "static" and not any(pair.failure for pair in pairs):
        raise CriterionError(f"{path}: no pair shows a runtime failure (failure = true)")
    return criterion


# -- judging -----------------------------------------------------------------------------------


@dataclass
class PairResult:
    pair: Pair
    #: seed -> margin value (None: a metric it needs was missing)
    margins: dict[int, float | None] = field(default_factory=dict)
    worst: float | None = None
    holds: bool = False


@dataclass
class Judgement:
    verified: bool
    failures: list[str]
    pairs: list[PairResult]
    #: the worst-case margin of the pair closest to failing, and that pair
    margin: float | None
    margin_pair: PairResult | None


def judge(
    criterion: Criterion,
    observed: Mapping[tuple[str, int], Mapping[str, Any]],
    seeds: Sequence[int],
) -> Judgement:
    """Judge measured runs: ``observed[(program, seed)]`` is a run's metrics plus ``exit_code``.

    Every run must exist (runs that errored are the caller's to report before judging).
    """
    failures: list[str] = []
    results: list[PairResult] = []
    for pair in criterion.pairs:
        result = PairResult(pair)
        for side in _SIDES:
            program = pair.program(side)
            conditions = (
                Condition("exit_code", "equals", pair.exit_code[side]),
                *pair.expect[side],
            )
            for seed in seeds:
                run = observed[(program, seed)]
                for condition in conditions:
                    if not condition.holds(run):
                        failures.append(f"{program} seed {seed}: {condition.failure(run)}")
        if pair.margin is not None:
            for seed in seeds:
                result.margins[seed] = pair.margin.value(
                    observed[(pair.bad, seed)], observed[(pair.good, seed)]
                )
            values = [v for v in result.margins.values() if v is not None]
            missing = [seed for seed, v in result.margins.items() if v is None]
            for seed in missing:
                failures.append(
                    f"{pair.bad}/{pair.good} seed {seed}: cannot compute {pair.margin.label} "
                    f"({pair.margin.of.describe()} - {pair.margin.minus.describe()})"
                )
            if values:
                result.worst = pair.margin.worst(values)
                result.holds = not missing and pair.margin.holds(result.worst)
                if not pair.margin.holds(result.worst):
                    failures.append(
                        f"{pair.bad} vs {pair.good}: {pair.margin.label} is "
                        f"{result.worst:+.3f} in the worst seed, needs {pair.margin.bound()}"
                    )
        else:
            result.holds = True
        results.append(result)
    tightest = _tightest(results)
    return Judgement(
        verified=not failures,
        failures=list(dict.fromkeys(failures)),  # a good program shared by pairs: once
        pairs=results,
        margin=None if tightest is None else tightest.worst,
        margin_pair=tightest,
    )


def _tightest(results: Sequence[PairResult]) -> PairResult | None:
    """The failure pair whose worst-case margin is closest to its bound."""
    best: tuple[float, PairResult] | None = None
    for result in results:
        margin = result.pair.margin
        if not result.pair.failure or margin is None or result.worst is None:
            continue
        headroom = margin.headroom(result.worst)
        if best is None or headroom < best[0]:
            best = (headroom, result)
    return None if best is None else best[1]
