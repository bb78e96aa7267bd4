"""KER201 loss-activation-mismatch: the final activation and the loss disagree."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from keras_lint.analysis import keras_api
from keras_lint.analysis.names import keras_leaf
from keras_lint.analysis.values import Const, Instance, Mapping, ModelInfo, Ref, Seq, Tensor, Value
from keras_lint.rules.base import Fix, PythonRule, Report
from keras_lint.rules.loss_activation_fixes import (
    FixEdit,
    binary_loss_edit,
    from_logits_edit,
    one_unit_softmax_edit,
    output_layers,
)

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis import ModuleFacts

_CROSSENTROPY_KINDS = ("binary", "categorical", "sparse_categorical")
_LOSS_STRINGS = {
    "binary_crossentropy": "binary",
    "bce": "binary",
    "binary_focal_crossentropy": "binary",
    "categorical_crossentropy": "categorical",
    "cce": "categorical",
    "categorical_focal_crossentropy": "categorical",
    "sparse_categorical_crossentropy": "sparse_categorical",
}
_LOSS_CLASSES = {
    "BinaryCrossentropy": "binary",
    "BinaryFocalCrossentropy": "binary",
    "CategoricalCrossentropy": "categorical",
    "CategoricalFocalCrossentropy": "categorical",
    "SparseCategoricalCrossentropy": "sparse_categorical",
}
# Regression and other losses that say nothing about probabilities.
_OTHER_LOSSES = {
    "mse",
    "mae",
    "mape",
    "msle",
    "mean_squared_error",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error",
    "huber",
    "huber_loss",
    "log_cosh",
    "logcosh",
    "hinge",
    "squared_hinge",
    "categorical_hinge",
    "kld",
    "kl_divergence",
    "kullback_leibler_divergence",
    "poisson",
    "cosine_similarity",
}


class _CompileAndCrossentropyOrSoftmax:
    """KER201's trigger: a ``.compile`` call and a crossentropy loss or a softmax, in any case.

    Every mismatch has both (and ``re.compile`` alone is everywhere). The words are looked for
    in the lowered text: a case-insensitive pattern would be tried at every position.
    """

    _compile = re.compile(r"\.\s*compile\b")
    _word = re.compile(r"crossentropy|softmax|bce|cce")

    def search(self, text: str) -> bool:
        if not self._compile.search(text):
            return False
        lowered = text.lower()
        for match in self._word.finditer(lowered):
            start, end = match.span()
            if end - start > 3 or not (
                _word_character(lowered, start - 1) or _word_character(lowered, end)
            ):
                return True  # ``bce`` and ``cce`` only as whole words (a leading ``\b`` is slow)
        return False


def _word_character(text: str, index: int) -> bool:
    return 0 <= index < len(text) and (text[index].isalnum() or text[index] == "_")


@dataclass(frozen=True)
class Loss:
    kind: str  # binary | categorical | sparse_categorical | other
    from_logits: bool | None  # None: not a literal
    label: str
    #: the loss object (a ``keras.losses`` instance), for its fix
    value: Value | None = None


@dataclass(frozen=True)
class Output:
    activation: str | None
    units: int | None
    name: str | None
    #: the layer that applies the activation, when it is the output's last one
    layer: Value | None = None


class LossActivationMismatch(PythonRule):
    """
    ## What it does
    Reads each compiled model's output layer (a `Dense`/`Conv` activation given as a string in
    any case, `tf.nn.softmax` or `keras.activations.sigmoid`, a separate `Activation(...)` or
    `Softmax()` layer, functional outputs, `Sequential` lists and `add()` chains, a model used
    as a layer of another, per-output losses of multi-output models) and the loss given to
    `compile` (strings, `keras.losses` classes and functions, `from_logits`), and reports
    combinations that cannot be right:
    - `softmax` output with binary crossentropy;
    - `sigmoid` output with categorical or sparse categorical crossentropy;
    - a softmax over one unit, whose output is always 1.0, whatever the loss:
      `Dense(1, activation="softmax")`, or `Dense(1)` followed by `Activation("softmax")` or
      `Softmax()` (a `Dropout` between them changes nothing; a `Flatten` or `Reshape` does);
    - a probability output (`softmax`/`sigmoid`) with a loss built with `from_logits=True`;
    - a linear output (no activation) with a crossentropy loss without `from_logits=True`.
    An activation or loss it cannot read (a variable, a custom function, `compile(**options)`)
    is not judged.

    Keras names come from imports in every spelling, and from star imports of Keras modules
    (`from keras.layers import *`). A notebook whose import cell is missing is still read when
    its names can only be Keras's: `Sequential`, `Dense`, `Activation`, `Dropout` and `Flatten`
    used without any binding count as Keras's if the file binds that name nowhere (no import,
    assignment, `def`, `class` or parameter of it), star-imports nothing but Keras/TensorFlow
    modules, and compiles a model with `loss=` or `optimizer=`. Any other unbound name (`Model`,
    `Conv2D`, a loss class) stays unknown.

    ## Why is this bad?
    Keras raises no error for any of these: the model trains, and the numbers are wrong. Softmax
    with binary crossentropy scores each class as an independent yes/no problem: the class
    predictions are about as accurate as with categorical crossentropy, but the probabilities
    are over-confident. On its four-class fixture `keras-lint verify` measures a held-out
    accuracy of 0.70-0.79 against 0.69-0.78 with the right loss, while the mean top probability
    exceeds the accuracy by 0.09-0.15 against 0.03-0.06, and the held-out log loss is worse
    (0.61-0.86 against 0.55-0.78; seeds 0-2, TensorFlow 2.21 on the CPU). A sigmoid unit with
    categorical crossentropy, or a one-unit softmax, gives a loss that is constant (exactly 0 in
    the fixture), so not one weight changes and the model never learns. Treating logits as
    probabilities squashes the gradients: training is slow, unstable, and the predicted
    "probabilities" meaningless. Probabilities given to a loss built with `from_logits=True` are
    squashed by a second softmax on the JAX and PyTorch backends; on TensorFlow, Keras 3 warns
    and uses the logits under the softmax, so training there is unaffected.

    ## Example
    ```python
    model = keras.Sequential([
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    ```

    ## Use instead
    ```python
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    # or keep logits: Dense(10) with
    # keras.losses.CategoricalCrossentropy(from_logits=True)
    ```

    ## Fix
    Unsafe (`--fix --unsafe-fixes`), and only where one repair is the only one that makes
    sense; each changes how the model trains:
    - `Dense(1, activation="softmax")` with a binary crossentropy: the activation becomes
      `"sigmoid"` (one unit can only be a yes/no probability);
    - one sigmoid unit with `loss="categorical_crossentropy"` (or the sparse one) given as a
      string: the loss becomes `"binary_crossentropy"`;
    - a linear output with a `keras.losses` crossentropy object (`CategoricalCrossentropy()`,
      given by keywords): `from_logits=True` is added, or replaces `from_logits=False`.

    Every other mismatch is not fixed automatically: whether the activation or the loss is
    wrong (softmax with binary crossentropy, a probability output with `from_logits=True`)
    depends on the labels.
    """

    code = "KER201"
    name = "loss-activation-mismatch"
    severity = "error"
    summary = (
        "The model's final activation and its loss disagree (e.g. softmax + binary crossentropy)"
    )
    trigger = _CompileAndCrossentropyOrSoftmax()

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        reported: set[int] = set()
        for compile_call in facts.compiles:
            if id(compile_call.node) in reported:
                continue
            outputs = _model_outputs(compile_call.model)
            if not outputs:
                continue
            loss_arg = compile_call.site.argument(1, "loss")
            pairs = _pair_losses(outputs, loss_arg)
            problems, edits = [], []
            for output, loss in pairs:
                problem = _mismatch(output, loss)
                if problem is not None:
                    problems.append(problem)
                    edits.append(_fix_edit(facts, compile_call.node, output, loss, pairs))
            if problems:
                reported.add(id(compile_call.node))
                yield Report(
                    "; ".join(dict.fromkeys(problems)), node=compile_call.node, fix=_fix(edits)
                )


def _fix_edit(
    facts: ModuleFacts,
    compile_node: cst.Call,
    output: Output,
    loss: Loss | None,
    pairs: list[tuple[Output, Loss | None]],
) -> FixEdit | None:
    """The edit that repairs one mismatched pair, when only one repair makes sense."""
    if loss is None or loss.from_logits is not False:
        return None
    if output.activation == "softmax" and output.units == 1 and loss.kind == "binary":
        return one_unit_softmax_edit(facts, output.layer)
    if (
        output.activation == "sigmoid"
        and output.units == 1
        and loss.kind in {"categorical", "sparse_categorical"}
        and len(pairs) == 1
    ):
        return binary_loss_edit(facts, compile_node)
    if output.activation == "linear" and loss.kind in _CROSSENTROPY_KINDS:
        # the loss object may be shared with an output that is not linear
        sharing = [out for out, other in pairs if other is not None and other.value is loss.value]
        if all(out.activation == "linear" for out in sharing):
            return from_logits_edit(facts, loss.value)
    return None


def _fix(edits: list[FixEdit | None]) -> Fix | None:
    """One fix for all the mismatches of a ``compile``, when each of them has its edit."""
    if not edits or any(edit is None for edit in edits):
        return None
    unique = {edit.target: edit for edit in edits if edit is not None}
    titles = "; ".join(dict.fromkeys(edit.title for edit in unique.values()))
    return Fix(titles, "unsafe", tuple(edit.edit for edit in unique.values()))


def _model_outputs(model: ModelInfo) -> list[Output]:
    layers = output_layers(model)
    if model.kind == "sequential":
        if not model.layers:
            return []
        output = keras_api.sequential_output(model.layers)
        return [Output(output.activation, output.activation_width, None, layers[0])]
    if model.outputs is None:
        return []
    return [
        Output(tensor.activation, tensor.activation_width, tensor.name, layer)
        if isinstance(tensor, Tensor)
        else Output(None, None, None)
        for tensor, layer in zip(model.outputs, layers, strict=True)
    ]


def _pair_losses(outputs: list[Output], loss_arg: Value | None) -> list[tuple[Output, Loss | None]]:
    """Each output with the loss that applies to it (None: no loss given or not readable)."""
    if isinstance(loss_arg, Seq):
        if len(loss_arg.items) != len(outputs):
            return []
        return [(out, _read_loss(loss)) for out, loss in zip(outputs, loss_arg.items, strict=True)]
    if isinstance(loss_arg, Mapping):
        return [
            (out, _read_loss(loss_arg.items[out.name]))
            for out in outputs
            if out.name is not None and out.name in loss_arg.items
        ]
    loss = _read_loss(loss_arg) if loss_arg is not None else None
    return [(out, loss) for out in outputs]


def _read_loss(value: Value) -> Loss | None:
    if isinstance(value, Const) and isinstance(value.value, str):
        if value.value in _LOSS_CLASSES:  # Keras also reads a class name: ``"BinaryCrossentropy"``
            return Loss(_LOSS_CLASSES[value.value], False, value.value)
        text = value.value.lower()
        if text in _LOSS_STRINGS:
            return Loss(_LOSS_STRINGS[text], False, value.value)
        if text in _OTHER_LOSSES:
            return Loss("other", False, value.value)
        return None
    if isinstance(value, Ref):
        leaf = keras_leaf(value.name)
        # Keras 1 called the module ``keras.objectives``; the metric functions are the losses'
        if leaf is None or not any(
            f".{module}." in value.name for module in ("losses", "objectives", "metrics")
        ):
            return None
        if leaf in _LOSS_STRINGS:
            return Loss(_LOSS_STRINGS[leaf], False, leaf)
        return Loss("other", False, leaf) if leaf.lower() in _OTHER_LOSSES else None
    if isinstance(value, Instance):
        leaf = keras_leaf(value.callee)
        if leaf in _LOSS_CLASSES:
            flag = value.call.kwargs.get("from_logits")
            if value.call.star_kwargs or value.call.args:
                from_logits: bool | None = None  # positional from_logits or unknown kwargs
                if not value.call.star_kwargs and value.call.args:
                    first = value.call.args[0]
                    from_logits = (
                        first.value
                        if isinstance(first, Const) and isinstance(first.value, bool)
                        else None
                    )
            elif flag is None:
                from_logits = False
            elif isinstance(flag, Const) and isinstance(flag.value, bool):
                from_logits = flag.value
            else:
                from_logits = None
            return Loss(_LOSS_CLASSES[leaf], from_logits, f"{leaf}(...)", value)
        return None
    return None


def _mismatch(output: Output, loss: Loss | None) -> str | None:
    activation = output.activation
    if activation == "softmax" and output.units == 1:
        return (
            "`Dense(1, activation='softmax')` always outputs 1.0: use `sigmoid` for one unit, "
            "or one unit per class"
        )
    if loss is None or activation is None or loss.kind == "other":
        return None
    if activation in {"softmax", "sigmoid"} and loss.from_logits is True:
        return (
            f"the output already applies `{activation}` but the loss `{loss.label}` is built with "
            "`from_logits=True`: drop `from_logits=True` or output logits"
        )
    if activation == "softmax" and loss.kind == "binary":
        return (
            f"`softmax` output with `{loss.label}`: binary crossentropy treats every class as an "
            "independent yes/no; use categorical (or sparse categorical) crossentropy"
        )
    if activation == "sigmoid" and loss.kind in {"categorical", "sparse_categorical"}:
        return (
            f"`sigmoid` output with `{loss.label}`: categorical crossentropy needs a softmax "
            "distribution; use `softmax` or binary crossentropy"
        )
    if activation == "linear" and loss.kind in _CROSSENTROPY_KINDS and loss.from_logits is False:
        return (
            f"the output has no activation (logits) but `{loss.label}` expects probabilities: "
            "pass `from_logits=True` or add a `softmax`/`sigmoid` activation"
        )
    return None
