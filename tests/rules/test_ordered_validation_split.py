"""KER504 validation-split-on-ordered-data: ``validation_split`` takes the last rows of data
built class by class, so the validation set is the last class.

Reported at the ``fit`` call.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import lines_of, tree_findings, write_tree
from keras_lint.engine import lint_paths

CODE = "KER504"

REPORTED = [
    pytest.param(
        """\
        import numpy as np
        import keras

        a = np.random.normal(0, 1, (100, 2))
        b = np.random.normal(3, 1, (100, 2))
        x = np.concatenate([a, b])
        y = np.concatenate([np.zeros(100), np.ones(100)])
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, validation_split=0.2, epochs=10)
        """,
        [10],
        id="concatenated-blocks-of-labels",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras

        x = np.vstack([np.load("cats.npy"), np.load("dogs.npy"), np.load("birds.npy")])
        y = np.hstack([np.zeros(500), np.ones(500), np.full(500, 2)])
        model = keras.Sequential([keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, validation_split=0.1, shuffle=True)
        """,
        [8],
        id="vstack-hstack-fit-shuffle-does-not-help",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        y = np.repeat(np.arange(3), 200)
        x = np.random.rand(600, 4) + y[:, None]
        model = tf.keras.Sequential([tf.keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, y, validation_split=0.2)
        """,
        [8],
        id="repeat-of-arange",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        x = np.load("x.npy")
        y = np.array([0] * 300 + [1] * 300)
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, validation_split=0.25)
        """,
        [8],
        id="list-blocks-of-labels",
    ),
    pytest.param(
        """\
        import pandas as pd
        import keras

        df = pd.read_csv("samples.csv").sort_values("label")
        x = df.drop(columns=["label"]).values
        y = df["label"].values
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, validation_split=0.2)
        """,
        [9],
        id="frame-sorted-by-label",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        x, y = np.load("x.npy"), np.load("y.npy")
        order = np.argsort(y)
        x, y = x[order], y[order]
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, validation_split=0.2)
        """,
        [9],
        id="argsort-by-label",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        def make_data(n):
            pos = np.random.normal(1, 1, (n, 5))
            neg = np.random.normal(-1, 1, (n, 5))
            return np.concatenate([pos, neg]), np.concatenate([np.ones(n), np.zeros(n)])

        x, y = make_data(100)
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, validation_split=0.2)
        """,
        [12],
        id="built-in-a-helper-of-the-file",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras
        from keras.utils import to_categorical

        x = np.concatenate([np.random.rand(50, 3), np.random.rand(50, 3) + 1])
        y = to_categorical(np.concatenate([np.zeros(50), np.ones(50)]))
        inputs = keras.Input((3,))
        outputs = keras.layers.Dense(2, activation="softmax")(inputs)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        model.fit(x, y, validation_split=0.3)
        """,
        [11],
        id="functional-one-hot-labels",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras


        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.out = keras.layers.Dense(1, activation="sigmoid")

            def call(self, x):
                return self.out(x)


        x = np.concatenate([np.ones((10, 2)), -np.ones((10, 2))])
        y = np.concatenate([np.ones(10), np.zeros(10)])
        net = Net()
        net.compile(optimizer="sgd", loss="binary_crossentropy")
        net.fit(x, y, validation_split=0.5)
        """,
        [18],
        id="subclassed-model",
    ),
    pytest.param(
        """\
        import argparse
        import numpy as np
        import keras as ks

        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--val", type=float, default=0.2)
            args = parser.parse_args()
            x = np.concatenate([np.load("a.npy"), np.load("b.npy")])
            y = np.concatenate([np.zeros(1000), np.ones(1000)])
            model = ks.Sequential([ks.layers.Dense(1, activation="sigmoid")])
            model.compile(optimizer="adam", loss="binary_crossentropy")
            model.fit(x, y, validation_split=args.val)

        if __name__ == "__main__":
            main()
        """,
        [13],
        id="argparse-fraction",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        y = np.append(np.zeros(40), np.ones(40))
        x = np.random.rand(80, 2)
        x = x.astype("float32")
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, validation_split=0.2)
        """,
        [9],
        id="np-append-of-blocks",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        y = np.concatenate([np.full(30, 0), np.full(30, 1), np.full(30, 2)])
        x = np.random.rand(90, 2)
        model = keras.Sequential([keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x=x, y=y, validation_split=0.2)
        """,
        [8],
        id="keyword-arguments",
    ),
]

REPORTED += [
    pytest.param(
        """\
        import os
        import cv2
        import numpy as np
        import keras

        images, labels = [], []
        for label, folder in enumerate(["cats", "dogs"]):
            for name in os.listdir(folder):
                images.append(cv2.imread(os.path.join(folder, name)) / 255.0)
                labels.append(label)
        x, y = np.array(images), np.array(labels)
        model = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, validation_split=0.2)
        """,
        [14],
        id="appends-in-a-loop-labelled-by-enumerate",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        xs, ys = [], []
        for k in range(3):
            for _ in range(100):
                xs.append(np.random.normal(k, 1, 4))
                ys.append(k)
        model = keras.Sequential([keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(np.array(xs), np.array(ys), validation_split=0.2)
        """,
        [11],
        id="appends-in-a-loop-over-range-of-classes",
    ),
]

SILENT = [
    pytest.param(
        """\
        import numpy as np
        import keras

        x = np.concatenate([np.random.rand(100, 2), np.random.rand(100, 2) + 1])
        y = np.concatenate([np.zeros(100), np.ones(100)])
        p = np.random.permutation(len(x))
        x, y = x[p], y[p]
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, validation_split=0.2)
        """,
        id="permutation-indexing",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        x = np.concatenate([np.random.rand(100, 2), np.random.rand(100, 2) + 1])
        y = np.concatenate([np.zeros(100), np.ones(100)])
        idx = np.arange(len(x))
        np.random.shuffle(idx)
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x[idx], y[idx], validation_split=0.2)
        """,
        id="np-random-shuffle-of-indices",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras
        from sklearn.utils import shuffle

        x = np.concatenate([np.random.rand(100, 2), np.random.rand(100, 2) + 1])
        y = np.concatenate([np.zeros(100), np.ones(100)])
        x, y = shuffle(x, y, random_state=0)
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, validation_split=0.2)
        """,
        id="sklearn-utils-shuffle",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras
        from sklearn.model_selection import train_test_split

        x = np.concatenate([np.random.rand(100, 2), np.random.rand(100, 2) + 1])
        y = np.concatenate([np.zeros(100), np.ones(100)])
        x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2)
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x_train, y_train, validation_split=0.2)
        """,
        id="train-test-split-shuffles",
    ),
    pytest.param(
        """\
        import pandas as pd
        import keras

        df = pd.concat([pd.read_csv("a.csv").assign(label=0), pd.read_csv("b.csv").assign(label=1)])
        df = df.sample(frac=1, random_state=0)
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(df.drop(columns=["label"]).values, df["label"].values, validation_split=0.2)
        """,
        id="sample-frac-1",
    ),
    pytest.param(
        """\
        import random
        import numpy as np
        import keras

        pairs = list(zip(np.concatenate([np.zeros(50), np.ones(50)]), range(100)))
        random.shuffle(pairs)
        y = np.concatenate([np.zeros(50), np.ones(50)])
        rng = np.random.default_rng(0)
        order = rng.permutation(100)
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(np.random.rand(100, 2)[order], y[order], validation_split=0.2)
        """,
        id="generator-permutation",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        series = np.load("prices.npy")
        windows, targets = [], []
        for t in range(30, len(series)):
            windows.append(series[t - 30:t])
            targets.append(series[t])
        x, y = np.array(windows), np.array(targets)
        model = keras.Sequential([keras.layers.LSTM(16), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, validation_split=0.2)
        """,
        id="time-ordered-windows",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        x = np.concatenate([np.random.rand(100, 2), np.random.rand(100, 2) + 1])
        y = np.concatenate([np.zeros(100), np.ones(100)])
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, epochs=10)
        """,
        id="no-validation-split",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras
        from data_tools import mix

        x = np.concatenate([np.random.rand(100, 2), np.random.rand(100, 2) + 1])
        y = np.concatenate([np.zeros(100), np.ones(100)])
        x, y = mix(x, y)
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, validation_split=0.2)
        """,
        id="unresolved-helper-may-shuffle",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        x = np.concatenate([np.load("train_a.npy"), np.load("train_b.npy")])
        y = np.concatenate([np.load("labels_a.npy"), np.load("labels_b.npy")])
        model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, validation_split=0.2)
        """,
        id="concatenated-files-not-class-blocks",
    ),
    pytest.param(
        """\
        import pandas as pd
        import keras

        df = pd.read_csv("sensor.csv").sort_values("timestamp")
        model = keras.Sequential([keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(df[["a", "b"]].values, df["target_value"].values, validation_split=0.2)
        """,
        id="sorted-by-time",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        x = np.concatenate([np.random.rand(100, 2), np.random.rand(100, 2) + 1])
        y = np.concatenate([np.zeros(100), np.ones(100)])
        model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, validation_split=0.0)
        """,
        id="zero-validation-split",
    ),
]


@pytest.mark.parametrize(("src", "expected"), REPORTED)
def test_reports_validation_split_of_class_ordered_data(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", SILENT)
def test_silent_when_shuffled_or_not_class_ordered(src: str) -> None:
    assert lines_of(src, CODE) == []


def test_message_says_where_the_order_comes_from() -> None:
    from conftest import lint_snippet

    (finding,) = [
        f for f in lint_snippet(REPORTED[0].values[0], select=[CODE]) if f.code == CODE
    ]
    assert "`x`" in finding.message or "`y`" in finding.message
    assert "(line 7)" in finding.message
    assert "np.random.permutation" in finding.message


def test_data_built_in_another_module(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "data.py": """\
                import numpy as np

                def blobs(n):
                    x = np.concatenate([np.random.rand(n, 2), np.random.rand(n, 2) + 1])
                    return x, np.concatenate([np.zeros(n), np.ones(n)])
                """,
            "train.py": """\
                import keras
                from data import blobs

                x, y = blobs(100)
                model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
                model.compile(optimizer="adam", loss="binary_crossentropy")
                model.fit(x, y, validation_split=0.2)
                """,
        },
    )
    assert tree_findings(root, CODE) == [("train.py", 7)]


def test_notebook_shuffle_in_a_later_cell_counts(tmp_path: Path) -> None:
    cells = [
        "import numpy as np\nimport keras\n"
        "x = np.concatenate([np.random.rand(9, 2), np.random.rand(9, 2)])\n"
        "y = np.concatenate([np.zeros(9), np.ones(9)])",
        "p = np.random.permutation(18)\nx, y = x[p], y[p]",
        "model = keras.Sequential([keras.layers.Dense(1, activation='sigmoid')])\n"
        "model.compile(optimizer='adam', loss='binary_crossentropy')\n"
        "model.fit(x, y, validation_split=0.2)",
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]), path)
    assert lint_paths([tmp_path], select=[CODE]).findings == []
    cells.pop(1)
    nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]), path)
    found = [(f.cell, f.line) for f in lint_paths([tmp_path], select=[CODE]).findings]
    assert found == [(2, 3)]
