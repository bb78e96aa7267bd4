"""KER603 shuffled-predict-labels: predictions of a reshuffling iterator scored against labels
read in another pass over it."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.analysis.predictions import (
    DATASET_FROM_DIRECTORY,
    GENERATOR_FLOWS,
    Batches,
    ShuffledComparison,
)
from keras_lint.rules.base import Fix, PythonRule, Report
from keras_lint.rules.call_edits import set_keyword
from keras_lint.rules.source_positions import line_of, value_name

if TYPE_CHECKING:

    from keras_lint.analysis import ModuleFacts


class ShuffledPredictLabels(PythonRule):
    """
    ## What it does
    Reports `model.predict(G)` (also `predict_generator`, or the model called on `G`) where `G`
    visits its rows in a new random order on every pass, and the predictions are compared
    (`accuracy_score`, `confusion_matrix`, `classification_report`, `roc_auc_score`,
    `f1_score` and the other scikit-learn metrics, `tf.math.confusion_matrix`, `==`) with
    labels read in another pass over `G`: `G.classes`, `G.labels`, a separate loop over `G`, or
    the arrays a shuffling `flow(x, y)` or `tf.data` pipeline was built from. Shuffling
    iterators: `flow_from_directory`, `flow_from_dataframe` and `ImageDataGenerator.flow` with
    `shuffle` absent or true, `image_dataset_from_directory` (and the text and audio versions)
    with `shuffle` absent or true, a `tf.data` pipeline with `.shuffle(...)` (unless
    `reshuffle_each_iteration=False`). Labels and predictions taken batch by batch in the same
    loop are fine; `G.reset()` does not make the orders agree.

    ## Why is this bad?
    `predict` reads the iterator in one random order, the labels come in another (the folder
    order of `G.classes`, or a second pass that draws a new order): the pairs do not belong to
    the same rows, and the scores fall to chance while `evaluate` on the same iterator reports
    the model's real accuracy. This is the classic "validation accuracy is high but the
    confusion matrix is random" report (keras-team/keras#11427, #11227). On its fixture
    `keras-lint verify` measures `evaluate` accuracy 0.93-0.94 against 0.52-0.54 for the
    predictions scored against the labels, while with `shuffle=False` both are 0.93-0.94
    (seeds 0-2, TensorFlow 2.21 on the CPU).

    ## Example
    ```python
    test_gen = datagen.flow_from_directory("data/test", target_size=(64, 64))
    probabilities = model.predict(test_gen)  # KER603
    print(confusion_matrix(test_gen.classes, probabilities.argmax(axis=1)))
    ```

    ## Use instead
    ```python
    test_gen = datagen.flow_from_directory("data/test", target_size=(64, 64), shuffle=False)
    probabilities = model.predict(test_gen)
    print(confusion_matrix(test_gen.classes, probabilities.argmax(axis=1)))
    ```

    ## Fix
    Safe when the iterator is made by `flow`, `flow_from_directory`, `flow_from_dataframe` or
    `*_dataset_from_directory` in the same file and is never given to `fit` as training data:
    `shuffle=False` is added to that call (or its `shuffle=True` becomes `False`). A shuffled
    `tf.data` pipeline, or an iterator that also trains, is left to the author. The fix is
    described by the rule (`findings`); applying it needs the fixing machinery of
    `keras-lint --fix`.
    """

    code = "KER603"
    name = "shuffled-predict-labels"
    summary = "Predictions of a reshuffling iterator are compared with labels read in another pass"
    # the iterator may come from another module: only the ``predict`` is sure to be here
    trigger = re.compile(r"predict")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        for report, fix in self.findings(facts):
            yield dataclasses.replace(report, fix=fix)

    def findings(self, facts: ModuleFacts) -> Iterator[tuple[Report, Fix | None]]:
        """Each report with the fix it offers (None: no automatic fix)."""
        for found in facts.shuffled_predictions:
            node = found.prediction.node
            if node is None:
                continue
            batches = found.batches
            made = line_of(facts, batches.node) if batches.node is not None else None
            source = f"`{batches.how}`" + (f", line {made}" if made is not None else "")
            compared = line_of(facts, found.comparison.node)
            how = found.comparison.how
            comparison = f"`{how}`" if how != "==" else "`==`"
            if compared is not None:
                comparison += f" at line {compared}"
            remedy = (
                "drop `.shuffle(...)` from the pipeline used for prediction"
                if batches.how == "Dataset.shuffle"
                else "pass `shuffle=False` to the iterator used for prediction"
            )
            predicted = value_name(node, facts, limit=60)
            message = (
                f"`{predicted}` reads an iterator that reshuffles on every pass "
                f"({source}); its predictions are compared by {comparison} with labels read in "
                f"another pass, so the rows do not line up: {remedy}, or take labels and "
                "predictions in the same loop"
            )
            yield Report(message, node=node), _fix(facts, found)


def _fix(facts: ModuleFacts, found: ShuffledComparison) -> Fix | None:
    import libcst as cst  # imported by the rule's check only

    batches: Batches = found.batches
    node = batches.node
    if found.trains_with or not batches.takes_shuffle or node is None:
        return None
    if line_of(facts, node) is None:
        return None  # made in another module
    title = "Add `shuffle=False` to the iterator used for prediction"
    func = node.func
    called = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
    position = GENERATOR_FLOWS.get(called, DATASET_FROM_DIRECTORY.get(called))
    edit = set_keyword(facts, node, "shuffle", "False", position)
    return None if edit is None else Fix(title, "safe", (edit,))




