"""Every rule documents itself in the same sections, and its contract fields are well formed."""

from __future__ import annotations

import re

import pytest

from keras_lint.rules import ALL_RULES, rule_by_code

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix")
CONTRACT = {
    "KER101": "compile-before-fit",
    "KER201": "loss-activation-mismatch",
    "KER301": "missing-gpu-memory-growth",
    "KER302": "backend-env-after-import",
    "KER303": "jax-gpu-preallocation",
    "KER401": "docker-latest-tag",
    "KER402": "unpinned-framework-install",
    "KER501": "preprocessing-fit-on-full-data",
    "KER502": "unscaled-input",
    "KER503": "eval-preprocessing-mismatch",
    "KER504": "validation-split-on-ordered-data",
    "KER601": "early-stopping-without-restore",
    "KER703": "legacy-h5-save",
    "KER102": "trainable-change-not-compiled",
    "KER602": "callback-monitor-unavailable",
    "KER702": "best-checkpoint-not-restored",
    "KER202": "argmax-on-single-unit-output",
    "KER603": "shuffled-predict-labels",
    "KER604": "model-reused-across-folds",
}


def test_registry_holds_exactly_the_designed_rules() -> None:
    assert {rule.code: rule.name for rule in ALL_RULES} == CONTRACT


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_rule_documentation_has_every_section_in_order(rule: type) -> None:
    doc = rule.documentation()
    positions = [doc.find(section) for section in SECTIONS]
    assert all(p >= 0 for p in positions), positions
    assert positions == sorted(positions)
    assert "```" in doc  # the example is code


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_rule_contract_fields(rule: type) -> None:
    assert re.fullmatch(r"KER\d{3}", rule.code)
    assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", rule.name)
    assert rule.summary and "\n" not in rule.summary
    assert rule_by_code(rule.code.lower()) is rule
