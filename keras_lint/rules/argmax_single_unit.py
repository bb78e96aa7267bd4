"""KER202 argmax-on-single-unit-output: the class is the argmax of a one-column prediction."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.analysis import keras_api
from keras_lint.analysis.names import keras_leaf, leaf_in
from keras_lint.analysis.predictions import PREDICT_METHODS, Prediction
from keras_lint.analysis.values import Const, Instance, ModelInfo, Tensor, Value
from keras_lint.rules.base import Edit, Fix, PythonRule, Report
from keras_lint.rules.source_positions import line_of

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis import ModuleFacts

#: argmax functions: (the family, the argument's keyword, the axis when none is given)
_ARGMAX_FUNCTIONS = {
    "numpy.argmax": ("numpy", "a", None),
    "tensorflow.argmax": ("tensorflow", "input", 0),
    "tensorflow.math.argmax": ("tensorflow", "input", 0),
    "keras.ops.argmax": ("keras", "x", None),
    "keras.backend.argmax": ("keras", "x", -1),
}
#: the axes that pick the class of each row of a ``(samples, units)`` prediction
_CLASS_AXES = (-1, 1)


class ArgmaxOnSingleUnitOutput(PythonRule):
    """
    ## What it does
    Reports `np.argmax`, `tf.argmax`, `keras.ops.argmax` (`K.argmax`) or the array method
    `.argmax` taken over the last axis (`axis=-1` or `axis=1`) of `model.predict(...)` or
    `model(x)`, where the model's final layer (resolved as for KER201: `Sequential` lists and
    `add()` chains, functional outputs, subclassed models' `call`, builders of the file and of
    the linted tree) has one unit. A model whose output the analysis cannot resolve (loaded
    from a file, several outputs, a layer it does not know) is not judged.

    ## Why is this bad?
    A one-unit output has a single column, so its argmax over the last axis is 0 for every
    row, whatever the model learned: the "predicted classes" are all class 0 and any accuracy,
    confusion matrix or submission built on them reflects only the share of class 0. On its
    balanced binary fixture `keras-lint verify` measures an argmax accuracy of exactly the share
    of class 0 (0.50) while thresholding the same predictions at 0.5 scores 0.88-0.93
    (seeds 0-2, TensorFlow 2.21 on the CPU).

    ## Example
    ```python
    model = keras.Sequential([
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    ...
    classes = np.argmax(model.predict(x_test), axis=-1)  # KER202: always 0
    ```

    ## Use instead
    ```python
    classes = (model.predict(x_test)[..., 0] > 0.5).astype("int32")
    ```

    ## Fix
    Safe when the output is a `sigmoid` and the argmax is numpy's (of `model.predict(...)`):
    the argmax is replaced by `(p[..., 0] > 0.5).astype("int32")`, which keeps the shape the
    argmax had. For a linear (logit) output the threshold is 0 and the fix is left to the
    author. The fix is described by the rule (`findings`); applying it needs the fixing
    machinery of `keras-lint --fix`.
    """

    code = "KER202"
    name = "argmax-on-single-unit-output"
    summary = "argmax over the last axis of a one-unit model output is always 0"
    trigger = re.compile(r"argmax")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        for report, fix in self.findings(facts):
            yield dataclasses.replace(report, fix=fix)

    def findings(self, facts: ModuleFacts) -> Iterator[tuple[Report, Fix | None]]:
        """Each report with the fix it offers (None: no automatic fix)."""
        seen: set[int] = set()
        for node, spelled, value, axis, numpy in _argmax_calls(facts):
            if id(node) in seen or not isinstance(value, Prediction) or value.model is None:
                continue
            if id(node) in facts.output_checked_calls:
                continue  # ``if model.output_shape[-1] > 1: np.argmax(...)``
            if not (isinstance(axis, Const) and axis.value in _CLASS_AXES):
                continue
            output = keras_api.model_output(value.model)
            if output.width != 1:
                continue
            seen.add(id(node))
            layer = _final_layer(value.model)
            where = line_of(facts, layer.call.node) if layer is not None else None
            described = f"`{_code(facts, layer.call.node)}`" if layer is not None else "its output"
            if where is not None:
                described += f" (line {where})"
            threshold = "0.5" if output.activation == "sigmoid" else "0"
            message = (
                f"`{spelled}` of the predictions of `{_model_name(facts, value)}` is always 0: "
                f"the model's final layer {described} has one unit; threshold the "
                f"prediction instead (`p > {threshold}`)"
            )
            yield Report(message, node=node), _fix(facts, node, value, output.activation, numpy)


def _argmax_calls(
    facts: ModuleFacts,
) -> Iterator[tuple[cst.Call, str, Value | None, Value | None, bool]]:
    """(call, how it is spelled, the value reduced, the axis, numpy's) of every argmax."""
    for site in facts.calls:
        known = _ARGMAX_FUNCTIONS.get(site.callee)
        if known is None and keras_leaf(site.callee) == "argmax" and ".ops." in site.callee:
            known = _ARGMAX_FUNCTIONS["keras.ops.argmax"]
        if known is None:
            continue
        family, keyword, default = known
        axis = site.argument(1, "axis")
        if axis is None and family == "tensorflow":
            axis = site.argument(1, "dimension")  # TF 1
        spelled = _code(facts, site.node.func)
        yield (
            site.node,
            spelled,
            site.argument(0, keyword),
            axis or Const(default),
            (leaf_in(site.callee, "numpy") is not None),
        )
    for call in facts.method_calls:
        if call.method != "argmax" or not isinstance(call.receiver, Prediction):
            continue
        axis = call.kwargs.get("axis", call.args[0] if call.args else Const(None))
        numpy = _is_predict_call(call.receiver)
        yield call.node, ".argmax", call.receiver, axis, numpy


def _is_predict_call(prediction: Prediction) -> bool:
    import libcst as cst  # imported by the rule's check only

    node = prediction.node
    return (
        node is not None
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in PREDICT_METHODS
    )


def _fix(
    facts: ModuleFacts, node: cst.Call, value: Prediction, activation: str | None, numpy: bool
) -> Fix | None:
    import libcst as cst  # imported by the rule's check only

    if activation != "sigmoid" or not numpy or not _is_predict_call(value):
        return None
    if (
        isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "argmax"
        and not (isinstance(node.func.value, cst.Name) and node.func.value.value in {"np", "numpy"})
    ):
        reduced: cst.BaseExpression = node.func.value  # ``p.argmax(axis=1)``
    elif node.args:
        reduced = node.args[0].value
    else:
        return None
    text = _code(facts, reduced)
    if not isinstance(reduced, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
        text = f"({text})"
    return Fix(
        'Threshold the sigmoid at 0.5: `(p[..., 0] > 0.5).astype("int32")`',
        "safe",
        (Edit(f'({text}[..., 0] > 0.5).astype("int32")', node),),
    )


def _final_layer(model: ModelInfo) -> Instance | None:
    """The layer that gives the model its one-unit output, where the analysis knows it."""
    if model.kind == "sequential":
        for layer in reversed(model.layers):
            if isinstance(layer, Instance) and keras_api.layer_units(layer) is not None:
                return layer
        return None
    if model.outputs and len(model.outputs) == 1:
        tensor = model.outputs[0]
        if isinstance(tensor, Tensor) and isinstance(tensor.producer, Instance):
            return tensor.producer
    return None


def _model_name(facts: ModuleFacts, prediction: Prediction) -> str:
    import libcst as cst  # imported by the rule's check only

    node = prediction.node
    if node is None:
        return "the model"
    target = node.func.value if isinstance(node.func, cst.Attribute) else node.func
    return _code(facts, target)


def _code(facts: ModuleFacts, node: cst.CSTNode) -> str:
    text = facts.module.code_for_node(node)
    return " ".join(text.split())


