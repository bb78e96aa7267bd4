"""KER601 early-stopping-without-restore: EarlyStopping keeps the last weights, not the best."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import lines_of, tree_findings
from keras_lint.engine import lint_paths

CODE = "KER601"


def notebook_findings(root: Path, cells: list) -> list[tuple[int | None, int]]:
    """``(cell, line)`` of every KER601 finding in a notebook made of ``cells``."""
    nbformat.write(new_notebook(cells=cells), str(root / "train.ipynb"))
    result = lint_paths([root], select=[CODE])
    return sorted((f.cell, f.line) for f in result.findings if f.code == CODE)


REPORTED = [
    pytest.param(
        """\
        import keras
        import numpy as np

        x = np.random.rand(1000, 20).astype("float32")
        y = np.random.randint(0, 2, size=(1000, 1))
        model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(1, "sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")

        early_stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5)
        model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[early_stopping])
        """,
        [9],
        id="keras-callbacks-early-stopping-without-restore",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        x = np.random.rand(500, 8).astype("float32")
        y = np.random.rand(500, 1).astype("float32")
        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(8,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        stopper = tf.keras.callbacks.EarlyStopping(patience=3, restore_best_weights=False)
        model.fit(x, y, validation_split=0.1, epochs=50, callbacks=[stopper])
        """,
        [8],
        id="tf-keras-restore-best-weights-literally-false",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow.keras.callbacks import EarlyStopping
        from tensorflow.keras.layers import Dense, Input
        from tensorflow.keras.models import Sequential

        x = np.random.rand(500, 8).astype("float32")
        y = np.random.rand(500, 1).astype("float32")
        model = Sequential([Input(shape=(8,)), Dense(16, activation="relu"), Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(
            x,
            y,
            validation_split=0.2,
            epochs=200,
            callbacks=[EarlyStopping(monitor="val_loss", patience=10)],
        )
        """,
        [15],
        id="imported-early-stopping-inline-in-fit",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np
        from keras.callbacks import EarlyStopping as ES

        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(
            np.random.rand(200, 4),
            np.random.rand(200, 1),
            validation_split=0.25,
            callbacks=[ES(patience=2)],
        )
        """,
        [11],
        id="early-stopping-imported-under-alias",
    ),
    pytest.param(
        """\
        import numpy as np
        from keras import callbacks, layers, models

        model = models.Sequential([layers.Input(shape=(6,)), layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(
            np.random.rand(300, 6),
            np.random.rand(300, 1),
            validation_split=0.2,
            callbacks=[callbacks.EarlyStopping(monitor="val_loss", patience=4)],
        )
        """,
        [10],
        id="callbacks-module-imported-from-keras",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras

        x = np.random.rand(400, 10).astype("float32")
        y = np.random.rand(400, 1).astype("float32")
        model = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")

        cbs = [
            keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=2),
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=6),
        ]
        model.fit(x, y, validation_split=0.2, epochs=100, callbacks=cbs)
        """,
        [11],
        id="early-stopping-in-callback-list-variable",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        early_stopping = tf.keras.callbacks.EarlyStopping(
            monitor="val_accuracy",
            mode="max",
            patience=8,
            min_delta=1e-3,
        )
        CALLBACKS = [early_stopping]
        """,
        [3],
        id="multiline-call-reported-at-its-first-line",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow.keras as K

        model = K.Sequential([K.layers.Input(shape=(3,)), K.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        stop = K.callbacks.EarlyStopping(patience=5)
        model.fit(np.ones((90, 3)), np.ones((90, 1)), validation_split=0.1, callbacks=[stop])
        """,
        [6],
        id="tensorflow-keras-module-alias",
    ),
    pytest.param(
        """\
        from tensorflow.keras import callbacks as cb

        callbacks_list = [cb.EarlyStopping()]
        print(len(callbacks_list))
        """,
        [3],
        id="callbacks-module-alias-with-no-arguments",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        callbacks = [
            keras.callbacks.EarlyStopping(patience=5),
            # keeps the best epoch on disk, but saves on every epoch
            keras.callbacks.ModelCheckpoint("ckpt/model.keras"),
        ]
        model.fit(np.ones((64, 4)), np.ones((64, 1)), validation_split=0.2, callbacks=callbacks)
        model.load_weights("ckpt/model.keras")
        """,
        [7],
        id="checkpoint-without-save-best-only-is-reloaded",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        callbacks = [
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=5),
            keras.callbacks.ModelCheckpoint("best.keras", monitor="val_loss", save_best_only=True),
        ]
        model.fit(np.ones((64, 4)), np.ones((64, 1)), validation_split=0.2, callbacks=callbacks)
        model.save("final.keras")
        """,
        [7],
        id="best-checkpoint-saved-but-never-reloaded",
    ),
    pytest.param(
        """\
        import os

        import keras
        import numpy as np

        ckpt = "checkpoints/best.weights.h5"
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        # resuming from the checkpoint before training does not restore the best epoch of this run
        if os.path.exists(ckpt):
            model.load_weights(ckpt)
        model.fit(
            np.random.rand(64, 4),
            np.random.rand(64, 1),
            validation_split=0.2,
            callbacks=[
                keras.callbacks.ModelCheckpoint(ckpt, save_best_only=True, save_weights_only=True),
                keras.callbacks.EarlyStopping(patience=3),
            ],
        )
        """,
        [18],
        id="best-checkpoint-reloaded-only-before-training",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        x = np.random.rand(128, 4).astype("float32")
        y = np.random.rand(128, 1).astype("float32")
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        callbacks = [
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=5),
            keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True),
        ]
        model.fit(x, y, validation_split=0.2, epochs=100, callbacks=callbacks)
        # another file is loaded: the trained model still holds its last-epoch weights
        baseline = keras.models.load_model("baseline.keras")
        print(model.evaluate(x, y), baseline.evaluate(x, y))
        """,
        [9],
        id="a-different-file-is-loaded-after-training",
    ),
    pytest.param(
        """\
        import os

        from tensorflow import keras

        CKPT = "checkpoints/best.weights.h5"
        callbacks = [
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=5),
            keras.callbacks.ModelCheckpoint(CKPT, save_best_only=True, save_weights_only=True),
        ]
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        # resuming happens after the callbacks are built but still before training
        if os.path.exists(CKPT):
            model.load_weights(CKPT)
        model.fit(train_ds, validation_data=val_ds, epochs=100, callbacks=callbacks)
        """,
        [7],
        id="callbacks-built-first-then-resumed-before-training",
    ),
    pytest.param(
        """\
        import tensorflow as tf


        class Trainer:
            def __init__(self, model, patience=5):
                self.model = model
                self.callbacks = [
                    tf.keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience),
                    tf.keras.callbacks.TensorBoard(log_dir="logs"),
                ]

            def train(self, train_ds, val_ds, epochs=100):
                return self.model.fit(train_ds, validation_data=val_ds, epochs=epochs,
                                      callbacks=self.callbacks)
        """,
        [8],
        id="trainer-class-callbacks-attribute",
    ),
    pytest.param(
        """\
        from tensorflow import keras


        def make_callbacks(log_dir: str) -> list[keras.callbacks.Callback]:
            return [
                keras.callbacks.TensorBoard(log_dir=log_dir),
                keras.callbacks.EarlyStopping(monitor="val_loss", patience=10, verbose=1),
            ]
        """,
        [7],
        id="callbacks-built-in-helper-function",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import KFold
        from tensorflow import keras

        x = np.random.rand(500, 12).astype("float32")
        y = np.random.rand(500, 1).astype("float32")
        for train_idx, val_idx in KFold(n_splits=5).split(x):
            model = keras.Sequential([keras.Input(shape=(12,)), keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            model.fit(
                x[train_idx], y[train_idx],
                validation_data=(x[val_idx], y[val_idx]),
                callbacks=[keras.callbacks.EarlyStopping(patience=3, restore_best_weights=False)],
            )
        """,
        [13],
        id="early-stopping-inside-cross-validation-loop",
    ),
    pytest.param(
        """\
        from keras.callbacks import EarlyStopping

        finetune_stop = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
        warmup_stop = EarlyStopping(monitor="loss", patience=1)
        schedule = {"warmup": warmup_stop, "finetune": finetune_stop}
        """,
        [4],
        id="only-the-early-stopping-without-restore-of-two",
    ),
]


NOT_REPORTED = [
    pytest.param(
        """\
        import keras_tuner
        import numpy as np
        from tensorflow import keras


        def build(hp):
            model = keras.Sequential([
                keras.Input(shape=(8,)),
                keras.layers.Dense(hp.Int("units", 8, 64, step=8), activation="relu"),
                keras.layers.Dense(1),
            ])
            model.compile(optimizer="adam", loss="mse")
            return model


        tuner = keras_tuner.RandomSearch(build, objective="val_loss", max_trials=10)
        tuner.search(
            np.random.rand(256, 8), np.random.rand(256, 1),
            validation_split=0.2,
            callbacks=[keras.callbacks.EarlyStopping("val_loss", patience=3)],
        )
        """,
        # the tuner scores each trial by its best epoch and checkpoints that epoch itself
        id="early-stopping-given-to-keras-tuner-search",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras

        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        es = keras.callbacks.EarlyStopping(monitor="val_loss", patience=10)
        # the callback is never handed to training (the fit below does not use it)
        model.fit(np.ones((64, 4)), np.ones((64, 1)), epochs=5)
        """,
        id="early-stopping-bound-to-a-name-that-is-never-used",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        x = np.random.rand(1000, 20).astype("float32")
        y = np.random.randint(0, 2, size=(1000, 1))
        model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(1, "sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")

        early_stopping = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=5, restore_best_weights=True
        )
        model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[early_stopping])
        """,
        id="keras-restore-best-weights-true",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        stopper = tf.keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
        """,
        id="tf-keras-restore-best-weights-true",
    ),
    pytest.param(
        """\
        from tensorflow.keras.callbacks import EarlyStopping

        stop = EarlyStopping(monitor="val_auc", mode="max", patience=10, restore_best_weights=True)
        """,
        id="imported-early-stopping-with-restore",
    ),
    pytest.param(
        """\
        from keras.callbacks import EarlyStopping as ES

        stop = ES(patience=2, restore_best_weights=True)
        """,
        id="aliased-early-stopping-with-restore",
    ),
    pytest.param(
        """\
        from keras import callbacks

        stop = callbacks.EarlyStopping(monitor="val_loss", restore_best_weights=True, patience=4)
        """,
        id="callbacks-module-with-restore",
    ),
    pytest.param(
        """\
        from tensorflow import keras


        def make_early_stopping(**kwargs):
            # the caller may pass restore_best_weights: unknown here
            return keras.callbacks.EarlyStopping(monitor="val_loss", **kwargs)
        """,
        id="double-star-kwargs",
    ),
    pytest.param(
        """\
        import yaml
        from tensorflow import keras

        with open("config.yaml") as fh:
            config = yaml.safe_load(fh)
        stop = keras.callbacks.EarlyStopping(**config["early_stopping"])
        """,
        id="double-star-config-from-yaml",
    ),
    pytest.param(
        """\
        import argparse

        from tensorflow import keras

        parser = argparse.ArgumentParser()
        parser.add_argument("--restore", action="store_true")
        args = parser.parse_args()
        stop = keras.callbacks.EarlyStopping(patience=5, restore_best_weights=args.restore)
        """,
        id="restore-best-weights-non-literal",
    ),
    pytest.param(
        """\
        import pytorch_lightning as pl
        from pytorch_lightning.callbacks import EarlyStopping

        trainer = pl.Trainer(max_epochs=50, callbacks=[EarlyStopping("val_loss", patience=3)])
        """,
        id="pytorch-lightning-early-stopping",
    ),
    pytest.param(
        """\
        from mylib.callbacks import EarlyStopping

        stop = EarlyStopping(monitor="val_loss", patience=3)
        """,
        id="early-stopping-from-unresolved-import",
    ),
    pytest.param(
        """\
        import xgboost as xgb

        stop = xgb.callback.EarlyStopping(rounds=10, save_best=True)
        booster = xgb.train(params, dtrain, 500, evals=[(dval, "val")], callbacks=[stop])
        """,
        id="xgboost-early-stopping",
    ),
    pytest.param(
        """\
        class EarlyStopping:
            def __init__(self, patience):
                self.patience = patience
                self.bad_epochs = 0


        stopper = EarlyStopping(patience=5)
        """,
        id="locally-defined-early-stopping-class",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        ckpt_path = "checkpoints/best.weights.h5"
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        callbacks = [
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=5),
            keras.callbacks.ModelCheckpoint(ckpt_path, save_best_only=True, save_weights_only=True),
        ]
        model.fit(np.ones((64, 4)), np.ones((64, 1)), validation_split=0.2, callbacks=callbacks)
        # the best epoch is restored from the checkpoint
        model.load_weights(ckpt_path)
        """,
        id="best-checkpoint-reloaded-with-load-weights",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras.callbacks import EarlyStopping, ModelCheckpoint

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(4,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(
            np.random.rand(64, 4),
            np.random.rand(64, 1),
            validation_split=0.2,
            callbacks=[
                EarlyStopping(patience=5),
                ModelCheckpoint(filepath="best.keras", monitor="val_loss", save_best_only=True),
            ],
        )
        best = tf.keras.models.load_model("best.keras")
        best.evaluate(np.random.rand(16, 4), np.random.rand(16, 1))
        """,
        id="best-checkpoint-reloaded-with-load-model",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(
            np.random.rand(64, 4),
            np.random.rand(64, 1),
            validation_split=0.2,
            callbacks=[keras.callbacks.ReduceLROnPlateau(patience=2)],
        )
        """,
        id="no-early-stopping-at-all",
    ),
    pytest.param(
        """\
        import lightgbm as lgb

        booster = lgb.train(params, dtrain, valid_sets=[dval], callbacks=[lgb.early_stopping(50)])
        """,
        id="lightgbm-early-stopping-function",
    ),
    pytest.param(
        """\
        from tensorflow import keras


        class Trainer:
            def __init__(self, model, patience=5):
                self.model = model
                self.callbacks = [
                    keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True),
                ]

            def train(self, train_ds, val_ds):
                return self.model.fit(train_ds, validation_data=val_ds, callbacks=self.callbacks)
        """,
        id="trainer-class-callbacks-with-restore",
    ),
]


@pytest.mark.parametrize(("src", "expected"), REPORTED)
def test_reports_early_stopping_without_restore(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", NOT_REPORTED)
def test_silent_when_restored_or_not_keras(src: str) -> None:
    assert lines_of(src, CODE) == []


def test_reported_in_the_module_that_constructs_it(tree) -> None:
    root = tree(
        {
            "training/callbacks.py": """\
                from tensorflow import keras


                def make_callbacks():
                    return [keras.callbacks.EarlyStopping(monitor="val_loss", patience=5)]
                """,
            "train.py": """\
                import numpy as np
                from tensorflow import keras

                from training.callbacks import make_callbacks

                model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
                model.compile(optimizer="adam", loss="mse")
                model.fit(np.random.rand(32, 3), np.random.rand(32, 1), callbacks=make_callbacks())
                """,
        }
    )
    assert tree_findings(root, CODE) == [("training/callbacks.py", 5)]


NB_SETUP = (
    "import numpy as np\n"
    "from tensorflow import keras\n"
    "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n"
    'model.compile(optimizer="adam", loss="mse")'
)
NB_TRAIN = (
    "history = model.fit(\n"
    "    np.random.rand(128, 4), np.random.rand(128, 1),\n"
    "    validation_split=0.2, epochs=100, callbacks=callbacks,\n"
    ")"
)


def test_notebook_reports_cell_and_line(tmp_path: Path) -> None:
    cells = [
        new_markdown_cell("# Regression"),
        new_code_cell(NB_SETUP),
        new_markdown_cell("Stop when the validation loss stalls."),
        new_code_cell(
            "callbacks = [\n"
            '    keras.callbacks.TensorBoard("logs"),\n'
            '    keras.callbacks.EarlyStopping(monitor="val_loss", patience=5),\n'
            "]"
        ),
        new_code_cell(NB_TRAIN),
    ]
    assert notebook_findings(tmp_path, cells) == [(4, 3)]


def test_notebook_best_checkpoint_reloaded_in_later_cell(tmp_path: Path) -> None:
    cells = [
        new_code_cell(NB_SETUP),
        new_code_cell(
            "callbacks = [\n"
            "    keras.callbacks.EarlyStopping(patience=5),\n"
            '    keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True),\n'
            "]"
        ),
        new_code_cell(NB_TRAIN),
        new_markdown_cell("## Evaluate the best epoch"),
        new_code_cell('model = keras.models.load_model("best.keras")'),
    ]
    assert notebook_findings(tmp_path, cells) == []


def test_notebook_restore_true(tmp_path: Path) -> None:
    cells = [
        new_code_cell(NB_SETUP),
        new_code_cell(
            "callbacks = [keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)]"
        ),
        new_code_cell(NB_TRAIN),
    ]
    assert notebook_findings(tmp_path, cells) == []


def test_checkpoint_of_another_fit_does_not_exempt() -> None:
    src = """\
        import numpy as np
        from tensorflow import keras

        x, y = np.ones((64, 4)), np.ones((64, 1))
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, validation_split=0.2, callbacks=[keras.callbacks.EarlyStopping()])
        other = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        other.compile(optimizer="adam", loss="mse")
        best = keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True)
        other.fit(x, y, validation_split=0.2, callbacks=[best])
        other = keras.models.load_model("best.keras")
        """
    assert lines_of(src, CODE) == [7]


def test_reload_of_the_same_checkpoint_path_spelled_differently_exempts() -> None:
    src = """\
        import numpy as np
        from tensorflow import keras

        x, y = np.ones((64, 4)), np.ones((64, 1))
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        callbacks = [
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=3),
            keras.callbacks.ModelCheckpoint("weights/best.h5", save_best_only=True),
        ]
        model.fit(x, y, validation_split=0.2, callbacks=callbacks)
        model.load_weights("./weights/best.h5")
        """
    assert lines_of(src, CODE) == []


def test_a_list_of_callbacks_never_read_is_not_judged() -> None:
    src = """\
        from tensorflow import keras
        from tensorflow.keras.callbacks import EarlyStopping
        model = keras.Sequential([keras.layers.Dense(1)])
        model.compile(loss="mse", optimizer="adam")
        callbacks = [EarlyStopping(monitor="val_loss", patience=3)]  # the fit below ignores it
        model.fit([[0.0]], [0.0], epochs=2)
        """
    assert lines_of(src, CODE) == []


def test_dead_rebinding_is_not_reported_but_the_used_one_is() -> None:
    src = """\
        from tensorflow import keras
        from tensorflow.keras.callbacks import EarlyStopping
        model = keras.Sequential([keras.layers.Dense(1)])
        model.compile(loss="mse", optimizer="adam")
        es = EarlyStopping(monitor="loss", patience=5)
        model.fit([[0.0]], [0.0], epochs=2, callbacks=[es])
        es = EarlyStopping(monitor="loss", patience=2)
        """
    assert lines_of(src, CODE) == [5]
