"""KER501 preprocessing-fit-on-full-data: a scaler learns from data that is later held out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.analysis.libraries import runs_code_of_its_project
from keras_lint.rules.base import PythonRule, Report
from keras_lint.rules.source_positions import where

if TYPE_CHECKING:

    from keras_lint.analysis import ModuleFacts



class _LearningOrProjectCall:
    """Text that calls something that learns from data (a ``fit``, an ``adapt``, a function
    form, a statistic), or a program that imports a module of its project, whose helpers may."""

    #: names that start a learning call; the whole name is checked in ``_LEARNING``
    _candidate = re.compile(
        r"(?:fit|adapt|scale|minmax|robust|maxabs|quantile|power|zscore|qcut|mean|std|var"
        r"|median|percentile|average|mode|nan)\w*\s*\("
    )

    def search(self, text: str, /) -> bool:
        for match in self._candidate.finditer(text):
            start = match.start()
            if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                continue  # the end of another name: ``refit(``, ``my_scale(``
            if match.group().rstrip("( \t\r\n") in _LEARNING:
                return True
        return runs_code_of_its_project(text)


#: the calls that learn from data: fits and adapts, sklearn's function forms, statistics
_LEARNING = frozenset(
    {
        *("fit", "fit_transform", "adapt", "fit_on_texts", "fit_on_sequences"),
        *("scale", "minmax_scale", "robust_scale", "maxabs_scale"),
        *("quantile_transform", "power_transform", "zscore", "qcut"),
        *("mean", "nanmean", "std", "nanstd", "var", "nanvar", "median", "nanmedian"),
        *("quantile", "nanquantile", "percentile", "nanpercentile", "average", "mode"),
    }
)

class PreprocessingFitOnFullData(PythonRule):
    """
    ## What it does
    Follows where data comes from — through assignments, unpacking, slicing, reshaping, lists
    built in loops and comprehensions, `tf.data` pipelines, helpers of the file and of the linted
    tree, and calls it cannot follow (their result stays derived from their arguments) — and
    what learns from it: scikit-learn scalers, imputers, decompositions, feature selectors and
    vectorizers (`CountVectorizer`, `TfidfVectorizer`, `DictVectorizer`), their function forms
    (`preprocessing.scale`, `minmax_scale`, `robust_scale`, `maxabs_scale`,
    `quantile_transform`, `power_transform`), preprocessing `Pipeline`/`ColumnTransformer`/
    `FeatureUnion` and sklearn-pandas `DataFrameMapper`, Keras `Tokenizer.fit_on_texts` and the
    `adapt` of `Normalization`, `Discretization`, `TextVectorization`, `StringLookup` and
    `IntegerLookup`, and statistics of the data (`df.mean()`, `np.median(x)`, `x.std()`,
    `scipy.stats.zscore`, `pd.qcut`). It reports the fit (or the statistic) when what it learned
    reaches rows that end up held out: the fitted data is split afterwards (`train_test_split`,
    a cross-validation splitter, `cross_val_score` and friends, a grid search's `fit`, a head and
    a tail slice such as `X[:n, :]`/`X[n:len(X)]`, `ds.take`/`ds.skip`,
    `model.fit(..., validation_split=...)`) carrying the learned statistics, the statistics of the
    full data are applied to the parts of a split, or the data mixes in test rows
    (`pd.concat([train, test])`). The message names the split and its line.

    Not reported: fitting on the training split (also when `fit(validation_split=)` later cuts it,
    or cross-validation folds are carved from data named as training data), a `Pipeline` given to
    cross-validation, a fitted result that is never applied (the raw data is split),
    `np.array_split` into mini-batches, row-wise steps (`normalize`, `df.mean(axis=1)`),
    statistics of a window or of groups (`s[t:t + n].mean()`, `groupby(...).mean()`), and
    encoders that only enumerate categories (`LabelEncoder`, `OneHotEncoder`): an unseen category
    fails loudly instead of leaking a statistic. A step refitted on the test split alone is a
    different bug. A fit in a helper module reached from the linted file is reported at the
    linted file's call that leads to it.

    ## Why is this bad?
    The scaler's mean, variance, minimum or vocabulary are computed with the rows that later
    serve as validation or test data, so information about them leaks into training. The
    validation score overstates how well the model does on truly new data, model selection is
    biased, and the gap shows up only in production.

    ## Example
    ```python
    X = StandardScaler().fit_transform(X)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    ```

    ## Use instead
    ```python
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    ```

    ## Fix
    Not automatic: move the fit after the split (on the training part only), or put the
    preprocessing in a `Pipeline` that cross-validation refits on each training fold.
    """

    code = "KER501"
    name = "preprocessing-fit-on-full-data"
    severity = "error"
    summary = "A scaler/transformer is fitted on data that is later split into train and test"
    # what learns (``fit``, ``adapt``, ``scale``, a mean...) or what splits: a call of a helper
    # of another module that fits is reported in the file that splits
    trigger = _LearningOrProjectCall()

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        for leak in facts.leaks:
            fit = leak.fit
            # a fit in a helper module is reported at this file's call: say where it is
            place = where(fit.node, fit.scope, facts) if fit.via is not None else ""
            reason = leak.reason
            if leak.split is not None:
                reason += where(leak.split.node, leak.split.scope, facts)
            if fit.kind == "statistic":
                yield Report(
                    f"`{fit.label}`{place} is a statistic of data that leaks into evaluation: "
                    f"{reason}; compute it on the training split only",
                    node=fit.via or fit.node,
                )
            else:
                yield Report(
                    f"`{fit.label}`{place} learns from data that leaks into evaluation: "
                    f"{reason}; fit it on the training split only",
                    node=fit.via or fit.node,
                )

