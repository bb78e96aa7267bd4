"""The fix a rule proposes with a finding, in the shape of the design's fix objects: a title, an
applicability (``safe``/``unsafe``/``display-only``, as ruff defines them) and text edits in the
program's coordinates (1-based, end exclusive).

Rules that know their fix attach it to their report (``FixableReport``); the engine reports the
finding either way, and applies or prints fixes where a front end asks for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from keras_lint.rules.base import Report

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis import ModuleFacts


@dataclass(frozen=True)
class Edit:
    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True)
class ProposedFix:
    title: str
    applicability: str  # "safe" | "unsafe" | "display-only"
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class FixableReport(Report):
    fix: ProposedFix | None = None


def replace_node(facts: ModuleFacts, node: cst.CSTNode, text: str) -> Edit:
    """An edit that replaces ``node``'s text."""
    found = facts.position(node)
    return Edit(
        found.start.line,
        found.start.column + 1,
        found.end.line,
        found.end.column + 1,
        text,
    )


def insert_line(facts: ModuleFacts, line: int, text: str, *, indent_of: int) -> Edit:
    """An edit that inserts ``text`` as a new line before ``line``, indented as ``indent_of``."""
    lines = facts.module.code.splitlines()
    model_line = lines[indent_of - 1] if 0 < indent_of <= len(lines) else ""
    indent = model_line[: len(model_line) - len(model_line.lstrip())]
    return Edit(line, 1, line, 1, f"{indent}{text}\n")
