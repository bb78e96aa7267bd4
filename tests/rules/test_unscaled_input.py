"""KER502 unscaled-input: raw-range values reach ``fit`` with no scaling step and no scaling layer.

Reported at the ``fit`` call; silent when anything on the path or the model's first layers
scales, and when the data or the model passes something the analysis cannot see into.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import lines_of, tree_findings, write_tree
from keras_lint.engine import lint_paths

CODE = "KER502"

REPORTED = [
    pytest.param(
        """\
        import keras
        from keras import layers

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        model = keras.Sequential([
            keras.Input(shape=(28, 28)),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train, epochs=5)
        """,
        [11],
        id="mnist-load-data-sequential",
    ),
    pytest.param(
        """\
        from tensorflow import keras

        (x_train, y_train), _ = keras.datasets.cifar10.load_data()
        x_train = x_train.astype("float32")
        inputs = keras.Input(shape=(32, 32, 3))
        h = keras.layers.Conv2D(16, 3, activation="relu")(inputs)
        h = keras.layers.Flatten()(h)
        outputs = keras.layers.Dense(10, activation="softmax")(h)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train, epochs=3)
        """,
        [11],
        id="cifar10-functional-astype-only",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        (xtr, ytr), (xte, yte) = tf.keras.datasets.fashion_mnist.load_data()
        xtr = xtr.reshape(-1, 28, 28, 1)
        model = tf.keras.models.Sequential()
        model.add(tf.keras.layers.Conv2D(8, 3, activation="relu", input_shape=(28, 28, 1)))
        model.add(tf.keras.layers.Flatten())
        model.add(tf.keras.layers.Dense(10, activation="softmax"))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(xtr, ytr, epochs=3)
        """,
        [10],
        id="fashion-mnist-add-chain-reshape",
    ),
    pytest.param(
        """\
        import keras as K
        from keras.datasets import boston_housing

        (x_train, y_train), (x_test, y_test) = boston_housing.load_data()
        model = K.Sequential([K.layers.Dense(64, activation="relu"), K.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(x_train, y_train, epochs=100)
        """,
        [7],
        id="boston-housing-alias",
    ),
    pytest.param(
        """\
        import numpy as np
        import cv2
        import keras
        from keras import layers

        def load(paths):
            images = []
            for path in paths:
                image = cv2.imread(path)
                images.append(cv2.resize(image, (64, 64)))
            return np.array(images)

        x = load(["a.png", "b.png"])
        y = np.array([0, 1])
        model = keras.Sequential([layers.Conv2D(8, 3, activation="relu"), layers.Flatten(),
                                  layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, epochs=2)
        """,
        [18],
        id="cv2-imread-in-a-helper-loop",
    ),
    pytest.param(
        """\
        import numpy as np
        from PIL import Image
        import keras

        x = np.array([np.asarray(Image.open(p).resize((32, 32))) for p in ["a.jpg", "b.jpg"]])
        y = np.array([0, 1])
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(2)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y)
        """,
        [9],
        id="pil-image-open-comprehension",
    ),
    pytest.param(
        """\
        import keras
        from keras.preprocessing.image import ImageDataGenerator

        gen = ImageDataGenerator(horizontal_flip=True)
        train = gen.flow_from_directory("data/train", target_size=(64, 64))
        model = keras.Sequential([keras.layers.Conv2D(8, 3), keras.layers.Flatten(),
                                  keras.layers.Dense(2, activation="softmax")])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(train, epochs=5)
        """,
        [9],
        id="image-data-generator-without-rescale",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        train_ds = tf.keras.utils.image_dataset_from_directory("flowers", subset="training",
                                                               validation_split=0.2, seed=1)
        train_ds = train_ds.map(lambda x, y: (tf.cast(x, tf.float32), y)).prefetch(2)
        model = tf.keras.Sequential([
            tf.keras.layers.Conv2D(16, 3, activation="relu"),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(5),
        ])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(train_ds, epochs=3)
        """,
        [12],
        id="image-dataset-from-directory-map-only-casts",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers
        from keras.utils import load_img, img_to_array
        import numpy as np

        x = np.stack([img_to_array(load_img(f, target_size=(64, 64))) for f in ["a", "b"]])
        y = np.array([0, 1])
        model = keras.Sequential([layers.RandomFlip(), layers.Conv2D(4, 3), layers.Flatten(),
                                  layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y)
        """,
        [11],
        id="load-img-augmentation-layer-is-not-scaling",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        (x_train, y_train), _ = keras.datasets.mnist.load_data()
        norm = layers.Normalization()
        model = keras.Sequential([keras.Input((28, 28)), norm, layers.Flatten(), layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train)
        """,
        [8],
        id="normalization-never-adapted-is-identity",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers
        from sklearn.model_selection import train_test_split

        (x, y), _ = keras.datasets.mnist.load_data()
        x_train, x_val, y_train, y_val = train_test_split(x, y, test_size=0.1)


        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.flat = layers.Flatten()
                self.out = layers.Dense(10, activation="softmax")

            def call(self, inputs):
                return self.out(self.flat(inputs))


        model = Net()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train, validation_data=(x_val, y_val))
        """,
        [21],
        id="subclassed-model-after-train-test-split",
    ),
    pytest.param(
        """\
        import argparse
        import keras

        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=5)
            args = parser.parse_args()
            (x_train, y_train), _ = keras.datasets.cifar100.load_data()
            model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(100)])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            model.fit(x_train[:5000], y_train[:5000], epochs=args.epochs)

        if __name__ == "__main__":
            main()
        """,
        [11],
        id="argparse-script-cifar100-head-slice",
    ),
]

SILENT = [
    pytest.param(
        """\
        import keras

        def prepare(images):
            return images.astype("float32") / 255.0

        (x_train, y_train), _ = keras.datasets.mnist.load_data()
        x_train = prepare(x_train)
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train)
        """,
        id="divided-by-255-in-a-helper",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        (x_train, y_train), _ = keras.datasets.cifar10.load_data()
        model = keras.Sequential([keras.Input((32, 32, 3)), layers.RandomFlip(),
                                  layers.Rescaling(1.0 / 255), layers.Flatten(), layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train)
        """,
        id="rescaling-first-layer-after-augmentation",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        (x_train, y_train), _ = keras.datasets.mnist.load_data()
        norm = layers.Normalization()
        norm.adapt(x_train)
        model = keras.Sequential([keras.Input((28, 28)), norm, layers.Flatten(), layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train)
        """,
        id="adapted-normalization-first",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from tensorflow.keras.applications.resnet50 import preprocess_input

        (x, y), _ = tf.keras.datasets.cifar10.load_data()
        x = preprocess_input(x)
        model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y)
        """,
        id="preprocess-input-on-the-data",
    ),
    pytest.param(
        """\
        import keras
        from keras.applications import mobilenet_v2

        (x, y), _ = keras.datasets.cifar10.load_data()
        inputs = keras.Input((32, 32, 3))
        h = mobilenet_v2.preprocess_input(inputs)
        h = keras.layers.Conv2D(8, 3)(h)
        outputs = keras.layers.Dense(10)(keras.layers.Flatten()(h))
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y)
        """,
        id="preprocess-input-inside-the-functional-model",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers

        (x_train, y_train), _ = keras.datasets.imdb.load_data(num_words=10000)
        x_train = keras.utils.pad_sequences(x_train, maxlen=200)
        model = keras.Sequential([layers.Embedding(10000, 16), layers.GlobalAveragePooling1D(),
                                  layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x_train, y_train)
        """,
        id="imdb-token-ids",
    ),
    pytest.param(
        """\
        from tensorflow import keras

        (x_train, y_train), _ = keras.datasets.reuters.load_data()
        model = keras.Sequential([keras.layers.Dense(46, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train)
        """,
        id="reuters-token-ids",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from keras.preprocessing.image import ImageDataGenerator

        gen = ImageDataGenerator(rescale=1.0 / 255, horizontal_flip=True)
        train = gen.flow_from_directory("data/train")
        model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(2)])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(train, epochs=5)
        """,
        id="image-data-generator-with-rescale",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from tensorflow.keras import layers

        ds = tf.keras.utils.image_dataset_from_directory("flowers")
        rescale = layers.Rescaling(1.0 / 255)
        ds = ds.map(lambda x, y: (rescale(x), y))
        model = tf.keras.Sequential([layers.Conv2D(8, 3), layers.Flatten(), layers.Dense(5)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(ds, epochs=3)
        """,
        id="dataset-map-with-a-rescaling-layer",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from augment import preprocess

        ds = tf.keras.utils.image_dataset_from_directory("flowers")
        ds = ds.map(preprocess)
        model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(5)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(ds, epochs=3)
        """,
        id="opaque-map-function",
    ),
    pytest.param(
        """\
        import keras
        from mytools import standardize

        (x_train, y_train), _ = keras.datasets.mnist.load_data()
        x_train = standardize(x_train)
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train)
        """,
        id="unresolved-helper",
    ),
    pytest.param(
        """\
        import keras
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        (x_train, y_train), _ = keras.datasets.boston_housing.load_data()
        scaler = StandardScaler().fit(x_train)
        x_train = scaler.transform(x_train)
        model = keras.Sequential([keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x_train, y_train)
        """,
        id="sklearn-scaler-transform",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        (x_train, y_train), _ = keras.datasets.boston_housing.load_data()
        mean, std = x_train.mean(axis=0), x_train.std(axis=0)
        x_train -= mean
        x_train /= std
        model = keras.Sequential([keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x_train, y_train)
        """,
        id="in-place-standardisation",
    ),
    pytest.param(
        """\
        import keras
        import pandas as pd

        df = pd.read_csv("houses.csv")
        model = keras.Sequential([keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(df.drop(columns=["price"]).values, df["price"].values)
        """,
        id="tabular-file-has-no-static-range",
    ),
    pytest.param(
        """\
        import keras

        (x_train, y_train), _ = keras.datasets.mnist.load_data()
        model = keras.Sequential([keras.Input((28, 28)), keras.layers.BatchNormalization(),
                                  keras.layers.Flatten(), keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x_train, y_train)
        """,
        id="batch-normalization-first",
    ),
    pytest.param(
        """\
        import keras

        (x_train, y_train), _ = keras.datasets.mnist.load_data()
        model = keras.models.load_model("pretrained.keras")
        model.fit(x_train, y_train)
        """,
        id="loaded-model-may-scale-itself",
    ),
]


@pytest.mark.parametrize(("src", "expected"), REPORTED)
def test_reports_raw_range_inputs_reaching_fit(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", SILENT)
def test_silent_when_scaled_or_unknown(src: str) -> None:
    assert lines_of(src, CODE) == []


def test_message_names_the_value_and_its_source_line() -> None:
    from conftest import lint_snippet

    src = REPORTED[0].values[0]
    (finding,) = [f for f in lint_snippet(src, select=[CODE]) if f.code == CODE]
    assert "`x_train`" in finding.message
    assert "`mnist.load_data()` (line 4)" in finding.message
    assert "x / 255.0" in finding.message
    assert finding.severity == "error" if hasattr(finding, "severity") else True


def test_data_loaded_by_a_helper_of_another_module(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "data.py": """\
                import keras

                def load():
                    (x, y), _ = keras.datasets.mnist.load_data()
                    return x, y
                """,
            "train.py": """\
                import keras
                from data import load

                x, y = load()
                model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
                model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
                model.fit(x, y)
                """,
        },
    )
    assert tree_findings(root, CODE) == [("train.py", 7)]


def test_data_scaled_by_a_helper_of_another_module_is_silent(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "data.py": """\
                import keras

                def load():
                    (x, y), _ = keras.datasets.mnist.load_data()
                    return x / 255.0, y
                """,
            "train.py": """\
                import keras
                from data import load

                x, y = load()
                model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])
                model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
                model.fit(x, y)
                """,
        },
    )
    assert tree_findings(root, CODE) == []


def _notebook(root: Path, cells: list[str]) -> list[tuple[int | None, int]]:
    path = root / "train.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]), path)
    result = lint_paths([root], select=[CODE])
    return [(f.cell, f.line) for f in result.findings if f.code == CODE]


def test_notebook_flow_across_cells(tmp_path: Path) -> None:
    cells = [
        "import keras\n(x_train, y_train), _ = keras.datasets.mnist.load_data()",
        "model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])\n"
        "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')",
        "model.fit(x_train, y_train, epochs=1)",
    ]
    assert _notebook(tmp_path, cells) == [(3, 1)]


def test_notebook_scaled_in_a_later_cell_is_silent(tmp_path: Path) -> None:
    cells = [
        "import keras\n(x_train, y_train), _ = keras.datasets.mnist.load_data()",
        "x_train = x_train / 255.0",
        "model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(10)])\n"
        "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"
        "model.fit(x_train, y_train, epochs=1)",
    ]
    assert _notebook(tmp_path, cells) == []
