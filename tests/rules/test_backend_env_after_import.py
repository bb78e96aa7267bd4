"""KER302 backend-env-after-import: the backend set after Keras was imported."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from keras_lint.engine import lint_paths, lint_text
from keras_lint.rules.backend_env_after_import import BackendEnvAfterImport


def findings(source: str) -> list[tuple[int, str]]:
    result = lint_text(textwrap.dedent(source), "train.py", select=["KER302"])
    return [(f.line, f.message) for f in result.findings]


BAD = {
    "import keras": 'import os\nimport keras\nos.environ["KERAS_BACKEND"] = "jax"\n',
    "from tensorflow import keras": (
        'import os\nfrom tensorflow import keras\nos.environ["KERAS_BACKEND"] = "jax"\n'
    ),
    "import tensorflow as tf": (
        'import os\nimport tensorflow as tf\nos.environ["KERAS_BACKEND"] = "torch"\n'
    ),
    "alias of os": 'import os as o\nimport keras as K\no.environ["KERAS_BACKEND"] = "jax"\n',
    "from keras import layers": (
        'import os\nfrom keras import layers\nos.environ["KERAS_BACKEND"] = "jax"\n'
    ),
    "setdefault": 'import os\nimport keras\nos.environ.setdefault("KERAS_BACKEND", "jax")\n',
    "putenv": 'import os\nimport keras\nos.putenv("KERAS_BACKEND", "jax")\n',
    "update": 'import os\nimport keras\nos.environ.update({"KERAS_BACKEND": "jax"})\n',
    "keras_hub": 'import os\nimport keras_hub\nos.environ["KERAS_BACKEND"] = "jax"\n',
    "keras_cv": 'import os\nimport keras_cv\nos.environ["KERAS_BACKEND"] = "jax"\n',
    "in a helper called later": (
        "import os\nimport keras\n\ndef setup():\n"
        '    os.environ["KERAS_BACKEND"] = "jax"\n\nsetup()\n'
    ),
    "in an uncalled function": (
        'import os\nimport keras\n\ndef setup():\n    os.environ["KERAS_BACKEND"] = "jax"\n'
    ),
    "import inside main first": (
        "import os\n\ndef main():\n    import tensorflow\n"
        '    os.environ["KERAS_BACKEND"] = "jax"\n\nmain()\n'
    ),
    "legacy keras after tensorflow": (
        'import os\nimport tensorflow as tf\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\n'
    ),
    "changed value after import": (
        'import os\nos.environ["KERAS_BACKEND"] = "jax"\nimport keras\n'
        'os.environ["KERAS_BACKEND"] = "torch"\n'
    ),
    "unknown value": ('import os, sys\nimport keras\nos.environ["KERAS_BACKEND"] = sys.argv[1]\n'),
    "in a try after import": (
        "import os\ntry:\n    import keras\nexcept ImportError:\n    keras = None\n"
        'os.environ["KERAS_BACKEND"] = "jax"\n'
    ),
}


@pytest.mark.parametrize("source", BAD.values(), ids=BAD.keys())
def test_backend_set_after_import_is_reported_at_the_assignment(source: str) -> None:
    reported = findings(source)
    assert len(reported) == 1
    line = reported[0][0]
    assert "KERAS_BACKEND" in source.splitlines()[line - 1] or "LEGACY" in reported[0][1]
    assert "set it before" in reported[0][1]


GOOD = {
    "before any import": 'import os\nos.environ["KERAS_BACKEND"] = "jax"\nimport keras\n',
    "before tensorflow": (
        'import os\nos.environ["KERAS_BACKEND"] = "jax"\nimport tensorflow as tf\n'
    ),
    "same value again": (
        'import os\nos.environ["KERAS_BACKEND"] = "jax"\nimport keras\n'
        'os.environ["KERAS_BACKEND"] = "jax"\n'
    ),
    "setdefault after a set before import": (
        'import os\nos.environ["KERAS_BACKEND"] = "jax"\nimport keras\n'
        'os.environ.setdefault("KERAS_BACKEND", "torch")\n'
    ),
    "copy handed to a subprocess": (
        "import os, subprocess\nimport keras\nenv = os.environ.copy()\n"
        'env["KERAS_BACKEND"] = "jax"\nsubprocess.run(["python", "t.py"], env=env)\n'
    ),
    "dict built from environ": (
        "import os, subprocess\nimport keras\n"
        'subprocess.run(["x"], env=dict(os.environ, KERAS_BACKEND="jax"))\n'
    ),
    "cuda devices after import": (
        'import os\nimport keras\nos.environ["CUDA_VISIBLE_DEVICES"] = "0"\n'
    ),
    "no keras import": 'import os\nimport numpy\nos.environ["KERAS_BACKEND"] = "jax"\n',
    "torch import only": 'import os\nimport torch\nos.environ["KERAS_BACKEND"] = "torch"\n',
    "legacy keras after keras only": (
        'import os\nos.environ["TF_USE_LEGACY_KERAS"] = "1"\nimport tensorflow\n'
    ),
    "main sets then imports": (
        "import os\n\ndef main():\n"
        '    os.environ["KERAS_BACKEND"] = "jax"\n    import keras\n\nmain()\n'
    ),
    "reading the variable": 'import os\nimport keras\nprint(os.environ["KERAS_BACKEND"])\n',
    "tf_keras is not keras": 'import os\nimport tf_keras\nos.environ["KERAS_BACKEND"] = "jax"\n',
}


@pytest.mark.parametrize("source", GOOD.values(), ids=GOOD.keys())
def test_backend_set_in_time_or_elsewhere_is_fine(source: str) -> None:
    assert findings(source) == []


def _notebook(cells: list[str]) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": "code", "metadata": {}, "source": c, "outputs": [],
                 "execution_count": None}
                for c in cells
            ],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
        }
    )  # fmt: skip


def test_notebook_env_magic_in_a_later_cell_is_reported_in_that_cell() -> None:
    text = _notebook(["import keras", "%env KERAS_BACKEND=jax"])
    result = lint_text(text, "nb.ipynb", select=["KER302"])
    assert [(f.cell, f.line) for f in result.findings] == [(2, 1)]


def test_notebook_env_magic_before_the_import_cell_is_fine() -> None:
    text = _notebook(["%env KERAS_BACKEND=jax", "import keras"])
    assert lint_text(text, "nb.ipynb", select=["KER302"]).findings == []


def test_import_by_a_project_module_counts(tmp_path: Path) -> None:
    (tmp_path / "models.py").write_text("import keras\n")
    (tmp_path / "train.py").write_text(
        'import os\nimport models\nos.environ["KERAS_BACKEND"] = "jax"\n'
    )
    result = lint_paths([tmp_path], select=["KER302"])
    assert [(Path(f.path).name, f.line) for f in result.findings] == [("train.py", 3)]
    assert "by models" in result.findings[0].message


def test_fix_moves_a_literal_assignment_above_the_first_import(tmp_path: Path) -> None:
    source = 'import os\nimport keras\n\nos.environ["KERAS_BACKEND"] = "jax"\n'
    (tmp_path / "train.py").write_text(source)
    result = lint_paths([tmp_path], select=["KER302"], fix=True, unsafe_fixes=True)
    (fixed,) = result.fixed
    moved = 'import os\nos.environ["KERAS_BACKEND"] = "jax"\nimport keras\n\n'
    assert fixed.fixed.decode() == moved
    assert fixed.applied == {"KER302": 1}
    (finding,) = lint_paths([tmp_path], select=["KER302"]).findings
    assert finding.fix is not None and finding.fix.applicability == "unsafe"


def test_no_fix_when_the_value_is_computed() -> None:
    import libcst as cst

    from keras_lint.analysis.facts import build_module_facts

    source = 'import os\nimport keras\nB = "jax"\nos.environ["KERAS_BACKEND"] = B\n'
    facts = build_module_facts(cst.parse_module(source), "train.py")
    (report,) = list(BackendEnvAfterImport().check(facts))
    assert report.fix is None
