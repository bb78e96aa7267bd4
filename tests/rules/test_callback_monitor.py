"""KER602 callback-monitor-unavailable: a callback watches a number fit never logs, or in the
wrong direction."""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import lines_of, lint_snippet, tree_findings
from keras_lint.engine import lint_paths
from keras_lint.finding import SuggestedFix

CODE = "KER602"

SETUP = """\
    import numpy as np
    import keras

    x, y = np.random.rand(200, 8), np.random.randint(0, 2, 200)
    model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1, "sigmoid")])
"""

REPORTED = [
    pytest.param(
        SETUP
        + """\
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    best = keras.callbacks.ModelCheckpoint("best.keras", monitor="val_acc", save_best_only=True)
    model.fit(x, y, validation_split=0.2, epochs=20, callbacks=[best])
    """,
        [7],
        id="checkpoint-val-acc-with-accuracy-metric",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow.keras.callbacks import EarlyStopping
        from tensorflow.keras.layers import Dense, Input
        from tensorflow.keras.models import Sequential

        x, y = np.zeros((9, 4)), np.zeros(9)
        model = Sequential([Input(shape=(4,)), Dense(3, activation="softmax")])
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["acc"])
        stop = EarlyStopping("val_accuracy", patience=5)
        model.fit(x, y, validation_data=(x, y), callbacks=[stop])
        """,
        [9],
        id="tf-keras-early-stopping-val-acc",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((9, 4)), np.zeros(9), callbacks=[tf.keras.callbacks.EarlyStopping()])
        """,
        [6],
        id="default-val-loss-without-validation",
    ),
    pytest.param(
        """\
        import numpy as np
        from keras.callbacks import ReduceLROnPlateau
        from keras.models import Sequential
        from keras.layers import Dense

        model = Sequential([Dense(1, input_dim=4)])
        model.compile(optimizer="adam", loss="mse")
        plateau = ReduceLROnPlateau(monitor="val_loss", factor=0.5)
        model.fit_generator(iter([]), steps_per_epoch=10, epochs=5, callbacks=[plateau])
        """,
        [8],
        id="reduce-lr-fit-generator-without-validation",
    ),
    pytest.param(
        SETUP
        + """\
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping("val_accuracy", mode="min", patience=3)
    model.fit(x, y, validation_split=0.2, callbacks=[stop])
    """,
        [7],
        id="mode-min-on-accuracy",
    ),
    pytest.param(
        SETUP
        + """\
    model.compile(optimizer="adam", loss="binary_crossentropy")
    best = keras.callbacks.ModelCheckpoint("m.keras", "val_loss", 0, True, mode="max")
    model.fit(x, y, validation_split=0.2, callbacks=[best])
    """,
        [7],
        id="mode-max-on-loss-positional-save-best",
    ),
    pytest.param(
        SETUP
        + """\
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, validation_split=0.2, callbacks=[keras.callbacks.EarlyStopping("val_auc")])
    """,
        [7],
        id="auc-not-compiled",
    ),
    pytest.param(
        SETUP
        + """\
    model.compile(optimizer="adam", loss="mse", metrics=[keras.metrics.BinaryAccuracy()])
    stop = keras.callbacks.EarlyStopping("val_accuracy", mode="max")
    model.fit(x, y, validation_split=0.2, callbacks=[stop])
    """,
        [7],
        id="metric-object-logs-its-default-name",
    ),
    pytest.param(
        SETUP
        + """\
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["acc"])
    stop = keras.callbacks.EarlyStopping("val_accuracy")
    model.fit(x, y, validation_split=0.2, callbacks=[stop])
    """,
        [7],
        id="val-accuracy-when-acc-is-compiled",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras

        inputs = keras.Input(shape=(6,))
        outputs = keras.layers.Dense(4, activation="softmax")(keras.layers.Dense(8)(inputs))
        model = keras.Model(inputs=inputs, outputs=outputs)
        model.compile("adam", "categorical_crossentropy", ["categorical_accuracy"])
        cbs = [keras.callbacks.ModelCheckpoint("b.h5", monitor="val_acc", save_best_only=True)]
        model.fit(np.zeros((8, 6)), np.zeros((8, 4)), validation_split=0.25, callbacks=cbs)
        """,
        [8],
        id="functional-positional-compile",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras


        def build():
            model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, "sigmoid")])
            model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
            return model


        model = build()
        early = keras.callbacks.EarlyStopping("val_acc", patience=2)
        model.fit(np.zeros((8, 3)), np.zeros(8), validation_split=0.5, callbacks=[early])
        """,
        [12],
        id="compiled-by-a-helper-in-the-file",
    ),
    pytest.param(
        """\
        import argparse

        import numpy as np
        import keras

        parser = argparse.ArgumentParser()
        parser.add_argument("--epochs", type=int, default=10)
        args = parser.parse_args()
        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        stop = keras.callbacks.EarlyStopping("val_mean_absolute_error")
        model.fit(np.zeros((8, 3)), np.ones(8), args.epochs, validation_split=0.5, callbacks=[stop])
        """,
        [11],
        id="argparse-script-long-name-of-an-abbreviated-metric",
    ),
]

NOT_REPORTED = [
    pytest.param(
        SETUP
        + """\
    model.compile(optimizer="adam", loss="mse", metrics=[keras.metrics.BinaryAccuracy(name="acc")])
    model.fit(x, y, validation_split=0.2, callbacks=[keras.callbacks.EarlyStopping("val_acc")])
    """,
        id="metric-object-named-acc",
    ),
    pytest.param(
        SETUP
        + """\


    def f1(y_true, y_pred):
        return y_pred


    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=[f1])
    model.fit(x, y, validation_split=0.2, callbacks=[keras.callbacks.EarlyStopping("val_f1")])
    """,
        id="custom-metric-function-monitored-by-name",
    ),
    pytest.param(
        """\
        import argparse

        import numpy as np
        import keras

        parser = argparse.ArgumentParser()
        parser.add_argument("--monitor", default="val_acc")
        args = parser.parse_args()
        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, "sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        stop = keras.callbacks.EarlyStopping(monitor=args.monitor)
        model.fit(np.zeros((8, 3)), np.zeros(8), validation_split=0.5, callbacks=[stop])
        """,
        id="monitor-from-argparse",
    ),
    pytest.param(
        SETUP
        + """\
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    every_epoch = keras.callbacks.ModelCheckpoint("e.keras", monitor="val_acc")
    model.fit(x, y, validation_split=0.2, callbacks=[every_epoch])
    """,
        id="checkpoint-without-save-best-only-never-reads-monitor",
    ),
    pytest.param(
        SETUP
        + """\
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["acc"])
    model.fit(x, y, validation_split=0.2, callbacks=[keras.callbacks.EarlyStopping("val_acc")])
    """,
        id="acc-compiled-as-acc",
    ),
    pytest.param(
        SETUP
        + """\
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, validation_data=(x, y), callbacks=[keras.callbacks.EarlyStopping()])
    """,
        id="val-loss-with-validation-data",
    ),
    pytest.param(
        SETUP
        + """\


    class F1Logger(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["val_f1"] = 0.5


    model.compile(optimizer="adam", loss="binary_crossentropy")
    stop = keras.callbacks.EarlyStopping("val_f1", mode="max")
    model.fit(x, y, callbacks=[F1Logger(), stop])
    """,
        id="custom-callback-writes-the-number",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras


        class Trainer(keras.Model):
            def train_step(self, data):
                return {"custom": 0.0}


        model = Trainer()
        model.compile(optimizer="adam")
        stop = keras.callbacks.EarlyStopping("val_custom")
        model.fit(np.zeros((8, 3)), validation_split=0.5, callbacks=[stop])
        """,
        id="subclassed-model-logs-its-own-numbers",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        inputs = keras.Input(shape=(4,))
        a = keras.layers.Dense(1, activation="sigmoid", name="a")(inputs)
        b = keras.layers.Dense(1, name="b")(inputs)
        model = keras.Model(inputs, [a, b])
        model.compile(optimizer="adam", loss={"a": "bce", "b": "mse"}, metrics={"a": "accuracy"})
        stop = keras.callbacks.EarlyStopping("val_a_accuracy", mode="max")
        model.fit(np.zeros((8, 4)), [np.zeros(8)] * 2, validation_split=0.5, callbacks=[stop])
        """,
        id="multi-output-model",
    ),
    pytest.param(
        SETUP
        + """\
    model.compile(optimizer="adam", loss="binary_crossentropy")
    options = {"validation_split": 0.2, "epochs": 10}
    model.fit(x, y, callbacks=[keras.callbacks.EarlyStopping()], **options)
    """,
        id="validation-in-a-known-kwargs-dict",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        def fit_all(model, fit_options):
            model.fit(np.zeros((8, 3)), callbacks=[keras.callbacks.EarlyStopping()], **fit_options)
        """,
        id="fit-with-unknown-kwargs",
    ),
    pytest.param(
        SETUP
        + """\
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping("val_accuracy", mode="max")
    model.fit(x, y, validation_split=0.2, callbacks=[stop])
    """,
        id="mode-max-on-accuracy",
    ),
    pytest.param(
        SETUP
        + """\


    def metric_list():
        return ["accuracy", keras.metrics.AUC()]


    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=metric_list() + ["mse"])
    model.fit(x, y, validation_split=0.2, callbacks=[keras.callbacks.EarlyStopping("val_auc")])
    """,
        id="metrics-built-dynamically",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        model = keras.models.load_model("pretrained.keras")
        stop = keras.callbacks.EarlyStopping("val_acc")
        model.fit(np.zeros((8, 3)), validation_split=0.5, callbacks=[stop])
        """,
        id="loaded-model-metrics-unknown",
    ),
    pytest.param(
        """\
        from pytorch_lightning import Trainer
        from pytorch_lightning.callbacks import EarlyStopping

        trainer = Trainer(callbacks=[EarlyStopping("val_acc", mode="min")])
        trainer.fit(model)
        """,
        id="lightning-early-stopping",
    ),
    pytest.param(
        SETUP
        + """\
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, 32, 10, 1, [keras.callbacks.EarlyStopping()], 0.2)
    """,
        id="validation-split-given-positionally",
    ),
]


@pytest.mark.parametrize(("src", "expected"), REPORTED)
def test_reports_monitor_fit_never_logs(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", NOT_REPORTED)
def test_silent_when_the_monitor_is_logged_or_unknown(src: str) -> None:
    assert lines_of(src, CODE) == []


def test_message_names_the_callback_the_fit_and_the_logged_names() -> None:
    [finding] = [f for f in lint_snippet(REPORTED[0].values[0], select=[CODE]) if f.code == CODE]
    assert "`ModelCheckpoint(monitor='val_acc')`" in finding.message
    assert "`fit` on line 8" in finding.message
    assert "`val_accuracy`, `val_loss`" in finding.message
    assert finding.message.endswith("monitor `val_accuracy`")


def _fix(src: str) -> SuggestedFix | None:
    [finding] = [f for f in lint_snippet(src, select=[CODE]) if f.code == CODE]
    return finding.fix


def test_fix_renames_val_acc_to_the_logged_name_and_is_safe() -> None:
    fix = _fix(REPORTED[0].values[0])
    assert fix is not None and fix.applicability == "safe"
    [edit] = fix.edits
    assert (edit.line, edit.text) == (7, '"val_accuracy"')
    line = textwrap.dedent(REPORTED[0].values[0]).splitlines()[6]
    assert line[edit.column - 1 : edit.end_column - 1] == '"val_acc"'


def test_no_fix_for_a_missing_validation_set_or_a_wrong_mode() -> None:
    assert _fix(REPORTED[2].values[0]) is None
    assert _fix(REPORTED[4].values[0]) is None


TRAINING = """\
    def train(model, x, y, callbacks):
        model.fit(x, y, epochs=20, callbacks=callbacks)
        return model
    """

MAIN = """\
    import numpy as np
    import keras

    from training import train

    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    train(model, np.zeros((8, 3)), np.zeros(8), [keras.callbacks.EarlyStopping(patience=2)])
    """


def test_callback_given_to_a_fit_in_another_module(tree) -> None:
    assert tree_findings(tree({"training.py": TRAINING, "main.py": MAIN}), CODE) == [("main.py", 8)]


def test_notebook_callback_cell_before_fit_cell(tmp_path: Path) -> None:
    cells = [
        new_code_cell(textwrap.dedent(SETUP)),
        new_code_cell(
            'model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])'
        ),
        new_code_cell('stop = keras.callbacks.EarlyStopping("val_acc", patience=3)'),
        new_code_cell("model.fit(x, y, validation_split=0.2, callbacks=[stop])"),
    ]
    nbformat.write(new_notebook(cells=cells), str(tmp_path / "train.ipynb"))
    result = lint_paths([tmp_path], select=[CODE])
    assert [(f.cell, f.line) for f in result.findings] == [(3, 1)]
