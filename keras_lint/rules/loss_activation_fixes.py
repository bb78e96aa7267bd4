"""KER201's fixes: the edits for the mismatches whose repair leaves no choice of meaning.

- ``Dense(1, activation="softmax")`` with a binary crossentropy: the activation becomes
  ``"sigmoid"`` (one unit can only be a yes/no probability);
- one sigmoid unit with a categorical crossentropy given as a string: the loss becomes
  ``"binary_crossentropy"`` (the same reasoning, from the loss's side);
- a linear output with a ``keras.losses`` crossentropy object: ``from_logits=True`` is added.

Every other mismatch (softmax with binary crossentropy, a probability output with
``from_logits=True``) depends on what the labels are, which only the author knows: no fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from keras_lint.analysis import keras_api
from keras_lint.analysis.names import keras_leaf
from keras_lint.analysis.values import Const, Instance, ModelInfo, Tensor, Value
from keras_lint.rules.base import Edit
from keras_lint.rules.call_edits import set_keyword

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis import ModuleFacts

SIGMOID_TITLE = "Use `sigmoid` for the one-unit output"
BINARY_LOSS_TITLE = "Use `binary_crossentropy` for the one-unit sigmoid output"
FROM_LOGITS_TITLE = "Pass `from_logits=True` to the loss"


@dataclass(frozen=True)
class FixEdit:
    """One edit that repairs one (output, loss) pair, and what it does."""

    title: str
    edit: Edit
    #: the node the edit changes: two pairs that change one node share the edit
    target: int


def output_layers(model: ModelInfo) -> list[Value | None]:
    """The layer that applies each output's activation, when it is the output's last layer
    (None when another layer comes after it, or it is unknown); one per output."""
    if model.kind == "sequential":
        return [model.layers[-1] if model.layers else None]
    if model.outputs is None:
        return []
    return [tensor.producer if isinstance(tensor, Tensor) else None for tensor in model.outputs]


def one_unit_softmax_edit(facts: ModuleFacts, layer: Value | None) -> FixEdit | None:
    """``Dense(1, activation="softmax")`` → ``"sigmoid"``, for a literal string activation."""
    if not isinstance(layer, Instance) or keras_leaf(layer.callee) != "Dense":
        return None
    if keras_api.layer_units(layer) != 1:
        return None
    node = _argument_node(layer.call.node, "activation", 1)
    return _string_edit(node, "softmax", "sigmoid", SIGMOID_TITLE)


def binary_loss_edit(facts: ModuleFacts, compile_node: cst.Call) -> FixEdit | None:
    """A categorical crossentropy string at ``compile(loss=...)`` → ``"binary_crossentropy"``."""
    node = _argument_node(compile_node, "loss", 1)
    for categorical in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        found = _string_edit(node, categorical, "binary_crossentropy", BINARY_LOSS_TITLE)
        if found is not None:
            return found
    return None


def from_logits_edit(facts: ModuleFacts, loss: Value | None) -> FixEdit | None:
    """``from_logits=True`` set on a ``keras.losses`` crossentropy object given by keywords."""
    if not isinstance(loss, Instance) or loss.call.args or loss.call.star_args:
        return None  # a positional argument may be another parameter (the focal losses)
    flag = loss.call.kwargs.get("from_logits")
    if flag is not None and not (isinstance(flag, Const) and flag.value is False):
        return None
    edit = set_keyword(facts, loss.call.node, "from_logits", "True")
    return None if edit is None else FixEdit(FROM_LOGITS_TITLE, edit, id(loss.call.node))


def _argument_node(call: cst.Call, keyword: str, position: int) -> cst.BaseExpression | None:
    if any(arg.star for arg in call.args):
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    positional = [arg for arg in call.args if arg.keyword is None]
    return positional[position].value if position < len(positional) else None


def _string_edit(node: cst.BaseExpression | None, old: str, new: str, title: str) -> FixEdit | None:
    """Replace a plain string literal whose value is ``old`` (in any case), keeping its quotes."""
    import libcst as cst  # here: a run that parses nothing never loads it

    if not isinstance(node, cst.SimpleString) or "b" in node.prefix.lower():
        return None
    if node.raw_value.lower() != old:
        return None
    text = f"{node.prefix}{node.quote}{new}{node.quote}"
    return FixEdit(title, Edit(text, node=node), id(node))
