"""The project index: module names do not depend on how the linted tree was named."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import write_tree
from keras_lint.analysis import ProjectIndex
from keras_lint.engine import lint_paths

BUILDER = """\
import keras


def build():
    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
"""

#: KER101 at line 4 only when the helper module is found
TRAIN = """\
import numpy as np
from {module} import build

build().evaluate(np.zeros((2, 4)), np.zeros((2, 1)))
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder that is itself a package, with a subpackage using a relative import."""
    return write_tree(
        tmp_path / "kproj",
        {
            "__init__.py": "",
            "models.py": BUILDER,
            "by_package_name.py": TRAIN.format(module="kproj.models"),
            "sub/__init__.py": "",
            "sub/relative.py": TRAIN.format(module="..models"),
        },
    )


def ker101(target: str | Path) -> list[str]:
    return sorted(
        Path(finding.path).name for finding in lint_paths([target], select=["KER101"]).findings
    )


def test_named_relative_or_absolute_the_tree_gives_the_same_findings(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = ["by_package_name.py", "relative.py"]
    assert ker101(project) == expected
    monkeypatch.chdir(project)
    assert ker101(".") == expected
    monkeypatch.chdir(project / "sub")
    assert ker101("..") == expected


def test_names_come_from_absolute_paths_and_paths_stay_as_given(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    index = ProjectIndex([Path("models.py"), Path("sub/relative.py")])
    assert index.files == [Path("models.py"), Path("sub/relative.py")]
    assert index.knows("kproj.models", "sub/relative.py")
    assert index.knows("models", "sub/relative.py")
    # a file does not import itself, whichever way its path is written
    assert not index.knows("kproj.models", os.path.abspath("models.py"))
    located = index.locate("kproj.models", str(project / "sub" / "relative.py"))
    assert located is not None and located[0] == Path("models.py")
    relative = index.resolve_relative(str(project / "sub" / "relative.py"), 2, "models")
    assert relative is not None and relative.endswith("kproj.models")
    assert index.resolve_relative("sub/relative.py", 2, "models") == relative
