"""Shared helpers: lint a snippet or a tree and look at what was reported."""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from keras_lint.cache import CACHE_DIR_NAME
from keras_lint.engine import LintResult, lint_paths, lint_source
from keras_lint.finding import Finding


def lint_snippet(
    src: str, *, select: list[str] | None = None, path: str = "train.py"
) -> list[Finding]:
    """Lint a dedented Python snippet as the file ``path``."""
    return lint_source(textwrap.dedent(src), path, select=select)


def lines_of(src: str, code: str) -> list[int]:
    """Sorted lines at which ``code`` is reported in the snippet (only that rule selected)."""
    return sorted(f.line for f in lint_snippet(src, select=[code]) if f.code == code)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: dedented text}`` under ``root`` and return ``root``."""
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def tree_findings(root: Path, code: str) -> list[tuple[str, int]]:
    """``(path relative to root, line)`` of every ``code`` finding when linting the tree."""
    result = lint_paths([root], select=[code])
    return sorted(
        (Path(f.path).resolve().relative_to(root.resolve()).as_posix(), f.line)
        for f in result.findings
        if f.code == code
    )


@pytest.fixture(scope="session", autouse=True)
def no_result_cache_in_the_repository() -> Iterator[None]:
    """Tests that run the command in the repository pass ``--no-cache``: the suite leaves no
    result cache behind (one that was there before is left alone)."""
    cache = Path(__file__).resolve().parents[1] / CACHE_DIR_NAME
    existed = os.path.lexists(cache)
    yield
    assert existed or not os.path.lexists(cache), f"a test wrote {cache}: pass --no-cache"


@pytest.fixture
def tree(tmp_path: Path):
    """Factory: ``tree({...})`` writes files under a temporary folder and returns it."""

    def make(files: dict[str, str]) -> Path:
        return write_tree(tmp_path, files)

    return make


# -- a tree whose findings depend on other files (parallel runs and the result cache) -------------

BUILDERS = """\
import keras


def build_compiled():
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def build_raw():
    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
"""

#: KER101 on the line of ``build_raw().fit`` only if the helpers are found in the tree
USES_BUILDERS = """\
import numpy as np
from {module} import build_compiled, build_raw

build_compiled().fit(np.zeros((2, 4)), np.zeros((2, 1)))
build_raw().fit(np.zeros((2, 4)), np.zeros((2, 1)))
"""

#: KER301 unless the Dockerfile of the file's folder sets TF_FORCE_GPU_ALLOW_GROWTH
TF_TRAIN = """\
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
"""

MISMATCH = """\
import keras

model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="binary_crossentropy")  # noqa: KER999
"""


def notebook_json(*sources: str) -> str:
    """A notebook of code cells, each ``source`` one string (nbformat writes lists of lines)."""
    return json.dumps(
        {
            "cells": [
                {"cell_type": "code", "source": source, "metadata": {}, "outputs": [],
                 "execution_count": None}
                for source in sources
            ],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
        }
    )  # fmt: skip


def write_notebook(path: Path, *sources: str) -> None:
    notebook = new_notebook(cells=[new_code_cell(source) for source in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))


def project_tree(root: Path, copies: int = 3) -> Path:
    """A tree whose findings depend on other files: helpers imported from sibling modules and
    packages (absolute and relative imports), Dockerfile ENV per folder, notebooks, YAML, broken
    files."""
    files: dict[str, str] = {
        "lib/__init__.py": "",
        "lib/builders.py": BUILDERS,
        "docker/Dockerfile": "FROM python:3.11\nENV TF_FORCE_GPU_ALLOW_GROWTH=true\n",
        "docker/train.py": TF_TRAIN,
        "plain/train.py": TF_TRAIN,
        "compose.yaml": "services:\n  app:\n    image: python:latest\n",
        "k8s/pod.yaml": "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: nginx\n",
        "k8s/not-yaml.yaml": "apiVersion: v1\nkind: Pod\n  - : [\n",
        "broken.py": "def f(:\n",
    }
    for index in range(copies):
        files[f"app{index}/run.py"] = USES_BUILDERS.format(module="lib.builders")
        files[f"lib/sub{index}/__init__.py"] = ""
        files[f"lib/sub{index}/relative.py"] = USES_BUILDERS.format(module="..builders")
        files[f"app{index}/mismatch.py"] = MISMATCH
        files[f"app{index}/Dockerfile"] = "FROM python\n"
    write_tree(root, files)
    (root / "latin1.py").write_bytes(b"s = '\xff'\n")
    write_notebook(root / "notebooks/train.ipynb", "import keras", MISMATCH)
    return root


def same_result(first: LintResult, second: LintResult) -> None:
    assert first.findings == second.findings
    assert first.errors == second.errors
    assert first.warnings == second.warnings
    assert first.files_checked == second.files_checked
