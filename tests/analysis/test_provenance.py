"""Provenance of data for KER501: what learns from which rows, and whether those rows are held out.

Each program is linted for real; the expected lines are where KER501 reports (the fit, the
statistic, or the linted file's call that leads to a fit in another module).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from conftest import lines_of, lint_snippet, notebook_json, tree_findings, write_tree
from keras_lint.engine import lint_paths

CODE = "KER501"
HEAD = (
    "import numpy as np\nimport pandas as pd\n"
    "from sklearn.model_selection import train_test_split\n"
)


def _lines(body: str) -> list[int]:
    """Lines (counted in ``body``) where KER501 reports, after the common imports."""
    offset = HEAD.count("\n")
    return [line - offset for line in lines_of(HEAD + body, CODE)]


LEAKS = [
    pytest.param(
        "df = pd.read_csv('d.csv')\n"
        "df['Fare'] = df['Fare'].fillna(np.mean(df['Fare']))\n"
        "X_train, X_test = train_test_split(df)\n",
        [2],
        id="numpy-mean-of-full-column-fills-it-then-split",
    ),
    pytest.param(
        "df = pd.read_csv('d.csv')\ndf = df.fillna(df.mean())\n"
        "train, test = train_test_split(df)\n",
        [2],
        id="frame-fillna-frame-mean",
    ),
    pytest.param(
        "df = pd.read_csv('d.csv')\ndf['a'].fillna(df['a'].median(), inplace=True)\n"
        "train, test = train_test_split(df)\n",
        [2],
        id="inplace-fillna-with-median",
    ),
    pytest.param(
        "x = np.load('x.npy')\nx = (x - x.mean()) / x.std()\na, b = train_test_split(x)\n",
        [2, 2],
        id="manual-standardisation",
    ),
    pytest.param(
        "from scipy import stats\ndf = pd.read_csv('d.csv')\ndf['a'] = stats.zscore(df['a'])\n"
        "a, b = train_test_split(df)\n",
        [3],
        id="scipy-zscore",
    ),
    pytest.param(
        "df = pd.read_csv('d.csv')\ndf['bin'] = pd.qcut(df['age'], 4)\n"
        "a, b = train_test_split(df)\n",
        [2],
        id="pandas-qcut",
    ),
    pytest.param(
        "df = pd.read_csv('d.csv')\nX_train, X_test = train_test_split(df)\n"
        "X_train['Fare'] = X_train['Fare'].fillna(np.mean(df['Fare']))\n",
        [3],
        id="full-data-mean-fills-the-training-part-after-the-split",
    ),
    pytest.param(
        "from sklearn import preprocessing\nX = np.load('X.npy')\nX = preprocessing.scale(X)\n"
        "a, b = train_test_split(X)\n",
        [3],
        id="preprocessing-scale-function",
    ),
    pytest.param(
        "from sklearn.preprocessing import minmax_scale\nX = np.load('X.npy')\n"
        "a, b = train_test_split(minmax_scale(X))\n",
        [3],
        id="minmax-scale-function-inline",
    ),
    pytest.param(
        "from sklearn.preprocessing import quantile_transform\nX = np.load('X.npy')\n"
        "Xq = quantile_transform(X)\na, b = train_test_split(Xq)\n",
        [3],
        id="quantile-transform-function",
    ),
    pytest.param(
        "from sklearn.pipeline import Pipeline\nfrom sklearn.preprocessing import StandardScaler\n"
        "from sklearn.decomposition import PCA\nX = np.load('X.npy')\n"
        "pre = Pipeline([('s', StandardScaler()), ('p', PCA(5))])\nX = pre.fit_transform(X)\n"
        "a, b = train_test_split(X)\n",
        [6],
        id="preprocessing-only-pipeline",
    ),
    pytest.param(
        "from sklearn.compose import make_column_transformer\n"
        "from sklearn.preprocessing import StandardScaler\ndf = pd.read_csv('d.csv')\n"
        "ct = make_column_transformer((StandardScaler(), ['a', 'b']))\nZ = ct.fit_transform(df)\n"
        "a, b = train_test_split(Z)\n",
        [5],
        id="column-transformer",
    ),
    pytest.param(
        "from sklearn.pipeline import FeatureUnion, Pipeline\n"
        "from sklearn.impute import SimpleImputer\n"
        "X = np.load('X.npy')\n"
        "u = Pipeline([('u', FeatureUnion([('i', Pipeline([('m', SimpleImputer())]))]))])\n"
        "Z = u.fit_transform(X)\na, b = train_test_split(Z)\n",
        [5],
        id="nested-feature-union",
    ),
    pytest.param(
        "from sklearn.feature_extraction import DictVectorizer\n"
        "rows = pd.read_csv('d.csv').to_dict('records')\n"
        "X = DictVectorizer().fit_transform(rows)\na, b = train_test_split(X)\n",
        [3],
        id="dict-vectorizer",
    ),
    pytest.param(
        "from sklearn.feature_extraction.text import CountVectorizer\n"
        "texts = pd.read_csv('d.csv')['t']\n"
        "X = CountVectorizer(min_df=3).fit_transform(texts)\na, b = train_test_split(X)\n",
        [3],
        id="count-vectorizer",
    ),
    pytest.param(
        "from sklearn_pandas import DataFrameMapper\n"
        "from sklearn.preprocessing import MinMaxScaler\n"
        "df = pd.read_csv('d.csv')\nm = DataFrameMapper([(['a'], MinMaxScaler())])\n"
        "X = m.fit_transform(df)\na, b = train_test_split(X)\n",
        [5],
        id="sklearn-pandas-dataframe-mapper",
    ),
    pytest.param(
        "from tensorflow.keras.preprocessing.text import Tokenizer\n"
        "texts = pd.read_csv('d.csv')['t']\n"
        "tok = Tokenizer(num_words=1000)\ntok.fit_on_texts(texts)\n"
        "seqs = tok.texts_to_sequences(texts)\n"
        "a, b = train_test_split(seqs)\n",
        [4],
        id="keras-tokenizer-fit-on-texts",
    ),
    pytest.param(
        "from tensorflow import keras\ntexts = np.load('t.npy')\n"
        "vec = keras.layers.TextVectorization(max_tokens=100)\nvec.adapt(texts)\n"
        "a, b = train_test_split(texts)\n",
        [4],
        id="text-vectorization-adapt-then-split-of-same-texts",
    ),
    pytest.param(
        "from tensorflow import keras\nwords = np.load('w.npy')\n"
        "lookup = keras.layers.StringLookup(max_tokens=50)\nlookup.adapt(words)\n"
        "a, b = train_test_split(words)\n",
        [4],
        id="string-lookup-adapt",
    ),
    pytest.param(
        "from sklearn.preprocessing import MinMaxScaler\ndata = np.load('series.npy')\n"
        "data = MinMaxScaler().fit_transform(data)\nn = int(len(data) * 0.8)\n"
        "train, test = data[:n, :], data[n:len(data), :1]\n",
        [3],
        id="two-dimensional-and-len-bounded-slices",
    ),
    pytest.param(
        "from sklearn.preprocessing import MinMaxScaler\nseries = np.load('s.npy')\n"
        "series = MinMaxScaler().fit_transform(series)\nX, y = [], []\n"
        "for i in range(60, len(series)):\n    X.append(series[i - 60:i, 0])\n"
        "    y.append(series[i, 0])\n"
        "X, y = np.array(X), np.array(y)\nX_train, X_test = X[:1000], X[1000:]\n",
        [3],
        id="windows-cut-from-fitted-series-then-sliced",
    ),
    pytest.param(
        "from sklearn.preprocessing import MinMaxScaler\nfrom tensorflow import keras\n"
        "series = np.load('s.npy')\nseries = MinMaxScaler().fit_transform(series)\n"
        "X = np.array([series[i - 10:i] for i in range(10, len(series))])\n"
        "X = np.expand_dims(X, -1).astype('float32')\n"
        "model = keras.Sequential([keras.layers.Dense(1)])\n"
        "model.compile(loss='mse')\nmodel.fit(X, X[:, -1], validation_split=0.2)\n",
        [4],
        id="comprehension-windows-given-to-validation-split",
    ),
    pytest.param(
        "from sklearn.preprocessing import StandardScaler\ntrain = pd.read_csv('train.csv')\n"
        "test = pd.read_csv('test.csv')\ndata = pd.concat([train, test])\n"
        "data['a'] = StandardScaler().fit_transform(data[['a']])\n"
        "train, test = data[:len(train)], data[len(train):]\n",
        [5],
        id="merged-train-and-test-then-cut-apart",
    ),
    pytest.param(
        "train = pd.read_csv('train.csv')\ntest = pd.read_csv('test.csv')\n"
        "full = pd.concat([train, test])\nfull['age'] = full['age'].fillna(full['age'].median())\n",
        [4],
        id="statistic-of-merged-train-and-test",
    ),
    pytest.param(
        "from sklearn.preprocessing import StandardScaler\nimport tensorflow as tf\n"
        "X = np.load('X.npy')\nX = StandardScaler().fit_transform(X)\n"
        "ds = tf.data.Dataset.from_tensor_slices((X, X)).shuffle(100)\n"
        "train, val = ds.take(800), ds.skip(800)\n",
        [4],
        id="tf-data-pipeline-take-and-skip",
    ),
    pytest.param(
        "from sklearn.preprocessing import StandardScaler\ndf = pd.read_csv('d.csv')\n"
        "df = df.apply(lambda col: StandardScaler().fit_transform(col))\n"
        "a, b = train_test_split(df)\n",
        [3],
        id="scaler-in-a-lambda-given-to-apply",
    ),
    pytest.param(
        "import mylib\nfrom sklearn.preprocessing import StandardScaler\nX = np.load('X.npy')\n"
        "X = StandardScaler().fit_transform(X)\nX = mylib.augment(X)\na, b = train_test_split(X)\n",
        [4],
        id="through-a-call-the-analysis-cannot-follow",
    ),
    pytest.param(
        "from sklearn.preprocessing import StandardScaler\n"
        "from sklearn.model_selection import KFold\n"
        "X = np.load('X.npy')\nscaler = StandardScaler().fit(X)\n"
        "for tr, te in KFold(5).split(X):\n    Xt = scaler.transform(X[tr])\n",
        [4],
        id="fitted-on-all-rows-applied-to-fold-parts",
    ),
    pytest.param(
        "from sklearn.feature_selection import SelectKBest\nX = np.load('X.npy')\n"
        "y = np.load('y.npy')\n"
        "skb = SelectKBest(k=5).fit(X, y)\nmask = skb.get_support()\n"
        "a, b = train_test_split(X[:, mask], y)\n",
        [4],
        id="selector-mask-chooses-columns-then-split",
    ),
]

SILENT = [
    pytest.param(
        "from sklearn import preprocessing\ndf = pd.read_csv('d.csv')\n"
        "df1 = preprocessing.scale(df)\n"
        "X_train, X_test = train_test_split(df)\n",
        id="fitted-result-never-used-raw-data-split",
    ),
    pytest.param(
        "df = pd.read_csv('d.csv')\nprint(df.mean(), df['a'].std())\n"
        "train, test = train_test_split(df)\n",
        id="statistics-only-displayed",
    ),
    pytest.param(
        "df = pd.read_csv('d.csv')\nX_train, X_test = train_test_split(df)\n"
        "X_train['a'] = X_train['a'].fillna(X_train['a'].mean())\n"
        "X_test['a'] = X_test['a'].fillna(X_train['a'].mean())\n",
        id="statistic-of-the-training-part",
    ),
    pytest.param(
        "df = pd.read_csv('d.csv')\nX_train, X_test = train_test_split(df)\n"
        "X_test['a'] = X_test['a'].fillna(X_test['a'].mean())\n",
        id="test-part-refit-on-itself-is-out-of-scope",
    ),
    pytest.param(
        "from sklearn.linear_model import SGDRegressor\nX = np.load('X.npy')\n"
        "y = np.load('y.npy')\n"
        "X = (X - X.mean()) / X.std()\nm = SGDRegressor()\n"
        "for chunk in np.array_split(X, 50):\n    m.partial_fit(chunk, y[:len(chunk)])\n",
        id="mini-batches-are-not-a-split",
    ),
    pytest.param(
        "from sklearn.pipeline import make_pipeline\n"
        "from sklearn.preprocessing import StandardScaler\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.model_selection import cross_val_score\n"
        "X = np.load('X.npy')\ny = np.load('y.npy')\n"
        "print(cross_val_score(make_pipeline(StandardScaler(), LogisticRegression()), X, y))\n",
        id="pipeline-with-estimator-given-to-cross-validation",
    ),
    pytest.param(
        "from sklearn.preprocessing import MinMaxScaler\ndata = np.load('s.npy')\n"
        "n = int(len(data) * .8)\n"
        "train, test = data[:n], data[n:]\nscaler = MinMaxScaler().fit(train)\n"
        "train, test = scaler.transform(train), scaler.transform(test)\n",
        id="time-series-scaler-fitted-on-the-head",
    ),
    pytest.param(
        "df = pd.read_csv('d.csv')\ndf['m'] = df[['a', 'b']].apply(lambda r: r.mean(), axis=1)\n"
        "train, test = train_test_split(df)\n",
        id="row-wise-mean-learns-nothing-across-rows",
    ),
    pytest.param(
        "df = pd.read_csv('d.csv')\ndf['rowmean'] = df.mean(axis=1)\n"
        "train, test = train_test_split(df)\n",
        id="row-wise-reduction",
    ),
    pytest.param(
        "series = np.load('s.npy')\nforecast = []\nfor t in range(len(series) - 30):\n"
        "    forecast.append(series[t:t + 30].mean())\nforecast = np.array(forecast)\n"
        "a, b = forecast[:100], forecast[100:]\n",
        id="moving-average-is-a-window-statistic",
    ),
    pytest.param(
        "ratings = pd.read_csv('r.csv')\navg = ratings.groupby('movie').mean()\n"
        "print(avg[:10], avg[10:])\n",
        id="group-aggregation-is-not-a-statistic-of-the-data",
    ),
    pytest.param(
        "from sklearn.preprocessing import normalize\nX = np.load('X.npy')\nX = normalize(X)\n"
        "a, b = train_test_split(X)\n",
        id="row-wise-normalize-learns-nothing",
    ),
    pytest.param(
        "from sklearn.preprocessing import OneHotEncoder\ndf = pd.read_csv('d.csv')\n"
        "X = OneHotEncoder().fit_transform(df[['city']])\na, b = train_test_split(X)\n",
        id="one-hot-encoder-only-enumerates-categories",
    ),
    pytest.param(
        "rows = np.load('rows.npy')\ndata = [r[1:] for r in rows]\nlabels = [r[0] for r in rows]\n"
        "data = np.array(data)\nprint(data.mean())\na, b = train_test_split(data, labels)\n",
        id="slicing-a-row-picks-columns",
    ),
    pytest.param(
        "y_test = np.load('y_test.npy')\npred = np.load('pred.npy')\nerr = (pred - y_test) ** 2\n"
        "mean = err.mean()\nprint(mean - err.std())\n",
        id="statistics-of-evaluation-errors",
    ),
    pytest.param(
        "from sklearn.preprocessing import StandardScaler\ntrain_df = pd.read_csv('train.csv')\n"
        "from sklearn.model_selection import KFold\n"
        "train_df[['a']] = StandardScaler().fit_transform(train_df[['a']])\n"
        "for tr, va in KFold(5).split(train_df):\n    pass\n",
        id="named-training-frame-column-scaled-then-cross-validated",
    ),
]


@pytest.mark.parametrize(("body", "expected"), LEAKS)
def test_reports_learned_statistics_that_reach_held_out_rows(
    body: str, expected: list[int]
) -> None:
    assert _lines(body) == sorted(set(expected)) or _lines(body) == expected


@pytest.mark.parametrize("body", SILENT)
def test_silent_on_look_alikes(body: str) -> None:
    assert _lines(body) == []


def test_message_names_the_split_and_its_line() -> None:
    body = (
        "from sklearn import preprocessing\nX = np.load('X.npy')\nX = preprocessing.scale(X)\n\n"
        "a, b = train_test_split(X)\n"
    )
    (finding,) = [f for f in lint_snippet(HEAD + body, select=[CODE])]
    assert "`preprocessing.scale`" in finding.message
    assert "later split by `train_test_split` (line 8)" in finding.message


def test_statistic_message_says_compute_on_the_training_split() -> None:
    body = (
        "df = pd.read_csv('d.csv')\ndf = df.fillna(df.mean())\ntrain, test = train_test_split(df)\n"
    )
    (finding,) = lint_snippet(HEAD + body, select=[CODE])
    assert finding.message.startswith("`mean()` is a statistic of data")
    assert "compute it on the training split only" in finding.message


def test_fit_in_a_helper_and_split_in_another_helper_is_one_flow() -> None:
    body = (
        "from sklearn.preprocessing import StandardScaler\n"
        "def prepare(x):\n    return StandardScaler().fit_transform(x)\n"
        "def split(x):\n    return train_test_split(x, test_size=0.2)\n"
        "X = np.load('X.npy')\nparts = split(prepare(X))\n"
    )
    assert _lines(body) == [3]


def test_cross_file_fit_reported_at_the_call_of_the_file_that_splits(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "prep.py": """\
                from sklearn.preprocessing import StandardScaler

                def scale(x):
                    return StandardScaler().fit_transform(x)
                """,
            "train.py": """\
                import numpy as np
                from sklearn.model_selection import train_test_split
                from prep import scale

                X = np.load("X.npy")
                X = scale(X)
                X_train, X_test = train_test_split(X)
                """,
        },
    )
    assert tree_findings(root, CODE) == [("train.py", 6)]
    (finding,) = lint_paths([root], select=[CODE]).findings
    assert "(in `prep.py`, line 4)" in finding.message


def test_cross_file_split_in_helper_module(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "splitting.py": """\
                from sklearn.model_selection import train_test_split

                def holdout(x):
                    return train_test_split(x, test_size=0.25)
                """,
            "main.py": """\
                import numpy as np
                from sklearn.preprocessing import MinMaxScaler
                from splitting import holdout

                X = MinMaxScaler().fit_transform(np.load("X.npy"))
                train, test = holdout(X)
                """,
        },
    )
    assert tree_findings(root, CODE) == [("main.py", 5)]


def test_notebook_statistic_in_one_cell_split_in_another(tmp_path: Path) -> None:
    path = tmp_path / "eda.ipynb"
    path.write_text(
        notebook_json(
            "import pandas as pd\nfrom sklearn.model_selection import train_test_split",
            "df = pd.read_csv('titanic.csv')",
            "df['Age'] = df['Age'].fillna(df['Age'].median())",
            "train, test = train_test_split(df, test_size=0.2)",
        )
    )
    (finding,) = lint_paths([path], select=[CODE]).findings
    assert (finding.cell, finding.line) == (3, 1)
    assert "(line" not in finding.message  # a program line would mislead in a notebook


def test_notebook_statistic_of_the_training_part_is_silent(tmp_path: Path) -> None:
    path = tmp_path / "ok.ipynb"
    path.write_text(
        notebook_json(
            "import pandas as pd\nfrom sklearn.model_selection import train_test_split",
            "df = pd.read_csv('titanic.csv')\ntrain, test = train_test_split(df)",
            "fill = train['Age'].median()\ntrain['Age'] = train['Age'].fillna(fill)\n"
            "test['Age'] = test['Age'].fillna(fill)",
        )
    )
    assert lint_paths([path], select=[CODE]).findings == []


def test_deep_windowing_loops_and_recursion_stay_bounded() -> None:
    loops = "".join(f"{'    ' * d}for i{d} in range(3):\n" for d in range(12))
    body = (
        "from sklearn.preprocessing import MinMaxScaler\n"
        "s = MinMaxScaler().fit_transform(np.load('s.npy'))\n"
        "X = []\n" + loops + "    " * 12 + "X.append(s[i0 - 5:i0])\n"
        "def grow(d):\n    return grow(pd.concat([d, d]))\n"
        "merged = grow(s)\nX = np.array(X)\na, b = X[:10], X[10:]\n"
    )
    start = time.perf_counter()
    assert _lines(body) == [2]
    assert time.perf_counter() - start < 20


def test_data_merged_in_a_cycle_and_self_holding_lists_are_bounded() -> None:
    body = (
        "from sklearn.pipeline import Pipeline\nsteps = []\nsteps.append(steps)\n"
        "p = Pipeline(steps)\n"
        "a = pd.read_csv('a.csv')\nb = pd.read_csv('b.csv')\n"
        "for _ in range(100):\n    a = pd.concat([a, b])\n    b = pd.concat([b, a])\n"
        "print(p.fit_transform(a))\n"
    )
    assert _lines(body) == []


def test_a_large_notebook_is_linted_quickly(tmp_path: Path) -> None:
    cells = [
        "import numpy as np\nimport pandas as pd\n"
        "from sklearn.model_selection import train_test_split"
    ]
    cells += [
        f"df{i} = pd.read_csv('f{i}.csv')\ndf{i} = df{i}.fillna(df{i}.mean())" for i in range(400)
    ]
    cells.append("parts = train_test_split(df7)")
    path = tmp_path / "big.ipynb"
    path.write_text(notebook_json(*cells))
    start = time.perf_counter()
    findings = lint_paths([path], select=[CODE]).findings
    assert [(f.cell, f.line) for f in findings] == [(9, 2)]
    assert time.perf_counter() - start < 30
    assert json.loads(path.read_text())["nbformat"] == 4
