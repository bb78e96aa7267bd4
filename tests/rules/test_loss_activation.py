"""KER201 loss-activation-mismatch: the final activation and the loss must agree.

Each snippet is linted as ``train.py``; the finding belongs on the line of the ``compile`` call.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lines_of, lint_snippet, tree_findings, write_notebook
from keras_lint.engine import lint_paths

CODE = "KER201"

MISMATCHES = [
    pytest.param(
        """\
        import tensorflow as tf

        model = tf.keras.Sequential([
            tf.keras.Input(shape=(20,)),
            tf.keras.layers.Dense(64, activation="relu"),
            tf.keras.layers.Dense(3, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        """,
        [8],
        id="softmax-with-binary-crossentropy-string",
    ),
    pytest.param(
        """\
        from tensorflow import keras

        model = keras.Sequential()
        model.add(keras.Input(shape=(32,)))
        model.add(keras.layers.Dense(128, activation="relu"))
        model.add(keras.layers.Dense(10, activation="sigmoid"))
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        """,
        [7],
        id="sigmoid-add-chain-with-categorical-crossentropy",
    ),
    pytest.param(
        """\
        from tensorflow.keras import Sequential
        from tensorflow.keras.layers import Dense

        model = Sequential([
            Dense(16, activation="relu", input_shape=(8,)),
            Dense(1, activation="sigmoid"),
        ])
        # the loss is the second positional argument of compile
        model.compile("adam", "sparse_categorical_crossentropy")
        """,
        [9],
        id="single-unit-sigmoid-with-sparse-categorical-positional-loss",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        model = tf.keras.Sequential([
            tf.keras.layers.Dense(64, activation="relu", input_shape=(12,)),
            tf.keras.layers.Dense(5, activation="sigmoid"),
        ])
        model.compile(optimizer="sgd", loss=tf.keras.losses.SparseCategoricalCrossentropy())
        """,
        [7],
        id="multi-unit-sigmoid-with-sparse-categorical-loss-class",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input(shape=(10,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(1, activation="softmax"),
        ])
        # softmax over a single unit always outputs 1.0, whatever the loss
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        """,
        [10],
        id="dense-1-softmax-with-sparse-categorical",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input(shape=(10,)),
            layers.Dense(1, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy())
        """,
        [8],
        id="dense-1-softmax-with-categorical-loss-class",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        model = tf.keras.Sequential([
            tf.keras.Input(shape=(784,)),
            tf.keras.layers.Dense(128, activation="relu"),
            tf.keras.layers.Dense(10, activation="softmax"),
        ])
        model.compile(
            optimizer="adam",
            loss=tf.keras.losses.CategoricalCrossentropy(from_logits=True),
        )
        """,
        [8],
        id="softmax-with-from-logits-true",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input(shape=(30,)),
            layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
        """,
        [8],
        id="sigmoid-with-from-logits-true",
    ),
    pytest.param(
        """\
        from tensorflow import keras
        from tensorflow.keras import layers

        inputs = keras.Input(shape=(784,))
        x = layers.Dense(256, activation="relu")(inputs)
        outputs = layers.Dense(10)(x)
        model = keras.Model(inputs=inputs, outputs=outputs)
        model.compile(
            optimizer="adam",
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        """,
        [8],
        id="functional-linear-output-with-sparse-categorical-string",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input(shape=(16,)),
            layers.Dense(1, activation=None),
        ])
        # BinaryCrossentropy() defaults to from_logits=False: it expects probabilities
        model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy())
        """,
        [9],
        id="activation-none-with-default-binary-loss-class",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        model = tf.keras.Sequential([
            tf.keras.Input(shape=(64,)),
            tf.keras.layers.Dense(4, activation="linear"),
        ])
        model.compile(
            optimizer="adam",
            loss=tf.keras.losses.CategoricalCrossentropy(from_logits=False),
        )
        """,
        [7],
        id="linear-activation-with-explicit-from-logits-false",
    ),
    pytest.param(
        """\
        from tensorflow.keras.layers import Activation, Dense
        from tensorflow.keras.models import Sequential

        model = Sequential()
        model.add(Dense(64, activation="relu", input_shape=(20,)))
        model.add(Dense(10))
        model.add(Activation("softmax"))
        model.compile(optimizer="rmsprop", loss="binary_crossentropy")
        """,
        [8],
        id="separate-softmax-activation-layer-with-binary-crossentropy",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input(shape=(20,)),
            layers.Dense(10),
            layers.Softmax(),
        ])
        model.compile(
            optimizer="adam",
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        """,
        [9],
        id="softmax-layer-after-dense-with-from-logits-true",
    ),
    pytest.param(
        """\
        from tensorflow.keras.layers import Activation, Dense
        from tensorflow.keras.models import Sequential

        model = Sequential([Dense(64, activation="relu", input_shape=(20,)), Dense(4)])
        model.add(Activation("sigmoid"))
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        """,
        [6],
        id="sigmoid-activation-added-after-sequential-list",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input(shape=(40,)),
            layers.Dense(6, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss=keras.losses.binary_crossentropy)
        """,
        [8],
        id="softmax-with-binary-crossentropy-function",
    ),
    pytest.param(
        """\
        from tensorflow import keras
        from tensorflow.keras import layers

        inputs = keras.Input(shape=(100,))
        x = layers.Dense(32, activation="relu")(inputs)
        logits = layers.Dense(8)(x)
        model = keras.Model(inputs=inputs, outputs=logits)
        model.compile(optimizer="adam", loss=keras.losses.sparse_categorical_crossentropy)
        """,
        [8],
        id="linear-output-with-sparse-categorical-function",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        model = tf.keras.Sequential([
            tf.keras.Input(shape=(12,)),
            tf.keras.layers.Dense(3, activation=tf.nn.softmax),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        """,
        [7],
        id="tf-nn-softmax-object-with-binary-crossentropy",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input(shape=(12,)),
            layers.Dense(3, activation=keras.activations.sigmoid),
        ])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        """,
        [8],
        id="keras-activations-sigmoid-object-with-categorical",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers as L

        model = keras.Sequential([
            keras.Input(shape=(28, 28)),
            L.Flatten(),
            L.Dense(5, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy())
        """,
        [9],
        id="layers-module-alias-softmax-with-binary-loss-class",
    ),
    pytest.param(
        """\
        from tensorflow import keras as tfk
        from tensorflow.keras.layers import Dense as FC

        model = tfk.Sequential([tfk.Input(shape=(8,)), FC(2, activation="sigmoid")])
        model.compile(optimizer="adam", loss=tfk.losses.CategoricalCrossentropy())
        """,
        [5],
        id="aliased-keras-and-dense-sigmoid-with-categorical",
    ),
    pytest.param(
        """\
        from tensorflow import keras
        from tensorflow.keras import layers

        inputs = keras.Input(shape=(64,))
        x = layers.Dense(64, activation="relu")(inputs)
        x = layers.Dense(10)(x)
        outputs = layers.Activation("softmax")(x)
        model = keras.Model(inputs, outputs)
        model.compile(
            optimizer="adam",
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        """,
        [9],
        id="functional-activation-layer-softmax-with-from-logits-true",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers


        def build_model(num_classes):
            model = keras.Sequential([
                keras.Input(shape=(32,)),
                layers.Dense(64, activation="relu"),
                layers.Dense(num_classes, activation="softmax"),
            ])
            return model


        model = build_model(10)
        model.compile(optimizer="adam", loss="binary_crossentropy")
        """,
        [15],
        id="helper-in-same-file-softmax-with-binary-crossentropy",
    ),
    pytest.param(
        """\
        from tensorflow import keras
        from tensorflow.keras import layers

        inputs = keras.Input(shape=(128,))
        x = layers.Dense(64, activation="relu")(inputs)
        age = layers.Dense(1, name="age")(x)
        smoker = layers.Dense(1, activation="sigmoid", name="smoker")(x)
        model = keras.Model(inputs=inputs, outputs=[age, smoker])
        # the second output is a sigmoid: categorical crossentropy does not fit it
        model.compile(optimizer="adam", loss=["mse", "categorical_crossentropy"])
        """,
        [10],
        id="multi-output-list-losses-one-mismatched",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        inputs = keras.Input(shape=(300,))
        x = layers.Dense(128, activation="relu")(inputs)
        is_spam = layers.Dense(1, activation="sigmoid", name="is_spam")(x)
        topic = layers.Dense(5, activation="softmax", name="topic")(x)
        model = keras.Model(inputs=inputs, outputs=[is_spam, topic])
        model.compile(
            optimizer="adam",
            loss={"is_spam": "binary_crossentropy", "topic": "binary_crossentropy"},
        )
        """,
        [9],
        id="multi-output-dict-losses-softmax-output-with-binary",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        model = tf.keras.Sequential([
            tf.keras.Input(shape=(20,)),
            tf.keras.layers.Dense(10, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        """,
        [7],
        id="compiled-twice-only-first-compile-mismatched",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        classifier = keras.Sequential([
            keras.Input(shape=(16,)),
            layers.Dense(3, activation="softmax"),
        ])
        regressor = keras.Sequential([keras.Input(shape=(16,)), layers.Dense(1)])
        classifier.compile(optimizer="adam", loss="categorical_crossentropy")
        regressor.compile(optimizer="adam", loss="binary_crossentropy")
        """,
        [10],
        id="two-models-only-mismatched-one-reported",
    ),
    pytest.param(
        """\
        from tensorflow.keras.layers import Dense
        from tensorflow.keras.losses import BinaryCrossentropy
        from tensorflow.keras.models import Sequential

        model = Sequential([
            Dense(32, activation="relu", input_shape=(10,)),
            Dense(2, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss=BinaryCrossentropy())
        """,
        [9],
        id="softmax-with-directly-imported-binary-loss-class",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers


        class Classifier(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = layers.Dense(64, activation="relu")
                self.out = layers.Dense(10)

            def call(self, x):
                # the linear Dense is followed by an explicit softmax: the output is a softmax
                return keras.ops.softmax(self.out(self.hidden(x)))


        model = Classifier()
        model.compile(optimizer="adam", loss="binary_crossentropy")
        """,
        [17],
        id="subclassed-model-softmax-in-call-with-binary-crossentropy",
    ),
]

CONSISTENT_OR_UNKNOWN = [
    pytest.param(
        """\
        import tensorflow as tf

        model = tf.keras.Sequential([
            tf.keras.Input(shape=(20,)),
            tf.keras.layers.Dense(64, activation="relu"),
            tf.keras.layers.Dense(3, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        """,
        id="softmax-with-categorical-crossentropy",
    ),
    pytest.param(
        """\
        from tensorflow import keras

        model = keras.Sequential()
        model.add(keras.Input(shape=(784,)))
        model.add(keras.layers.Dense(128, activation="relu"))
        model.add(keras.layers.Dense(10, activation="softmax"))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        """,
        id="softmax-add-chain-with-sparse-categorical",
    ),
    pytest.param(
        """\
        from tensorflow.keras import Sequential
        from tensorflow.keras.layers import Dense

        model = Sequential([
            Dense(16, activation="relu", input_shape=(8,)),
            Dense(1, activation="sigmoid"),
        ])
        model.compile("adam", "binary_crossentropy")
        """,
        id="single-unit-sigmoid-with-binary-positional-loss",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        # multi-label: one independent sigmoid per tag
        model = keras.Sequential([
            keras.Input(shape=(512,)),
            layers.Dense(20, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy())
        """,
        id="multi-label-sigmoid-with-binary-loss-class",
    ),
    pytest.param(
        """\
        from tensorflow import keras
        from tensorflow.keras import layers

        inputs = keras.Input(shape=(784,))
        x = layers.Dense(256, activation="relu")(inputs)
        outputs = layers.Dense(10)(x)
        model = keras.Model(inputs=inputs, outputs=outputs)
        model.compile(
            optimizer="adam",
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        """,
        id="functional-linear-output-with-from-logits-true",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        model = tf.keras.Sequential([
            tf.keras.Input(shape=(16,)),
            tf.keras.layers.Dense(1, activation=None),
        ])
        model.compile(optimizer="adam", loss=tf.keras.losses.BinaryCrossentropy(from_logits=True))
        """,
        id="activation-none-with-binary-from-logits-true",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input(shape=(13,)),
            layers.Dense(64, activation="relu"),
            layers.Dense(1),
        ])
        model.compile(optimizer="adam", loss="mse", metrics=["mae"])
        """,
        id="regression-linear-output-with-mse",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers as L

        model = keras.Sequential([keras.Input(shape=(6,)), L.Dense(1, activation="linear")])
        model.compile(optimizer="adam", loss="mean_squared_error")
        """,
        id="linear-activation-with-mean-squared-error",
    ),
    pytest.param(
        """\
        from tensorflow.keras import Sequential
        from tensorflow.keras.layers import Dense

        model = Sequential([Dense(32, activation="relu", input_shape=(4,)), Dense(2)])
        model.compile(optimizer="adam", loss="mae")
        """,
        id="linear-output-with-mae",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        model = tf.keras.Sequential([
            tf.keras.Input(shape=(8,)),
            tf.keras.layers.Dense(1),
        ])
        model.compile(optimizer="adam", loss=tf.keras.losses.Huber(delta=1.0))
        """,
        id="linear-output-with-huber",
    ),
    pytest.param(
        """\
        from tensorflow.keras.layers import Activation, Dense
        from tensorflow.keras.models import Sequential

        model = Sequential()
        model.add(Dense(64, activation="relu", input_shape=(20,)))
        # the Dense itself is linear; the Activation layer makes the output a softmax
        model.add(Dense(10))
        model.add(Activation("softmax"))
        model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
        """,
        id="separate-softmax-activation-layer-with-categorical",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input(shape=(20,)),
            layers.Dense(10, activation="relu"),
            layers.Softmax(),
        ])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        """,
        id="softmax-layer-after-relu-dense-with-sparse-categorical",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([
            keras.Input(shape=(12,)),
            keras.layers.Dense(3, activation=tf.nn.softmax),
        ])
        model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy())
        """,
        id="tf-nn-softmax-object-with-categorical-loss-class",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        model = keras.Sequential([
            keras.Input(shape=(12,)),
            layers.Dense(1, activation=keras.activations.sigmoid),
        ])
        model.compile(optimizer="adam", loss=keras.losses.binary_crossentropy)
        """,
        id="keras-activations-sigmoid-object-with-binary-function",
    ),
    pytest.param(
        """\
        import json

        import keras
        from keras import layers

        with open("config.json") as f:
            config = json.load(f)

        model = keras.Sequential([
            keras.Input(shape=(12,)),
            layers.Dense(3, activation=config["head_activation"]),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        """,
        id="activation-from-config-is-unknown",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from tensorflow import keras


        def tempered_softmax(x):
            return tf.nn.softmax(x / 2.0)


        model = keras.Sequential([
            keras.Input(shape=(12,)),
            keras.layers.Dense(3, activation=tempered_softmax),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        """,
        id="custom-activation-function-is-unknown",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from tensorflow import keras


        def focal_loss(y_true, y_pred):
            ce = tf.nn.sigmoid_cross_entropy_with_logits(labels=y_true, logits=y_pred)
            return tf.reduce_mean(ce * (1.0 - tf.exp(-ce)) ** 2)


        model = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss=focal_loss)
        """,
        id="custom-loss-function-is-unknown",
    ),
    pytest.param(
        """\
        import argparse

        import keras
        from keras import layers

        parser = argparse.ArgumentParser()
        parser.add_argument("--loss", default="binary_crossentropy")
        args = parser.parse_args()

        model = keras.Sequential([
            keras.Input(shape=(10,)),
            layers.Dense(4, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss=args.loss)
        """,
        id="loss-from-command-line-is-unknown",
    ),
    pytest.param(
        """\
        def compile_for_training(model, learning_rate=1e-3):
            import keras

            model.compile(
                optimizer=keras.optimizers.Adam(learning_rate),
                loss="binary_crossentropy",
            )
            return model
        """,
        id="model-from-parameter-is-unknown",
    ),
    pytest.param(
        """\
        from model_zoo import build_model

        model = build_model("resnet18")
        model.compile(optimizer="adam", loss="binary_crossentropy")
        """,
        id="model-from-unresolved-import-is-unknown",
    ),
    pytest.param(
        """\
        import keras

        model = keras.models.load_model("checkpoints/best.keras")
        model.compile(optimizer="adam", loss="binary_crossentropy")
        """,
        id="loaded-model-final-layer-is-unknown",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from tensorflow import keras
        from tensorflow.keras import layers


        class ClassHead(layers.Layer):
            def __init__(self, units):
                super().__init__()
                self.dense = layers.Dense(units)

            def call(self, x):
                return tf.nn.softmax(self.dense(x))


        model = keras.Sequential([
            keras.Input(shape=(32,)),
            layers.Dense(64, activation="relu"),
            ClassHead(10),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        """,
        id="custom-last-layer-is-unknown",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers


        def sharpen(logits):
            return keras.ops.exp(logits) ** 2


        class Scorer(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = layers.Dense(64, activation="relu")
                self.out = layers.Dense(10)

            def call(self, x):
                return sharpen(self.out(self.hidden(x)))


        model = Scorer()
        model.compile(optimizer="adam", loss="binary_crossentropy")
        """,
        id="subclassed-model-with-custom-output-transform-is-unknown",
    ),
    pytest.param(
        """\
        from tensorflow import keras
        from tensorflow.keras import layers

        inputs = keras.Input(shape=(128,))
        x = layers.Dense(64, activation="relu")(inputs)
        age = layers.Dense(1, name="age")(x)
        smoker = layers.Dense(1, activation="sigmoid", name="smoker")(x)
        model = keras.Model(inputs=inputs, outputs=[age, smoker])
        model.compile(optimizer="adam", loss=["mse", "binary_crossentropy"])
        """,
        id="multi-output-list-losses-each-matched",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        inputs = keras.Input(shape=(300,))
        x = layers.Dense(128, activation="relu")(inputs)
        is_spam = layers.Dense(1, activation="sigmoid", name="is_spam")(x)
        topic = layers.Dense(5, activation="softmax", name="topic")(x)
        model = keras.Model(inputs=inputs, outputs=[is_spam, topic])
        model.compile(
            optimizer="adam",
            loss={
                "is_spam": keras.losses.BinaryCrossentropy(),
                "topic": "sparse_categorical_crossentropy",
            },
        )
        """,
        id="multi-output-dict-losses-each-matched",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        inputs = keras.Input(shape=(64,))
        x = layers.Dense(64, activation="relu")(inputs)
        digit = layers.Dense(10, activation="softmax", name="digit")(x)
        letter = layers.Dense(26, activation="softmax", name="letter")(x)
        model = keras.Model(inputs=inputs, outputs=[digit, letter])
        # one loss for every output
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        """,
        id="multi-output-single-loss-fits-all-outputs",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers


        def build_model(num_classes):
            model = keras.Sequential([
                keras.Input(shape=(32,)),
                layers.Dense(64, activation="relu"),
                layers.Dense(num_classes, activation="softmax"),
            ])
            return model


        model = build_model(10)
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        """,
        id="helper-in-same-file-softmax-with-categorical",
    ),
    pytest.param(
        """\
        import keras
        from keras.losses import SparseCategoricalCrossentropy

        inputs = keras.Input(shape=(32, 32, 3))
        x = keras.layers.Flatten()(inputs)
        logits = keras.layers.Dense(10)(x)
        model = keras.Model(inputs, logits)
        model.compile(optimizer="adam", loss=SparseCategoricalCrossentropy(from_logits=True))
        """,
        id="logits-with-directly-imported-loss-class-from-logits-true",
    ),
]


@pytest.mark.parametrize(("src", "expected"), MISMATCHES)
def test_mismatch_is_reported_at_the_compile_call(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", CONSISTENT_OR_UNKNOWN)
def test_consistent_or_unknown_pair_is_silent(src: str) -> None:
    assert lines_of(src, CODE) == []


def test_finding_carries_the_rule_name() -> None:
    src = """\
    import keras
    from keras import layers

    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    """
    findings = [f for f in lint_snippet(src, select=[CODE]) if f.code == CODE]
    assert [(f.line, f.name) for f in findings] == [(5, "loss-activation-mismatch")]


MODELS_SIGMOID_HEAD = """\
import keras
from keras import layers


def build_model(num_classes):
    return keras.Sequential([
        keras.Input(shape=(32,)),
        layers.Dense(64, activation="relu"),
        layers.Dense(num_classes, activation="sigmoid"),
    ])
"""


def test_model_built_in_another_module_of_the_tree_is_checked(tree) -> None:
    root = tree(
        {
            "models.py": MODELS_SIGMOID_HEAD,
            "train.py": """\
            from models import build_model

            model = build_model(10)
            model.compile(optimizer="adam", loss="categorical_crossentropy")
            """,
        }
    )
    assert tree_findings(root, CODE) == [("train.py", 4)]


def test_model_built_in_another_module_with_matching_loss_is_silent(tree) -> None:
    root = tree(
        {
            "models.py": MODELS_SIGMOID_HEAD,
            "train.py": """\
            from models import build_model

            model = build_model(10)
            model.compile(optimizer="adam", loss="binary_crossentropy")
            """,
        }
    )
    assert tree_findings(root, CODE) == []


def test_functional_model_from_a_package_of_the_tree_is_checked(tree) -> None:
    root = tree(
        {
            "nets/__init__.py": "",
            "nets/classifier.py": """\
            from tensorflow import keras
            from tensorflow.keras import layers


            def build_model():
                inputs = keras.Input(shape=(784,))
                x = layers.Dense(128, activation="relu")(inputs)
                outputs = layers.Dense(10)(x)
                return keras.Model(inputs=inputs, outputs=outputs)
            """,
            "train.py": """\
            import tensorflow as tf

            from nets.classifier import build_model

            model = build_model()
            # the helper's output is linear: a probability loss needs from_logits=True
            model.compile(
                optimizer="adam",
                loss=tf.keras.losses.SparseCategoricalCrossentropy(),
            )
            """,
        }
    )
    assert tree_findings(root, CODE) == [("train.py", 7)]


def test_activation_given_positionally_to_dense_is_read() -> None:
    src = """\
        from tensorflow import keras
        from tensorflow.keras import layers

        inputs = keras.Input(shape=(16,))
        outputs = layers.Dense(3, "softmax")(inputs)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        binary = keras.Model(inputs, layers.Dense(3, "softmax")(inputs))
        binary.compile(optimizer="adam", loss="binary_crossentropy")
        """
    assert lines_of(src, CODE) == [9]



def test_custom_layer_upstream_does_not_hide_the_output_layer() -> None:
    src = """\
        from tensorflow.keras import Input, Model, layers


        class Normalize(layers.Layer):
            def call(self, inputs):
                return inputs / 255.0


        inputs = Input((28, 28))
        x = Normalize()(inputs)
        outputs = layers.Dense(10, activation="sigmoid")(layers.Flatten()(x))
        model = Model(inputs, outputs)
        model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
        """
    assert lines_of(src, CODE) == [13]


def test_keras_1_model_keywords_input_and_output() -> None:
    src = """\
        from keras.layers import Dense, Input
        from keras.models import Model

        inp = Input(shape=(8,))
        out = Dense(17, activation="softmax")(inp)
        model = Model(input=inp, output=out)
        model.compile(optimizer="adam", loss="binary_crossentropy")
        """
    assert lines_of(src, CODE) == [7]


# A softmax over one unit, applied by a separate layer after ``Dense(1)``: wrong with any loss.
ONE_UNIT_SOFTMAX_LAYER = [
    pytest.param(
        """\
        from keras.layers import Activation, Dense
        from keras.models import Sequential

        model = Sequential()
        model.add(Dense(32, input_dim=8, activation="relu"))
        model.add(Dense(1))
        model.add(Activation("softmax"))
        model.compile(loss="mean_squared_error", optimizer="adam")
        """,
        [8],
        id="add-chain-dense-1-then-activation-softmax",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        model = tf.keras.Sequential([
            tf.keras.layers.Dense(16, activation="relu", input_shape=(4,)),
            tf.keras.layers.Dense(1),
            tf.keras.layers.Dropout(0.2),
            tf.keras.layers.Softmax(),
        ])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        """,
        [9],
        id="sequential-list-dense-1-dropout-softmax-layer",
    ),
    pytest.param(
        """\
        from tensorflow.keras import Input, Model
        from tensorflow.keras.layers import Activation, Dense

        inputs = Input(shape=(10,))
        x = Dense(1)(inputs)
        outputs = Activation("softmax")(x)
        model = Model(inputs, outputs)
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        """,
        [8],
        id="functional-dense-1-then-activation-softmax",
    ),
    pytest.param(
        """\
        import keras as K
        import tensorflow as tf

        model = K.Sequential([K.Input((6,)), K.layers.Dense(1), K.layers.Activation(tf.nn.softmax)])
        model.compile(optimizer="adam", loss="mse")
        """,
        [5],
        id="alias-dense-1-then-activation-tf-nn-softmax",
    ),
]

ONE_UNIT_SOFTMAX_LOOK_ALIKES = [
    pytest.param(
        """\
        from keras.layers import Activation, Dense
        from keras.models import Sequential

        model = Sequential()
        model.add(Dense(32, input_dim=8, activation="relu"))
        model.add(Dense(1))
        model.add(Activation("sigmoid"))
        model.compile(loss="binary_crossentropy", optimizer="adam")
        """,
        id="dense-1-then-activation-sigmoid",
    ),
    pytest.param(
        """\
        from keras.layers import Activation, Dense
        from keras.models import Sequential

        model = Sequential([
            Dense(1, input_dim=8),
            Activation("softmax"),
            Dense(3),
            Activation("softmax"),
        ])
        model.compile(loss="categorical_crossentropy", optimizer="adam")
        """,
        id="one-unit-softmax-of-an-inner-layer-is-not-the-output",
    ),
    pytest.param(
        """\
        from tensorflow.keras import Input, Model
        from tensorflow.keras.layers import Activation, Dense, Flatten

        # attention weights: one score per step, softmax over the steps
        inputs = Input(shape=(20, 8))
        scores = Flatten()(Dense(1)(inputs))
        weights = Activation("softmax")(scores)
        model = Model(inputs, weights)
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        """,
        id="softmax-over-flattened-one-unit-scores",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        model = tf.keras.Sequential([
            tf.keras.Input((20, 8)),
            tf.keras.layers.Dense(1),
            tf.keras.layers.Softmax(axis=1),
        ])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        """,
        id="softmax-layer-over-another-axis",
    ),
]


@pytest.mark.parametrize(("src", "expected"), ONE_UNIT_SOFTMAX_LAYER)
def test_one_unit_softmax_from_a_separate_layer_is_reported(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", ONE_UNIT_SOFTMAX_LOOK_ALIKES)
def test_one_unit_softmax_look_alike_is_silent(src: str) -> None:
    assert lines_of(src, CODE) == []


# A model used as a layer gives its own output activation.
NESTED_MODELS = [
    pytest.param(
        """\
        import tensorflow as tf

        preprocess = tf.keras.Sequential([tf.keras.layers.Rescaling(1.0 / 255)])
        classifier = tf.keras.Sequential([
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(10, activation="softmax"),
        ])
        model = tf.keras.Sequential([preprocess, classifier])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        """,
        [9],
        id="sequential-of-models-last-one-softmax",
    ),
    pytest.param(
        """\
        from keras import Input, Model, Sequential
        from keras.layers import Dense

        head = Sequential([Dense(64, activation="relu"), Dense(5, activation="sigmoid")])
        inputs = Input(shape=(32,))
        outputs = head(inputs)
        model = Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        """,
        [8],
        id="functional-output-is-an-inner-model",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        base = tf.keras.Sequential([tf.keras.Input((8,)), tf.keras.layers.Dense(4)])
        model = tf.keras.Sequential()
        model.add(base)
        model.add(tf.keras.layers.Dense(1))
        model.add(tf.keras.layers.Activation("softmax"))
        model.compile(optimizer="adam", loss="mse")
        """,
        [8],
        id="add-chain-after-inner-model-one-unit-softmax",
    ),
]

NESTED_MODEL_LOOK_ALIKES = [
    pytest.param(
        """\
        import tensorflow as tf

        logits = tf.keras.Sequential([tf.keras.Input((8,)), tf.keras.layers.Dense(10)])
        model = tf.keras.Sequential([logits, tf.keras.layers.Softmax()])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        """,
        id="inner-linear-model-followed-by-softmax-layer",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        backbone = tf.keras.Sequential([
            tf.keras.Input((8,)),
            tf.keras.layers.Dense(10, activation="softmax"),
        ])
        inputs = tf.keras.Input((8,))
        x = backbone(inputs)
        outputs = tf.keras.layers.Dense(1, activation="sigmoid")(x)
        model = tf.keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="binary_crossentropy")
        """,
        id="inner-softmax-model-followed-by-sigmoid-head",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        base = tf.keras.applications.MobileNetV2(include_top=False)
        model = tf.keras.Sequential([base, tf.keras.layers.GlobalAveragePooling2D()])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        """,
        id="last-layer-unknown-after-application",
    ),
]


@pytest.mark.parametrize(("src", "expected"), NESTED_MODELS)
def test_model_used_as_a_layer_gives_its_output_activation(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", NESTED_MODEL_LOOK_ALIKES)
def test_nested_model_look_alike_is_silent(src: str) -> None:
    assert lines_of(src, CODE) == []


# Names a star import brought in, and Keras names a notebook uses without their import cell.
UNBOUND_KERAS_NAMES = [
    pytest.param(
        """\
        from keras.layers import *
        from keras.models import *

        model = Sequential()
        model.add(Dense(12, input_dim=8, activation="relu"))
        model.add(Dense(1))
        model.add(Activation("softmax"))
        model.compile(loss="mse", optimizer="adam")
        """,
        [8],
        id="keras-star-imports",
    ),
    pytest.param(
        """\
        from sklearn.metrics import *
        from tensorflow.keras.layers import *
        from tensorflow.keras.models import Sequential

        model = Sequential([Dense(10, input_shape=(4,), activation="sigmoid")])
        model.compile(loss="categorical_crossentropy", optimizer="adam")
        """,
        [6],
        id="tf-keras-star-import-after-a-scikit-learn-one",
    ),
    pytest.param(
        """\
        import numpy as np

        # the cell that imported Sequential and Dense is missing
        model = Sequential()
        model.add(Dense(12, input_dim=8, activation="relu"))
        model.add(Dense(3, activation="softmax"))
        model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
        """,
        [7],
        id="imports-missing",
    ),
    pytest.param(
        """\
        from keras.models import Sequential

        def build():
            model = Sequential([Dense(8, input_shape=(4,)), Dropout(0.5), Dense(1)])
            model.add(Activation("softmax"))
            return model

        model = build()
        model.compile(optimizer="adam", loss="binary_crossentropy")
        """,
        [9],
        id="layer-imports-missing-helper",
    ),
]

UNBOUND_LOOK_ALIKES = [
    pytest.param(
        """\
        from mylayers import *

        model = Sequential()
        model.add(Dense(3, input_dim=8, activation="softmax"))
        model.compile(loss="binary_crossentropy", optimizer="adam")
        """,
        id="star-import-from-another-library",
    ),
    pytest.param(
        """\
        from tensorflow.keras.models import Sequential


        class Dense:
            def __init__(self, units, activation=None, input_dim=None):
                self.units = units


        model = Sequential()
        model.add(Dense(3, input_dim=8, activation="softmax"))
        model.compile(loss="binary_crossentropy", optimizer="adam")
        """,
        id="user-defined-dense-class",
    ),
    pytest.param(
        """\
        model = Sequential()
        model.add(Dense(3, input_dim=8, activation="softmax"))
        model.compile(loss="binary_crossentropy", optimizer="adam")
        Dense = None
        """,
        id="name-assigned-elsewhere-in-the-module",
    ),
    pytest.param(
        """\
        def build(Dense):
            return Sequential([Dense(3, activation="softmax")])


        model = Sequential()
        model.add(Dense(3, input_dim=8, activation="softmax"))
        model.compile("adam", "binary_crossentropy")
        """,
        id="parameter-of-that-name-and-no-compile-keyword",
    ),
]


@pytest.mark.parametrize(("src", "expected"), UNBOUND_KERAS_NAMES)
def test_unbound_keras_names_are_resolved(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", UNBOUND_LOOK_ALIKES)
def test_unbound_names_that_may_not_be_keras_stay_unknown(src: str) -> None:
    assert lines_of(src, CODE) == []


def test_notebook_without_its_import_cell(tmp_path: Path) -> None:
    write_notebook(
        tmp_path / "train.ipynb",
        "import numpy as np\nX = np.random.rand(100, 8)",
        "model = Sequential()\n"
        "model.add(Dense(12, input_dim=8, activation='relu'))\n"
        "model.add(Dense(1, activation='softmax'))",
        "model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])",
    )
    result = lint_paths([tmp_path], select=[CODE])
    assert [(f.cell, f.line) for f in result.findings] == [(3, 1)]


def test_star_import_of_a_module_of_the_tree_brings_its_keras_names(tree) -> None:
    root = tree(
        {
            "common.py": """\
            from tensorflow.keras.layers import *
            from tensorflow.keras.models import *
            """,
            "train.py": """\
            from common import *

            model = Sequential([Dense(10, activation="sigmoid")])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            """,
        }
    )
    assert tree_findings(root, CODE) == [("train.py", 4)]


OTHER_SPELLINGS = [
    pytest.param(
        """\
        from keras.layers import Dense
        from keras.models import Sequential

        model = Sequential()
        model.add(Dense(input_dim=4, output_dim=1, activation="softmax"))
        model.compile(loss="mse", optimizer="sgd")
        """,
        [6],
        id="keras-1-output-dim-one-unit-softmax",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((8,)), tf.keras.layers.Dense(4, "softmax")])
        model.compile(optimizer="adam", loss="BinaryCrossentropy")
        """,
        [4],
        id="loss-given-as-a-class-name",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        inputs = tf.keras.Input((8,))
        outputs = tf.nn.softmax(tf.keras.layers.Dense(1)(inputs))
        model = tf.keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        """,
        [6],
        id="tf-nn-softmax-function-over-one-unit",
    ),
    pytest.param(
        """\
        from keras.layers import Dense
        from keras.models import Sequential
        from keras.objectives import categorical_crossentropy

        model = Sequential([Dense(5, input_dim=3, activation="sigmoid")])
        model.compile(loss=categorical_crossentropy, optimizer="sgd")
        """,
        [6],
        id="keras-1-objectives-module",
    ),
]


@pytest.mark.parametrize(("src", "expected"), OTHER_SPELLINGS)
def test_other_spellings_are_read(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


def test_softmax_function_over_another_axis_is_silent() -> None:
    src = """\
        import tensorflow as tf

        inputs = tf.keras.Input((20, 8))
        outputs = tf.nn.softmax(tf.keras.layers.Dense(1)(inputs), axis=1)
        model = tf.keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        """
    assert lines_of(src, CODE) == []


def test_linear_activation_layer_after_softmax_keeps_the_probabilities() -> None:
    # the mixed-precision idiom: a float32 identity after the softmax
    src = """\
        from tensorflow import keras
        from tensorflow.keras import layers

        inputs = keras.Input(shape=(784,))
        x = layers.Dense(10)(inputs)
        x = layers.Activation("softmax", dtype="float32")(x)
        outputs = layers.Activation("linear", dtype="float32")(x)
        model = keras.Model(inputs=inputs, outputs=outputs)
        model.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop")
        """
    assert lines_of(src, CODE) == []
