"""KER504 validation-split-on-ordered-data: ``validation_split`` takes the last rows of data
built class by class."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.rules.base import PythonRule, Report
from keras_lint.rules.source_positions import value_name, where

if TYPE_CHECKING:
    from keras_lint.analysis import ModuleFacts
    from keras_lint.analysis.input_range import ModelInput


class ValidationSplitOnOrderedData(PythonRule):
    """
    ## What it does
    Reports `fit(x, y, validation_split=f)` when `x` or `y` was built class by class and
    never shuffled before `fit`. Class order is recognised where the data is made: labels
    concatenated (`np.concatenate`, `np.vstack`, `np.hstack`, `np.append`) from blocks of one
    value each (`np.zeros(n)`, `np.ones(n)`, `np.full(n, k)`), `[0] * n + [1] * m`,
    `np.repeat(np.arange(k), n)`, lists filled in a loop whose label is the loop's class
    counter (`for label, folder in enumerate(folders): ... labels.append(label)`, `for k in
    range(n_classes)`) and made an array, and rows sorted by the label
    (`df.sort_values("label")`, `np.argsort(y)`). A shuffle anywhere on the way clears it:
    permutation indexing (`x[np.random.permutation(n)]`), `np.random.shuffle`, a NumPy
    generator's `shuffle`/`permutation`, `random.shuffle`, `sklearn.utils.shuffle`,
    `train_test_split` (unless `shuffle=False`), `df.sample(frac=1)`, `tf.random.shuffle`. Data
    that passed a call the analysis cannot see into (an unresolved helper) may have been
    shuffled: silent. Windows cut in time order are not class order: silent.

    ## Why is this bad?
    `validation_split` takes the *last* fraction of the rows, before any shuffling:
    `fit(shuffle=True)` shuffles only the training part after the cut. With rows in class
    order the validation set is the last class alone (or the tail of it), which the model never
    trains on: the validation accuracy says nothing (0 %, or whatever share of the last class
    is predicted), early stopping and checkpoints select on noise. Measured by
    `keras-lint verify` on its fixture (three Gaussian classes of 500, 500 and 200 rows
    concatenated in order, `validation_split=0.2`): validation accuracy 0.15-0.17 while the
    model scores 0.77-0.83 on fresh data of all classes; shuffled first, 0.88-0.92.

    ## Example
    ```python
    x = np.concatenate([cats, dogs, birds])
    y = np.concatenate([np.zeros(len(cats)), np.ones(len(dogs)), np.full(len(birds), 2)])
    model.fit(x, y, validation_split=0.2, epochs=10)
    ```

    ## Use instead
    ```python
    order = np.random.permutation(len(x))
    x, y = x[order], y[order]
    model.fit(x, y, validation_split=0.2, epochs=10)
    ```

    ## Fix
    Display-only: the suggested permutation before `fit` is kept with the rule
    (`SUGGESTION`); it is not applied, since the arrays' names and the random seed are the
    author's choice.
    """

    code = "KER504"
    name = "validation-split-on-ordered-data"
    summary = "validation_split takes the last rows of data built class by class"
    severity = "error"
    SUGGESTION = "p = np.random.permutation(len(x)); x, y = x[p], y[p]"
    trigger = re.compile(r"validation_split")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        by_call: dict[int, list[ModelInput]] = {}
        for given in facts.model_inputs:
            if given.via is None and given.validation_split and given.role in {"x", "y"}:
                by_call.setdefault(id(given.node), []).append(given)
        for inputs in by_call.values():
            if any(i.path.shuffled for i in inputs):
                continue
            ordered = [i for i in inputs if i.path.ordering is not None]
            if not ordered:
                continue
            given = ordered[0]
            ordering = given.path.ordering
            assert ordering is not None
            name = value_name(given.argument, facts, given.role)
            yield Report(
                f"`{name}` is in class order ({ordering.how})"
                f"{where(ordering.node, ordering.scope, facts)} and is not shuffled before "
                f"`fit`: `validation_split` takes the last rows, so the validation set is the "
                f"last class; shuffle first "
                f"(`{self.SUGGESTION}`)",
                node=given.node,
            )
