"""KER101 compile-before-fit: a model can reach training or evaluation uncompiled."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import lines_of, lint_snippet, tree_findings
from keras_lint.engine import lint_paths

CODE = "KER101"


def notebook_findings(root: Path, cells: list) -> list[tuple[int | None, int]]:
    """``(cell, line)`` of every KER101 finding in a notebook made of ``cells``."""
    nbformat.write(new_notebook(cells=cells), str(root / "train.ipynb"))
    result = lint_paths([root], select=[CODE])
    return sorted((f.cell, f.line) for f in result.findings if f.code == CODE)


REPORTED = [
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        x_train = np.random.rand(1000, 20).astype("float32")
        y_train = np.random.randint(0, 2, size=(1000, 1))

        model = tf.keras.Sequential([
            tf.keras.layers.Input(shape=(20,)),
            tf.keras.layers.Dense(64, activation="relu"),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.fit(x_train, y_train, epochs=10, batch_size=32)
        """,
        [12],
        id="tf-keras-sequential-list-fit-without-compile",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras

        x_test = np.random.rand(200, 8).astype("float32")
        y_test = np.random.rand(200, 1).astype("float32")

        model = keras.Sequential()
        model.add(keras.layers.Input(shape=(8,)))
        model.add(keras.layers.Dense(32, activation="relu"))
        model.add(keras.layers.Dense(1))
        loss = model.evaluate(x_test, y_test, verbose=0)
        print("test mse:", loss)
        """,
        [11],
        id="add-chain-evaluate-without-compile",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow.keras.layers import Dense, Input
        from tensorflow.keras.models import Sequential

        x = np.random.rand(512, 10).astype("float32")
        y = np.random.randint(0, 3, size=(512,))

        model = Sequential([Input(shape=(10,)), Dense(16, activation="relu"), Dense(3)])
        for step in range(0, 512, 64):
            metrics = model.train_on_batch(x[step:step + 64], y[step:step + 64])
        """,
        [10],
        id="imported-sequential-train-on-batch-in-loop-without-compile",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        inputs = keras.Input(shape=(28, 28, 1))
        h = keras.layers.Conv2D(16, 3, activation="relu")(inputs)
        h = keras.layers.GlobalAveragePooling2D()(h)
        outputs = keras.layers.Dense(10, activation="softmax")(h)
        model = keras.Model(inputs, outputs)

        images = np.random.rand(64, 28, 28, 1).astype("float32")
        labels = np.random.randint(0, 10, size=(64,))
        model.fit(images, labels, epochs=2)
        """,
        [12],
        id="keras3-functional-model-fit-without-compile",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np
        from keras import layers as L

        model = keras.Sequential([L.Input(shape=(4,)), L.Dense(8, activation="relu"), L.Dense(1)])
        x_val = np.random.rand(32, 4).astype("float32")
        y_val = np.random.rand(32, 1).astype("float32")
        print(model.test_on_batch(x_val, y_val))
        """,
        [8],
        id="layers-alias-test-on-batch-without-compile",
    ),
    pytest.param(
        """\
        import numpy as np
        from keras.layers import Dense, Input
        from keras.models import Model

        inp = Input(shape=(12,))
        out = Dense(1)(Dense(32, activation="relu")(inp))
        model = Model(inputs=inp, outputs=out)

        x = np.random.rand(300, 12).astype("float32")
        y = np.random.rand(300, 1).astype("float32")
        model.fit(x[:200], y[:200], epochs=5)
        model.evaluate(x[200:], y[200:])
        """,
        [11, 12],
        id="functional-model-class-fit-and-evaluate-both-reported",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow.keras as K

        model = K.Sequential([K.layers.Input(shape=(5,)), K.layers.Dense(1)])
        x = np.random.rand(100, 5).astype("float32")
        y = x.sum(axis=1, keepdims=True)
        model.fit(x, y, epochs=3)
        """,
        [7],
        id="tensorflow-keras-module-alias-fit-without-compile",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np


        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = keras.layers.Dense(64, activation="relu")
                self.head = keras.layers.Dense(10)

            def call(self, x):
                return self.head(self.hidden(x))


        x = np.random.rand(256, 32).astype("float32")
        y = np.random.randint(0, 10, size=(256,))
        model = Net()
        model.fit(x, y, epochs=4)
        """,
        [18],
        id="subclassed-model-fit-without-compile",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf


        class Trainer:
            def __init__(self, n_features):
                self.model = tf.keras.Sequential([
                    tf.keras.layers.Input(shape=(n_features,)),
                    tf.keras.layers.Dense(1),
                ])

            def train(self, x, y, epochs=10):
                return self.model.fit(x, y, epochs=epochs)


        trainer = Trainer(6)
        trainer.train(np.random.rand(50, 6), np.random.rand(50, 1))
        """,
        [13],
        id="trainer-attribute-model-never-compiled",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras


        def build_model(n_features: int) -> keras.Model:
            return keras.Sequential([
                keras.layers.Input(shape=(n_features,)),
                keras.layers.Dense(32, activation="relu"),
                keras.layers.Dense(1),
            ])


        def main() -> None:
            x = np.random.rand(400, 16).astype("float32")
            y = np.random.rand(400, 1).astype("float32")
            model = build_model(16)
            model.fit(x, y, validation_split=0.2, epochs=20)


        if __name__ == "__main__":
            main()
        """,
        [17],
        id="same-file-builder-returns-uncompiled-model",
    ),
    pytest.param(
        """\
        import argparse

        import numpy as np
        import tensorflow as tf

        parser = argparse.ArgumentParser()
        parser.add_argument("--compile", action="store_true")
        args = parser.parse_args()

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        if args.compile:
            model.compile(optimizer="adam", loss="mse")
        model.fit(np.random.rand(64, 3), np.random.rand(64, 1), epochs=2)
        """,
        [13],
        id="compile-on-one-branch-only-may-be-uncompiled",
    ),
    pytest.param(
        """\
        import sys

        import numpy as np
        from tensorflow import keras

        model = keras.Sequential([keras.layers.Input(shape=(3,)), keras.layers.Dense(1)])
        if sys.argv[1] == "adam":
            model.compile(optimizer="adam", loss="mse")
        elif sys.argv[1] == "sgd":
            model.compile(optimizer="sgd", loss="mse")
        # no else branch: any other value leaves the model uncompiled
        model.fit(np.random.rand(64, 3), np.random.rand(64, 1))
        """,
        [12],
        id="compile-on-if-elif-without-else-may-be-uncompiled",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        model = tf.keras.models.load_model("artifacts/model.keras", compile=False)
        x = np.random.rand(128, 20).astype("float32")
        y = np.random.randint(0, 2, size=(128, 1))
        model.fit(x, y, epochs=1)
        """,
        [7],
        id="load-model-compile-false-then-fit",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        base = keras.models.load_model("base.keras")
        # clone_model copies the architecture only: the clone is not compiled
        model = keras.models.clone_model(base)
        model.set_weights(base.get_weights())
        model.fit(np.random.rand(64, 10), np.random.rand(64, 1), epochs=1)
        """,
        [8],
        id="clone-model-of-compiled-model-is-uncompiled",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow.keras.models import Sequential, clone_model
        from tensorflow.keras.layers import Dense, Input

        teacher = Sequential([Input(shape=(4,)), Dense(8, activation="relu"), Dense(1)])
        teacher.compile(optimizer="adam", loss="mse")
        student = clone_model(teacher)
        x = np.random.rand(32, 4).astype("float32")
        student.evaluate(x, teacher.predict(x))
        """,
        [9],
        id="imported-clone-model-evaluate-without-compile",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        x = np.random.rand(200, 8).astype("float32")
        y = np.random.rand(200, 1).astype("float32")
        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(8,)), tf.keras.layers.Dense(1)])
        history = model.fit(x, y, epochs=5)
        model.compile(optimizer="adam", loss="mse")
        """,
        [7],
        id="compile-after-fit",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        teacher = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(1)])
        student = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(1)])
        teacher.compile(optimizer="adam", loss="mse")
        x = np.random.rand(100, 6).astype("float32")
        teacher.fit(x, x.sum(axis=1), epochs=2)
        student.fit(x, teacher.predict(x), epochs=2)
        """,
        [9],
        id="a-different-model-was-compiled",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras

        x = np.random.rand(300, 10).astype("float32")
        y = np.random.rand(300, 1).astype("float32")

        model = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        for units in (16, 32, 64):
            # rebinding the name gives a fresh, uncompiled model on every iteration
            model = keras.Sequential([
                keras.Input(shape=(10,)),
                keras.layers.Dense(units, activation="relu"),
                keras.layers.Dense(1),
            ])
            model.fit(x, y, epochs=3)
        """,
        [16],
        id="model-rebound-in-loop-after-compile",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import KFold
        import tensorflow as tf


        def make_model():
            return tf.keras.Sequential([
                tf.keras.layers.Input(shape=(20,)),
                tf.keras.layers.Dense(1, activation="sigmoid"),
            ])


        x = np.random.rand(500, 20).astype("float32")
        y = np.random.randint(0, 2, size=(500, 1))
        for train_idx, val_idx in KFold(n_splits=5).split(x):
            model = make_model()
            model.fit(x[train_idx], y[train_idx], epochs=5)
            print(model.evaluate(x[val_idx], y[val_idx]))
        """,
        [17, 18],
        id="cross-validation-loop-with-uncompiled-builder",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(4,)), tf.keras.layers.Dense(1)])
        # restoring weights does not compile the model
        model.load_weights("checkpoints/best.weights.h5")
        model.evaluate(np.random.rand(16, 4), np.random.rand(16, 1))
        """,
        [7],
        id="load-weights-does-not-compile",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np


        def compile_model(model):
            model.compile(optimizer="adam", loss="mse")


        model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
        # the compiling helper exists but is only called after training
        model.fit(np.random.rand(10, 2), np.random.rand(10, 1))
        compile_model(model)
        """,
        [11],
        id="compiling-helper-called-only-after-fit",
    ),
]


NOT_REPORTED = [
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        x_train = np.random.rand(1000, 20).astype("float32")
        y_train = np.random.randint(0, 2, size=(1000, 1))

        model = tf.keras.Sequential([
            tf.keras.layers.Input(shape=(20,)),
            tf.keras.layers.Dense(64, activation="relu"),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        model.fit(x_train, y_train, epochs=10, batch_size=32)
        model.evaluate(x_train, y_train)
        """,
        id="compile-then-fit-and-evaluate",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras

        model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(3, "softmax")])
        model.load_weights("weights.h5")
        probabilities = model.predict(np.random.rand(4, 8))
        """,
        id="predict-never-needs-compile",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        model = tf.keras.models.load_model("artifacts/model.keras")
        model.fit(np.random.rand(64, 20), np.random.randint(0, 2, size=(64, 1)), epochs=1)
        model.evaluate(np.random.rand(16, 20), np.random.randint(0, 2, size=(16, 1)))
        """,
        id="load-model-returns-compiled-model",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np
        from keras.models import load_model

        model = load_model("artifacts/model.keras", compile=False)
        model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="mse")
        model.fit(np.random.rand(64, 10), np.random.rand(64, 1), epochs=1)
        """,
        id="load-model-compile-false-then-compiled",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras


        def build_model(n_features: int) -> keras.Model:
            model = keras.Sequential([
                keras.layers.Input(shape=(n_features,)),
                keras.layers.Dense(32, activation="relu"),
                keras.layers.Dense(1),
            ])
            model.compile(optimizer="adam", loss="mse")
            return model


        model = build_model(16)
        model.fit(np.random.rand(400, 16), np.random.rand(400, 1), epochs=20)
        """,
        id="same-file-builder-returns-compiled-model",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np


        def compile_model(model, lr=1e-3):
            model.compile(optimizer=keras.optimizers.Adam(lr), loss="mse", metrics=["mae"])


        model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
        compile_model(model)
        model.fit(np.random.rand(10, 2), np.random.rand(10, 1))
        """,
        id="helper-compiles-its-argument",
    ),
    pytest.param(
        """\
        def train(model, x, y, epochs=10):
            # the model comes from the caller: its origin is unknown here
            history = model.fit(x, y, epochs=epochs, validation_split=0.1)
            return model.evaluate(x, y), history
        """,
        id="model-parameter-of-unknown-origin",
    ),
    pytest.param(
        """\
        import numpy as np
        from mylib import make_model

        model = make_model(input_dim=10)
        model.fit(np.random.rand(32, 10), np.random.rand(32, 1))
        """,
        id="model-from-unresolved-import",
    ),
    pytest.param(
        """\
        def run_experiment(**kwargs):
            model = kwargs["model"]
            model.fit(kwargs["x"], kwargs["y"], epochs=kwargs.get("epochs", 1))
        """,
        id="model-from-kwargs",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.linear_model import LogisticRegression

        x = np.random.rand(100, 4)
        y = np.random.randint(0, 2, size=100)
        model = LogisticRegression(max_iter=200)
        model.fit(x, y)
        forest = RandomForestClassifier(n_estimators=50)
        forest.fit(x, y)
        """,
        id="sklearn-estimators-fit",
    ),
    pytest.param(
        """\
        import argparse

        import numpy as np
        import tensorflow as tf

        parser = argparse.ArgumentParser()
        parser.add_argument("--lr", type=float, default=None)
        args = parser.parse_args()

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        if args.lr is not None:
            model.compile(optimizer=tf.keras.optimizers.SGD(args.lr), loss="mse")
        else:
            model.compile(optimizer="adam", loss="mse")
        model.fit(np.random.rand(64, 3), np.random.rand(64, 1), epochs=2)
        """,
        id="compile-in-both-branches",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras

        model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(1)])
        try:
            model.compile(optimizer="adam", loss="mse", jit_compile=True)
        except ValueError as err:
            raise SystemExit(f"invalid training configuration: {err}")
        model.fit(np.random.rand(50, 5), np.random.rand(50, 1))
        """,
        id="compile-inside-try-before-fit",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        x = np.random.rand(512, 10).astype("float32")
        y = np.random.rand(512, 1).astype("float32")
        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(10,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        for epoch in range(10):
            for step in range(0, 512, 64):
                model.train_on_batch(x[step:step + 64], y[step:step + 64])
            print(epoch, model.test_on_batch(x[:64], y[:64]))
        """,
        id="train-on-batch-in-loop-after-compile",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        x = np.random.rand(300, 10).astype("float32")
        y = np.random.rand(300, 1).astype("float32")
        for units in (16, 32, 64):
            model = keras.Sequential([
                keras.Input(shape=(10,)),
                keras.layers.Dense(units, activation="relu"),
                keras.layers.Dense(1),
            ])
            model.compile(optimizer="adam", loss="mse")
            model.fit(x, y, epochs=3)
        """,
        id="build-and-compile-inside-loop",
    ),
    pytest.param(
        """\
        import numpy as np
        from keras.layers import Dense, Input
        from keras.models import Model

        inp = Input(shape=(12,))
        out = Dense(1)(Dense(32, activation="relu")(inp))
        model = Model(inputs=inp, outputs=out)
        model.compile(optimizer="rmsprop", loss="mse")
        model.fit(np.random.rand(200, 12), np.random.rand(200, 1), epochs=5)
        """,
        id="functional-model-compiled",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np


        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.head = keras.layers.Dense(10)

            def call(self, x):
                return self.head(x)


        model = Net()
        model.compile(
            optimizer="adam",
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        model.fit(np.random.rand(64, 32), np.random.randint(0, 10, size=(64,)))
        """,
        id="subclassed-model-compiled",
    ),
    pytest.param(
        """\
        import tensorflow as tf


        class Trainer:
            def __init__(self, n_features, lr=1e-3):
                self.model = tf.keras.Sequential([
                    tf.keras.layers.Input(shape=(n_features,)),
                    tf.keras.layers.Dense(1),
                ])
                self.model.compile(optimizer=tf.keras.optimizers.Adam(lr), loss="mse")

            def train(self, x, y, epochs=10):
                return self.model.fit(x, y, epochs=epochs)
        """,
        id="trainer-attribute-model-compiled-in-init",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy()
        with strategy.scope():
            model = tf.keras.Sequential([tf.keras.Input(shape=(8,)), tf.keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
        model.fit(np.random.rand(256, 8), np.random.rand(256, 1), epochs=2)
        """,
        id="compile-inside-strategy-scope",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow.keras as K

        base = K.models.load_model("base.keras")
        model = K.models.clone_model(base)
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.random.rand(64, 10), np.random.rand(64, 1), epochs=1)
        """,
        id="clone-model-then-compiled",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras

        config = {"optimizer": "adam", "loss": "mse", "metrics": ["mae"]}
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(**config)
        model.fit(np.random.rand(32, 4), np.random.rand(32, 1))
        """,
        id="compile-with-unpacked-config",
    ),
    pytest.param(
        """\
        import numpy as np
        from xgboost import XGBRegressor

        model = XGBRegressor(n_estimators=100)
        model.fit(np.random.rand(100, 5), np.random.rand(100))
        """,
        id="non-keras-model-named-model",
    ),
]


@pytest.mark.parametrize(("src", "expected"), REPORTED)
def test_reports_fit_and_evaluate_of_uncompiled_model(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", NOT_REPORTED)
def test_silent_when_compiled_or_origin_unknown(src: str) -> None:
    assert lines_of(src, CODE) == []


def test_one_branch_compile_message_says_may_be_uncompiled() -> None:
    src = """\
        import os

        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        if os.environ.get("COMPILE_MODEL") == "1":
            model.compile(optimizer="adam", loss="mse")
        model.fit(np.random.rand(32, 3), np.random.rand(32, 1))
        """
    findings = [f for f in lint_snippet(src, select=[CODE]) if f.code == CODE]
    assert [f.line for f in findings] == [9]
    assert "may be uncompiled" in findings[0].message


BUILDER_UNCOMPILED = """\
    from tensorflow import keras


    def build_model(n_features):
        return keras.Sequential([
            keras.layers.Input(shape=(n_features,)),
            keras.layers.Dense(1),
        ])
    """

BUILDER_COMPILED = """\
    from tensorflow import keras


    def build_model(n_features):
        model = keras.Sequential([
            keras.layers.Input(shape=(n_features,)),
            keras.layers.Dense(1),
        ])
        model.compile(optimizer="adam", loss="mse")
        return model
    """

COMPILING_HELPER = """\
    from tensorflow import keras


    def build_model(n_features):
        return keras.Sequential([keras.layers.Input(shape=(n_features,)), keras.layers.Dense(1)])


    def compile_model(model, lr=1e-3):
        model.compile(optimizer=keras.optimizers.Adam(lr), loss="mse")
    """

TRAIN_WITH_BUILDER = """\
    import numpy as np

    from models import build_model

    x = np.random.rand(100, 4).astype("float32")
    y = np.random.rand(100, 1).astype("float32")
    model = build_model(4)
    model.fit(x, y, epochs=3)
    """

TRAIN_WITH_COMPILING_HELPER = """\
    import numpy as np

    from models import build_model, compile_model

    model = build_model(4)
    compile_model(model, lr=3e-4)
    model.fit(np.random.rand(100, 4), np.random.rand(100, 1), epochs=3)
    """


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"models.py": BUILDER_UNCOMPILED, "train.py": TRAIN_WITH_BUILDER},
            [("train.py", 8)],
            id="builder-in-other-module-returns-uncompiled-model",
        ),
        pytest.param(
            {"models.py": BUILDER_COMPILED, "train.py": TRAIN_WITH_BUILDER},
            [],
            id="builder-in-other-module-returns-compiled-model",
        ),
        pytest.param(
            {"models.py": COMPILING_HELPER, "train.py": TRAIN_WITH_COMPILING_HELPER},
            [],
            id="helper-in-other-module-compiles-its-argument",
        ),
        pytest.param(
            {"models/__init__.py": BUILDER_UNCOMPILED, "train.py": TRAIN_WITH_BUILDER},
            [("train.py", 8)],
            id="builder-in-package-init-returns-uncompiled-model",
        ),
    ],
)
def test_builders_in_other_modules_of_the_tree(tree, files, expected) -> None:
    assert tree_findings(tree(files), CODE) == expected


NB_IMPORTS = "import numpy as np\nfrom tensorflow import keras"
NB_DATA = (
    'x = np.random.rand(200, 10).astype("float32")\ny = np.random.randint(0, 2, size=(200, 1))'
)
NB_MODEL = (
    "model = keras.Sequential([\n"
    "    keras.Input(shape=(10,)),\n"
    '    keras.layers.Dense(1, activation="sigmoid"),\n'
    "])"
)
NB_COMPILE = 'model.compile(optimizer="adam", loss="binary_crossentropy")'
NB_FIT = "history = model.fit(x, y, epochs=5, validation_split=0.2)\nmodel.evaluate(x, y)"


def test_notebook_fit_in_later_cell_without_compile(tmp_path: Path) -> None:
    cells = [
        new_markdown_cell("# Binary classifier"),
        new_code_cell(NB_IMPORTS),
        new_code_cell(NB_DATA),
        new_markdown_cell("## Model"),
        new_code_cell(NB_MODEL),
        new_markdown_cell("## Training"),
        new_code_cell(NB_FIT),
    ]
    # cells are counted among all cells (markdown included); lines inside the cell
    assert notebook_findings(tmp_path, cells) == [(7, 1), (7, 2)]


def test_notebook_compiled_in_earlier_cell(tmp_path: Path) -> None:
    cells = [
        new_markdown_cell("# Binary classifier"),
        new_code_cell(NB_IMPORTS),
        new_code_cell(NB_DATA),
        new_code_cell(NB_MODEL),
        new_code_cell(NB_COMPILE),
        new_markdown_cell("## Training"),
        new_code_cell(NB_FIT),
    ]
    assert notebook_findings(tmp_path, cells) == []


def test_notebook_compile_cell_after_fit_cell(tmp_path: Path) -> None:
    cells = [
        new_code_cell(NB_IMPORTS + "\n" + NB_DATA),
        new_code_cell(NB_MODEL),
        new_code_cell("model.summary()\n" + NB_FIT),
        new_code_cell(NB_COMPILE),
    ]
    # cells run top to bottom: the compile cell comes too late
    assert notebook_findings(tmp_path, cells) == [(3, 2), (3, 3)]


def test_function_run_on_its_own_sees_the_module_compile_state() -> None:
    # a notebook-style helper fitting the global model, which is compiled at the top level
    src = """\
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])


        def train(x, y):
            return model.fit(x, y, epochs=2)


        model.compile(optimizer="adam", loss="mse")
        """
    assert lines_of(src, CODE) == []


def test_function_run_on_its_own_reports_a_global_model_never_compiled() -> None:
    src = """\
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])


        def train(x, y):
            return model.fit(x, y, epochs=2)
        """
    assert lines_of(src, CODE) == [7]


def test_model_handed_to_an_unknown_helper_is_not_judged() -> None:
    src = """\
        from mylib.training import prepare  # not in the linted tree: may compile the model
        from tensorflow import keras

        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
        prepare(model, lr=1e-3)
        model.fit([[1.0, 2.0, 3.0]], [1.0])
        """
    assert lines_of(src, CODE) == []


def test_method_inherited_from_an_unknown_base_is_not_judged() -> None:
    src = """\
        import tensorflow as tf
        from mylib import Composable


        class Pretraining(Composable):
            def init_draw(self, x, y, lr=1e-3):
                self.model = tf.keras.models.clone_model(self.model)
                self.compile(optimizer=tf.keras.optimizers.Adam(lr))
                self.model.fit(x, y, epochs=3)
        """
    assert lines_of(src, CODE) == []


def test_model_from_either_branch_keeps_the_joined_compile_state() -> None:
    src = """\
        import os

        from tensorflow import keras

        if os.path.exists("m.keras"):
            model = keras.models.load_model("m.keras")
        else:
            model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.fit([[1.0, 2.0, 3.0, 4.0]], [1.0])
        """
    assert lines_of(src, CODE) == [9]


def test_builder_with_a_compile_flag_is_followed_with_its_default() -> None:
    src = """\
        from tensorflow import keras


        def get_model(compile_model=True):
            model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
            if compile_model:
                model.compile("sgd", "mse")
            return model


        get_model().fit([[1.0, 2.0, 3.0]], [1.0])
        get_model(compile_model=False).fit([[1.0, 2.0, 3.0]], [1.0])
        """
    assert lines_of(src, CODE) == [12]


def test_builder_reexported_by_a_package_init_is_followed(tree) -> None:
    root = tree(
        {
            "project/models/__init__.py": "from .builders import build_model\n",
            "project/models/builders.py": """\
                from tensorflow import keras
                from .layers import head


                def build_model():
                    return keras.Sequential([keras.Input(shape=(3,)), head()])
                """,
            "project/models/layers.py": """\
                from tensorflow import keras


                def head():
                    return keras.layers.Dense(1)
                """,
            "project/train.py": """\
                from models import build_model

                model = build_model()
                model.fit([[1.0, 2.0, 3.0]], [1.0])
                """,
        }
    )
    assert tree_findings(root, CODE) == [("project/train.py", 4)]
