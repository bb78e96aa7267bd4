"""Fast, read-only walks over libcst trees.

libcst's visitor machinery rebuilds every node it passes (``_visit_and_replace_children``), which
costs far more than the parse for the small scans the interpreter needs; these helpers read the
dataclass fields directly instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import libcst as cst

_FIELDS: dict[type, tuple[str, ...]] = {}
# ``isinstance`` against libcst's abstract base classes is slow; remember the answer per type.
_IS_NODE: dict[type, bool] = {}


def _is_node(kind: type) -> bool:
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = issubclass(kind, cst.CSTNode)
    return known


def child_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The direct children of ``node`` in source order."""
    kind = type(node)
    names = _FIELDS.get(kind)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(node))
        _FIELDS[kind] = names
    for name in names:
        value = getattr(node, name)
        value_kind = type(value)
        if value_kind is list or value_kind is tuple:
            for item in value:
                if _is_node(type(item)):
                    yield item
        elif _is_node(value_kind):
            yield value


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``node`` and all its descendants, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(child_nodes(current))))


def calls_in(node: cst.CSTNode) -> Iterator[cst.Call]:
    return (n for n in walk(node) if type(n) is cst.Call)


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a chain of Names and Attributes, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def import_from_module(node: cst.ImportFrom) -> tuple[int, str]:
    """(relative level, module) of ``from ..a.b import x`` -> (2, "a.b")."""
    level = len(node.relative)
    module = dotted_name(node.module) if node.module is not None else ""
    return level, module or ""
