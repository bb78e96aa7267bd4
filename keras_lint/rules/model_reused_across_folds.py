"""KER604 model-reused-across-folds: one model object is trained on every fold."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.rules.base import Fix, PythonRule, Report
from keras_lint.rules.source_positions import line_of, value_name

if TYPE_CHECKING:

    from keras_lint.analysis import ModuleFacts


class ModelReusedAcrossFolds(PythonRule):
    """
    ## What it does
    Reports a Keras `fit` inside a loop over cross-validation folds (`KFold`, `StratifiedKFold`,
    `GroupKFold`, `ShuffleSplit` and their repeated, grouped and stratified versions `.split`,
    also through `enumerate`, `list` or `tqdm`) or over bootstrap samples (a loop whose `fit`
    trains on `sklearn.utils.resample(...)` or on rows drawn with `np.random.choice`/
    `rng.choice` with replacement), when the model it trains was created before the loop and
    the body never rebuilds it: no builder call or constructor, no `clone_model` (with its
    `compile`), no `set_weights`/`load_weights` of saved initial weights. A `compile` or
    `keras.backend.clear_session()` alone does not reset the weights and does not count.
    `TimeSeriesSplit` (its folds only move forward), scikit-learn estimators and the
    scikit-learn wrappers of Keras models (scikeras `KerasClassifier`, which build a new model
    in every `fit`) are fine.

    ## Why is this bad?
    The second fold starts from the weights the first fold trained, and so on: from the second
    fold on, the model has already learned the rows it is now tested on, so the fold scores
    and their mean are inflated. On its fixture (labels that are pure noise, so chance is 0.5)
    `keras-lint verify` measures a mean fold accuracy of 0.74-0.79 with the reused model
    against 0.42-0.52 with a model built per fold (seeds 0-2, TensorFlow 2.21 on the CPU).

    ## Example
    ```python
    model = build_model()
    for train, test in KFold(n_splits=5).split(x):
        model.fit(x[train], y[train], epochs=10)  # KER604
        scores.append(model.evaluate(x[test], y[test])[1])
    ```

    ## Use instead
    ```python
    for train, test in KFold(n_splits=5).split(x):
        model = build_model()
        model.fit(x[train], y[train], epochs=10)
        scores.append(model.evaluate(x[test], y[test])[1])
    ```

    ## Fix
    Display-only: which builder to call, or which initial weights to restore, is the author's
    choice. The rule describes it (`findings`) for the fixing machinery to show.
    """

    code = "KER604"
    name = "model-reused-across-folds"
    summary = "One Keras model object is trained on every cross-validation fold"
    # the folds may come from another module: only the ``fit`` is sure to be here
    trigger = re.compile(r"\.\s*fit")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        for report, fix in self.findings(facts):
            yield dataclasses.replace(report, fix=fix)

    def findings(self, facts: ModuleFacts) -> Iterator[tuple[Report, Fix | None]]:
        """Each report with the fix it offers."""
        import libcst as cst  # imported by the rule's check only

        for found in facts.fold_fits:
            model = (
                value_name(found.node.func.value, facts, limit=60)
                if isinstance(found.node.func, cst.Attribute)
                else "the model"
            )
            created = line_of(facts, found.model.node) if found.model.node is not None else None
            origin = f"created at line {created}, " if created is not None else "created "
            loop = line_of(facts, found.loop)
            where = f" (line {loop})" if loop is not None else ""
            message = (
                f"`{model}` ({origin}before the loop) is trained on every fold of "
                f"`{found.how}`{where} and never rebuilt: later folds are scored on rows it "
                "already learned; build a new model (or `clone_model` + `compile`, or "
                "`set_weights` of saved initial weights) at the start of each fold"
            )
            # no edit to show: where the builder is, and what it needs, is the author's to say
            yield Report(message, node=found.node), None




