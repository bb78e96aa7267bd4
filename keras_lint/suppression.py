"""Inline suppression: ``# noqa`` comments in Python, ``# keras-lint: ignore=`` in Dockerfiles.

Only real comments suppress: ``# noqa: KER201`` inside a string (a docstring, a help text) is
text. The comments are the tokenizer's, as in flake8; the tokenizer runs only on a source whose
text holds ``noqa`` at all, and from a point it cannot read on (an unterminated string) the
lines are searched whole, as text.
"""

from __future__ import annotations

import io
import re
import tokenize

from keras_lint.sources.python import PythonSource

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


#: (cell or None, line) as the user sees it -> the text searched there for a noqa comment
NoqaLines = dict[tuple[int | None, int], str]


def _comments(lines: list[str]) -> dict[int, str]:
    """The comments that mention noqa in Python source ``lines``, by 1-based line; after a
    point the tokenizer cannot read past, every line that mentions noqa, whole."""
    found: dict[int, str] = {}
    complete = 0  # the last line the tokenizer finished
    # one "\n" per line, so that the tokenizer counts lines as split_lines does ("\r" too)
    readline = io.StringIO("".join(line + "\n" for line in lines)).readline
    try:
        for token in tokenize.generate_tokens(readline):
            if token.type == tokenize.COMMENT and "noqa" in token.string.lower():
                found[token.start[0]] = token.string
            elif token.type in (tokenize.NEWLINE, tokenize.NL):
                complete = token.end[0]
    except (tokenize.TokenError, SyntaxError, ValueError, MemoryError, RecursionError):
        for number in range(complete + 1, len(lines) + 1):
            if "noqa" in lines[number - 1].lower():
                found[number] = lines[number - 1]
    return found


def noqa_lines(source: PythonSource) -> NoqaLines:
    """Where ``source`` has ``# noqa`` comments, as the user sees its lines."""
    found: NoqaLines = {}
    if "noqa" in source.text.lower():
        for number, comment in _comments(source.lines).items():
            found[source.user_line(number)] = comment
    cells = source.cell_map.cell_lines if source.cell_map is not None else {}
    if source.cell_map is None or not any(
        "noqa" in line.lower() for lines in cells.values() for line in lines
    ):
        return found
    # a notebook line the program does not hold as written (a masked IPython line, a cell
    # blanked for its syntax error) has no comment token: it is searched whole
    program = source.lines
    for number, (cell, line) in enumerate(source.cell_map.origins, start=1):
        original = source.original_line(cell, line)
        if "noqa" in original.lower() and (
            number > len(program) or program[number - 1] != original
        ):
            found[cell, line] = original
    return found


def noqa_suppresses_span(
    noqa: NoqaLines, cell: int | None, line: int, end_line: int, code: str
) -> bool:
    """Whether a ``# noqa`` on any line from ``line`` to ``end_line`` of ``cell`` silences
    ``code``: black puts a comment on whichever line of a call it fits."""
    return any(
        noqa_suppresses(noqa[cell, number], code)
        for number in range(line, max(line, end_line) + 1)
        if (cell, number) in noqa
    )
