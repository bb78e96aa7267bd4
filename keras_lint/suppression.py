"""Inline suppression: ``# noqa`` comments in Python, ``# keras-lint: ignore=`` in Dockerfiles."""

from __future__ import annotations

import re

# flake8's syntax: a bare noqa comment silences every code, one with a list (`: KER201,KER1`)
# silences the listed codes and every code they are a prefix of
NOQA = re.compile(
    r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?", re.IGNORECASE
)
DOCKERFILE_IGNORE = re.compile(
    r"^\s*#\s*keras-lint:\s*ignore\s*=\s*(?P<codes>[A-Z]+[0-9]*(?:\s*,\s*[A-Z]+[0-9]*)*)",
    re.IGNORECASE,
)
CODE_LIST_SEPARATOR = re.compile(r"[,\s]+")


def _covers(codes: str, code: str) -> bool:
    entries = [entry.upper() for entry in CODE_LIST_SEPARATOR.split(codes) if entry]
    return any(code.startswith(entry) for entry in entries)


def unknown_noqa_codes(line: str, known: tuple[str, ...]) -> list[str]:
    """keras-lint codes (``KER...``) in a ``# noqa`` comment of ``line`` that name no rule."""
    unknown = []
    for match in NOQA.finditer(line):
        for entry in CODE_LIST_SEPARATOR.split(match.group("codes") or ""):
            code = entry.upper()
            if code.startswith("KER") and not any(k.startswith(code) for k in known):
                unknown.append(code)
    return unknown


def noqa_suppresses(line: str, code: str) -> bool:
    """Whether a ``# noqa`` comment on the reported line silences ``code``."""
    for match in NOQA.finditer(line):
        codes = match.group("codes")
        if codes is None or _covers(codes, code):
            return True
    return False


def dockerfile_pragma_suppresses(lines: list[str], line: int, code: str) -> bool:
    """Whether the line directly above instruction ``line`` (1-based) is an ignore pragma for it."""
    if not 2 <= line <= len(lines) + 1:
        return False
    pragma = DOCKERFILE_IGNORE.match(lines[line - 2])
    return pragma is not None and _covers(pragma.group("codes"), code)
