"""KER604 model-reused-across-folds: one model object is trained on every fold.

Every snippet marks the lines where the finding is expected with ``# expect``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import lines_of, lint_snippet, tree_findings
from keras_lint.engine import lint_paths

CODE = "KER604"


def expected_lines(src: str) -> list[int]:
    return [n for n, line in enumerate(textwrap.dedent(src).splitlines(), 1) if "# expect" in line]


#: indented like the snippets it starts, which are dedented as a whole
BUILDER = """\
        import keras
        import numpy as np
        from sklearn.model_selection import KFold, StratifiedKFold, TimeSeriesSplit

        def build_model():
            model = keras.Sequential(
                [keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1, "sigmoid")]
            )
            model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
            return model

        X, y = np.load("X.npy"), np.load("y.npy")
"""

REPORTED = [
    pytest.param(
        BUILDER
        + """\
        model = build_model()
        for train, test in KFold(n_splits=5).split(X):
            model.fit(X[train], y[train], epochs=10)  # expect
            print(model.evaluate(X[test], y[test]))
        """,
        id="kfold-model-built-before-the-loop",
    ),
    pytest.param(
        BUILDER
        + """\
        skf = StratifiedKFold(n_splits=10, shuffle=True, random_state=0)
        model = build_model()
        for fold, (tr, va) in enumerate(skf.split(X, y)):
            model.fit(X[tr], y[tr], validation_data=(X[va], y[va]), epochs=5)  # expect
        """,
        id="stratified-kfold-through-enumerate",
    ),
    pytest.param(
        BUILDER
        + """\
        model = build_model()
        for train, test in KFold(5).split(X):
            model.compile(optimizer="adam", loss="binary_crossentropy")
            keras.backend.clear_session()
            model.fit(X[train], y[train])  # expect
        """,
        id="compile-and-clear-session-do-not-reset",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf
        from sklearn.model_selection import GroupKFold

        inputs = tf.keras.Input(shape=(8,))
        outputs = tf.keras.layers.Dense(1)(tf.keras.layers.Dense(8, activation="relu")(inputs))
        model = tf.keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="mse")
        X, y, groups = np.load("X.npy"), np.load("y.npy"), np.load("g.npy")
        for train_idx, val_idx in GroupKFold(n_splits=4).split(X, y, groups):
            model.fit(X[train_idx], y[train_idx])  # expect
        """,
        id="functional-group-kfold",
    ),
    pytest.param(
        """\
        from tensorflow import keras
        from sklearn.model_selection import ShuffleSplit
        import pandas as pd

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.out = keras.layers.Dense(1)

            def call(self, x):
                return self.out(x)

        df = pd.read_csv("d.csv")
        X, y = df.drop(columns="t").values, df["t"].values
        net = Net()
        net.compile(optimizer="adam", loss="mse")
        for tr, te in ShuffleSplit(n_splits=5, test_size=0.2).split(X):
            net.fit(X[tr], y[tr], epochs=3)  # expect
        """,
        id="subclassed-model-shuffle-split",
    ),
    pytest.param(
        BUILDER
        + """\
        from sklearn.utils import resample

        model = build_model()
        scores = []
        for i in range(100):
            X_b, y_b = resample(X, y)
            model.fit(X_b, y_b, epochs=2)  # expect
        """,
        id="bootstrap-with-resample",
    ),
    pytest.param(
        BUILDER
        + """\
        model = build_model()
        for i in range(50):
            idx = np.random.choice(len(X), len(X))
            model.fit(X[idx], y[idx])  # expect
        """,
        id="bootstrap-with-numpy-choice",
    ),
    pytest.param(
        BUILDER
        + """\
        kf = KFold(n_splits=5)
        folds = list(kf.split(X))
        model = build_model()
        for train, test in folds:
            history = model.fit(X[train], y[train], epochs=3)  # expect
        """,
        id="folds-listed-first",
    ),
    pytest.param(
        BUILDER
        + """\
        from tqdm import tqdm

        model = build_model()
        for train, test in tqdm(KFold(5).split(X)):
            model.fit(X[train], y[train])  # expect
        """,
        id="progress-bar-over-the-folds",
    ),
    pytest.param(
        """\
        import argparse
        import numpy as np
        import tensorflow as tf
        from sklearn.model_selection import RepeatedStratifiedKFold

        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=5)
            args = parser.parse_args()
            X, y = np.load("X.npy"), np.load("y.npy")
            model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation="sigmoid")])
            model.compile(optimizer="adam", loss="binary_crossentropy")
            cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=2)
            for train, test in cv.split(X, y):
                model.fit(X[train], y[train], epochs=args.epochs)  # expect

        if __name__ == "__main__":
            main()
        """,
        id="argparse-script-repeated-stratified",
    ),
    pytest.param(
        BUILDER
        + """\
        def train_fold(model, x, t):
            model.fit(x, t, epochs=3)  # expect

        model = build_model()
        for train, test in KFold(5).split(X):
            train_fold(model, X[train], y[train])
        """,
        id="fit-in-a-helper-of-the-file",
    ),
    pytest.param(
        BUILDER
        + """\
        import tensorflow as tf

        model = build_model()
        for train, test in KFold(5).split(X):
            train_ds = tf.data.Dataset.from_tensor_slices((X[train], y[train])).batch(32)
            model.fit(train_ds, epochs=3)  # expect
        """,
        id="tf-data-built-per-fold",
    ),
]

SILENT = [
    pytest.param(
        BUILDER
        + """\
        for train, test in KFold(n_splits=5).split(X):
            model = build_model()
            model.fit(X[train], y[train], epochs=10)
        """,
        id="rebuilt-per-fold",
    ),
    pytest.param(
        BUILDER
        + """\
        base = build_model()
        for train, test in KFold(5).split(X):
            model = keras.models.clone_model(base)
            model.compile(optimizer="adam", loss="binary_crossentropy")
            model.fit(X[train], y[train])
        """,
        id="clone-model-and-compile-per-fold",
    ),
    pytest.param(
        BUILDER
        + """\
        model = build_model()
        initial_weights = model.get_weights()
        for train, test in KFold(5).split(X):
            model.set_weights(initial_weights)
            model.fit(X[train], y[train])
        """,
        id="set-weights-of-saved-initial-weights",
    ),
    pytest.param(
        BUILDER
        + """\
        model = build_model()
        model.save_weights("init.weights.h5")
        for train, test in KFold(5).split(X):
            model.fit(X[train], y[train])
            model.load_weights("init.weights.h5")
        """,
        id="load-weights-at-the-end-of-each-fold",
    ),
    pytest.param(
        BUILDER
        + """\
        model = build_model()
        for train, test in TimeSeriesSplit(n_splits=5).split(X):
            model.fit(X[train], y[train])
        """,
        id="time-series-split",
    ),
    pytest.param(
        BUILDER
        + """\
        from sklearn.ensemble import RandomForestClassifier

        clf = RandomForestClassifier()
        for train, test in KFold(5).split(X):
            clf.fit(X[train], y[train])
        """,
        id="sklearn-estimator",
    ),
    pytest.param(
        BUILDER
        + """\
        from scikeras.wrappers import KerasClassifier

        clf = KerasClassifier(model=build_model, epochs=5)
        for train, test in KFold(5).split(X):
            clf.fit(X[train], y[train])
        """,
        id="scikeras-wrapper",
    ),
    pytest.param(
        BUILDER
        + """\
        model = build_model()
        for epoch in range(10):
            model.fit(X, y, epochs=1)
        """,
        id="epoch-loop-is-not-a-fold-loop",
    ),
    pytest.param(
        BUILDER
        + """\
        for train, test in KFold(5).split(X):
            model = build_model()
            for epoch in range(10):
                model.fit(X[train], y[train], epochs=1)
        """,
        id="epoch-loop-inside-a-fold-with-a-new-model",
    ),
    pytest.param(
        BUILDER
        + """\
        model = build_model()
        for train, test in KFold(5).split(X):
            model.fit(X[train], y[train])
            print(model.evaluate(X[test], y[test]))
            model = build_model()
        """,
        id="rebuilt-at-the-end-of-each-fold",
    ),
    pytest.param(
        BUILDER
        + """\
        from sklearn.model_selection import StratifiedShuffleSplit

        model = build_model()
        for train, test in StratifiedShuffleSplit(n_splits=1, test_size=0.2).split(X, y):
            X_train, y_train = X[train], y[train]
        model.fit(X_train, y_train)
        """,
        id="single-split-fit-after-the-loop",
    ),
    pytest.param(
        BUILDER
        + """\
        model = build_model()
        for i in range(10):
            idx = np.random.choice(len(X), len(X), replace=False)
            model.fit(X[idx], y[idx], epochs=1)
        """,
        id="reshuffled-epochs-without-replacement",
    ),
    pytest.param(
        BUILDER
        + """\
        from sklearn.model_selection import cross_val_score
        from scikeras.wrappers import KerasClassifier

        print(cross_val_score(KerasClassifier(model=build_model), X, y, cv=5))
        """,
        id="cross-val-score-of-a-wrapper",
    ),
]


@pytest.mark.parametrize("src", REPORTED)
def test_one_model_trained_on_every_fold_is_reported(src: str) -> None:
    assert lines_of(src, CODE) == expected_lines(src)


@pytest.mark.parametrize("src", SILENT)
def test_look_alikes_are_silent(src: str) -> None:
    assert lines_of(src, CODE) == []


def test_builder_in_another_module_of_the_tree(tmp_path: Path) -> None:
    files = {
        "models.py": """\
            import keras

            def make():
                net = keras.Sequential([keras.layers.Dense(1)])
                net.compile(optimizer="adam", loss="mse")
                return net
            """,
        "cv.py": """\
            import numpy as np
            from sklearn.model_selection import KFold
            from models import make

            X, y = np.load("X.npy"), np.load("y.npy")
            net = make()
            for tr, te in KFold(5).split(X):
                net.fit(X[tr], y[tr])
            """,
        "cv_ok.py": """\
            import numpy as np
            from sklearn.model_selection import KFold
            from models import make

            X, y = np.load("X.npy"), np.load("y.npy")
            for tr, te in KFold(5).split(X):
                net = make()
                net.fit(X[tr], y[tr])
            """,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    assert tree_findings(tmp_path, CODE) == [("cv.py", 8)]


def test_notebook_across_cells(tmp_path: Path) -> None:
    cells = [
        new_code_cell(
            "import keras\nimport numpy as np\nfrom sklearn.model_selection import KFold"
        ),
        new_code_cell(
            "model = keras.Sequential([keras.layers.Dense(1)])\n"
            "model.compile(optimizer='adam', loss='mse')"
        ),
        new_code_cell("X, y = np.load('X.npy'), np.load('y.npy')"),
        new_code_cell("for train, test in KFold(5).split(X):\n    model.fit(X[train], y[train])\n"),
    ]
    nbformat.write(new_notebook(cells=cells), str(tmp_path / "cv.ipynb"))
    result = lint_paths([tmp_path], select=[CODE])
    assert [(f.cell, f.line) for f in result.findings] == [(4, 2)]


def test_message_names_the_model_its_line_the_folds_and_the_remedy() -> None:
    (finding,) = lint_snippet(REPORTED[0].values[0], select=[CODE])
    assert finding.message.startswith("`model` (created at line 6, before the loop)")
    assert "every fold of `KFold.split` (line 14)" in finding.message
    assert "build a new model" in finding.message
