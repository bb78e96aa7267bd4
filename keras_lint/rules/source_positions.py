"""How the data-path rules (KER502-504) name a value and the line it comes from."""

from __future__ import annotations

from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis import ModuleFacts

#: a value named in a message is cut to this many characters
_MAX_NAME = 40


def value_name(node: cst.CSTNode | None, facts: ModuleFacts, default: str) -> str:
    """The argument as written (``x_train``), shortened; ``default`` when not known."""
    if node is None:
        return default
    text = " ".join(facts.module.code_for_node(node).split())
    return text if len(text) <= _MAX_NAME else text[: _MAX_NAME - 3] + "..."


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
    from libcst.metadata import MetadataWrapper, PositionProvider  # only a rule that reports

    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return positions[node].start.line
