"""KER503 eval-preprocessing-mismatch: the training inputs are scaled, the evaluation inputs
from the same source are not.

Reported at the ``evaluate``/``predict`` call or at the ``validation_data`` input.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import lines_of, tree_findings, write_tree
from keras_lint.engine import lint_paths

CODE = "KER503"


REPORTED = [
    pytest.param(
        """\
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        x_train = x_train / 255.0
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train, epochs=5)
        model.evaluate(x_test, y_test)
        """,
        [8],
        id="mnist-test-half-never-scaled",
    ),
    pytest.param(
        """\
        from tensorflow import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
        x_train = x_train.astype("float32") / 255
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train, validation_data=(x_test, y_test), epochs=5)
        """,
        [7],
        id="validation-data-unscaled",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        X = np.load("features.npy")
        y = np.load("labels.npy")
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
        scaler = StandardScaler()
        X_train = scaler.fit_transform(X_train)
        model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(X_train, y_train, epochs=10)
        preds = model.predict(X_test)
        """,
        [14],
        id="scaler-on-train-split-test-split-raw",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        data = np.load("signals.npy")
        labels = np.load("labels.npy")
        x_train, x_val = data[:800], data[800:]
        y_train, y_val = labels[:800], labels[800:]
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        x_train = (x_train - mean) / std
        model = keras.Sequential([keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x_train, y_train)
        model.evaluate(x_val, y_val)
        """,
        [13],
        id="standardised-head-slice-raw-tail-slice",
    ),
    pytest.param(
        """\
        import keras
        from keras.applications.resnet50 import ResNet50, preprocess_input

        (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
        x_train = preprocess_input(x_train)
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train)
        x_test = x_test / 255.0
        model.evaluate(x_test, y_test)
        """,
        [10],
        id="preprocess-input-on-train-divide-on-test",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from tensorflow.keras.preprocessing.image import ImageDataGenerator

        train_gen = ImageDataGenerator(rescale=1.0 / 255).flow_from_directory("data/train")
        val_gen = ImageDataGenerator().flow_from_directory("data/val")
        model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(2)])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(train_gen, validation_data=val_gen, epochs=5)
        """,
        [8],
        id="generators-over-sibling-folders",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        train_ds = tf.keras.utils.image_dataset_from_directory("d", subset="training",
                                                               validation_split=0.2, seed=1)
        val_ds = tf.keras.utils.image_dataset_from_directory("d", subset="validation",
                                                             validation_split=0.2, seed=1)
        train_ds = train_ds.map(lambda x, y: (x / 255.0, y))
        model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(5)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(train_ds, validation_data=val_ds, epochs=3)
        """,
        [10],
        id="tf-data-map-on-training-dataset-only",
    ),
    pytest.param(
        """\
        import keras

        def load():
            (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
            return (x_train / 255.0, y_train), (x_test, y_test)

        (xtr, ytr), (xte, yte) = load()
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(xtr, ytr)
        print(model.predict(xte[:10]))
        """,
        [11],
        id="helper-scales-only-the-training-half",
    ),
    pytest.param(
        """\
        import keras as k

        (a, b), (c, d) = k.datasets.mnist.load_data()
        a = a.reshape(-1, 784)
        a /= 255
        c = c.reshape(-1, 784)
        inputs = k.Input((784,))
        outputs = k.layers.Dense(10, activation="softmax")(inputs)
        model = k.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(a, b)
        loss, acc = model.evaluate(c, d)
        """,
        [12],
        id="functional-in-place-divide-on-train-only",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import MinMaxScaler

        X, y = np.load("x.npy"), np.load("y.npy")
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        X_train = MinMaxScaler().fit_transform(X_train)


        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.d = keras.layers.Dense(1, activation="sigmoid")

            def call(self, x):
                return self.d(x)


        net = Net()
        net.compile(optimizer="adam", loss="binary_crossentropy")
        net.fit(X_train, y_train, validation_data=(X_test, y_test))
        """,
        [22],
        id="subclassed-model-minmax-on-train-only",
    ),
    pytest.param(
        """\
        import argparse
        import keras

        def main(args):
            (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
            x_train = keras.utils.normalize(x_train, axis=1)
            model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            model.fit(x_train, y_train, epochs=args.epochs)
            model.evaluate(x_test, y_test)

        if __name__ == "__main__":
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=3)
            main(parser.parse_args())
        """,
        [10],
        id="argparse-keras-utils-normalize-train-only",
    ),
    pytest.param(
        """\
        import keras
        from keras.preprocessing.image import ImageDataGenerator

        gen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True)
        (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
        gen.fit(x_train)
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(gen.flow(x_train, y_train), epochs=3)
        model.evaluate(x_test, y_test)
        """,
        [10],
        id="featurewise-generator-for-training-raw-test",
    ),
]

SILENT = [
    pytest.param(
        """\
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        x_train, x_test = x_train / 255.0, x_test / 255.0
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train, validation_data=(x_test, y_test))
        model.evaluate(x_test, y_test)
        """,
        id="both-halves-scaled",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf
        from sklearn.model_selection import train_test_split

        X = np.load("x.npy") / 255.0
        y = np.load("y.npy")
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(X_train, y_train)
        model.evaluate(X_test, y_test)
        """,
        id="scaled-before-the-split",
    ),
    pytest.param(
        """\
        import keras
        from sklearn.preprocessing import StandardScaler
        from sklearn.model_selection import train_test_split
        import numpy as np

        X, y = np.load("x.npy"), np.load("y.npy")
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        model = keras.Sequential([keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(X_train, y_train)
        model.predict(X_test)
        """,
        id="scaler-applied-to-both-parts",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        model = keras.Sequential([keras.Input((28, 28)), layers.Rescaling(1 / 255),
                                  layers.Flatten(), layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train)
        model.evaluate(x_test, y_test)
        """,
        id="scaling-inside-the-model",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np
        from keras.utils import load_img, img_to_array

        (x_train, y_train), _ = keras.datasets.mnist.load_data()
        x_train = x_train / 255.0
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train)
        digit = img_to_array(load_img("my_digit.png", color_mode="grayscale"))
        model.predict(digit[None])
        """,
        id="a-users-own-image-is-another-source",
    ),
    pytest.param(
        """\
        import keras
        from helpers import prepare

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        x_train = x_train / 255.0
        x_test = prepare(x_test)
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train)
        model.evaluate(x_test, y_test)
        """,
        id="unresolved-helper-on-the-test-half",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from tensorflow.keras.preprocessing.image import ImageDataGenerator

        gen = ImageDataGenerator(rescale=1.0 / 255, validation_split=0.2)
        train = gen.flow_from_directory("data", subset="training")
        val = gen.flow_from_directory("data", subset="validation")
        model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(2)])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(train, validation_data=val)
        """,
        id="one-generator-for-both-subsets",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        def scale(x, y):
            return tf.cast(x, tf.float32) / 255.0, y

        train = tf.keras.utils.image_dataset_from_directory("d/train").map(scale)
        val = tf.keras.utils.image_dataset_from_directory("d/val").map(scale)
        model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(5)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(train, validation_data=val)
        """,
        id="same-map-function-on-both-datasets",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from pipeline import augment

        train = tf.keras.utils.image_dataset_from_directory("d/train")
        train = train.map(lambda x, y: (x / 255.0, y))
        val = tf.keras.utils.image_dataset_from_directory("d/val").map(augment)
        model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(5)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(train, validation_data=val)
        """,
        id="opaque-map-on-the-validation-dataset",
    ),
    pytest.param(
        """\
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train)
        model.evaluate(x_test, y_test)
        """,
        id="neither-scaled",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        import tensorflow_datasets as tfds

        (train, val), info = tfds.load("imdb_reviews", split=["train", "test"], with_info=True)
        n = info.splits["train"].num_examples
        train_batches = train.shuffle(n // 4).batch(512)
        val_batches = val.batch(512)
        model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(train_batches, validation_data=val_batches)
        """,
        id="a-shuffle-buffer-size-is-not-scaling",
    ),
    pytest.param(
        """\
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        x_train = x_train / 255.0
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train)
        model.evaluate(x_train, y_train)
        """,
        id="evaluated-on-the-scaled-training-data",
    ),
    pytest.param(
        """\
        import keras
        from keras.applications.mobilenet_v2 import preprocess_input

        (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
        x_train = preprocess_input(x_train)
        x_test = preprocess_input(x_test.astype("float32"))
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train)
        model.evaluate(x_test, y_test)
        """,
        id="preprocess-input-on-both",
    ),
]


@pytest.mark.parametrize(("src", "expected"), REPORTED)
def test_reports_evaluation_data_without_the_training_step(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", SILENT)
def test_silent_when_both_get_the_same_treatment(src: str) -> None:
    assert lines_of(src, CODE) == []


def test_message_names_both_values() -> None:
    from conftest import lint_snippet

    (finding,) = [
        f for f in lint_snippet(REPORTED[0].values[0], select=[CODE]) if f.code == CODE
    ]
    assert "`x_test`" in finding.message and "`x_train`" in finding.message
    assert "(line 7)" in finding.message


def test_split_in_a_helper_module(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "data.py": """\
                import keras

                def load():
                    return keras.datasets.mnist.load_data()
                """,
            "train.py": """\
                import keras
                from data import load

                (x_train, y_train), (x_test, y_test) = load()
                x_train = x_train / 255.0
                model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
                model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
                model.fit(x_train, y_train)
                model.evaluate(x_test, y_test)
                """,
        },
    )
    assert tree_findings(root, CODE) == [("train.py", 9)]


def test_notebook_flow_across_cells(tmp_path: Path) -> None:
    path = tmp_path / "eval.ipynb"
    cells = [
        "import keras\n(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()",
        "x_train = x_train / 255.0",
        "model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])\n"
        "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"
        "model.fit(x_train, y_train)",
        "model.evaluate(x_test, y_test)",
    ]
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]), path)
    found = [(f.cell, f.line) for f in lint_paths([tmp_path], select=[CODE]).findings]
    assert found == [(4, 1)]
