"""One loader per file kind; each yields the text to analyse and a map back to user positions."""

from __future__ import annotations

from pathlib import PurePath
from typing import Literal

from keras_lint.sources.dockerfile import is_dockerfile_name
from keras_lint.sources.python import CellMap, PythonSource, SourceDecodeError, decode_python

SourceKind = Literal["python", "notebook", "dockerfile"]


def source_kind(path: str | PurePath) -> SourceKind | None:
    """The kind of source a file name says it is; None for files keras-lint does not look for."""
    name = PurePath(path).name
    if name.endswith(".py"):
        return "python"
    if name.endswith(".ipynb"):
        return "notebook"
    if is_dockerfile_name(name):
        return "dockerfile"
    return None


__all__ = [
    "CellMap",
    "PythonSource",
    "SourceDecodeError",
    "SourceKind",
    "decode_python",
    "is_dockerfile_name",
    "source_kind",
]
