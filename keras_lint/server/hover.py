"""Hover on a code in a suppression comment: the rule's documentation."""

from __future__ import annotations

import re

from keras_lint.parse_error import PARSE_ERROR_CODE, PARSE_ERROR_DOCUMENTATION, PARSE_ERROR_NAME
from keras_lint.rules import rule_by_code
from keras_lint.suppression import DOCKERFILE_IGNORE, NOQA

__all__ = ["code_at", "rule_documentation"]

_CODE = re.compile(r"[A-Za-z]+[0-9]*")


def code_at(line: str, column: int) -> tuple[str, int, int] | None:
    """The code under the 0-based code point ``column`` of a ``# noqa: ...`` or
    ``# keras-lint: ignore=...`` comment on ``line``: (code, start, end)."""
    matches = [*NOQA.finditer(line)]
    pragma = DOCKERFILE_IGNORE.match(line)
    if pragma is not None:
        matches.append(pragma)
    for match in matches:
        if match.group("codes") is None:
            continue
        offset = match.start("codes")
        for code in _CODE.finditer(match.group("codes")):
            start, end = offset + code.start(), offset + code.end()
            if start <= column <= end:
                return code.group().upper(), start, end
    return None


def rule_documentation(code: str) -> str | None:
    """Markdown for a rule code; None when no rule has it (a flake8 code, a typo)."""
    if code == PARSE_ERROR_CODE:
        return f"**{PARSE_ERROR_CODE} {PARSE_ERROR_NAME}**\n\n{PARSE_ERROR_DOCUMENTATION}"
    rule = rule_by_code(code)
    if rule is None:
        return None
    return f"**{rule.code} {rule.name}**\n\n{rule.documentation()}"
