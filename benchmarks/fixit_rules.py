"""KER601 written as a Fixit 2 rule: the engine peer of keras-lint in ``benchmarks/suite.py``.

It is what a Fixit user would write for the same bug: resolve the callee's qualified name
(``QualifiedNameProvider``, so aliases and ``tf.keras`` spellings count) and look at the
arguments. Like KER601 it stays silent on ``**kwargs``, on a ``restore_best_weights`` that is
not a literal, and when the module saves the best model (``ModelCheckpoint(...,
save_best_only=True)``) and loads a model or weights back after that callback. KER601 is
more precise in two ways this rule does not copy: it follows the callback into the ``fit`` it
is given to (this rule accepts any reload later in the module), and it ignores a callback
that never reaches training.

    fixit --rules benchmarks.fixit_rules lint FOLDER      # with the repository root on PYTHONPATH
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from fixit import Invalid, LintRule, Valid
from libcst.metadata import PositionProvider, QualifiedNameProvider

#: the first components of the names Keras is imported under
_KERAS_ROOTS = frozenset({"keras", "tensorflow", "tf_keras"})
#: position of ``restore_best_weights`` in ``EarlyStopping(...)``, of ``save_best_only`` in
#: ``ModelCheckpoint(...)``
_RESTORE_POSITION = 6
_SAVE_BEST_POSITION = 3


class EarlyStoppingWithoutRestore(LintRule):
    """EarlyStopping without ``restore_best_weights=True`` keeps the last, not the best, weights."""

    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider)

    VALID = [
        Valid(
            """
            import keras
            stop = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
            """
        ),
        Valid(
            """
            from lightning.pytorch.callbacks import EarlyStopping
            stop = EarlyStopping(monitor="val_loss")
            """
        ),
        Valid(
            """
            import keras
            stop = keras.callbacks.EarlyStopping(**options)
            """
        ),
        Valid(
            """
            import keras
            stop = keras.callbacks.EarlyStopping(patience=3)
            best = keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True)
            model.fit(x, y, callbacks=[stop, best])
            model = keras.models.load_model("best.keras")
            """
        ),
    ]
    INVALID = [
        Invalid(
            """
            import tensorflow as tf
            stop = tf.keras.callbacks.EarlyStopping(monitor="val_loss", patience=3)
            """
        ),
        Invalid(
            """
            from keras.callbacks import EarlyStopping as ES
            stop = ES(patience=3, restore_best_weights=False)
            """
        ),
        Invalid(
            """
            from tensorflow import keras
            stop = keras.callbacks.EarlyStopping("val_loss", 0, 3, 0, "auto", None, False)
            """
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._candidates: list[cst.Call] = []
        self._best_checkpoints = 0  # ModelCheckpoint(save_best_only=True) calls
        self._reloads: list[int] = []  # lines of load_model(...) and .load_weights(...)

    def visit_Module(self, node: cst.Module) -> None:
        self._candidates, self._best_checkpoints, self._reloads = [], 0, []

    def visit_Call(self, node: cst.Call) -> None:
        leaf = self._keras_leaf(node.func)
        if leaf == "EarlyStopping" and _misses_restore(node.args):
            self._candidates.append(node)
        elif leaf == "ModelCheckpoint" and _is_true(
            _argument(node.args, _SAVE_BEST_POSITION, "save_best_only")
        ):
            self._best_checkpoints += 1
        elif leaf == "load_model" or (
            isinstance(node.func, cst.Attribute) and node.func.attr.value == "load_weights"
        ):
            self._reloads.append(self._line(node))

    def leave_Module(self, original_node: cst.Module) -> None:
        for call in self._candidates:
            line = self._line(call)
            if self._best_checkpoints and any(reload > line for reload in self._reloads):
                continue
            self.report(
                call,
                "EarlyStopping without `restore_best_weights=True` leaves the model with the "
                "weights of the last epoch, not the best one",
            )

    def _keras_leaf(self, func: cst.BaseExpression) -> str | None:
        for qualified in self.get_metadata(QualifiedNameProvider, func, set()):
            parts = qualified.name.split(".")
            if len(parts) > 1 and parts[0] in _KERAS_ROOTS:
                return parts[-1]
        return None

    def _line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line


def _argument(args: Sequence[cst.Arg], position: int, keyword: str) -> object:
    """The argument's expression; None when absent, ``...`` when hidden behind ``*``/``**``."""
    for arg in args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    if any(arg.star for arg in args):
        return ...
    positional = [arg for arg in args if arg.keyword is None]
    return positional[position].value if position < len(positional) else None


def _misses_restore(args: Sequence[cst.Arg]) -> bool:
    value = _argument(args, _RESTORE_POSITION, "restore_best_weights")
    return value is None or (isinstance(value, cst.Name) and value.value == "False")


def _is_true(value: object) -> bool:
    return isinstance(value, cst.Name) and value.value == "True"
