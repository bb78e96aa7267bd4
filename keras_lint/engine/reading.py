"""Reading a file of a run: its bytes decoded as its kind wants, or the KER001 finding that says
why they cannot be."""

from __future__ import annotations

from pathlib import Path

from keras_lint.finding import Finding
from keras_lint.parse_error import parse_error
from keras_lint.sources import SourceDecodeError, SourceKind, source_kind
from keras_lint.sources.python import decode_python
from keras_lint.sources.regular_file import read_regular_file


def kind_of(path: str | Path) -> SourceKind:
    return source_kind(path) or "python"


def decode_file(data: bytes, kind: SourceKind) -> str:
    if kind == "python":
        return decode_python(data)
    try:
        return data.decode("utf-8-sig")  # notebooks are JSON and Docker reads UTF-8
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise SourceDecodeError(f"cannot decode as utf-8: {error.reason}", line, column) from error


def read_text(path: Path, kind: SourceKind) -> str | Finding:
    """The decoded text of a file, or the KER001 finding that says why there is none."""
    try:
        data = read_regular_file(path)
    except OSError as error:
        return parse_error(str(path), 1, 1, f"cannot read: {error.strerror or error}")
    try:
        return decode_file(data, kind)
    except SourceDecodeError as error:
        return parse_error(str(path), error.line, error.column, error.message)
