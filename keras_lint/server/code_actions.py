"""Quick fixes for a finding: the rule's own fix when it has one, and "ignore CODE for this line".

A rule's fix (DESIGN section 7) holds edits in the finding's coordinates (1-based, end exclusive,
inside the finding's cell for notebooks). Display-only fixes are not offered: they are not meant
to be applied. "Ignore" adds the code to the line's ``# noqa`` list (Python) or to the
``# keras-lint: ignore=`` line above the instruction (Dockerfiles and YAML), writing a new
comment only when there is none to extend.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lsprotocol import types

from keras_lint.finding import Finding
from keras_lint.server.diagnostics import diagnostic
from keras_lint.server.positions import Lines
from keras_lint.suppression import CODE_LIST_SEPARATOR, DOCKERFILE_IGNORE, NOQA

__all__ = ["code_actions"]

_INDENT = re.compile(r"[ \t]*")


def _field(value: Any, name: str) -> Any:
    """A field of a fix or an edit, whether it is a mapping or an object."""
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


def _fix_action(
    finding: Finding, uri: str, lines: Lines, problem: types.Diagnostic
) -> types.CodeAction | None:
    fix = getattr(finding, "fix", None)
    if not fix or _field(fix, "applicability") == "display-only":
        return None
    edits = [
        types.TextEdit(
            range=lines.span(
                _field(edit, "line"),
                _field(edit, "column"),
                _field(edit, "end_line"),
                _field(edit, "end_column"),
            ),
            new_text=_field(edit, "text"),
        )
        for edit in _field(fix, "edits") or []
    ]
    if not edits:
        return None
    safe = _field(fix, "applicability") == "safe"
    title = str(_field(fix, "title") or f"Fix {finding.code}")
    return types.CodeAction(
        title=title if safe else f"{title} (unsafe fix: review it)",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[problem],
        is_preferred=safe,
        edit=types.WorkspaceEdit(changes={uri: edits}),
    )


def _merged(codes: str, code: str) -> str:
    listed = [entry for entry in CODE_LIST_SEPARATOR.split(codes) if entry]
    return ", ".join([*listed, code]) if code not in listed else codes


def _noqa_edit(finding: Finding, lines: Lines) -> types.TextEdit | None:
    """``# noqa: CODE`` on the first line of the finding that can end with a comment."""
    candidates = range(finding.line - 1, max(finding.end_line, finding.line))
    number = next(
        (n for n in candidates if not lines.line(n).rstrip().endswith("\\")), finding.line - 1
    )
    text = lines.line(number)
    for match in NOQA.finditer(text):
        codes = match.group("codes")
        if codes is None:
            return None  # a bare noqa already silences every code
        start, end = match.span("codes")
        return types.TextEdit(
            range=types.Range(lines.to_client(number, start), lines.to_client(number, end)),
            new_text=_merged(codes, finding.code),
        )
    kept = len(text.rstrip())
    return types.TextEdit(
        range=types.Range(lines.to_client(number, kept), lines.to_client(number, len(text))),
        new_text=f"  # noqa: {finding.code}",
    )


def _pragma_edit(finding: Finding, lines: Lines, line_break: str) -> types.TextEdit:
    """``# keras-lint: ignore=CODE`` on the line above the instruction."""
    number = finding.line - 1
    above = lines.line(number - 1) if number > 0 else ""
    pragma = DOCKERFILE_IGNORE.match(above)
    if pragma is not None:
        start, end = pragma.span("codes")
        merged = ",".join(
            entry for entry in _merged(pragma.group("codes"), finding.code).split(", ") if entry
        )
        return types.TextEdit(
            range=types.Range(lines.to_client(number - 1, start), lines.to_client(number - 1, end)),
            new_text=merged,
        )
    indent = _INDENT.match(lines.line(number))
    prefix = indent.group() if indent else ""
    at = lines.to_client(number, 0)
    return types.TextEdit(
        range=types.Range(at, at),
        new_text=f"{prefix}# keras-lint: ignore={finding.code}{line_break}",
    )


def _ignore_action(
    finding: Finding, uri: str, text: str, lines: Lines, python: bool, problem: types.Diagnostic
) -> types.CodeAction | None:
    if python:
        edit = _noqa_edit(finding, lines)
    else:
        edit = _pragma_edit(finding, lines, "\r\n" if "\r\n" in text else "\n")
    if edit is None:
        return None
    return types.CodeAction(
        title=f"Ignore {finding.code} for this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[problem],
        edit=types.WorkspaceEdit(changes={uri: [edit]}),
    )


def _overlaps(range_: types.Range, other: types.Range) -> bool:
    start = (range_.start.line, range_.start.character)
    end = (range_.end.line, range_.end.character)
    return (other.start.line, other.start.character) <= end and start <= (
        other.end.line,
        other.end.character,
    )


def code_actions(
    findings: list[Finding],
    uri: str,
    text: str,
    encoding: str,
    wanted: types.Range,
    python: bool,
) -> Iterator[types.CodeAction]:
    """The quick fixes of the findings (of one document or cell) that touch ``wanted``."""
    lines = Lines(text, encoding)
    for finding in findings:
        problem = diagnostic(finding, lines)
        if not _overlaps(wanted, problem.range):
            continue
        fix = _fix_action(finding, uri, lines, problem)
        if fix is not None:
            yield fix
        ignore = _ignore_action(finding, uri, text, lines, python, problem)
        if ignore is not None:
            yield ignore
