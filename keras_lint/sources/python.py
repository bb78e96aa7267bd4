"""Python source text: decoding bytes as CPython would, and mapping lines back to the user.

A plain ``.py`` file is its own program. A notebook becomes one program made of its code cells;
its ``CellMap`` turns a program line back into (cell, line in cell) and keeps the cells' original
lines, which is where ``# noqa`` comments are looked for.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from functools import cached_property

# the line breaks the Python tokenizer knows (str.splitlines also splits on \f, \v, \x1c...)
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Physical lines as the Python tokenizer counts them, without their line breaks."""
    lines = LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


class SourceDecodeError(Exception):
    """Bytes that are not Python source text, with the 1-based position of the problem."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _position_of_byte(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def decode_python(data: bytes) -> str:
    """Decode a Python file honouring a BOM and a PEP 263 coding cookie (the BOM is dropped)."""
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _position_of_byte(data, nul)
        raise SourceDecodeError("source contains NUL bytes (binary file?)", line, column)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        # bytes that are not UTF-8 in the first two lines, where a coding cookie could be
        _raise_if_not_utf8(data)
        raise SourceDecodeError(str(error), error.lineno or 1) from error
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line, column = _position_of_byte(data, error.start)
        raise SourceDecodeError(
            f"cannot decode as {encoding}: {error.reason}", line, column
        ) from error
    except LookupError as error:  # a codec that exists for tokenize but not for bytes.decode
        raise SourceDecodeError(f"unknown encoding: {encoding}") from error


def _raise_if_not_utf8(data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position_of_byte(data, error.start)
        raise SourceDecodeError(f"cannot decode as utf-8: {error.reason}", line, column) from error


@dataclass(frozen=True)
class CellMap:
    """Where each line of a notebook program came from."""

    #: for program line n (1-based), ``origins[n - 1]`` is (cell index among all cells, line)
    origins: list[tuple[int, int]]
    #: each code cell's original lines, by cell index
    cell_lines: dict[int, list[str]] = field(default_factory=dict)
    #: for program line n, how many columns left of the user's text it starts (a dedented cell)
    column_shifts: list[int] = field(default_factory=list)

    def locate(self, line: int) -> tuple[int, int]:
        """(cell, line in cell) of a 1-based program line; past the end maps to the last cell."""
        if not self.origins:
            return 1, line
        if line > len(self.origins):
            cell, last = self.origins[-1]
            return cell, last + line - len(self.origins)
        return self.origins[max(line, 1) - 1]


@dataclass(frozen=True)
class PythonSource:
    """The program text the analysis parses, and how to show its positions to the user."""

    text: str
    cell_map: CellMap | None = None

    @cached_property
    def lines(self) -> list[str]:
        return split_lines(self.text)

    def user_line(self, line: int) -> tuple[int | None, int]:
        """(cell or None, line) as the user sees it."""
        if self.cell_map is None:
            return None, line
        return self.cell_map.locate(line)

    def column_shift(self, line: int) -> int:
        """What to add to a column of program ``line`` to get the user's column."""
        shifts = self.cell_map.column_shifts if self.cell_map is not None else []
        return shifts[line - 1] if 0 < line <= len(shifts) else 0

    def original_line(self, cell: int | None, line: int) -> str:
        """The user's own text of a line (before notebook magics were masked)."""
        if cell is not None and self.cell_map is not None:
            lines = self.cell_map.cell_lines.get(cell, [])
        else:
            lines = self.lines
        return lines[line - 1] if 0 < line <= len(lines) else ""
