"""Safe by construction: keras-lint reads the code it lints and never imports or runs it.

Every file of the linted tree below would leave a marker file, exit or raise if it were
imported or run: the training script, its helper module, a package ``__init__``, ``setup.py``,
``conftest.py``, a notebook's cells (Python, magics, shell escapes), a Dockerfile's ``RUN`` and
YAML tags that PyYAML's unsafe loader would call. Linting the tree finds the bugs in it (so
every file was read and analysed) and leaves no marker.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import notebook_json, write_tree
from keras_lint.cli import main
from keras_lint.engine import lint_paths

#: a name no module of the test run has: any module that mentions it was loaded from the tree
SENTINEL = "keras_lint_safety_sentinel"


def side_effects(marker: Path) -> str:
    """Top-level code with every effect running it would have."""
    return (
        f"import os, sys\n"
        f"open({str(marker)!r}, 'w').write('ran')  # {SENTINEL}\n"
        f"os.system('touch {marker}.system')\n"
        f"sys.exit(3)\n"
        f"raise SystemExit('{SENTINEL}')\n"
    )


# the effects come last: the analysis reads code after ``sys.exit()`` as unreachable
TRAIN = """\
import keras
from {package}.helpers import build

model = build()
stop = keras.callbacks.EarlyStopping(patience=2)
model.fit([[1.0]], [1.0], validation_split=0.5, callbacks=[stop])
{effects}"""

HELPERS = """\
import keras


def build():
    return keras.Sequential([keras.layers.Dense(1)])
{effects}"""

TRAINING_CELL = "import keras\nm = keras.Sequential([keras.layers.Dense(1)])\nm.fit([[1.0]], [1.0])"


@pytest.fixture
def hostile_tree(tmp_path: Path) -> tuple[Path, Path]:
    """A project whose every file would leave ``markers/...`` if imported, run or loaded."""
    markers = tmp_path / "markers"
    markers.mkdir()
    root = tmp_path / "project"
    package = f"{SENTINEL}_pkg"

    def effects(name: str) -> str:
        return side_effects(markers / name)

    touch = f"touch {markers / 'shell'}"
    system = f"!!python/object/apply:os.system [{json.dumps(touch)}]"
    write_tree(
        root,
        {
            "setup.py": effects("setup") + "from setuptools import setup\nsetup()\n",
            "conftest.py": effects("conftest"),
            "train.py": TRAIN.format(effects=effects("train"), package=package),
            f"{package}/__init__.py": effects("package"),
            f"{package}/helpers.py": HELPERS.format(effects=effects("helpers")),
            "notebook.ipynb": notebook_json(
                TRAINING_CELL,
                f"!{touch}",
                f"%%bash\n{touch}\n",
                f"%system {touch}",
                effects("notebook"),
            ),
            "Dockerfile": f"FROM python:latest\nRUN {touch}\n",
            "compose.yaml": f"x: {system}\nservices:\n  train:\n    image: python:latest\n",
            "k8s/pod.yaml": (
                f"apiVersion: v1\nkind: Pod\nx: {system}\n"
                "y: !!python/name:os.system\n"
                "spec:\n  containers:\n    - name: t\n      image: python:latest\n"
            ),
        },
    )
    return root, markers


def tree_modules() -> list[str]:
    return sorted(name for name in sys.modules if SENTINEL in name)


def assert_linted_and_untouched(findings: list[tuple[str, str]], markers: Path) -> None:
    assert sorted(set(findings)) == [
        ("Dockerfile", "KER401"),
        ("compose.yaml", "KER401"),
        ("notebook.ipynb", "KER101"),
        ("notebook.ipynb", "KER301"),
        ("pod.yaml", "KER401"),
        ("train.py", "KER101"),
        ("train.py", "KER301"),
        ("train.py", "KER601"),
    ]
    assert sorted(path.name for path in markers.iterdir()) == []
    assert tree_modules() == []


def test_linting_a_hostile_tree_runs_none_of_it(
    hostile_tree: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, markers = hostile_tree
    reached: list[str] = []

    def spy(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            source = args[0] if args else ""
            flags = args[3] if len(args) > 3 else kwargs.get("flags", 0)
            only_ast = name == "compile" and flags & ast.PyCF_ONLY_AST
            if isinstance(source, (str, bytes)) and SENTINEL in str(source) and not only_ast:
                reached.append(name)
            return real(*args, **kwargs)

        return wrapper

    imported: list[str] = []
    real_import = builtins.__import__

    def spy_import(name: str, *args: Any, **kwargs: Any) -> Any:
        imported.append(name)
        return real_import(name, *args, **kwargs)

    for name in ("exec", "eval", "compile"):
        monkeypatch.setattr(builtins, name, spy(name, getattr(builtins, name)))
    monkeypatch.setattr(builtins, "__import__", spy_import)
    monkeypatch.setattr(importlib, "import_module", spy("import_module", importlib.import_module))
    result = lint_paths([root])
    monkeypatch.undo()
    assert result.errors == []
    assert_linted_and_untouched([(Path(f.path).name, f.code) for f in result.findings], markers)
    assert reached == []  # the tree's text never reached exec, eval or a bytecode compile
    assert [name for name in imported if SENTINEL in name] == []


def test_the_command_runs_none_of_it_either(
    hostile_tree: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root, markers = hostile_tree
    monkeypatch.chdir(root)
    assert main(["--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert_linted_and_untouched([(Path(f["path"]).name, f["code"]) for f in findings], markers)
