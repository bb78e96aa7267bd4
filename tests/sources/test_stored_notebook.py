"""Positions in the notebook file itself: a cell line mapped to where the JSON text stores it."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from keras_lint.sources.notebook import NotebookError, StoredNotebook, read_code_cells
from keras_lint.sources.python import split_lines

CELLS = [
    new_markdown_cell("# Training\nSome *notes*."),
    new_code_cell('import keras\nmodel.compile(loss="mse")  # quote " and \\ backslash'),
    new_code_cell("%matplotlib inline\n\tx = 'tab, é and 😀 wide'\r\ny = 2"),
    new_markdown_cell("between"),
    new_code_cell("stop = EarlyStopping(\n    patience=3,\n)\n"),
]


def pretty(cells: list = CELLS) -> str:
    """As Jupyter saves a notebook: indented, one JSON string per source line."""
    return nbformat.writes(new_notebook(cells=cells))


def minified(cells: list = CELLS, *, ascii_only: bool = False) -> str:
    """One line, sources as lists of lines, non-ASCII escaped on request."""
    return json.dumps(json.loads(pretty(cells)), separators=(",", ":"), ensure_ascii=ascii_only)


def sources_as_strings(cells: list = CELLS) -> str:
    """Indented, but each source one JSON string with escaped line breaks."""
    notebook = json.loads(pretty(cells))
    for cell in notebook["cells"]:
        cell["source"] = "".join(cell["source"])
    return json.dumps(notebook, indent=1)


LAYOUTS = {
    "pretty": pretty(),
    "pretty-crlf": pretty().replace("\n", "\r\n"),
    "minified": minified(),
    "minified-ascii": minified(ascii_only=True),
    "sources-as-strings": sources_as_strings(),
}


def _slice(text: str, span: tuple[int, int, int, int]) -> str:
    """The file text a single-line span covers."""
    line, column, end_line, end_column = span
    assert line == end_line
    return split_lines(text)[line - 1][column - 1 : end_column - 1]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_character_of_every_code_cell_maps_to_its_json_text(layout: str) -> None:
    text = LAYOUTS[layout]
    stored = StoredNotebook(text)
    cells = read_code_cells(text)
    assert [cell.index for cell in cells] == [2, 3, 5]  # markdown cells count
    for cell in cells:
        for number, line in enumerate(cell.lines, start=1):
            for column, character in enumerate(line, start=1):
                span = stored.span(cell.index, number, column, number, column + 1)
                assert span is not None
                assert json.loads(f'"{_slice(text, span)}"') == character, (cell.index, number)


def test_pretty_notebooks_put_each_cell_line_on_its_own_file_line() -> None:
    text = pretty()
    file_lines = split_lines(text)
    stored = StoredNotebook(text)
    line_of = {}
    for cell, number in [(2, 1), (2, 2), (5, 1), (5, 2), (5, 3)]:
        span = stored.span(cell, number, 1, number, 1)
        assert span is not None
        line_of[cell, number] = span[0]
    assert file_lines[line_of[2, 2] - 1].strip().startswith('"model.compile(loss=\\"mse\\")')
    assert file_lines[line_of[5, 2] - 1].strip() == '"    patience=3,\\n",'
    assert line_of[5, 1] + 1 == line_of[5, 2] and line_of[5, 2] + 1 == line_of[5, 3]


def test_a_span_over_several_cell_lines_covers_several_file_lines_unless_minified() -> None:
    whole_call = (5, 1, 1, 3, 2)  # `stop = EarlyStopping(` ... `)`
    span = StoredNotebook(pretty()).span(*whole_call)
    assert span is not None and span[2] == span[0] + 2
    text = minified()
    span = StoredNotebook(text).span(*whole_call)
    assert span is not None and span[0] == span[2] == 1
    strings = json.loads(f'["{_slice(text, span)}"]')  # the lines are separate JSON strings
    assert "".join(strings) == "stop = EarlyStopping(\n    patience=3,\n)"


def test_an_empty_span_stays_empty() -> None:
    span = StoredNotebook(pretty()).span(2, 2, 7, 2, 7)
    assert span is not None and span[:2] == span[2:]


def test_columns_past_the_line_end_stop_at_the_line_end() -> None:
    text = pretty()
    span = StoredNotebook(text).span(2, 1, 1, 1, 99)
    assert span is not None and _slice(text, span) == "import keras"


def test_the_line_after_a_final_line_break_is_the_end_of_the_cell() -> None:
    text = pretty()
    span = StoredNotebook(text).span(5, 4, 1, 4, 1)  # the cell ends with "\n"
    assert span is not None
    assert split_lines(text)[span[0] - 1][span[1] - 1 :].startswith('"')  # the closing quote


def test_unknown_cells_and_lines_are_not_found() -> None:
    stored = StoredNotebook(pretty())
    assert stored.span(9, 1, 1, 1, 2) is None
    assert stored.span(2, 7, 1, 7, 2) is None
    assert stored.span(2, 0, 1, 0, 2) is None


def test_a_notebook_without_cells_has_no_positions() -> None:
    assert StoredNotebook('{"metadata": {}, "nbformat": 4}').span(1, 1, 1, 1, 2) is None


@pytest.mark.parametrize(
    "text", ["", "not json", "[1, 2]", '{"cells": [', '{"cells": [{"source": 3}]}']
)
def test_text_that_is_not_a_notebook_object_raises(text: str) -> None:
    with pytest.raises(NotebookError):
        StoredNotebook(text)
