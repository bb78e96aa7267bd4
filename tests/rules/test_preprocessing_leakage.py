"""KER501 preprocessing-fit-on-full-data: a scaler learns statistics from future test data.

Reported at the scaler's ``fit``/``fit_transform`` or the ``Normalization`` layer's ``adapt`` call
when the fitted data is split afterwards, passed to ``fit(..., validation_split=...)``, or is a
concatenation that includes test data.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import lines_of
from keras_lint.engine import lint_paths

CODE = "KER501"

REPORTED = [
    pytest.param(
        """\
        import pandas as pd
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        df = pd.read_csv("data/credit.csv")
        X = df.drop(columns=["default"]).to_numpy()
        y = df["default"].to_numpy()

        X_scaled = StandardScaler().fit_transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X_scaled, y, test_size=0.2)
        clf = LogisticRegression().fit(X_train, y_train)
        print(clf.score(X_test, y_test))
        """,
        [10],
        id="standard-scaler-fit-transform-then-train-test-split",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        X = np.load("features.npy")
        y = np.load("labels.npy")

        scaler = StandardScaler()
        scaler.fit(X)
        # the raw data is split after the scaler saw all of it
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        X_train = scaler.transform(X_train)
        X_test = scaler.transform(X_test)
        """,
        [9],
        id="fit-on-full-data-then-raw-data-split",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        X = np.load("features.npy")
        y = np.load("labels.npy")

        scaler = StandardScaler().fit(X)
        X_train, X_test, y_train, y_test = train_test_split(
            scaler.transform(X), y, test_size=0.25, stratify=y
        )
        """,
        [8],
        id="split-of-the-transformed-data",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        X = np.load("features.npy")
        y = np.load("labels.npy")

        X = StandardScaler().fit_transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
        """,
        [8],
        id="scaled-data-rebound-to-the-same-name",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.preprocessing import MinMaxScaler

        data = np.loadtxt("sensor.csv", delimiter=",")
        X, y = data[:, :-1], data[:, -1]

        X_scaled = MinMaxScaler(feature_range=(0, 1)).fit_transform(X)
        X_train, X_test = X_scaled[:800], X_scaled[800:]
        y_train, y_test = y[:800], y[800:]
        """,
        [7],
        id="min-max-scaler-then-slicing-into-train-and-test",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.linear_model import Ridge
        from sklearn.model_selection import KFold
        from sklearn.preprocessing import RobustScaler

        X = np.load("X.npy")
        y = np.load("y.npy")

        X_scaled = RobustScaler().fit_transform(X)
        scores = []
        for train_idx, test_idx in KFold(n_splits=5, shuffle=True, random_state=0).split(X_scaled):
            model = Ridge().fit(X_scaled[train_idx], y[train_idx])
            scores.append(model.score(X_scaled[test_idx], y[test_idx]))
        """,
        [9],
        id="robust-scaler-then-kfold-indices",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import StratifiedKFold
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC

        X = np.load("X.npy")
        y = np.load("y.npy")

        scaler = StandardScaler()
        X = scaler.fit_transform(X)
        skf = StratifiedKFold(n_splits=5)
        for train_idx, test_idx in skf.split(X, y):
            clf = SVC().fit(X[train_idx], y[train_idx])
            print(clf.score(X[test_idx], y[test_idx]))
        """,
        [10],
        id="stratified-kfold-indices",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf
        from sklearn.preprocessing import MaxAbsScaler

        X = np.load("X.npy")
        y = np.load("y.npy")
        X_scaled = MaxAbsScaler().fit_transform(X)

        model = tf.keras.Sequential([
            tf.keras.layers.Input(shape=(X.shape[1],)),
            tf.keras.layers.Dense(32, activation="relu"),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(X_scaled, y, epochs=10, validation_split=0.2)
        """,
        [7],
        id="max-abs-scaler-then-keras-validation-split",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.preprocessing import QuantileTransformer

        X_train = np.load("train_X.npy")
        X_test = np.load("test_X.npy")

        qt = QuantileTransformer(output_distribution="normal")
        qt.fit(np.concatenate([X_train, X_test]))
        X_train_t = qt.transform(X_train)
        X_test_t = qt.transform(X_test)
        """,
        [8],
        id="quantile-transformer-fit-on-concatenation-with-test",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        X = np.load("X.npy")
        y = np.load("y.npy")
        X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2)
        X_test = np.load("holdout_X.npy")

        scaler = StandardScaler()
        scaler.fit(np.concatenate((X_train, X_val, X_test), axis=0))
        """,
        [11],
        id="fit-on-concatenated-tuple-of-splits",
    ),
    pytest.param(
        """\
        import pandas as pd
        from sklearn.preprocessing import PowerTransformer

        train_df = pd.read_csv("train.csv")
        test_df = pd.read_csv("test.csv")
        features = ["age", "income", "balance"]

        pt = PowerTransformer(method="yeo-johnson")
        pt.fit(pd.concat([train_df, test_df])[features])
        train_df[features] = pt.transform(train_df[features])
        test_df[features] = pt.transform(test_df[features])
        """,
        [9],
        id="power-transformer-fit-on-pandas-concat-with-test",
    ),
    pytest.param(
        """\
        import pandas as pd
        from sklearn.preprocessing import StandardScaler

        train_df = pd.read_csv("train.csv")
        test_df = pd.read_csv("test.csv")

        scaler = StandardScaler()
        scaler.fit(pd.concat([train_df, test_df], axis=0, ignore_index=True))
        train_scaled = scaler.transform(train_df)
        test_scaled = scaler.transform(test_df)
        """,
        [8],
        id="standard-scaler-fit-on-pandas-concat-of-train-and-test-frames",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn import preprocessing
        from sklearn.model_selection import train_test_split

        X = np.load("X.npy")
        y = np.load("y.npy")

        scaler = preprocessing.StandardScaler()
        X_std = scaler.fit_transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X_std, y)
        """,
        [9],
        id="scaler-through-from-sklearn-import-preprocessing",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import MinMaxScaler as Scaler

        X = np.load("X.npy")
        y = np.load("y.npy")

        X = Scaler().fit_transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        """,
        [8],
        id="scaler-imported-under-an-alias",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        x = np.load("features.npy").astype("float32")
        y = np.load("targets.npy").astype("float32")

        normalizer = tf.keras.layers.Normalization(axis=-1)
        normalizer.adapt(x)
        model = tf.keras.Sequential([
            tf.keras.layers.Input(shape=(9,)),
            normalizer,
            tf.keras.layers.Dense(64, activation="relu"),
            tf.keras.layers.Dense(1),
        ])
        model.compile(optimizer="adam", loss="mae")
        model.fit(x, y, epochs=100, validation_split=0.2)
        """,
        [8],
        id="tf-keras-normalization-adapt-then-validation-split",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np
        from keras import layers as L

        features = np.load("features.npy")
        labels = np.load("labels.npy")

        norm = L.Normalization()
        norm.adapt(features)
        x_train, x_test = features[:4000], features[4000:]
        y_train, y_test = labels[:4000], labels[4000:]

        inputs = keras.Input(shape=(16,))
        outputs = L.Dense(1)(norm(inputs))
        model = keras.Model(inputs, outputs)
        """,
        [9],
        id="keras-layers-alias-normalization-adapt-then-slicing",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import train_test_split
        from tensorflow import keras

        X = np.load("X.npy")
        y = np.load("y.npy")

        normalizer = keras.layers.Normalization()
        normalizer.adapt(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
        """,
        [9],
        id="normalization-adapt-on-full-data-then-train-test-split",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler


        def main():
            X = np.load("X.npy")
            y = np.load("y.npy")
            X = StandardScaler().fit_transform(X)
            X_train, X_test, y_train, y_test = train_test_split(X, y)
            print(X_train.shape, X_test.shape)


        if __name__ == "__main__":
            main()
        """,
        [9],
        id="inside-main-of-a-script",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import MinMaxScaler, StandardScaler

        X = np.load("X.npy")
        y = np.load("y.npy").reshape(-1, 1)

        # only the feature scaler is fitted on data that is split afterwards
        y_scaler = MinMaxScaler()
        X_all = StandardScaler().fit_transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X_all, y)
        y_train = y_scaler.fit_transform(y_train)
        """,
        [10],
        id="only-the-leaking-scaler-of-two",
    ),
]

SILENT = [
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        from tensorflow import keras

        X = np.load("X.npy")
        y = np.load("y.npy")
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)

        scaler = StandardScaler()
        X_train = scaler.fit_transform(X_train)
        X_test = scaler.transform(X_test)

        model = keras.Sequential([keras.layers.Input(shape=(8,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        # fitting on the training split is the correct practice (DESIGN.md), even when Keras
        # then carves its validation rows out of that split
        model.fit(X_train, y_train, epochs=20, validation_split=0.1)
        """,
        id="training-split-scaled-then-validation-split-of-it",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        X = np.load("X.npy")
        y = np.load("y.npy")
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)

        scaler = StandardScaler()
        scaler.fit(X_train)
        X_train = scaler.transform(X_train)
        X_test = scaler.transform(X_test)
        """,
        id="split-first-then-fit-on-train-split",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import MinMaxScaler

        X = np.load("X.npy")
        y = np.load("y.npy")
        X_train, X_test, y_train, y_test = train_test_split(X, y)

        scaler = MinMaxScaler()
        X_train_scaled = scaler.fit_transform(X_train)
        X_test_scaled = scaler.transform(X_test)
        """,
        id="fit-transform-train-transform-test",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import cross_val_score
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        X = np.load("X.npy")
        y = np.load("y.npy")
        pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())])
        print(cross_val_score(pipe, X, y, cv=5).mean())
        """,
        id="pipeline-given-to-cross-val-score",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import GridSearchCV, train_test_split
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import RobustScaler
        from sklearn.svm import SVC

        X = np.load("X.npy")
        y = np.load("y.npy")
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        search = GridSearchCV(make_pipeline(RobustScaler(), SVC()), {"svc__C": [0.1, 1, 10]})
        search.fit(X_train, y_train)
        print(search.score(X_test, y_test))
        """,
        id="make-pipeline-in-grid-search",
    ),
    pytest.param(
        """\
        import numpy as np
        import pandas as pd
        from sklearn.preprocessing import StandardScaler
        from tensorflow import keras

        train = pd.read_csv("train.csv")
        unseen = pd.read_csv("unseen.csv")

        # final model on all labelled data; the unseen file is only transformed
        scaler = StandardScaler()
        X = scaler.fit_transform(train.drop(columns=["y"]))
        model = keras.Sequential([keras.layers.Input(shape=(X.shape[1],)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(X, train["y"], epochs=50)
        predictions = model.predict(scaler.transform(unseen))
        """,
        id="final-model-on-all-data-never-split",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        (x_train, y_train), (x_test, y_test) = tf.keras.datasets.boston_housing.load_data()

        normalizer = tf.keras.layers.Normalization(axis=-1)
        normalizer.adapt(x_train)
        model = tf.keras.Sequential([normalizer, tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x_train, y_train, validation_data=(x_test, y_test), epochs=10)
        """,
        id="normalization-adapt-on-x-train-from-dataset-loader",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np
        from keras import layers as L
        from sklearn.model_selection import train_test_split

        X = np.load("X.npy")
        y = np.load("y.npy")
        x_train, x_val, y_train, y_val = train_test_split(X, y, test_size=0.2)

        norm = L.Normalization()
        norm.adapt(x_train)
        model = keras.Sequential([L.Input(shape=(12,)), norm, L.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=10)
        """,
        id="normalization-adapt-on-train-split-with-validation-data",
    ),
    pytest.param(
        """\
        from sklearn.preprocessing import StandardScaler


        def standardize(X):
            # the caller decides what X is; nothing here is split
            return StandardScaler().fit_transform(X)
        """,
        id="data-of-unknown-origin-without-split",
    ),
    pytest.param(
        """\
        import pandas as pd
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import LabelEncoder

        df = pd.read_csv("reviews.csv")
        # encoding the label vocabulary is not learning feature statistics
        encoder = LabelEncoder()
        encoder.fit(df["label"])
        y = encoder.transform(df["label"])
        X_train, X_test, y_train, y_test = train_test_split(df["text"], y)
        """,
        id="label-encoder-on-all-labels",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import train_test_split


        class OutlierClipper:
            def fit(self, X):
                return self

            def transform(self, X):
                return np.clip(X, -3, 3)


        X = np.load("X.npy")
        y = np.load("y.npy")
        X = OutlierClipper().fit(X).transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        """,
        id="non-sklearn-object-with-fit",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.linear_model import Ridge
        from sklearn.model_selection import KFold
        from sklearn.preprocessing import StandardScaler

        X = np.load("X.npy")
        y = np.load("y.npy")

        for train_idx, test_idx in KFold(n_splits=5).split(X):
            # fitted on the fold's training rows only
            scaler = StandardScaler().fit(X[train_idx])
            model = Ridge().fit(scaler.transform(X[train_idx]), y[train_idx])
            print(model.score(scaler.transform(X[test_idx]), y[test_idx]))
        """,
        id="scaler-fitted-per-fold-on-training-indices",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        from tensorflow import keras

        X = np.load("X.npy")
        y = np.load("y.npy")
        X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2)
        scaler = StandardScaler().fit(X_train)

        model = keras.Sequential([keras.layers.Input(shape=(8,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(
            scaler.transform(X_train),
            y_train,
            validation_data=(scaler.transform(X_val), y_val),
            epochs=20,
        )
        """,
        id="keras-fit-with-explicit-validation-data",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.preprocessing import StandardScaler

        # two shards of training data: no test data in the concatenation
        shard_a = np.load("train_part_a.npy")
        shard_b = np.load("train_part_b.npy")
        X_train = np.concatenate([shard_a, shard_b])
        X_test = np.load("test.npy")

        scaler = StandardScaler().fit(X_train)
        X_test_scaled = scaler.transform(X_test)
        """,
        id="concatenation-of-training-shards-only",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.preprocessing import StandardScaler
        from tensorflow import keras

        X = np.load("X.npy")
        y = np.load("y.npy")
        X = StandardScaler().fit_transform(X)

        model = keras.Sequential([keras.layers.Input(shape=(8,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        # no validation_split: the whole scaled data set is training data
        model.fit(X, y, epochs=30, batch_size=64)
        """,
        id="keras-fit-on-scaled-data-without-validation-split",
    ),
    pytest.param(
        """\
        import pandas as pd
        from sklearn import preprocessing

        train_df = pd.read_csv("train.csv")
        test_df = pd.read_csv("test.csv")
        cols = ["f1", "f2", "f3"]

        scaler = preprocessing.MinMaxScaler()
        train_df[cols] = scaler.fit_transform(train_df[cols])
        test_df[cols] = scaler.transform(test_df[cols])
        """,
        id="separate-train-and-test-files-fit-on-train",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.decomposition import PCA
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import PowerTransformer

        X = np.load("X.npy")
        y = np.load("y.npy")
        X_train, X_test, y_train, y_test = train_test_split(X, y)

        pt = PowerTransformer()
        X_train_t = pt.fit_transform(X_train)
        X_test_t = pt.transform(X_test)
        pca = PCA(n_components=4).fit(X_train_t)
        """,
        id="power-transformer-on-train-split",
    ),
]


@pytest.mark.parametrize(("src", "expected"), REPORTED)
def test_reports_fit_on_data_that_later_becomes_test_data(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", SILENT)
def test_silent_when_fitted_only_on_training_data(src: str) -> None:
    assert lines_of(src, CODE) == []


def notebook_findings(root: Path, cells: list) -> list[tuple[int | None, int]]:
    """``(cell, line)`` of every KER501 finding in a notebook made of ``cells``."""
    nbformat.write(new_notebook(cells=cells), str(root / "analysis.ipynb"))
    result = lint_paths([root], select=[CODE])
    return sorted((f.cell, f.line) for f in result.findings if f.code == CODE)


IMPORTS_CELL = """\
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler"""


def test_notebook_reports_fit_cell_and_line_when_split_is_in_a_later_cell(tmp_path: Path) -> None:
    cells = [
        new_markdown_cell("# Churn model"),
        new_code_cell(IMPORTS_CELL),
        new_code_cell(
            'df = pd.read_csv("churn.csv")\n'
            'X = df.drop(columns=["churn"])\n'
            "X_scaled = StandardScaler().fit_transform(X)"
        ),
        new_markdown_cell("## Split"),
        new_code_cell('X_train, X_test, y_train, y_test = train_test_split(X_scaled, df["churn"])'),
    ]
    # the fit_transform is on line 3 of the 3rd cell (markdown cells count)
    assert notebook_findings(tmp_path, cells) == [(3, 3)]


def test_notebook_silent_when_split_comes_first(tmp_path: Path) -> None:
    cells = [
        new_code_cell(IMPORTS_CELL),
        new_code_cell(
            'df = pd.read_csv("churn.csv")\n'
            'X = df.drop(columns=["churn"])\n'
            'X_train, X_test, y_train, y_test = train_test_split(X, df["churn"])'
        ),
        new_markdown_cell("Scale with training statistics only."),
        new_code_cell(
            "scaler = StandardScaler()\n"
            "X_train = scaler.fit_transform(X_train)\n"
            "X_test = scaler.transform(X_test)"
        ),
    ]
    assert notebook_findings(tmp_path, cells) == []


def test_columns_scaled_in_place_then_frame_split_is_reported() -> None:
    src = """\
        import pandas as pd
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import MinMaxScaler

        df = pd.read_csv("houses.csv")
        num_cols = ["area", "rooms", "age"]
        df[num_cols] = MinMaxScaler().fit_transform(df[num_cols])
        train_df, test_df = train_test_split(df, test_size=0.2)
        """
    assert lines_of(src, CODE) == [7]


def test_split_of_an_ancestor_of_the_fitted_data_is_silent() -> None:
    # the scaled copy is only inspected; the split (inside a Pipeline) starts from the raw frame
    src = """\
        import pandas as pd
        from sklearn.linear_model import LinearRegression
        from sklearn.model_selection import cross_val_score
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        housing = pd.read_csv("housing.csv")
        housing_num = housing.drop("ocean_proximity", axis=1)
        scaled = StandardScaler().fit_transform(housing_num)
        print(scaled.mean(axis=0))
        pipeline = make_pipeline(StandardScaler(), LinearRegression())
        scores = cross_val_score(pipeline, housing, housing["price"], cv=10)
        """
    assert lines_of(src, CODE) == []


def test_cross_validation_on_the_scaled_training_split_is_silent() -> None:
    src = """\
        import numpy as np
        from sklearn.model_selection import cross_val_score, train_test_split
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC

        X, y = np.load("X.npy"), np.load("y.npy")
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        X_train_s = StandardScaler().fit_transform(X_train)
        print(cross_val_score(SVC(), X_train_s, y_train, cv=3))
        """
    assert lines_of(src, CODE) == []


def test_shape_of_the_data_is_not_a_slice_of_it() -> None:
    src = """\
        import numpy as np
        from sklearn.preprocessing import StandardScaler

        X = np.load("X.npy")
        X_scaled = StandardScaler().fit_transform(X)
        input_shape = X.shape[1:]
        print(X_scaled[:64])
        """
    assert lines_of(src, CODE) == []


@pytest.mark.parametrize(
    ("split", "expected"),
    [
        ("train_df = df.sample(frac=0.8, random_state=0)\ntest_df = df.drop(train_df.index)", [6]),
        ("parts = np.split(df.values, [800])", [6]),
        (
            "ds = tf.data.Dataset.from_tensor_slices(df.values)\n"
            "train_ds, val_ds = ds.take(800), ds.skip(800)",
            [6],
        ),
        ("print(df.sample(5))\nprint(df.head())\nprint(df.tail())", []),
    ],
    ids=["sample-fraction", "numpy-split", "tf-data-take", "eda-display-is-not-a-split"],
)
def test_other_ways_of_splitting_rows(split: str, expected: list[int]) -> None:
    src = (
        "import numpy as np\nimport pandas as pd\nimport tensorflow as tf\n"
        "from sklearn.preprocessing import StandardScaler\ndf = pd.read_csv('d.csv')\n"
        "df[['a', 'b']] = StandardScaler().fit_transform(df[['a', 'b']])\n" + split + "\n"
    )
    assert lines_of(src, CODE) == expected


def test_training_part_of_a_keras_dataset_is_a_training_split() -> None:
    src = """\
        from sklearn.preprocessing import MinMaxScaler
        from tensorflow import keras
        from tensorflow.keras.datasets import mnist

        (x_train, y_train), (x_test, y_test) = mnist.load_data()
        scaler = MinMaxScaler()
        x_train = scaler.fit_transform(x_train.reshape(60000, 784))
        x_test = scaler.transform(x_test.reshape(10000, 784))
        model = keras.Sequential([keras.layers.Dense(10, activation="softmax")])
        model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
        model.fit(x_train, y_train, epochs=1, validation_split=0.2)
        """
    assert lines_of(src, CODE) == []


@pytest.mark.parametrize(
    ("later", "expected"),
    [
        ("model.fit(X_train_s, y, validation_split=0.2)", []),
        ("a, b = train_test_split(X_train_s, test_size=0.2)", [7]),
    ],
    ids=["validation-carved-from-named-training-data", "named-training-data-split-again"],
)
def test_data_named_as_training_data(later: str, expected: list[int]) -> None:
    src = (
        "import numpy as np\nfrom sklearn.model_selection import train_test_split\n"
        "from sklearn.preprocessing import StandardScaler\nfrom tensorflow import keras\n"
        "model = keras.Sequential([keras.layers.Dense(1)])\nX_train = np.load('X_train.npy')\n"
        "X_train_s = StandardScaler().fit_transform(X_train)\n" + later + "\n"
    )
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("transformer", ["FastICA", "TruncatedSVD", "KernelPCA", "IncrementalPCA"])
def test_decompositions_learn_from_their_input(transformer: str) -> None:
    src = (
        "import numpy as np\n"
        f"from sklearn.decomposition import {transformer}\n"
        "from sklearn.model_selection import train_test_split\n"
        "X, y = np.random.rand(100, 8), np.random.rand(100)\n"
        f"A = {transformer}(n_components=4).fit_transform(X)\n"
        "A_train, A_test, y_train, y_test = train_test_split(A, y)\n"
    )
    assert lines_of(src, CODE) == [5]
