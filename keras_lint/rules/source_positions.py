"""How rules name a value in a message and the line it comes from (in this file, or in the
module of the tree a helper lives in)."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis import ModuleFacts

#: a value named in a message is cut to this many characters
_MAX_NAME = 40


def value_name(
    node: cst.CSTNode | None, facts: ModuleFacts, default: str = "", limit: int = _MAX_NAME
) -> str:
    """The code as written on one line (``x_train``), cut to ``limit`` characters; ``default``
    when not known."""
    if node is None:
        return default
    text = " ".join(facts.module.code_for_node(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def line_of(facts: ModuleFacts, node: cst.CSTNode) -> int | None:
    """The line of ``node`` in this file; None for a node of another module of the tree."""
    try:
        return facts.position(node).start.line
    except KeyError:
        return None


def on_line(facts: ModuleFacts, node: cst.CSTNode) -> str:
    """`` on line 4``, or nothing for a node of another module of the tree."""
    line = line_of(facts, node)
    return "" if line is None else f" on line {line}"


def where(node: cst.CSTNode, scope: object, facts: ModuleFacts) -> str:
    """`` (line 4)``, `` (in `data.py`, line 4)``; nothing in a notebook (its cell is unknown)."""
    module = getattr(scope, "module", None)
    if module is not None and module is not facts.module:
        name = PurePath(str(getattr(scope, "path", "?"))).name
        return f" (in `{name}`, line {_line(node, module)})"
    if facts.path.endswith(".ipynb"):
        return ""
    return f" (line {facts.position(node).start.line})"


def _line(node: cst.CSTNode, module: cst.Module) -> int:
    from keras_lint.analysis.positions import StatementPositions  # only a rule that reports

    return StatementPositions(module)[node].start.line
