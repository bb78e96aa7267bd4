"""Training-curve pictures of each verified rule (``--plots DIR``), drawn headless with Agg.

One PNG per rule: per-epoch curves of the bad and the good runs (``kind = "curves"``: every
seed, the best epoch and the final weights' value marked where the criterion asks), or bars of
per-run metrics (``kind = "bars"``: one group per program, one dot per seed). The rule's
``[plot]`` table in ``criterion.toml`` says which.
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


def _runs_of(rule: RuleReport, program: str) -> list[RunResult]:
    return [run for run in rule.bad.runs + rule.good.runs if run.request.program.name == program]


def _series(run: RunResult, key: str) -> list[float]:
    history = (run.metrics or {}).get("history") or {}
    values = history.get(key) or []
    return [float(v) for v in values if isinstance(v, (int, float))]


def _curves(axes: Any, rule: RuleReport, pair: Pair, plot: Plot) -> None:
    sides = (("bad", pair.bad, BAD_COLOR, "-", 2.4), ("good", pair.good, GOOD_COLOR, "--", 1.4))
    for side, program, color, style, width in sides:
        runs = [run for run in _runs_of(rule, program) if run.ok]
        drawn = False
        for first, run in ((run is runs[0], run) for run in runs):
            for number, key in enumerate(plot.series):
                values = _series(run, key)
                if not values:
                    continue
                epochs = list(range(1, len(values) + 1))
                axes.plot(
                    epochs, values, color=color, alpha=0.85, linewidth=width,
                    linestyle=style if number == 0 else ":",
                    label=f"{side}: {program} ({key})" if first else None,
                )  # fmt: skip
                drawn = True
                if plot.mark_best and number == 0:
                    best = min(range(len(values)), key=values.__getitem__)
                    axes.plot(
                        best + 1, values[best], marker="o", color=color, markersize=7,
                        markeredgecolor="black", linestyle="none",
                        label=f"{side}: best epoch" if first else None,
                    )  # fmt: skip
                if plot.final_metric and number == 0:
                    final = (run.metrics or {}).get(plot.final_metric)
                    if isinstance(final, (int, float)):
                        axes.plot(
                            len(values), final, marker="X", color=color, markersize=10,
                            markeredgecolor="black", linestyle="none",
                            label=f"{side}: final weights ({plot.final_metric})" if first else None,
                        )  # fmt: skip
        if not drawn:
            outcome = (rule.bad if side == "bad" else rule.good).outcomes.get(program, "no curve")
            axes.text(
                0.5, 0.55 if side == "bad" else 0.45, f"{side} ({program}): {outcome}",
                transform=axes.transAxes, ha="center", color=color, fontsize=9,
            )  # fmt: skip
    axes.set_xlabel("epoch")
    axes.set_ylabel(", ".join(plot.series))
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="best")


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
            axes.text(x, max(values) + 0.01, f"{mean:.2f}", ha="center", va="bottom", fontsize=8)
            top = max(top, *values)
        if len(means) == 2:
            axes.text(
                group, top + 0.08, f"gap {means[0] - means[1]:+.2f}", ha="center",
                fontsize=10, fontweight="bold", color=color,
            )  # fmt: skip
    axes.set_ylim(0, top + 0.18)
    axes.set_xticks([0, 1], [f"bad ({pair.bad})", f"good ({pair.good})"])
    axes.grid(alpha=0.3, axis="y")
    axes.legend(fontsize=8, loc="lower center")


def _title(rule: RuleReport, seeds: Sequence[int]) -> str:
    margin = "" if rule.margin is None else f", worst-case margin {rule.margin:+.3f}"
    return f"{rule.code} {rule.name}: {rule.verdict}{margin} (seeds {', '.join(map(str, seeds))})"


def draw_rule(rule: RuleReport, folder: Path, seeds: Sequence[int]) -> Path | None:
    """Draw ``rule``'s picture into ``folder``; None when it has no runs or no plot."""
    criterion = rule.criterion
    if criterion is None or criterion.plot is None:
        return None
    if not any(run.ok for run in rule.bad.runs + rule.good.runs):
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    plot = criterion.plot
    pairs = criterion.pairs
    figure, axes_list = pyplot.subplots(
        1, len(pairs), figsize=(7.0 * len(pairs), 5.0), squeeze=False
    )
    for axes, pair in zip(axes_list[0], pairs, strict=True):
        if plot.kind == "curves":
            _curves(axes, rule, pair, plot)
        else:
            _bars(axes, rule, pair, plot)
        heading = f"{pair.bad} vs {pair.good}\n" if len(pairs) > 1 else ""
        axes.set_title(heading + "\n".join(textwrap.wrap(plot.title, 70)), fontsize=9)
    figure.suptitle(_title(rule, seeds), fontsize=11)
    figure.tight_layout()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{rule.code}-{rule.name}.png"
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
    return path


def draw_all(verification: Verification, folder: Path) -> list[Path]:
    paths = []
    for rule in verification.rules:
        path = draw_rule(rule, folder, verification.seeds)
        if path is not None:
            paths.append(path)
    return paths
