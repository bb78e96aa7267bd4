"""Training-curve pictures of each verified rule (``--plots DIR``), drawn headless with Agg.

One PNG per rule, one panel per pair of programs, each with its own subtitle and labelled axes:
per-epoch curves of the bad and the good runs (``kind = "curves"``: every seed, the best epoch
and the final weights' value marked where the criterion asks; a curve both programs share is
drawn once), or bars of per-run metrics (``kind = "bars"``: one group per program, one dot per
seed). A pair's ``[pair.plot]`` table in ``criterion.toml`` says which, else the rule's
``[plot]``; a pair that is a documented non-failure says so on its panel.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from keras_lint.verify.criteria import Pair, Plot
from keras_lint.verify.harness import RuleReport, Verification
from keras_lint.verify.runs import RunResult

BAD_COLOR, GOOD_COLOR = "#c0392b", "#2471a3"
#: a curve both programs share (the same training, different final weights)
SHARED_COLOR = "#6c3483"


def _runs_of(rule: RuleReport, program: str) -> list[RunResult]:
    return [run for run in rule.bad.runs + rule.good.runs if run.request.program.name == program]


def _series(run: RunResult, key: str) -> list[float]:
    history = (run.metrics or {}).get("history") or {}
    values = history.get(key) or []
    return [float(v) for v in values if isinstance(v, (int, float))]


def _same_training(bad: list[RunResult], good: list[RunResult], series: str) -> bool:
    """The bad and the good program gave the same curve for every seed (they differ after it)."""
    by_seed = {run.request.seed: _series(run, series) for run in good}
    return bool(bad) and all(
        _series(run, series) and _series(run, series) == by_seed.get(run.request.seed)
        for run in bad
    )


def _final(run: RunResult, metric: str) -> float | None:
    value = (run.metrics or {}).get(metric)
    return float(value) if isinstance(value, (int, float)) else None


def _curves(axes: Any, rule: RuleReport, pair: Pair, plot: Plot) -> None:
    runs = {
        side: [run for run in _runs_of(rule, program) if run.ok]
        for side, program in (("bad", pair.bad), ("good", pair.good))
    }
    shared = _same_training(runs["bad"], runs["good"], plot.series[0])
    sides = [("bad", pair.bad, BAD_COLOR, "-", 2.4), ("good", pair.good, GOOD_COLOR, "--", 1.6)]
    for side, program, color, style, width in sides:
        drawn = False
        for first, run in ((run is runs[side][0], run) for run in runs[side]):
            for number, key in enumerate(plot.series):
                values = _series(run, key)
                if not values:
                    continue
                drawn = True
                epochs = list(range(1, len(values) + 1))
                if not (shared and side == "good" and number == 0):
                    label = f"{side}: {program}" + (f" ({key})" if len(plot.series) > 1 else "")
                    if shared and number == 0:
                        label = f"{pair.bad} and {pair.good}: the same training"
                    axes.plot(
                        epochs, values, alpha=0.85, linewidth=width,
                        color=SHARED_COLOR if shared and number == 0 else color,
                        linestyle=style if number == 0 else ":",
                        label=label if first else None,
                    )  # fmt: skip
                if plot.mark_best and number == 0 and not (shared and side == "good"):
                    best = min(range(len(values)), key=values.__getitem__)
                    axes.plot(
                        best + 1, values[best], marker="o", markersize=7, linestyle="none",
                        color=SHARED_COLOR if shared else color, markeredgecolor="black",
                        label="best epoch" if first else None,
                    )  # fmt: skip
                final = _final(run, plot.final_metric) if plot.final_metric else None
                if final is not None and number == 0:
                    axes.plot(
                        len(values), final, marker="X", color=color, markersize=11,
                        markeredgecolor="black", linestyle="none",
                        label=f"{side}: the weights it ends with" if first else None,
                    )  # fmt: skip
        if not drawn:
            outcome = (rule.bad if side == "bad" else rule.good).outcomes.get(program, "no curve")
            axes.text(
                0.5, 0.55 if side == "bad" else 0.45, f"{side} ({program}): {outcome}",
                transform=axes.transAxes, ha="center", color=color, fontsize=9,
            )  # fmt: skip
    if plot.annotate and plot.final_metric:
        _annotate_gap(axes, runs["bad"], runs["good"], plot)
    axes.set_xlabel("epoch")
    axes.set_ylabel(plot.ylabel or ", ".join(plot.series))
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, loc="best")


def _annotate_gap(axes: Any, bad: list[RunResult], good: list[RunResult], plot: Plot) -> None:
    """An arrow from the bad run's final value down to the good one's, for the worst seed."""
    assert plot.annotate is not None and plot.final_metric is not None
    gaps = []
    good_by_seed = {run.request.seed: run for run in good}
    for run in bad:
        other = good_by_seed.get(run.request.seed)
        high = _final(run, plot.final_metric)
        low = None if other is None else _final(other, plot.final_metric)
        if high is not None and low is not None and other is not None:
            epoch = max(len(_series(run, plot.series[0])), len(_series(other, plot.series[0])))
            gaps.append((high - low, epoch, high, low))
    if not gaps:
        return
    gap, epoch, high, low = min(gaps)
    axes.annotate(
        "", xy=(epoch, low), xytext=(epoch, high),
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.5},
    )  # fmt: skip
    text = plot.annotate.format(gap=gap)
    if len(gaps) > 1:
        text += f"\n(worst of {len(gaps)} seeds; up to {max(gaps)[0]:+.2f})"
    axes.text(
        epoch - 0.6, (high + low) / 2, text, ha="right", va="center", fontsize=9,
        bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.6"},
    )  # fmt: skip


def _bars(axes: Any, rule: RuleReport, pair: Pair, plot: Plot) -> None:
    width = 0.8 / max(1, len(plot.metrics))
    top = 0.0
    for group, (program, color) in enumerate(((pair.bad, BAD_COLOR), (pair.good, GOOD_COLOR))):
        runs = [run for run in _runs_of(rule, program) if run.ok]
        means = []
        for index, metric in enumerate(plot.metrics):
            values = [
                float(v)
                for v in (run.observed().get(metric) for run in runs)
                if isinstance(v, (int, float)) and not isinstance(v, bool)
            ]
            if not values:
                continue
            x = group + (index - (len(plot.metrics) - 1) / 2) * width
            mean = sum(values) / len(values)
            means.append(mean)
            shade = 0.35 + 0.55 * index / max(1, len(plot.metrics) - 1)
            axes.bar(
                x, mean, width * 0.9, color=color, alpha=shade, edgecolor=color,
                label=metric if group == 0 else None,
            )  # fmt: skip
            axes.scatter([x] * len(values), values, color="black", s=12, zorder=3)
            axes.text(x, max(values) + 0.01, f"{mean:.2f}", ha="center", va="bottom", fontsize=9)
            top = max(top, *values)
        if len(means) == 2 and plot.gap_label:
            axes.text(
                group, top + 0.09, f"{plot.gap_label} {means[0] - means[1]:+.2f}", ha="center",
                fontsize=10, fontweight="bold", color=color,
            )  # fmt: skip
    axes.set_ylim(0, top + 0.4)  # room for the gaps and, above them, the legend
    axes.set_xticks([0, 1], [f"bad: {pair.bad}", f"good: {pair.good}"])
    axes.set_xlabel("program (bars: mean over the seeds; dots: one per seed)")
    axes.set_ylabel(plot.ylabel or "value")
    axes.grid(alpha=0.3, axis="y")
    axes.legend(fontsize=9, loc="upper left", ncol=len(plot.metrics))


def _title(rule: RuleReport, seeds: Sequence[int]) -> str:
    margin = "" if rule.margin is None else f", worst-case margin {rule.margin:+.3f}"
    return f"{rule.code} {rule.name}: {rule.verdict}{margin} (seeds {', '.join(map(str, seeds))})"


def _subtitle(pair: Pair, plot: Plot, several: bool) -> str:
    lines = [f"{pair.bad} vs {pair.good}"] if several else []
    lines += textwrap.wrap(plot.title, 90)
    return "\n".join(lines)


def draw_rule(rule: RuleReport, folder: Path, seeds: Sequence[int]) -> Path | None:
    """Draw ``rule``'s picture into ``folder``; None when it has no runs or no plot."""
    figure = rule_figure(rule, seeds)
    if figure is None:
        return None
    from matplotlib import pyplot

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{rule.code}-{rule.name}.png"
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
    return path


def rule_figure(rule: RuleReport, seeds: Sequence[int]) -> Any:
    """``rule``'s matplotlib figure, one panel per pair; None when it has no runs or no plot."""
    criterion = rule.criterion
    if criterion is None or not any(run.ok for run in rule.bad.runs + rule.good.runs):
        return None
    panels = [(pair, pair.plot or criterion.plot) for pair in criterion.pairs]
    drawn = [(pair, plot) for pair, plot in panels if plot is not None]
    if not drawn:
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    # One panel under the other, each wide enough to read at its normal size.
    figure, axes_list = pyplot.subplots(
        len(drawn), 1, figsize=(8.5, 0.6 + 4.6 * len(drawn)), squeeze=False, layout="constrained"
    )
    for axes, (pair, plot) in zip(axes_list[:, 0], drawn, strict=True):
        if plot.kind == "curves":
            _curves(axes, rule, pair, plot)
        else:
            _bars(axes, rule, pair, plot)
        axes.set_title(_subtitle(pair, plot, len(drawn) > 1), fontsize=10)
        if not pair.failure:
            axes.text(
                0.5, 0.08, "documented non-failure on TensorFlow", transform=axes.transAxes,
                ha="center", va="bottom", fontsize=13, color="0.25", fontweight="bold",
                bbox={"boxstyle": "round", "facecolor": "#fdf2e9", "edgecolor": "0.6"},
            )  # fmt: skip
    figure.suptitle(_title(rule, seeds), fontsize=12)
    return figure


def draw_all(verification: Verification, folder: Path) -> list[Path]:
    paths = []
    for rule in verification.rules:
        path = draw_rule(rule, folder, verification.seeds)
        if path is not None:
            paths.append(path)
    return paths
