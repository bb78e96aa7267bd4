"""Fixes a rule proposes for its findings, as data (the shape of a finding's ``fix``).

The engine does not apply or print them yet: a rule attaches one to its ``Report`` through
``FixableReport`` so that the fix travels with the finding once the engine carries fixes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from keras_lint.rules.base import Report


@dataclass(frozen=True)
class Edit:
    """Replace the text from (line, column) to (end_line, end_column), end exclusive, 1-based."""

    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True)
class ProposedFix:
    title: str
    applicability: Literal["safe", "unsafe", "display-only"]
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class FixableReport(Report):
    """A report with the fix its rule proposes, if any."""

    fix: ProposedFix | None = None
