"""The text prefilter is conservative: skipping the parse never loses a finding.

Every snippet of the rule tests, the fixtures and keras-lint's own tree are linted twice, with the
prefilter and with every file parsed and analysed whatever its text; the findings must be equal,
and every finding of a rule must come from a text in which that rule's trigger occurs.
"""

from __future__ import annotations

import importlib
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_lint.engine import lint_paths, lint_source
from keras_lint.rules import rule_by_code

ROOT = Path(__file__).resolve().parent.parent
RULE_TEST_MODULES = [
    "test_compile_before_fit",
    "test_early_stopping",
    "test_eval_preprocessing",
    "test_gpu_memory_growth",
    "test_jax_gpu_preallocation",
    "test_loss_activation",
    "test_ordered_validation_split",
    "test_preprocessing_leakage",
    "test_trainable_change",
    "test_callback_monitor",
    "test_best_checkpoint",
    "test_argmax_single_unit",
    "test_shuffled_predict_labels",
    "test_model_reused_across_folds",
    "test_unscaled_input",
]


def _snippets() -> list[str]:
    """The Python snippets of the rule tests' parametrized case lists."""
    found: list[str] = []
    for name in RULE_TEST_MODULES:
        module = importlib.import_module(f"rules.{name}")
        for value in vars(module).values():
            if not isinstance(value, list):
                continue
            for case in value:
                values = getattr(case, "values", ())
                if values and isinstance(values[0], str):
                    found.append(textwrap.dedent(values[0]))
    return found


SNIPPETS = _snippets()


def test_the_corpus_is_the_rule_tests() -> None:
    assert len(SNIPPETS) > 150


@pytest.mark.parametrize("index", range(len(SNIPPETS)))
def test_prefilter_keeps_every_finding_of_a_snippet(index: int) -> None:
    text = SNIPPETS[index]
    filtered = lint_source(text, "train.py")
    unfiltered = lint_source(text, "train.py", prefilter=False)
    assert filtered == unfiltered
    for finding in unfiltered:
        rule = rule_by_code(finding.code)
        if rule is not None and rule.trigger is not None:
            assert rule.trigger.search(text), finding


@pytest.mark.parametrize("folder", ["fixtures", "keras_lint", "tests"])
def test_prefilter_keeps_every_finding_of_a_tree(folder: str) -> None:
    filtered = lint_paths([ROOT / folder])
    unfiltered = lint_paths([ROOT / folder], prefilter=False)
    assert filtered.findings == unfiltered.findings
    assert filtered.errors == unfiltered.errors == []


# -- KER201's trigger: its fast search answers as the one case-insensitive pattern would ------

_KER201_AS_ONE_PATTERN = re.compile(
    r"(?is)^(?=.*\.\s*compile\b)(?=.*(?:crossentropy|softmax|\bbce\b|\bcce\b))"
)
_PIECES = [
    ".compile(", ". compile", "re.compile", "compiled", "recompile", "bce", "BCE", "cce", "Cce",
    "abce", "bce_", "_cce", "cce1", "crossentropy", "CrossEntropy", "SOFTMAX", "softmax", " ",
    "\n", "(", "=", "'", "x", "İ", "ß",
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('model.compile(loss="BCE")', True),
        ('model.compile(loss="bce_loss")', False),
        ("model.compile(loss=abce)", False),
        ("model.compile(loss=l)\nx = 'cce'", True),
        ("re.compile('softmax')", True),  # any ``.compile``: a superset is fine
        ("compile(loss='categorical_crossentropy')", False),
        ("model.compile(loss=keras.losses.CategoricalCrossentropy())", True),
    ],
)
def test_ker201_trigger(text: str, expected: bool) -> None:
    assert bool(rule_by_code("KER201").trigger.search(text)) is expected  # type: ignore[union-attr]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
def test_ker201_trigger_is_the_case_insensitive_pattern(text: str) -> None:
    trigger = rule_by_code("KER201").trigger  # type: ignore[union-attr]
    found = bool(trigger.search(text))  # type: ignore[union-attr]
    expected = bool(_KER201_AS_ONE_PATTERN.search(text))
    # the same answer on ASCII; lowering other text may turn a neighbour of "bce" into a mark
    # ("İ" becomes "i" and a combining dot), and a trigger may say yes more often, never less
    assert found == expected if text.isascii() else found >= expected
