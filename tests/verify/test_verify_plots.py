"""``--plots``: every panel of the real criteria has its subtitle and labelled axes, and says what
was measured (runs shaped like the measured metrics, drawn with matplotlib's Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keras_lint.verify.criteria import load_criterion
from keras_lint.verify.harness import RuleReport
from keras_lint.verify.runs import RunRequest, RunResult

pytest.importorskip("matplotlib")

from keras_lint.verify.plots import draw_rule, rule_figure  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _rule(code: str, name: str, metrics: dict[str, dict[str, Any]], seeds: int) -> RuleReport:
    criterion = load_criterion(FIXTURES / name)
    rule = RuleReport(code, name, "verified", criterion=criterion, margin=0.3)
    for program in criterion.programs():
        side = rule.bad if criterion.side_of(program) == "bad" else rule.good
        for seed in range(seeds):
            request = RunRequest(code, FIXTURES / name / program, seed)
            values = {key: value(seed) if callable(value) else value
                      for key, value in metrics[program].items()}  # fmt: skip
            run = RunResult(request, "ok", 0, 1.0, {"seed": seed, **values})
            side.runs.append(run)
    return rule


def _texts(figure: Any) -> list[str]:
    return [text.get_text() for axes in figure.axes for text in axes.texts]


def test_early_stopping_draws_the_shared_curve_once_and_the_restored_point() -> None:
    curve = [0.7, 0.6, 0.55, 0.6, 0.8, 0.95]
    history = {"val_loss": curve}
    rule = _rule(
        "KER601", "early-stopping-without-restore",
        {
            "bad.py": {"history": history, "final_val_loss": lambda seed: 0.95 + 0.05 * seed},
            "good.py": {"history": history, "final_val_loss": 0.55},
        },
        seeds=2,
    )  # fmt: skip
    figure = rule_figure(rule, [0, 1])
    (axes,) = figure.axes
    labels = [line.get_label() for line in axes.get_lines()]
    assert "bad.py and good.py: the same training" in labels
    assert not any(label.startswith("good: good.py") for label in labels)
    texts = _texts(figure)
    assert (
        "restored to best epoch: +0.40 val loss avoided\n(worst of 2 seeds; up to +0.45)" in texts
    )
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("epoch", "validation loss")


def test_loss_activation_mismatch_plots_what_each_pair_measures(tmp_path: Path) -> None:
    probabilities = {"test_log_loss": 0.7}
    rule = _rule(
        "KER201", "loss-activation-mismatch",
        {
            "bad.py": {"history": {"loss": [0.0] * 5}},
            "good.py": {"history": {"loss": [0.6, 0.3, 0.2, 0.1, 0.05]}},
            "bad_softmax_bce.py": {"mean_confidence": 0.85, "test_accuracy": 0.73},
            "good_softmax.py": {"mean_confidence": 0.77, "test_accuracy": 0.72, **probabilities},
            "bad_softmax_from_logits.py": {"test_accuracy": 0.72, **probabilities},
        },
        seeds=3,
    )  # fmt: skip
    figure = rule_figure(rule, [0, 1, 2])
    assert len(figure.axes) == 3
    for axes in figure.axes:
        assert axes.get_title() and axes.get_xlabel() and axes.get_ylabel()
    titles = [axes.get_title() for axes in figure.axes]
    assert len(set(titles)) == 3
    assert "over-confidence" in titles[1]
    # The over-confidence the criterion measures, not the losses on their different scales.
    texts = _texts(figure)
    assert "over-confidence +0.12" in texts and "over-confidence +0.05" in texts
    assert figure.axes[1].get_ylabel() == "held-out accuracy / mean top probability"
    # The softmax + from_logits pair is marked as what it is on TensorFlow.
    assert "documented non-failure on TensorFlow" in [t.get_text() for t in figure.axes[2].texts]
    assert "documented non-failure" not in " ".join(t.get_text() for t in figure.axes[1].texts)
    path = draw_rule(rule, tmp_path, [0, 1, 2])
    assert path is not None and path.read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("folder", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_every_plotted_panel_names_its_y_axis(folder: str) -> None:
    criterion = load_criterion(FIXTURES / folder)
    for pair in criterion.pairs:
        plot = pair.plot or criterion.plot
        assert plot is None or plot.ylabel, f"{folder}: {pair.bad} vs {pair.good}"
