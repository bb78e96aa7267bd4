"""Columns as keras-lint counts them (code points) and as the client counts them.

LSP positions count code units of the negotiated encoding: UTF-16 unless the client offered
another, so a character outside the Basic Multilingual Plane (an emoji) is two units. A column a
client sends may be past the end of its line (it then means the end, as the specification
says) or inside a character: it is rounded down to that character's start.
"""

from __future__ import annotations

import re

from lsprotocol import types

__all__ = ["Lines", "client_column", "code_point_column", "split_lines"]

#: the line breaks LSP counts lines by
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as LSP numbers them (a final line break starts an empty line)."""
    return _LINE_BREAK.split(text)


def _units(character: str, encoding: str) -> int:
    point = ord(character)
    if encoding == types.PositionEncodingKind.Utf32:
        return 1
    if encoding == types.PositionEncodingKind.Utf8:
        return 1 if point < 0x80 else 2 if point < 0x800 else 3 if point < 0x10000 else 4
    return 2 if point >= 0x10000 else 1


def client_column(line: str, column: int, encoding: str) -> int:
    """The client's column of the 0-based code point ``column`` of ``line``."""
    prefix = line[: max(column, 0)]
    if encoding == types.PositionEncodingKind.Utf32:
        return len(prefix)
    return sum(_units(character, encoding) for character in prefix)


def code_point_column(line: str, units: int, encoding: str) -> int:
    """The 0-based code point column of the client's column ``units`` (clamped to the line)."""
    if encoding == types.PositionEncodingKind.Utf32:
        return min(max(units, 0), len(line))
    count = 0
    for index, character in enumerate(line):
        width = _units(character, encoding)
        if count + width > units:
            return index
        count += width
    return len(line)


class Lines:
    """A text's lines, to convert positions both ways."""

    def __init__(self, text: str, encoding: str) -> None:
        self.lines = split_lines(text)
        self.encoding = encoding
        #: the code point offset in the text where each line starts
        self.starts = [0]
        for match in _LINE_BREAK.finditer(text):
            self.starts.append(match.end())
        self.length = len(text)

    def line(self, number: int) -> str:
        return self.lines[number] if 0 <= number < len(self.lines) else ""

    def to_client(self, line: int, column: int) -> types.Position:
        """A 0-based line and code point column as the client's position (clamped)."""
        line = min(max(line, 0), len(self.lines) - 1)
        return types.Position(line, client_column(self.lines[line], column, self.encoding))

    def span(self, line: int, column: int, end_line: int, end_column: int) -> types.Range:
        """A keras-lint span (1-based lines and columns, end exclusive) as the client's range."""
        start = self.to_client(line - 1, column - 1)
        end = self.to_client(end_line - 1, end_column - 1)
        if (end.line, end.character) < (start.line, start.character):
            end = start
        return types.Range(start, end)

    def offset(self, position: types.Position) -> int:
        """The code point offset of a client position: a line past the end means the end of
        the text, a column past the end of its line the end of the line."""
        if position.line >= len(self.lines):
            return self.length
        line = self.lines[position.line]
        return self.starts[position.line] + code_point_column(
            line, position.character, self.encoding
        )
