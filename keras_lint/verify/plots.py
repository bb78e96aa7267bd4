"""Training-curve pictures of each verified rule (``--plots DIR``), drawn headless with Agg.

One PNG per rule: per-epoch curves of the bad and the good runs (``kind = "curves"``: every
seed, the best epoch and the final weights' value marked where the criterion asks), or bars of
per-run metrics (``kind = "bars"``: one group per program, one dot per seed). The rule's
``[plot]`` table in ``criterion.toml`` says which.
"""

from __future__ import annotations

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
    for side, program, color in (("bad", pair.bad, BAD_COLOR), ("good", pair.good, GOOD_COLOR)):
        runs = _runs_of(rule, program)
        drawn = False
        for run in runs:
            for number, key in enumerate(plot.series):
                values = _series(run, key)
                if not values:
                    continue
                epochs = list(range(1, len(values) + 1))
                label = f"{side} ({program}) {key}" if run is runs[0] else None
                axes.plot(
                    epochs, values, color=color, alpha=0.8, linewidth=1.4,
                    linestyle="-" if number == 0 else ":", label=label,
                )  # fmt: skip
                drawn = True
                if plot.mark_best and number == 0:
                    best = min(range(len(values)), key=values.__getitem__)
                    axes.plot(
                        best + 1, values[best], marker="o", color=color, markersize=6,
                        label="best epoch" if run is runs[0] and side == "bad" else None,
                    )  # fmt: skip
                if plot.final_metric and number == 0:
                    final = (run.metrics or {}).get(plot.final_metric)
                    if isinstance(final, (int, float)):
                        axes.plot(
                            len(values), final, marker="X", color=color, markersize=8,
                            label=f"{plot.final_metric}" if run is runs[0] else None,
                        )  # fmt: skip
        if not drawn:
            text = (
                rule.bad.outcomes.get(program) if side == "bad" else rule.good.outcomes.get(program)
            )
            axes.text(
                0.5, 0.92 if side == "bad" else 0.82, f"{side} ({program}): {text or 'no curve'}",
                transform=axes.transAxes, ha="center", color=color, fontsize=8, wrap=True,
            )  # fmt: skip
    if plot.annotate:
        for run in _runs_of(rule, pair.bad)[:1]:
            value = (run.metrics or {}).get(plot.annotate)
            if isinstance(value, (int, float)):
                axes.text(
                    0.02, 0.02, f"bad {plot.annotate} = {value:.3g}", transform=axes.transAxes,
                    color=BAD_COLOR, fontsize=8,
                )  # fmt: skip
    axes.set_xlabel("epoch")
    axes.set_ylabel(", ".join(plot.series))
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="best")


def _bars(axes: Any, rule: RuleReport, pair: Pair, plot: Plot) -> None:
    width = 0.8 / max(1, len(plot.metrics))
    programs = [(pair.bad, BAD_COLOR), (pair.good, GOOD_COLOR)]
    for group, (program, color) in enumerate(programs):
        runs = _runs_of(rule, program)
        for index, metric in enumerate(plot.metrics):
            values = [
                float(v)
                for v in (run.observed().get(metric) for run in runs)
                if isinstance(v, (int, float)) and not isinstance(v, bool)
            ]
            x = group + (index - (len(plot.metrics) - 1) / 2) * width
            if not values:
                continue
            mean = sum(values) / len(values)
            axes.bar(x, mean, width * 0.9, color=color, alpha=0.35 + 0.5 * index / max(
                1, len(plot.metrics) - 1
            ), edgecolor=color)  # fmt: skip
            axes.scatter([x] * len(values), values, color="black", s=10, zorder=3)
            axes.text(x, mean, f"{metric}\n{mean:.2f}", ha="center", va="bottom", fontsize=7)
    axes.set_xticks([0, 1], [f"bad ({pair.bad})", f"good ({pair.good})"])
    axes.grid(alpha=0.3, axis="y")


def _title(rule: RuleReport, plot: Plot) -> str:
    margin = "" if rule.margin is None else f", worst-case margin {rule.margin:+.3f}"
    return f"{rule.code} {rule.name}: {rule.verdict}{margin}\n{plot.title}"


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
        1, len(pairs), figsize=(6.2 * len(pairs), 4.6), squeeze=False
    )
    for axes, pair in zip(axes_list[0], pairs, strict=True):
        if plot.kind == "curves":
            _curves(axes, rule, pair, plot)
        else:
            _bars(axes, rule, pair, plot)
        if len(pairs) > 1:
            axes.set_title(f"{pair.bad} vs {pair.good}", fontsize=9)
    figure.suptitle(_title(rule, plot) + f" (seeds {', '.join(map(str, seeds))})", fontsize=10)
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
