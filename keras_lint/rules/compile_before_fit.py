"""KER101 compile-before-fit: a model can reach training or evaluation before it is compiled."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.analysis.values import Tri
from keras_lint.rules.base import PythonRule, Report

if TYPE_CHECKING:
    from keras_lint.analysis import ModuleFacts


class CompileBeforeFit(PythonRule):
    """
    ## What it does
    Follows every Keras model of the file in program order (through helper functions of the file
    and of the linted tree, branches and loops) and reports a `fit`, `evaluate`,
    `train_on_batch` or `test_on_batch` call that can be reached before the model is compiled.
    `predict` needs no compile and is never reported. `keras.models.load_model(path)` returns a
    compiled model unless `compile=False`; `clone_model` and `model_from_json` return uncompiled
    ones. A model whose origin is unknown (a function parameter, an unresolved import) is not
    judged.

    ## Why is this bad?
    Keras raises `RuntimeError: You must compile your model before training/testing` only when
    the call is reached: after the data was downloaded, decoded and preprocessed, sometimes after
    hours of an earlier training stage. When `compile` sits on one branch only (say behind a
    command-line flag) the program fails on the other branch alone, which tests rarely cover.

    ## Example
    ```python
    model = keras.Sequential([keras.layers.Dense(10, activation="softmax")])
    if args.finetune:
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train)  # KER101: may be uncompiled
    ```

    ## Use instead
    ```python
    model = keras.Sequential([keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train)
    ```

    ## Fix
    Not automatic: choose the optimizer, loss and metrics, and call `model.compile(...)` on every
    path before the first `fit`/`evaluate`.
    """

    code = "KER101"
    name = "compile-before-fit"
    severity = "error"
    summary = "A model can reach fit/evaluate/train_on_batch/test_on_batch before compile"
    trigger = re.compile(
        r"\.\s*(?:fit|evaluate|train_on_batch|test_on_batch|fit_generator|evaluate_generator)\b"
    )

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        for call in facts.training:
            if call.compiled is Tri.NO:
                yield Report(
                    f"`{call.method}` is called on a model that has not been compiled: "
                    "call `model.compile(...)` before it",
                    node=call.node,
                )
            elif call.compiled is Tri.MAYBE:
                yield Report(
                    f"the model may be uncompiled when `{call.method}` is called: `compile` runs "
                    "on only some paths before it",
                    node=call.node,
                )
