"""Edits that set a keyword argument of a call, written the way the call is already written, and
edits that insert a statement line.

``f(a=1)`` becomes ``f(a=1, k=v)``; a trailing comma stays trailing (``f(a=1, k=v,)``); a call
whose arguments stand on lines of their own gets the new one on a line of its own, indented
like the last; an explicit ``k=...`` (or the value at ``k``'s position) is replaced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from keras_lint.rules.base import Edit

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis import ModuleFacts


def set_keyword(
    facts: ModuleFacts, call: cst.Call, keyword: str, value: str, position: int | None = None
) -> Edit | None:
    """The edit that makes ``call`` pass ``keyword=value``; None when the call spreads
    ``**kwargs`` (whose keys may hold ``keyword`` already)."""
    args = list(call.args)
    if any(arg.star == "**" for arg in args):
        return None
    for arg in args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return Edit(value, node=arg.value)
    positional = [arg for arg in args if arg.keyword is None and not arg.star]
    if position is not None and position < len(positional) and not any(a.star for a in args):
        return Edit(value, node=positional[position].value)
    argument = f"{keyword}={value}"
    if not args:
        return _inside_empty_parens(facts, call, argument)
    last = args[-1]
    start = facts.position(last).start
    multi_line = facts.position(args[0]).start.line != facts.position(call).start.line or (
        start.line != facts.position(args[0]).start.line
    )
    indent = " " * start.column
    import libcst as cst  # here: a run that parses nothing never loads it

    if isinstance(last.comma, cst.Comma):
        if multi_line:
            return Edit(f"\n{indent}{argument},", node=last.comma, place="after")
        return Edit(f" {argument},", node=last.comma, place="after")
    if multi_line:
        return Edit(f",\n{indent}{argument}", node=last, place="after")
    return Edit(f", {argument}", node=last, place="after")


def _inside_empty_parens(facts: ModuleFacts, call: cst.Call, text: str) -> Edit | None:
    """Insert ``text`` right after the ``(`` of ``f()``, when no line break comes before it."""
    import libcst as cst

    spaces = [call.whitespace_after_func, call.whitespace_before_args]
    widths = [len(space.value) for space in spaces if isinstance(space, cst.SimpleWhitespace)]
    if len(widths) != len(spaces):
        return None
    end = facts.position(call.func).end
    column = end.column + widths[0] + 1 + widths[1] + 1
    return Edit(text, span=(end.line, column, end.line, column))


def insert_line(facts: ModuleFacts, line: int, text: str, *, indent_of: int) -> Edit:
    """An edit that inserts ``text`` as a new line before ``line``, indented like line
    ``indent_of``."""
    lines = facts.module.code.splitlines()
    model_line = lines[indent_of - 1] if 0 < indent_of <= len(lines) else ""
    indent = model_line[: len(model_line) - len(model_line.lstrip())]
    return Edit(f"{indent}{text}\n", span=(line, 1, line, 1))
