"""KER503 eval-preprocessing-mismatch: training inputs are scaled, evaluation inputs are not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.analysis.input_range import PREPROCESS_INPUT, ModelInput, mismatched_steps
from keras_lint.rules.base import PythonRule, Report
from keras_lint.rules.source_positions import value_name

if TYPE_CHECKING:
    from keras_lint.analysis import ModuleFacts

_TRAINING_METHODS = frozenset({"fit", "fit_generator", "train_on_batch"})
_EVALUATION_METHODS = frozenset(
    {"evaluate", "evaluate_generator", "predict", "predict_generator", "predict_on_batch"}
    | {"test_on_batch"}
)


class EvalPreprocessingMismatch(PythonRule):
    """
    ## What it does
    Pairs the data a model is evaluated on (`evaluate`, `predict`, `fit(validation_data=...)`)
    with the data it was trained on, when both come from one source: the two halves of a
    `load_data()` tuple, the parts of one split (`train_test_split`, slicing, `take`/`skip`),
    or image generators and `image_dataset_from_directory` datasets over sibling folders. It
    reports the evaluation when the training inputs pass a scaling or preprocessing step
    after the two were separated (`x / 255`, a scaler's `transform`, `preprocess_input`, a
    rescaling `ImageDataGenerator`, a scaling `Dataset.map`...) and the evaluation inputs pass
    no step of the same kind (any scaling for a scaling, `preprocess_input` for
    `preprocess_input`). One finding per evaluation call.

    Not reported: a transform applied before the split (both parts carry it), preprocessing
    inside the model (a `Rescaling` layer), data from another source (a user's own image),
    evaluation data that passed a call the analysis cannot see into, and models trained with
    data the analysis does not know.

    ## Why is this bad?
    The network learned weights for inputs in 0-1 (or standardised, or
    `preprocess_input`-ed); the evaluation inputs arrive 255 times larger. The predictions are
    garbage — typically one class for everything — and the reported accuracy drops to chance
    while training looked fine, which sends people hunting for over-fitting that is not there.
    Measured by `keras-lint verify` on its fixture (10 features in 45,000-50,000, the training
    part standardised): validation accuracy 0.47-0.51 on the raw held-out part against
    0.88-0.94 with the same standardisation as training.

    ## Example
    ```python
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    x_train = x_train / 255.0
    model.fit(x_train, y_train, epochs=5)
    model.evaluate(x_test, y_test)
    ```

    ## Use instead
    ```python
    x_train, x_test = x_train / 255.0, x_test / 255.0
    model.fit(x_train, y_train, epochs=5)
    model.evaluate(x_test, y_test)
    ```
    or scale inside the model (`layers.Rescaling(1 / 255)` as its first layer), so that every
    input gets the same treatment.

    ## Fix
    Display-only: apply the training step to the evaluation data too (the suggestion names
    it); the rule keeps the text with the finding, nothing is applied.
    """

    code = "KER503"
    name = "eval-preprocessing-mismatch"
    summary = (
        "Training inputs are scaled/preprocessed, evaluation inputs from the same source are not"
    )
    severity = "error"
    # where the evaluation data reaches the model
    trigger = re.compile(r"evaluate|predict|validation_data|test_on_batch")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        training = [
            i for i in facts.model_inputs if i.role == "x" and i.method in _TRAINING_METHODS
        ]
        reported: set[int] = set()
        for given in facts.model_inputs:
            if given.via is not None or not _is_evaluation(given):
                continue
            node = given.argument if given.role == "validation_data" else given.node
            if node is None or id(node) in reported:
                continue
            for trained in _trainings_of(given, training):
                steps = mismatched_steps(trained.path, given.path)
                if not steps:
                    continue
                reported.add(id(node))
                step = steps[0]
                what = "`preprocess_input`" if step.kind == PREPROCESS_INPUT else "scaling"
                name = value_name(given.argument, facts, "the evaluation input")
                train_name = value_name(trained.argument, facts, "the training input")
                line = facts.position(trained.node).start.line
                yield Report(
                    f"`{name}` reaches `{given.method if given.role == 'x' else 'fit'}` "
                    f"without the {what} that `{train_name}` got before `{trained.method}` "
                    f"(line {line}) though both come from one source: apply the same step to "
                    f"it (or move it into the model)",
                    node=node,
                )
                break


def _is_evaluation(given: ModelInput) -> bool:
    if given.role == "validation_data":
        return True
    return given.role == "x" and given.method in _EVALUATION_METHODS


def _trainings_of(given: ModelInput, training: list[ModelInput]) -> list[ModelInput]:
    """The training inputs of the same model before the evaluation (the same ``fit`` for its
    ``validation_data``)."""
    if given.role == "validation_data":
        return [t for t in training if t.node is given.node and t.order == given.order]
    return [
        t
        for t in training
        if given.model is not None and t.model is given.model and t.order < given.order
    ]
