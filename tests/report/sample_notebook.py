"""A training notebook with findings, written as Jupyter writes it or minified to one line."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from keras_lint.sources.python import split_lines

TRAINING_CELL = """\
x = np.zeros((8, 4))
y = np.zeros((8, 1))
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, "sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5)
late = keras.callbacks.EarlyStopping(
    monitor="loss", patience=2
)
model.fit(x, y, validation_split=0.2, callbacks=[stop, late])"""

#: cell 4 is the training cell; the markdown cells count in the index
CELLS = [
    new_markdown_cell("# Training"),
    new_code_cell("import keras\nimport numpy as np\n%matplotlib inline"),
    new_markdown_cell("## The model"),
    new_code_cell(TRAINING_CELL),
]
TRAINING_CELL_INDEX = 4
#: the KER601 findings: (line in the cell, the code reported there)
ONE_LINE_CALL = (5, 'keras.callbacks.EarlyStopping(monitor="val_loss", patience=5)')
MULTI_LINE_CALL = (6, 'keras.callbacks.EarlyStopping(\n    monitor="loss", patience=2\n)')


def write_notebook(path: Path, *, minified: bool = False) -> str:
    """Write the notebook; returns its text."""
    text = nbformat.writes(new_notebook(cells=CELLS))
    if minified:
        text = json.dumps(json.loads(text), separators=(",", ":"))
    path.write_text(text, encoding="utf-8")
    return text


def stored_text(text: str, line: int, column: int, end_line: int, end_column: int) -> str:
    """The source text that a span of the notebook file covers, JSON strings decoded."""
    lines = split_lines(text)
    if line == end_line:
        raw = lines[line - 1][column - 1 : end_column - 1]
    else:
        first, last = lines[line - 1][column - 1 :], lines[end_line - 1][: end_column - 1]
        raw = "\n".join([first, *lines[line : end_line - 1], last])
    # the span starts inside one JSON string and ends inside another: close and reopen them
    return "".join(json.loads(f'["{raw}"]'))
