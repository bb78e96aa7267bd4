"""KER501 preprocessing-fit-on-full-data: a scaler learns from data that is later held out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.rules.base import PythonRule, Report

if TYPE_CHECKING:
    from keras_lint.analysis import ModuleFacts


class PreprocessingFitOnFullData(PythonRule):
    """
    ## What it does
    Follows the data a preprocessing step learns from — `fit`/`fit_transform` of scikit-learn
    scalers, transformers, imputers and PCA, `adapt` of Keras `Normalization` and
    `Discretization` layers — and reports the fit when that same data (or what was computed from
    it) is split afterwards: `train_test_split`, a cross-validation splitter's `split`,
    `cross_val_score` and friends, a grid search's `fit`, slicing into a head and a tail
    (`X[:n]`, `X[n:]`), or `model.fit(..., validation_split=...)`. Fitting on a concatenation
    that includes test data is reported too. Fitting on the training split, or inside a
    `Pipeline` handed to cross-validation, is correct and not reported.

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
    trigger = re.compile(r"\.\s*(?:fit|fit_transform|adapt)\b")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        for leak in facts.leaks:
            fit = leak.fit
            yield Report(
                f"`{fit.estimator}.{fit.method}` learns from data that leaks into evaluation: "
                f"{leak.reason}; fit it on the training split only",
                node=fit.node,
            )
