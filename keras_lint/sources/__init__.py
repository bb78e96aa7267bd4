"""One loader per file kind; each yields the text to analyse and a map back to user positions."""

from __future__ import annotations

import os
from pathlib import PurePath
from typing import Literal

from keras_lint.sources.kinds import is_compose_name, is_dockerfile_name, is_yaml_name
from keras_lint.sources.python import CellMap, PythonSource, SourceDecodeError, decode_python

#: "kubernetes" is any other YAML file: read as Kubernetes manifests when named explicitly, and
#: in a folder walk only when its text looks like one (``kinds.looks_like_manifest``)
SourceKind = Literal["python", "notebook", "dockerfile", "compose", "kubernetes"]


def source_kind(path: str | PurePath) -> SourceKind | None:
    """The kind of source a file name says it is; None for files keras-lint does not look for."""
    # the last component of a string without PurePath: asked for every file of every run
    name = os.path.basename(path) if isinstance(path, str) else path.name
    if name.endswith(".py"):
        return "python"
    if name.endswith(".ipynb"):
        return "notebook"
    if is_dockerfile_name(name):
        return "dockerfile"
    if is_compose_name(name):
        return "compose"
    if is_yaml_name(name):
        return "kubernetes"
    return None


__all__ = [
    "CellMap",
    "PythonSource",
    "SourceDecodeError",
    "SourceKind",
    "decode_python",
    "is_compose_name",
    "is_dockerfile_name",
    "source_kind",
]
