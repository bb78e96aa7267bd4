"""criterion.toml files: reading them, and judging measured runs against them."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from keras_lint.rules import ALL_RULES
from keras_lint.verify.criteria import (
    Condition,
    CriterionError,
    judge,
    load_criterion,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def criterion_in(tmp_path: Path, text: str, files: tuple[str, ...] = ("bad.py", "good.py")):
    for name in files:
        (tmp_path / name).write_text("")
    (tmp_path / "criterion.toml").write_text(textwrap.dedent(text))
    return load_criterion(tmp_path)


MINIMAL = """\
    rule = "KER601"
    needs = "cpu"
    claim = "the bad one is worse"

    [[pair]]
    bad = "bad.py"
    good = "good.py"
    bad_expect = [{ metric = "val_loss_excess", at_least = 0.1 }]
    good_expect = [{ metric = "val_loss_excess", at_most = 0.001 }]
    [pair.margin]
    label = "excess, bad - good"
    short = "Δ"
    of = "bad.val_loss_excess"
    minus = "good.val_loss_excess"
    at_least = 0.1
"""


def runs(**by_program: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    """``runs(bad=[{...seed 0...}, ...])`` -> observed runs keyed by (program file, seed)."""
    observed = {}
    for stem, per_seed in by_program.items():
        for seed, metrics in enumerate(per_seed):
            observed[(f"{stem}.py", seed)] = {"exit_code": 0, **metrics}
    return observed


# -- the project's own criteria --------------------------------------------------------------


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_every_rule_declares_its_criterion_next_to_its_fixtures(rule) -> None:
    criterion = load_criterion(FIXTURES / rule.name)
    assert criterion.rule == rule.code
    assert criterion.claim
    for program in criterion.programs():
        assert (FIXTURES / rule.name / program).is_file()


def test_the_gpu_and_static_rules_are_declared_as_such() -> None:
    assert load_criterion(FIXTURES / "missing-gpu-memory-growth").needs == "gpu"
    assert load_criterion(FIXTURES / "jax-gpu-preallocation").needs == "gpu"
    assert load_criterion(FIXTURES / "docker-latest-tag").needs == "static"


def test_loss_activation_mismatch_compares_every_variant() -> None:
    criterion = load_criterion(FIXTURES / "loss-activation-mismatch")
    assert [(pair.bad, pair.good, pair.failure, pair.backends) for pair in criterion.pairs] == [
        ("bad.py", "good.py", True, ()),
        ("bad_softmax_bce.py", "good_softmax.py", True, ("tensorflow",)),
        ("bad_softmax_bce.py", "good_softmax.py", False, ("jax", "torch")),
        ("bad_softmax_from_logits.py", "good_softmax.py", False, ("tensorflow",)),
        ("bad_softmax_from_logits.py", "good_softmax.py", True, ("jax", "torch")),
    ]
    assert criterion.programs()[:3] == [
        "bad.py",
        "bad_softmax_bce.py",
        "bad_softmax_from_logits.py",
    ]
    # Each backend judges three pairs: softmax + binary crossentropy fails on TensorFlow,
    # softmax + from_logits on JAX and PyTorch.
    for backend, on_tensorflow in (("tensorflow", True), ("jax", False), ("torch", False)):
        pairs = criterion.on_backend(backend).pairs
        assert [pair.bad for pair in pairs] == [
            "bad.py", "bad_softmax_bce.py", "bad_softmax_from_logits.py",
        ]  # fmt: skip
        assert [pair.failure for pair in pairs] == [True, on_tensorflow, not on_tensorflow]


def test_a_rule_of_one_backend_says_which() -> None:
    assert load_criterion(FIXTURES / "missing-gpu-memory-growth").backend == "tensorflow"
    assert load_criterion(FIXTURES / "jax-gpu-preallocation").backend == "jax"
    assert load_criterion(FIXTURES / "early-stopping-without-restore").backend is None


# -- conditions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "value", "holds"),
    [
        (Condition("x", "equals", True), True, True),
        (Condition("x", "equals", True), 1, False),  # a bool is not a number here
        (Condition("x", "equals", 0), 0.0, True),
        (Condition("x", "equals", "ValueError"), "TypeError", False),
        (Condition("x", "not_equals", "a"), "b", True),
        (Condition("x", "at_least", 0.5), 0.5, True),
        (Condition("x", "at_least", 0.5), 0.49, False),
        (Condition("x", "at_least", 0.5), None, False),
        (Condition("x", "at_least", 0.5), float("nan"), False),
        (Condition("x", "at_most", 0.1), -3, True),
        (Condition("x", "at_most", 0.1), True, False),
        (Condition("x", "contains", "compile()"), "You must call `compile()` first", True),
        (Condition("x", "contains", "compile()"), None, False),
        (Condition("x", "is_null", True), None, True),
        (Condition("x", "is_null", True), "boom", False),
        (Condition("x", "is_null", False), 0, True),
    ],
)
def test_condition_holds(condition: Condition, value: Any, holds: bool) -> None:
    assert condition.holds({"x": value}) is holds


def test_a_missing_metric_never_holds_and_says_so() -> None:
    condition = Condition("accuracy_gap", "at_least", 0.08)
    assert not condition.holds({})
    assert condition.failure({}) == ("accuracy_gap ≥ 0.08: the program did not report accuracy_gap")
    assert condition.failure({"accuracy_gap": 0.01}) == "accuracy_gap ≥ 0.08: got 0.01"


# -- reading -------------------------------------------------------------------------------


def test_reads_a_minimal_criterion(tmp_path: Path) -> None:
    criterion = criterion_in(tmp_path, MINIMAL)
    (pair,) = criterion.pairs
    assert pair.margin is not None and pair.margin.at_least == 0.1
    assert pair.exit_code == {"bad": 0, "good": 0}
    assert criterion.plot is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('needs = "cpu"', 'needs = "tpu"'), "needs must be one of"),
        (("claim =", "colour = 1\nclaim ="), "unknown key(s) 'colour'"),
        (('bad = "bad.py"', 'bad = "missing.py"'), "no file missing.py"),
        (('bad = "bad.py"', 'bad = "../bad.py"'), "a file name in the rule's folder"),
        (("at_least = 0.1 }]", "at_least = 0.1, at_most = 1 }]"), "exactly one of"),
        (('of = "bad.val_loss_excess"', 'of = "ugly.val_loss_excess"'), "expected 'bad."),
        (("at_least = 0.1\n", "at_most = 0.1\n"), "needs a margin with at_least"),
        (('rule = "KER601"', "rule = 601"), "'rule' has the wrong type"),
        (("[[pair]]", "[[pairs]]"), "'pair'"),
        (('needs = "cpu"', 'needs = "cpu"\nbackend = "theano"'), "backend must be one of"),
        (('good = "good.py"', 'good = "good.py"\nbackends = ["mxnet"]'), "'mxnet' is not one of"),
        # the only failure pair runs on JAX alone: TensorFlow and PyTorch would have nothing
        (('good = "good.py"', 'good = "good.py"\nbackends = ["jax"]'), "failure = true) on "),
    ],
)
def test_a_malformed_criterion_names_the_problem(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = textwrap.dedent(MINIMAL)
    assert change[0] in text
    with pytest.raises(CriterionError, match=None) as raised:
        criterion_in(tmp_path, text.replace(change[0], change[1], 1))
    assert message in str(raised.value)


def test_not_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    with pytest.raises(CriterionError, match="not valid TOML"):
        criterion_in(tmp_path, "rule = ")


def test_a_missing_criterion_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CriterionError, match="cannot read"):
        load_criterion(tmp_path)


def test_a_static_rule_must_say_why(tmp_path: Path) -> None:
    text = 'rule = "KER401"\nneeds = "static"\nclaim = "c"\n[[pair]]\nbad = "bad.py"\n'
    text += 'good = "good.py"\nfailure = false\n'
    with pytest.raises(CriterionError, match="static_reason"):
        criterion_in(tmp_path, text)


# -- judging -------------------------------------------------------------------------------


def test_verified_when_every_seed_holds_and_the_margin_is_the_worst_seed(tmp_path: Path) -> None:
    criterion = criterion_in(tmp_path, MINIMAL)
    observed = runs(
        bad=[{"val_loss_excess": 0.4}, {"val_loss_excess": 0.25}, {"val_loss_excess": 0.5}],
        good=[{"val_loss_excess": 0.0}, {"val_loss_excess": 0.0}, {"val_loss_excess": 0.001}],
    )
    judgement = judge(criterion, observed, [0, 1, 2])
    assert judgement.verified, judgement.failures
    assert judgement.margin == pytest.approx(0.25)
    assert judgement.pairs[0].margins == {0: 0.4, 1: 0.25, 2: pytest.approx(0.499)}


def test_one_weak_seed_fails_the_rule_and_names_the_seed(tmp_path: Path) -> None:
    criterion = criterion_in(tmp_path, MINIMAL)
    observed = runs(
        bad=[{"val_loss_excess": 0.4}, {"val_loss_excess": 0.05}],
        good=[{"val_loss_excess": 0.0}, {"val_loss_excess": 0.0}],
    )
    judgement = judge(criterion, observed, [0, 1])
    assert not judgement.verified
    assert judgement.failures == [
        "bad.py seed 1: val_loss_excess ≥ 0.1: got 0.05",
        "bad.py vs good.py: excess, bad - good is +0.050 in the worst seed, needs ≥ 0.1",
    ]
    assert judgement.margin == pytest.approx(0.05)


def test_an_unexpected_exit_status_is_a_failed_condition(tmp_path: Path) -> None:
    criterion = criterion_in(
        tmp_path, MINIMAL.replace('good = "good.py"', 'good = "good.py"\n    bad_exit_code = 1')
    )
    observed = runs(bad=[{"val_loss_excess": 0.4}], good=[{"val_loss_excess": 0.0}])
    judgement = judge(criterion, observed, [0])
    assert judgement.failures == ["bad.py seed 0: exit_code = 1: got 0"]


def test_a_metric_missing_for_the_margin_fails(tmp_path: Path) -> None:
    criterion = criterion_in(tmp_path, MINIMAL)
    observed = runs(bad=[{"val_loss_excess": 0.4}], good=[{}])
    judgement = judge(criterion, observed, [0])
    assert not judgement.verified
    assert any("cannot compute excess" in failure for failure in judgement.failures)
    assert judgement.margin is None


def test_the_reported_margin_is_the_pair_closest_to_its_bound(tmp_path: Path) -> None:
    text = MINIMAL + textwrap.dedent(
        """\
        [[pair]]
        bad = "bad_two.py"
        good = "good.py"
        [pair.margin]
        label = "accuracy, good - bad"
        short = "Δacc"
        of = "good.accuracy"
        minus = "bad.accuracy"
        at_least = 0.2
        [[pair]]
        bad = "bad_three.py"
        good = "good.py"
        failure = false
        bad_expect = [{ metric = "warned", equals = true }]
        [pair.margin]
        label = "same training"
        short = "|Δ|"
        of = "bad.accuracy"
        minus = "good.accuracy"
        absolute = true
        at_most = 0.01
        """
    )
    criterion = criterion_in(
        tmp_path, text, files=("bad.py", "good.py", "bad_two.py", "bad_three.py")
    )
    observed = runs(
        bad=[{"val_loss_excess": 1.0}],  # 10 times its bound
        bad_two=[{"accuracy": 0.5}],  # 2 times its bound: the tightest
        bad_three=[{"accuracy": 0.9, "warned": True}],
        good=[{"val_loss_excess": 0.0, "accuracy": 0.9}],
    )
    judgement = judge(criterion, observed, [0])
    assert judgement.verified, judgement.failures
    assert judgement.margin == pytest.approx(0.4)
    assert judgement.margin_pair is not None and judgement.margin_pair.pair.bad == "bad_two.py"
    # The documented non-failure pair is still checked: it must train like the good one.
    observed[("bad_three.py", 0)]["accuracy"] = 0.7
    assert "needs ≤ 0.01" in judge(criterion, observed, [0]).failures[0]


GPU_RUN_BAD = {
    "gpu_count": 1,
    "gpu_memory_used_fraction": 0.97,
    "harness_gpu_peak_fraction": 0.96,
    "sibling_allocation_ok": False,
}
GPU_RUN_GOOD = {
    "gpu_count": 1,
    "gpu_memory_used_fraction": 0.01,
    "harness_gpu_peak_fraction": 0.26,
    "sibling_allocation_ok": True,
}


def test_gpu_memory_growth_criterion_on_gpu_shaped_metrics() -> None:
    criterion = load_criterion(FIXTURES / "missing-gpu-memory-growth")
    observed = runs(bad=[GPU_RUN_BAD] * 3, good=[GPU_RUN_GOOD] * 3)
    judgement = judge(criterion, observed, [0, 1, 2])
    assert judgement.verified, judgement.failures
    assert judgement.margin == pytest.approx(0.96)


def test_gpu_memory_growth_fails_when_the_sibling_still_gets_its_memory() -> None:
    criterion = load_criterion(FIXTURES / "missing-gpu-memory-growth")
    grown = {**GPU_RUN_BAD, "gpu_memory_used_fraction": 0.02, "harness_gpu_peak_fraction": 0.03}
    observed = runs(bad=[{**grown, "sibling_allocation_ok": True}], good=[GPU_RUN_GOOD])
    failures = judge(criterion, observed, [0]).failures
    assert "bad.py seed 0: sibling_allocation_ok = false: got true" in failures
    assert any("needs ≥ 0.5" in failure for failure in failures)


def test_gpu_memory_growth_on_a_cpu_shaped_run_is_not_a_pass() -> None:
    criterion = load_criterion(FIXTURES / "missing-gpu-memory-growth")
    cpu = {
        "gpu_count": 0,
        "gpu_memory_used_fraction": None,
        "harness_gpu_peak_fraction": None,
        "sibling_allocation_ok": None,
    }
    judgement = judge(criterion, runs(bad=[cpu], good=[cpu]), [0])
    assert not judgement.verified


def test_compile_before_fit_criterion_on_the_documented_metrics() -> None:
    criterion = load_criterion(FIXTURES / "compile-before-fit")
    bad = {
        "exit_code": 1,
        "data_loaded": True,
        "error_type": "ValueError",
        "error": "You must call `compile()` before using the model.",
        "epochs_completed": 0,
        "test_accuracy": None,
    }
    good = {"error_type": None, "epochs_completed": 5, "test_accuracy": 0.94}
    judgement = judge(criterion, runs(bad=[bad], good=[good]), [0])
    assert judgement.verified, judgement.failures
    assert judgement.margin == pytest.approx(0.44)
    trained = {**bad, "exit_code": 0, "error_type": None, "error": None, "epochs_completed": 5}
    failures = judge(criterion, runs(bad=[trained], good=[good]), [0]).failures
    assert "bad.py seed 0: error_type = 'ValueError': got null" in failures


# -- the GPU criterion, on numbers shaped like a GPU run's -----------------------------------

#: what KER301's programs report on an 80 GB GPU: TensorFlow without growth maps ~94 % of it
#: (the harness sees the same from outside); with growth a few hundred MiB, then the sibling's
#: quarter on top
GPU_BAD = {
    "gpu_count": 1, "harness_gpu_peak_fraction": 0.94, "gpu_memory_used_fraction": 0.94,
    "sibling_allocation_ok": False,
}  # fmt: skip
GPU_GOOD = {
    "gpu_count": 1, "harness_gpu_peak_fraction": 0.27, "gpu_memory_used_fraction": 0.006,
    "sibling_allocation_ok": True,
}  # fmt: skip


def test_the_gpu_criterion_verifies_a_reservation_and_a_failed_sibling() -> None:
    criterion = load_criterion(FIXTURES / "missing-gpu-memory-growth")
    judgement = judge(criterion, runs(bad=[GPU_BAD], good=[GPU_GOOD]), [0])
    assert judgement.verified, judgement.failures
    assert judgement.margin == pytest.approx(0.934)


@pytest.mark.parametrize(
    ("side", "change", "failure"),
    [
        # nvidia-smi gave nothing inside the program: no number, never a pass
        ("bad", {"gpu_memory_used_fraction": None}, "gpu_memory_used_fraction ≥ 0.7: got null"),
        # the harness could not sample from outside
        ("bad", {"harness_gpu_peak_fraction": None}, "harness_gpu_peak_fraction ≥ 0.7"),
        # the sibling got its quarter: the bad program did not reserve the GPU
        ("bad", {"sibling_allocation_ok": True}, "sibling_allocation_ok = false: got true"),
        # a GPU the backend did not see: the run was on the CPU
        ("good", {"gpu_count": 0}, "gpu_count ≥ 1: got 0"),
        # growth enabled, yet most of the GPU in use (another process on the GPU)
        ("good", {"gpu_memory_used_fraction": 0.8}, "gpu_memory_used_fraction ≤ 0.2: got 0.8"),
    ],
)
def test_the_gpu_criterion_fails_on_what_a_gpu_run_can_go_wrong_with(
    side: str, change: dict[str, Any], failure: str
) -> None:
    criterion = load_criterion(FIXTURES / "missing-gpu-memory-growth")
    bad, good = dict(GPU_BAD), dict(GPU_GOOD)
    (bad if side == "bad" else good).update(change)
    judgement = judge(criterion, runs(bad=[bad], good=[good]), [0])
    assert not judgement.verified
    assert any(failure in text for text in judgement.failures), judgement.failures


# -- KER303's GPU criterion, on numbers shaped like a JAX GPU run's ----------------------------

#: what KER303's programs report on an 80 GB GPU: XLA preallocates 75 % of it at JAX's first
#: operation (plus the CUDA context); with preallocation off a few hundred MiB, then the
#: sibling's third on top
JAX_GPU_BAD = {
    "gpu_count": 1, "harness_gpu_peak_fraction": 0.76, "gpu_memory_used_fraction": 0.77,
    "sibling_allocation_ok": False,
}  # fmt: skip
JAX_GPU_GOOD = {
    "gpu_count": 1, "harness_gpu_peak_fraction": 0.35, "gpu_memory_used_fraction": 0.01,
    "sibling_allocation_ok": True,
}  # fmt: skip


def test_the_jax_criterion_verifies_a_preallocation_and_a_failed_sibling() -> None:
    criterion = load_criterion(FIXTURES / "jax-gpu-preallocation")
    judgement = judge(criterion, runs(bad=[JAX_GPU_BAD], good=[JAX_GPU_GOOD]), [0])
    assert judgement.verified, judgement.failures
    assert judgement.margin == pytest.approx(0.76)


@pytest.mark.parametrize(
    ("side", "change", "failure"),
    [
        # a memory fraction of a half left in the environment: not the documented default
        ("bad", {"gpu_memory_used_fraction": 0.5}, "gpu_memory_used_fraction ≥ 0.7: got 0.5"),
        ("bad", {"harness_gpu_peak_fraction": None}, "harness_gpu_peak_fraction ≥ 0.7"),
        # the sibling got its third: the bad program did not preallocate
        ("bad", {"sibling_allocation_ok": True}, "sibling_allocation_ok = false: got true"),
        # JAX saw no GPU: the run was on the CPU
        ("good", {"gpu_count": 0}, "gpu_count ≥ 1: got 0"),
        # preallocation off, yet the sibling could not have its third
        ("good", {"sibling_allocation_ok": False}, "sibling_allocation_ok = true: got false"),
        # the good program still preallocated (the setting came too late)
        ("good", {"harness_gpu_peak_fraction": 0.76}, "harness_gpu_peak_fraction ≤ 0.5: got 0.76"),
    ],
)
def test_the_jax_criterion_fails_on_what_a_gpu_run_can_go_wrong_with(
    side: str, change: dict[str, Any], failure: str
) -> None:
    criterion = load_criterion(FIXTURES / "jax-gpu-preallocation")
    bad, good = dict(JAX_GPU_BAD), dict(JAX_GPU_GOOD)
    (bad if side == "bad" else good).update(change)
    judgement = judge(criterion, runs(bad=[bad], good=[good]), [0])
    assert not judgement.verified
    assert any(failure in text for text in judgement.failures), judgement.failures


def test_the_jax_criterion_on_a_cpu_shaped_run_is_not_a_pass() -> None:
    criterion = load_criterion(FIXTURES / "jax-gpu-preallocation")
    cpu = {
        "gpu_count": 0,
        "gpu_memory_used_fraction": None,
        "harness_gpu_peak_fraction": None,
        "sibling_allocation_ok": None,
    }
    assert not judge(criterion, runs(bad=[cpu], good=[cpu]), [0]).verified


def test_fresh_interpreter_is_read_from_the_criterion() -> None:
    assert load_criterion(FIXTURES / "backend-env-after-import").fresh_interpreter is True
    assert load_criterion(FIXTURES / "legacy-h5-save").fresh_interpreter is False
