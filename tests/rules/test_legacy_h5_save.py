"""KER703 legacy-h5-save: whole models saved as HDF5 under Keras 3."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from keras_lint.engine import lint_paths, lint_text

MODEL = "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"


def findings(source: str) -> list[int]:
    result = lint_text(textwrap.dedent(source), "train.py", select=["KER703"])
    return [f.line for f in result.findings]


BAD = {
    "literal": f"import keras\n{MODEL}model.save('model.h5')\n",
    "hdf5": f"import keras\n{MODEL}model.save('model.hdf5')\n",
    "tf.keras": (
        "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\n"
        "model.save('model.h5')\n"
    ),
    "from tensorflow import keras": f"from tensorflow import keras\n{MODEL}model.save('m.h5')\n",
    "constant": f"import keras\nPATH = 'out/model.h5'\n{MODEL}model.save(PATH)\n",
    "f-string": f"import keras\nrun = 3\n{MODEL}model.save(f'runs/{{run}}/model.h5')\n",
    "concatenation": f"import keras, sys\n{MODEL}model.save(sys.argv[1] + '/model.h5')\n",
    "percent": f"import keras\n{MODEL}model.save('model_%03d.h5' % 7)\n",
    "format": f"import keras, sys\n{MODEL}model.save('{{}}/best.h5'.format(sys.argv[1]))\n",
    "os.path.join": (
        f"import keras, os, sys\n{MODEL}model.save(os.path.join(sys.argv[1], 'm.h5'))\n"
    ),
    "save_model": f"import keras\n{MODEL}keras.models.save_model(model, 'model.h5')\n",
    "saving.save_model": f"import keras\n{MODEL}keras.saving.save_model(model, filepath='m.h5')\n",
    "checkpoint": (
        "import keras\ncb = keras.callbacks.ModelCheckpoint('best.h5', save_best_only=True)\n"
    ),
    "checkpoint with epoch field": (
        "import keras\nfrom keras.callbacks import ModelCheckpoint\n"
        "cb = ModelCheckpoint('ckpt-{epoch:02d}.h5')\n"
    ),
    "helper with local variable": (
        "import keras\n\ndef export(model):\n    path = 'export/model.h5'\n    model.save(path)\n"
    ),
}


@pytest.mark.parametrize("source", BAD.values(), ids=BAD.keys())
def test_whole_model_hdf5_save_is_reported_at_the_call(source: str) -> None:
    lines = findings(source)
    assert len(lines) == 1
    assert any(w in source.splitlines()[lines[0] - 1] for w in ("save", "Checkpoint"))


GOOD = {
    ".keras": f"import keras\n{MODEL}model.save('model.keras')\n",
    "save_weights": f"import keras\n{MODEL}model.save_weights('model.weights.h5')\n",
    "checkpoint weights only": (
        "import keras\n"
        "cb = keras.callbacks.ModelCheckpoint('w.weights.h5', save_weights_only=True)\n"
    ),
    "checkpoint .keras with epoch field": (
        "import keras\ncb = keras.callbacks.ModelCheckpoint('ckpt-{epoch:02d}.keras')\n"
    ),
    "tf_keras program": (
        "import tf_keras as keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"
        "model.save('model.h5')\n"
    ),
    "TF_USE_LEGACY_KERAS before tensorflow": (
        "import os\nos.environ['TF_USE_LEGACY_KERAS'] = '1'\nimport tensorflow as tf\n"
        "model = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.save('model.h5')\n"
    ),
    "save_format raises loudly": f"import keras\n{MODEL}model.save('m.h5', save_format='h5')\n",
    "unknown path": f"import keras, sys\n{MODEL}model.save(sys.argv[1])\n",
    "f-string ending unknown": f"import keras\nx = 'h5'\n{MODEL}model.save(f'model.{{len(x)}}')\n",
    "no keras": "import pandas as pd\ndf = pd.DataFrame()\ndf.to_hdf('data.h5', key='x')\n",
    "h5py file": "import h5py, keras\nf = h5py.File('data.h5', 'w')\n",
    "other library's save": (
        "import keras\nfrom PIL import Image\nimg = Image.new('RGB', (2, 2))\nimg.save('x.h5')\n"
    ),
    "load is not save": "import keras\nmodel = keras.models.load_model('model.h5')\n",
    "string that is not saved": "import keras\nPATH = 'model.h5'\nprint(PATH)\n",
}


@pytest.mark.parametrize("source", GOOD.values(), ids=GOOD.keys())
def test_other_saves_and_keras_2_programs_are_fine(source: str) -> None:
    assert findings(source) == []


PINS = {
    "requirements keras<3": ("requirements.txt", "keras<3\n"),
    "requirements tensorflow<2.16": ("requirements.txt", "tensorflow>=2.10,<2.16\n"),
    "requirements tensorflow==2.15.*": ("requirements-gpu.txt", "tensorflow==2.15.*\n"),
    "pyproject": ("pyproject.toml", '[project]\nname = "x"\ndependencies = ["keras~=2.15.0"]\n'),
    "poetry tilde": ("pyproject.toml", '[tool.poetry.dependencies]\ntensorflow = "~2.15"\n'),
    "setup.cfg": ("setup.cfg", "[options]\ninstall_requires =\n    tensorflow==2.15.1\n"),
    "environment.yml": ("environment.yml", "dependencies:\n  - tensorflow=2.12\n"),
}


@pytest.mark.parametrize(("name", "text"), PINS.values(), ids=PINS.keys())
def test_project_pinned_to_keras_2_is_silent(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(f"import keras\n{MODEL}model.save('model.h5')\n")
    assert lint_paths([tmp_path], select=["KER703"]).findings == []


def test_project_on_keras_3_is_reported(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("tensorflow>=2.16\nkeras\n")
    (tmp_path / "train.py").write_text(f"import keras\n{MODEL}model.save('model.h5')\n")
    assert [f.line for f in lint_paths([tmp_path], select=["KER703"]).findings] == [3]


def test_warm_cache_sees_a_new_pin(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(f"import keras\n{MODEL}model.save('model.h5')\n")
    cache = tmp_path / ".cache"
    cold = lint_paths([tmp_path], select=["KER703"], cache_dir=cache)
    assert len(cold.findings) == 1
    (tmp_path / "requirements.txt").write_text("keras==2.15.0\n")
    warm = lint_paths([tmp_path], select=["KER703"], cache_dir=cache)
    assert warm.findings == lint_paths([tmp_path], select=["KER703"]).findings == []


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


def test_notebook_installing_keras_2_is_silent(tmp_path: Path) -> None:
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(_notebook(["!pip install -q keras==2.15.0", "import keras", MODEL,
                                   "model.save('model.h5')"]))  # fmt: skip
    assert lint_paths([notebook], select=["KER703"]).findings == []


def test_notebook_save_in_a_later_cell_is_reported(tmp_path: Path) -> None:
    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(_notebook(["import keras", MODEL, "model.save('model.h5')"]))
    result = lint_paths([notebook], select=["KER703"])
    assert [(f.cell, f.line) for f in result.findings] == [(3, 1)]


def test_fix_renames_a_literal_path_no_other_code_reads(tmp_path: Path) -> None:
    import libcst as cst

    from keras_lint.analysis.facts import build_module_facts
    from keras_lint.engine import project_index
    from keras_lint.rules.legacy_h5_save import LegacyH5Save

    source = f"import keras\n{MODEL}model.save('model.h5')\n"
    (tmp_path / "train.py").write_text(source)
    (tmp_path / "serve.py").write_text("import keras\nkeras.models.load_model('other.h5')\n")
    index = project_index(tmp_path)
    facts = build_module_facts(cst.parse_module(source), str(tmp_path / "train.py"), index)
    (report,) = list(LegacyH5Save().check(facts))
    fix = report.fix
    assert fix is not None and fix.applicability == "unsafe"
    assert [(e.text, facts.position(e.node).start.line) for e in fix.edits if e.node] == [
        ("'model.keras'", 3)
    ]
    result = lint_paths([tmp_path / "train.py"], select=["KER703"], fix=True, unsafe_fixes=True)
    assert [f.fixed.decode() for f in result.fixed] == [source.replace("model.h5", "model.keras")]
    (tmp_path / "serve.py").write_text("import keras\nkeras.models.load_model('model.h5')\n")
    index = project_index(tmp_path)
    facts = build_module_facts(cst.parse_module(source), str(tmp_path / "train.py"), index)
    (report,) = list(LegacyH5Save().check(facts))
    assert report.fix is None
