"""Which rules run: ``select`` and ``ignore`` lists of codes or code prefixes (``KER2``, ``KER``).

A code is enabled when the most specific entry matching it is a ``select`` entry (so
``--select KER2 --ignore KER201`` and ``--ignore KER2 --select KER201`` both do what they say);
on a tie ``ignore`` wins. KER001 is on unless an ``ignore`` entry turns it off, because a file that
cannot be parsed is a file no selected rule could check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from keras_lint.parse_error import PARSE_ERROR_CODE
from keras_lint.rules.base import Rule


class UsageError(Exception):
    """A mistake in how keras-lint was called (unknown code, missing path); exit status 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Selection:
    rules: list[type[Rule]]
    report_parse_errors: bool


def _normalise(entries: Sequence[str] | None, known: Sequence[str], option: str) -> list[str]:
    if entries is None:
        return []
    normalised = []
    for entry in entries:
        prefix = entry.strip().upper()
        if not prefix or not any(code.startswith(prefix) for code in known):
            raise UsageError(f"{option}: unknown rule code or prefix {entry.strip()!r}")
        normalised.append(prefix)
    return normalised


def _longest_match(code: str, prefixes: Sequence[str]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


def select_rules(
    rules: Sequence[type[Rule]],
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
) -> Selection:
    """The rules to run and whether KER001 is reported; raises UsageError for unknown codes."""
    known = [PARSE_ERROR_CODE, *(rule.code for rule in rules)]
    selected = _normalise(select, known, "select")
    ignored = _normalise(ignore, known, "ignore")

    def enabled(code: str, *, always_on: bool) -> bool:
        # 0 ranks below every explicit entry: an unselected code is on only by default
        chosen = max(0 if select is None or always_on else -1, _longest_match(code, selected))
        return chosen >= 0 and chosen > _longest_match(code, ignored)

    return Selection(
        rules=[rule for rule in rules if enabled(rule.code, always_on=False)],
        report_parse_errors=enabled(PARSE_ERROR_CODE, always_on=True),
    )
