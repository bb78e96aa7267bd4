"""Applying edits to a text, and writing a changed notebook cell back into its JSON as it was
formatted.

Positions are 1-based lines and columns, end exclusive, counted as findings count them: lines
split at ``\\r\\n``, ``\\r`` or ``\\n``, columns in characters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from keras_lint.finding import TextEdit
from keras_lint.sources.notebook import (
    NotebookError,
    _read_array,
    _read_object,
    _skip_space,
    _value_end,
)
from keras_lint.sources.python import LINE_BREAK

#: a notebook source line as nbformat stores it: up to and including its "\n"
_SOURCE_LINE = re.compile(r"[^\n]*\n|[^\n]+")


class EditError(ValueError):
    """Edits that do not fit the text (past its end, or overlapping one another)."""


def _offsets(text: str) -> list[int]:
    return [0] + [match.end() for match in LINE_BREAK.finditer(text)]


def _offset(text: str, starts: list[int], line: int, column: int) -> int:
    if not 1 <= line <= len(starts) or column < 1:
        raise EditError(f"no position {line}:{column} in the text")
    start = starts[line - 1]
    line_break = LINE_BREAK.search(text, start)
    stop = len(text) if line_break is None else line_break.start()
    if start + column - 1 > stop:
        raise EditError(f"column {column} is past the end of line {line}")
    return start + column - 1


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """``text`` with ``edits`` applied; raises EditError for edits that overlap or do not fit."""
    starts = _offsets(text)
    spans = sorted(
        (
            (_offset(text, starts, e.line, e.column), _offset(text, starts, *e.end()), e)
            for e in edits
        ),
        key=lambda span: span[:2],
    )
    pieces: list[str] = []
    done = 0
    for start, end, edit in spans:
        if start < done or end < start:
            raise EditError("edits overlap")
        pieces += [text[done:start], edit.text]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


@dataclass
class _StoredCellSource:
    """Where a cell's ``source`` value is written, and each of its strings as written."""

    start: int
    end: int
    is_list: bool
    #: (start, end) offsets of each string item in the file, and its decoded text
    items: list[tuple[int, int, str]] = field(default_factory=list)


def _cell_sources(text: str) -> dict[int, _StoredCellSource]:
    """Each cell's stored source by 1-based index among all cells."""
    found: dict[int, _StoredCellSource] = {}
    count = 0

    def read_string(source: _StoredCellSource, start: int) -> int:
        if text[start] != '"':
            raise ValueError(f"a source line is not a string at offset {start}")
        end = _value_end(text, start)
        source.items.append((start, end, json.loads(text[start:end])))
        return end

    def read_cell(start: int) -> int:
        nonlocal count
        count += 1
        if text[start] != "{":
            return _value_end(text, start)

        def read_member(key: str, value: int) -> int:
            if key != "source":
                return _value_end(text, value)
            source = _StoredCellSource(value, value, is_list=text[value] == "[")
            if source.is_list:
                source.end = _read_array(text, value, lambda i: read_string(source, i))
            else:
                source.end = read_string(source, value)
            found[count] = source
            return source.end

        return _read_object(text, start, read_member)

    def read_top(key: str, value: int) -> int:
        nonlocal count
        if key != "cells":
            return _value_end(text, value)
        found.clear()
        count = 0
        return _read_array(text, value, read_cell)

    _read_object(text, _skip_space(text, 0), read_top)
    return found


def cell_source(text: str, cell: int) -> str:
    """The source of ``cell`` (1-based among all cells) of a notebook's JSON text."""
    try:
        stored = _cell_sources(text).get(cell)
    except (ValueError, IndexError, KeyError) as error:
        raise NotebookError(f"not a notebook file: {error}") from error
    if stored is None:
        raise NotebookError(f"the notebook has no cell {cell}")
    return "".join(item for _, _, item in stored.items)


def replace_cell_sources(text: str, sources: dict[int, str]) -> str:
    """The notebook JSON ``text`` with the ``source`` of each cell in ``sources`` replaced, and
    every other character as it was: the indentation, key order, escaping (``ensure_ascii``)
    and final newline of the file, and the unchanged lines of a changed cell, stay."""
    try:
        stored = _cell_sources(text)
    except (ValueError, IndexError, KeyError) as error:
        raise NotebookError(f"not a notebook file: {error}") from error
    ensure_ascii = text.isascii()
    pieces: list[str] = []
    done = 0
    for cell in sorted(sources):
        if cell not in stored:
            raise NotebookError(f"the notebook has no cell {cell}")
        source = stored[cell]
        written = _source_json(text, source, sources[cell], ensure_ascii)
        pieces += [text[done : source.start], written]
        done = source.end
    pieces.append(text[done:])
    return "".join(pieces)


def _source_json(text: str, stored: _StoredCellSource, new: str, ensure_ascii: bool) -> str:
    if not stored.is_list:
        return json.dumps(new, ensure_ascii=ensure_ascii)
    lines = _SOURCE_LINE.findall(new)
    old = [item for _, _, item in stored.items]
    # the lines both share at the start and the end keep their stored spelling
    head = 0
    while head < min(len(old), len(lines)) and old[head] == lines[head]:
        head += 1
    tail = 0
    while (
        tail < min(len(old), len(lines)) - head
        and old[len(old) - 1 - tail] == lines[len(lines) - 1 - tail]
    ):
        tail += 1
    written = [text[start:end] for start, end, _ in stored.items]
    changed = lines[head : len(lines) - tail]
    middle = [json.dumps(line, ensure_ascii=ensure_ascii) for line in changed]
    items = written[:head] + middle + written[len(written) - tail :]
    if stored.items:
        opening = text[stored.start + 1 : stored.items[0][0]]
        closing = text[stored.items[-1][1] : stored.end - 1]
        if len(stored.items) > 1:
            separator = text[stored.items[0][1] : stored.items[1][0]]
        else:
            separator = "," + (opening if "\n" in opening else " ")
    else:
        opening, closing, separator = "", "", ", "
    if not items:
        return "[]"
    return "[" + opening + separator.join(items) + closing + "]"
