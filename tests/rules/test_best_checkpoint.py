"""KER702 best-checkpoint-not-restored: the best epoch is checkpointed, the program goes on with
the last one."""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import lines_of, lint_snippet, tree_findings
from keras_lint.engine import lint_paths

CODE = "KER702"

SETUP = """\
    import numpy as np
    import keras

    x, y = np.random.rand(200, 8), np.random.rand(200)
    model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
"""
CHECKPOINT = (
    '    best = keras.callbacks.ModelCheckpoint("best.keras", monitor="val_loss", '
    "save_best_only=True)\n"
    "    model.fit(x, y, validation_split=0.2, epochs=50, callbacks=[best])\n"
)

REPORTED = [
    pytest.param(SETUP + CHECKPOINT + "    print(model.evaluate(x, y))\n", [9], id="evaluate"),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        cb = tf.keras.callbacks.ModelCheckpoint("w.h5", save_best_only=True, save_weights_only=True)
        model.fit(np.zeros((9, 4)), np.zeros(9), validation_split=0.3, callbacks=[cb])
        predictions = model.predict(np.zeros((3, 4)))
        """,
        [8],
        id="tf-keras-predict-weights-only",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras
        from tensorflow.keras.callbacks import EarlyStopping, ModelCheckpoint

        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        callbacks = [EarlyStopping(patience=5), ModelCheckpoint("best.h5", save_best_only=True)]
        model.fit(np.zeros((9, 4)), np.zeros(9), validation_split=0.3, callbacks=callbacks)
        model.save("final_model.h5")
        """,
        [9],
        id="early-stopping-without-restore-then-save",
    ),
    pytest.param(
        SETUP + CHECKPOINT + '    keras.models.save_model(model, "served.keras")\n',
        [9],
        id="save-model-function",
    ),
    pytest.param(SETUP + CHECKPOINT + "    scores = model(x[:5])\n", [9], id="model-called"),
    pytest.param(SETUP + CHECKPOINT + '    model.export("serving")\n', [9], id="export"),
    pytest.param(
        """\
        import os

        import numpy as np
        import keras

        out_dir = os.environ.get("OUT", "runs")
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        best = keras.callbacks.ModelCheckpoint(os.path.join(out_dir, "b.h5"), save_best_only=True)
        model.fit(np.zeros((9, 4)), np.zeros(9), validation_split=0.3, callbacks=[best])
        model.evaluate(np.zeros((3, 4)), np.zeros(3))
        """,
        [11],
        id="path-joined-from-a-folder",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras


        def train(x, y):
            model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            cb = keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True)
            model.fit(x, y, validation_split=0.3, callbacks=[cb])
            return model


        trained = train(np.zeros((9, 4)), np.zeros(9))
        trained.evaluate(np.zeros((3, 4)), np.zeros(3))
        """,
        [14],
        id="model-returned-by-a-helper-is-followed-to-the-caller",
    ),
    pytest.param(
        """\
        import keras


        def train(x, y):
            model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            cb = keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True)
            model.fit(x, y, validation_split=0.3, callbacks=[cb])
            return model
        """,
        [9],
        id="returned-from-a-function-nothing-here-calls",
    ),
    pytest.param(
        """\
        import argparse

        import numpy as np
        import keras

        parser = argparse.ArgumentParser()
        parser.add_argument("--restore", action="store_true")
        args = parser.parse_args()
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((9, 4)), np.zeros(9), validation_split=0.3,
                  callbacks=[keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True)])
        if args.restore:
            model.load_weights("best.keras")
        model.evaluate(np.zeros((3, 4)), np.zeros(3))
        """,
        [15],
        id="argparse-reload-on-one-branch-only",
    ),
    pytest.param(
        SETUP
        + CHECKPOINT
        + "    for batch in range(3):\n        print(model.predict(x[batch::3]))\n",
        [10],
        id="predict-in-a-loop-reported-once",
    ),
    pytest.param(
        """\
        import numpy as np
        from keras import Input, Model
        from keras.layers import Dense
        from keras.callbacks import ModelCheckpoint as Checkpoint

        inputs = Input(shape=(4,))
        net = Model(inputs, Dense(1)(Dense(8, activation="relu")(inputs)))
        net.compile(optimizer="adam", loss="mse")
        net.fit(np.zeros((9, 4)), np.zeros(9), validation_split=0.3,
                callbacks=[Checkpoint("net.keras", save_best_only=True, monitor="val_loss")])
        net.evaluate(np.zeros((3, 4)), np.zeros(3))
        """,
        [11],
        id="functional-aliased-checkpoint",
    ),
]

NOT_REPORTED = [
    pytest.param(
        SETUP + CHECKPOINT + '    model.load_weights("best.keras")\n    model.evaluate(x, y)\n',
        id="load-weights-after-fit",
    ),
    pytest.param(
        SETUP
        + """\
    best = keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True)
    stop = keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)
    model.fit(x, y, validation_split=0.2, callbacks=[best, stop])
    model.evaluate(x, y)
    """,
        id="early-stopping-restores-on-the-same-fit",
    ),
    pytest.param(
        SETUP
        + """\
    best = keras.callbacks.ModelCheckpoint("w-{epoch:02d}-{val_loss:.2f}.h5", save_best_only=True)
    model.fit(x, y, validation_split=0.2, callbacks=[best])
    model.evaluate(x, y)
    """,
        id="epoch-format-fields",
    ),
    pytest.param(
        SETUP
        + CHECKPOINT
        + '    model = keras.models.load_model("best.keras")\n    model.evaluate(x, y)\n',
        id="load-model-rebinds",
    ),
    pytest.param(SETUP + CHECKPOINT, id="program-ends-after-fit"),
    pytest.param(
        SETUP
        + """\
    best = keras.callbacks.ModelCheckpoint("best.keras", save_best_only=False)
    model.fit(x, y, validation_split=0.2, callbacks=[best])
    model.evaluate(x, y)
    """,
        id="save-best-only-false",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras


        def train(x, y):
            model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            cb = keras.callbacks.ModelCheckpoint("b.keras", save_best_only=True)
            model.fit(x, y, validation_split=0.3, callbacks=[cb])
            return model


        trained = train(np.zeros((9, 4)), np.zeros(9))
        trained.load_weights("b.keras")
        trained.evaluate(np.zeros((3, 4)), np.zeros(3))
        """,
        id="helper-returns-the-model-and-the-caller-reloads",
    ),
    pytest.param(
        """\
        import argparse

        import numpy as np
        import keras

        parser = argparse.ArgumentParser()
        parser.add_argument("--checkpoint", default="best.keras")
        args = parser.parse_args()
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((9, 4)), np.zeros(9), validation_split=0.3,
                  callbacks=[keras.callbacks.ModelCheckpoint(args.checkpoint, save_best_only=True)])
        model.evaluate(np.zeros((3, 4)), np.zeros(3))
        """,
        id="path-from-argparse-may-hold-format-fields",
    ),
    pytest.param(
        SETUP
        + CHECKPOINT
        + '    print("last epoch", model.evaluate(x, y))\n'
        + '    model.load_weights("best.keras")\n'
        + '    print("best epoch", model.evaluate(x, y))\n',
        id="last-epoch-compared-then-reloaded",
    ),
    pytest.param(
        SETUP
        + CHECKPOINT
        + "    other = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])\n"
        + "    other.compile(optimizer='adam', loss='mse')\n"
        + "    other.evaluate(x, y)\n",
        id="another-model-is-used",
    ),
    pytest.param(
        SETUP + "    model.evaluate(x, y)\n" + CHECKPOINT,
        id="evaluated-before-fit",
    ),
    pytest.param(
        SETUP
        + CHECKPOINT
        + "    fresh = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])\n"
        + '    fresh.load_weights("best.keras")\n'
        + "    model.save('last.keras')\n",
        id="best-file-loaded-into-another-model",
    ),
    pytest.param(
        SETUP
        + CHECKPOINT
        + '    try:\n        model.load_weights("best.keras")\n'
        + "    except OSError as error:\n        print(error)\n"
        + "    model.evaluate(x, y)\n",
        id="reload-attempted-in-a-try",
    ),
    pytest.param(
        SETUP + CHECKPOINT + "    model.fit(x, y, epochs=5)\n" + "    model.evaluate(x, y)\n",
        id="trained-again-without-checkpoint",
    ),
]


@pytest.mark.parametrize(("src", "expected"), REPORTED)
def test_reports_first_use_of_the_last_epoch(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", NOT_REPORTED)
def test_silent_when_the_best_checkpoint_is_reloaded_or_unknown(src: str) -> None:
    assert lines_of(src, CODE) == []


def test_message_names_model_checkpoint_path_and_fix() -> None:
    [finding] = [f for f in lint_snippet(REPORTED[0].values[0], select=[CODE]) if f.code == CODE]
    assert "`model` is used (`evaluate`)" in finding.message
    assert '`ModelCheckpoint("best.keras", save_best_only=True)`' in finding.message
    assert "`fit` on line 8" in finding.message
    assert '`model.load_weights("best.keras")`' in finding.message


def test_fix_reloads_the_checkpoint_after_fit_and_is_unsafe() -> None:
    src = textwrap.dedent(REPORTED[0].values[0])
    [finding] = [f for f in lint_snippet(src, select=[CODE]) if f.code == CODE]
    fix = finding.fix
    assert fix is not None and fix.applicability == "unsafe"
    [edit] = fix.edits
    assert (edit.line, edit.column, edit.end_line, edit.end_column) == (9, 1, 9, 1)
    assert edit.text == 'model.load_weights("best.keras")\n'


TRAINING = """\
    import keras


    def fit_best(model, x, y):
        best = keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True)
        model.fit(x, y, validation_split=0.2, callbacks=[best])
        return model
    """

MAIN = """\
    import numpy as np
    import keras

    from training import fit_best

    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model = fit_best(model, np.zeros((8, 3)), np.zeros(8))
    model.evaluate(np.zeros((8, 3)), np.zeros(8))
    """


def test_helper_of_another_module_trains_and_the_caller_evaluates(tree) -> None:
    assert tree_findings(tree({"training.py": TRAINING, "main.py": MAIN}), CODE) == [("main.py", 9)]


def _notebook(root: Path, cells: list) -> list[tuple[int | None, int]]:
    nbformat.write(new_notebook(cells=cells), str(root / "train.ipynb"))
    result = lint_paths([root], select=[CODE])
    return sorted((f.cell, f.line) for f in result.findings if f.code == CODE)


def test_notebook_evaluates_in_a_later_cell(tmp_path: Path) -> None:
    cells = [
        new_code_cell(textwrap.dedent(SETUP)),
        new_code_cell(textwrap.dedent(CHECKPOINT)),
        new_code_cell("model.evaluate(x, y)"),
    ]
    assert _notebook(tmp_path, cells) == [(3, 1)]


def test_notebook_reloads_in_a_later_cell(tmp_path: Path) -> None:
    cells = [
        new_code_cell(textwrap.dedent(SETUP)),
        new_code_cell(textwrap.dedent(CHECKPOINT)),
        new_code_cell('model.load_weights("best.keras")'),
        new_code_cell("model.evaluate(x, y)"),
    ]
    assert _notebook(tmp_path, cells) == []
