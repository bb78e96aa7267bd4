"""Where a finding lies in its file as stored, for formats that show the file itself.

A notebook finding counts lines inside its cell; code scanning and workflow annotations show the
raw ``.ipynb`` file, so its span is mapped to the file's JSON text, which is read here and
nowhere else in the report layer. When that is impossible (the file is gone, changed or is not
JSON), the span is None and the message still names the cell and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from keras_lint.finding import Finding
from keras_lint.sources.notebook import NotebookError, StoredNotebook


@dataclass(frozen=True)
class Span:
    """1-based positions in the stored file; ``end_column`` is exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    @property
    def multiline(self) -> bool:
        return self.end_line != self.line


def _ordered(line: int, column: int, end_line: int, end_column: int) -> Span:
    line, column = max(line, 1), max(column, 1)
    if (end_line, end_column) < (line, column):
        end_line, end_column = line, column
    return Span(line, column, end_line, end_column)


def _read_notebook(path: str) -> StoredNotebook | None:
    try:
        return StoredNotebook(Path(path).read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, NotebookError):
        return None


class StoredSpans:
    """The spans of findings in their stored files; each notebook is read once."""

    def __init__(self) -> None:
        self._notebooks: dict[str, StoredNotebook | None] = {}

    def span(self, finding: Finding) -> Span | None:
        """The finding's span in its file, or None for a notebook position that is not found."""
        if finding.cell is None:
            return _ordered(finding.line, finding.column, finding.end_line, finding.end_column)
        if finding.path not in self._notebooks:
            self._notebooks[finding.path] = _read_notebook(finding.path)
        notebook = self._notebooks[finding.path]
        if notebook is None:
            return None
        found = notebook.span(
            finding.cell, finding.line, finding.column, finding.end_line, finding.end_column
        )
        return None if found is None else _ordered(*found)


def message_with_cell(finding: Finding) -> str:
    """The message, prefixed with the cell and line inside it for a notebook finding."""
    if finding.cell is None:
        return finding.message
    return f"cell {finding.cell}, line {finding.line}: {finding.message}"
