"""The rules, one module each. ``ALL_RULES`` is the registry every front end reads."""

from __future__ import annotations

from keras_lint.rules.base import DockerfileRule, PythonRule, Report, Rule

ALL_RULES: list[type[Rule]] = []


def rule_by_code(code: str) -> type[Rule] | None:
    for rule in ALL_RULES:
        if rule.code == code.upper():
            return rule
    return None


__all__ = ["ALL_RULES", "DockerfileRule", "PythonRule", "Report", "Rule", "rule_by_code"]
