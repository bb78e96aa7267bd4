"""The project index: module names do not depend on how the linted tree was named."""

from __future__ import annotations

import hashlib
import json
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


# -- one linted file at a time ------------------------------------------------------------------

HELPERS = {
    "h.py": """\
    import keras


    def build():
        return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])


    def pick():
        return build
    """,
    "g.py": """\
    from h import pick


    def choose():
        return pick()


    CHOSEN = choose()


    def make():
        return CHOSEN()
    """,
    # calls pick() more often than a function is inlined, then loads g (the comment lets the
    # fit rules run on the file)
    "a.py": """\
    from g import make
    from h import pick


    def many():
        return [pick(), pick(), pick(), pick(), pick(), pick(), pick(), pick(), pick()]


    many()
    make().compile(optimizer="adam", loss="mse")  # and later .fit(
    """,
    "b.py": """\
    import numpy as np
    from g import make

    make().fit(np.zeros((2, 4)), np.zeros((2, 1)))
    """,
}


def test_a_files_findings_do_not_depend_on_the_files_analysed_before_it(tmp_path: Path) -> None:
    """Helper modules are interpreted for each linted file: a.py exhausts pick()'s inlining
    before it loads g, and g interpreted then must not stand for g when b.py is analysed (else
    b.py's finding would depend on a.py being linted first, in the same process)."""
    root = write_tree(tmp_path, HELPERS)
    assert ker101(root / "b.py") == ["b.py"]
    assert ker101(root) == ["b.py"]


def test_the_questions_a_file_asks_are_recorded_with_their_answers(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {"pkg/__init__.py": "", "pkg/models.py": BUILDER, "pkg/sub/__init__.py": ""},
    )
    files = [root / "pkg/__init__.py", root / "pkg/models.py", root / "pkg/sub/__init__.py"]
    index = ProjectIndex(files, dockerfile_env={root / "pkg": {"A": "1"}})
    importer = str(root / "pkg/sub/train.py")
    assert index.end_file() == []  # nothing is recorded outside begin_file/end_file
    index.begin_file()
    index.knows("pkg.models", importer)
    index.locate("pkg.models", importer)
    index.locate("nowhere", importer)
    relative = index.resolve_relative(importer, 2, "models")
    assert relative is not None and relative.endswith("pkg.models")
    index.container_env(importer)
    index.library_covered(str(root / "pkg/models.py"), ["build"])
    index.growth_at_import(importer)
    asked = index.end_file()
    models = str(root / "pkg/models.py")
    digest = hashlib.sha256(BUILDER.encode()).hexdigest()
    assert asked == sorted(asked)
    assert {json.dumps(row) for row in asked} == {
        json.dumps(row)
        for row in [
            ["knows", ["pkg.models", importer], True],
            ["locate", ["pkg.models", importer], [models, digest]],
            ["locate", ["nowhere", importer], None],
            ["relative", [importer, 2, "models"], relative],
            ["container-env", [importer], {"A": "1"}],
            ["library-covered", [models, ["build"], "growth"], False],
            ["growth-at-import", [importer, "growth"], False],
        ]
    }
    fresh = ProjectIndex(files, dockerfile_env={root / "pkg": {"A": "1"}})
    assert fresh.answers_unchanged(json.loads(json.dumps(asked)))
    (root / "pkg/models.py").write_text(BUILDER + "\n")
    assert not ProjectIndex(files, dockerfile_env={root / "pkg": {"A": "1"}}).answers_unchanged(
        asked
    )
    assert not fresh.answers_unchanged([["no-such-question", [], None]])
    assert not fresh.answers_unchanged([["knows", ["too", "many", "arguments"], True]])
    assert not fresh.answers_unchanged(["not a row"])


def test_a_library_is_judged_within_its_project_root_and_import_graph(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "a/pyproject.toml": "",
            "a/lib.py": "def train():\n    pass\n\n\ndef other():\n    pass\n",
            "a/runner.py": "from lib import other\n\nother()\n",
            "a/unrelated.py": "import tensorflow as tf\ntf.config.experimental.set_memory_growth\n",
            "b/pyproject.toml": "",
            "b/gpu.py": "import os\nos.environ['TF_FORCE_GPU_ALLOW_GROWTH'] = 'true'\n",
            "b/lib.py": "import gpu\n",
        },
    )
    notebook = root / "a/run.ipynb"
    cells = [{"cell_type": "code", "source": ["from lib import train\n", "train()"]}]
    files = sorted(root.rglob("*.py"))
    lib = str(root / "a/lib.py")
    # neither a program calling ``train`` nor growth in its import graph: other files don't count
    assert not ProjectIndex(files).library_covered(lib, ["train"])
    assert ProjectIndex(files).library_covered(lib, ["other"])  # runner.py calls it
    notebook.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    assert ProjectIndex(files, notebooks=[notebook]).library_covered(lib, ["train"])
    # growth enabled at import time of a module it imports
    assert ProjectIndex(files).growth_at_import(str(root / "b/lib.py"))
    assert not ProjectIndex(files).growth_at_import(str(root / "a/runner.py"))
