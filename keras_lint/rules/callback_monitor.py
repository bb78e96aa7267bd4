"""KER602 callback-monitor-unavailable: a callback monitors a number ``fit`` never logs, or in the
wrong direction."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from keras_lint.analysis.names import keras_leaf
from keras_lint.analysis.values import (
    UNKNOWN,
    CallSite,
    Const,
    Data,
    FunctionValue,
    Instance,
    Mapping,
    ModelValue,
    ObjectValue,
    Ref,
    Seq,
    Value,
)
from keras_lint.rules.base import Edit, Fix, PythonRule, Report
from keras_lint.rules.source_positions import on_line

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis import ModuleFacts
    from keras_lint.analysis.events import CompileCall, MethodCall
    from keras_lint.analysis.values import ModelInfo

#: position of ``callbacks`` in ``fit(x, y, batch_size, epochs, verbose, callbacks, ...)``
_FIT_CALLBACKS_POSITION = {"fit": 5, "fit_generator": 4}
#: callback -> positions of ``monitor`` and ``mode`` among its parameters
_CALLBACKS = {"EarlyStopping": (0, 4), "ReduceLROnPlateau": (0, 4), "ModelCheckpoint": (1, 5)}
_SAVE_BEST_POSITION = 3
#: positions of ``validation_split``/``validation_data`` in ``fit`` and ``fit_generator``
_VALIDATION_POSITIONS = {"fit": 6, "fit_generator": 5}
#: the names metric classes log when not given ``name=``
_CLASS_NAMES = {
    "Accuracy": "accuracy",
    "BinaryAccuracy": "binary_accuracy",
    "CategoricalAccuracy": "categorical_accuracy",
    "SparseCategoricalAccuracy": "sparse_categorical_accuracy",
    "TopKCategoricalAccuracy": "top_k_categorical_accuracy",
    "SparseTopKCategoricalAccuracy": "sparse_top_k_categorical_accuracy",
    "AUC": "auc",
    "Precision": "precision",
    "Recall": "recall",
    "F1Score": "f1_score",
    "FBetaScore": "fbeta_score",
    "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error",
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error",
    "RootMeanSquaredError": "root_mean_squared_error",
    "BinaryCrossentropy": "binary_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
}
#: metric functions of ``keras.metrics`` logged under their own name
_FUNCTION_NAMES = frozenset(
    {
        "binary_accuracy",
        "categorical_accuracy",
        "sparse_categorical_accuracy",
        "top_k_categorical_accuracy",
        "sparse_top_k_categorical_accuracy",
        "mean_squared_error",
        "mean_absolute_error",
        "mean_absolute_percentage_error",
        "mean_squared_logarithmic_error",
        "binary_crossentropy",
        "categorical_crossentropy",
        "sparse_categorical_crossentropy",
    }
)
_HIGHER_IS_BETTER = frozenset(
    {"acc", "auc", "precision", "recall", "f1_score", "fbeta_score", "mean_iou", "iou"}
)
_LOWER_IS_BETTER = frozenset({"loss", "mse", "mae", "mape", "msle", "rmse", "hinge"})


class _Trigger:
    """KER602's trigger: one of the three callbacks is named in the text."""

    _callback = re.compile(r"EarlyStopping|ReduceLROnPlateau|ModelCheckpoint")

    def search(self, text: str) -> bool:
        return self._callback.search(text) is not None


@dataclass(frozen=True)
class _Problem:
    message: str
    fix: Fix | None = None


class CallbackMonitorUnavailable(PythonRule):
    """
    ## What it does
    Reads each Keras `EarlyStopping`, `ModelCheckpoint(save_best_only=True)` and
    `ReduceLROnPlateau` given to a `fit` (or `fit_generator`), the `monitor` it watches
    (`val_loss` when absent) and its `mode`, and reports a callback that can never act:
    - it monitors `val_*` and the `fit` has neither `validation_data` nor `validation_split`;
    - it monitors a name the `fit` never logs: neither `loss` nor the logged name of a metric
      of the model's last `compile` (a string as written, so `"acc"` is fine with
      `metrics=["acc"]` and wrong with `metrics=["accuracy"]`; a metric object's `name=`, else
      its class's default name; a metric function's own name);
    - an explicit `mode` against the direction of the number: `"min"` for an accuracy, AUC,
      precision or recall, `"max"` for a loss or an error.
    Monitors and metrics that are not literals, a model whose outputs or compile are not
    known, multi-output models, subclassed models (their `train_step` may log anything),
    custom callbacks in the same list (they may add logs), `**kwargs`, and a `ModelCheckpoint`
    without `save_best_only=True` (it never reads its monitor) are not judged.

    ## Why is this bad?
    Keras only warns ("Early stopping conditioned on metric `val_acc` which is not available")
    and goes on: `EarlyStopping` never stops, `ReduceLROnPlateau` never lowers the rate, and
    `ModelCheckpoint(save_best_only=True)` saves every epoch, so its "best" file holds the
    last one. A wrong `mode` makes the callback keep the worst epoch. `keras-lint verify`
    measures it on an over-fitting classifier checkpointed with `monitor="val_acc"` while
    `fit` logs `val_accuracy`: the saved "best" model is the last epoch, its validation loss
    0.79-0.88 above the lowest, against 0-0.01 for the model saved with
    `monitor="val_accuracy"` (seeds 0-2, TensorFlow 2.21 on the CPU).

    ## Example
    ```python
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    checkpoint = keras.callbacks.ModelCheckpoint(
        "best.keras", monitor="val_acc", save_best_only=True
    )
    model.fit(x, y, validation_split=0.2, epochs=50, callbacks=[checkpoint])
    ```

    ## Use instead
    ```python
    checkpoint = keras.callbacks.ModelCheckpoint(
        "best.keras", monitor="val_accuracy", mode="max", save_best_only=True
    )
    ```

    ## Fix
    Safe where the model is compiled with the literal metric `"accuracy"`: `"val_acc"` becomes
    `"val_accuracy"` (and `"acc"` becomes `"accuracy"`), the name Keras logs; nothing else
    changes. Not automatic otherwise: add validation data, correct the name or the `mode`.
    (The rule keeps this fix with its finding; the fix mechanism of the command line applies
    it with `--fix`.)
    """

    code = "KER602"
    name = "callback-monitor-unavailable"
    summary = "A callback monitors a number fit never logs (val_acc, val_* without validation)"
    severity = "error"
    trigger = _Trigger()

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        from keras_lint.analysis.lifecycle import callbacks_of

        written_here = {id(site.node) for site in facts.calls}
        reported: set[int] = set()
        for fit in facts.fit_calls:
            if not _keras_fit(fit):
                continue
            for callback in callbacks_of(fit.method, _site_of(fit)):
                site = callback.call
                if id(site.node) in reported or id(site.node) not in written_here:
                    continue
                problem = _problem(facts, fit, site)
                if problem is not None:
                    reported.add(id(site.node))
                    yield Report(problem.message, node=site.node, fix=problem.fix)


def _keras_fit(fit: MethodCall) -> bool:
    """A ``fit`` of a Keras model or of an object of unknown origin (not a user class, not a
    scikit-learn style estimator)."""
    receiver = fit.receiver
    return isinstance(receiver, (ModelValue, Data)) or receiver is UNKNOWN


def _site_of(fit: MethodCall) -> CallSite:
    return CallSite(fit.node, fit.method, fit.args, fit.kwargs, _has_star(fit.node), False)


def _has_star(call: cst.Call) -> bool:
    return any(arg.star for arg in call.args)


def _problem(facts: ModuleFacts, fit: MethodCall, site: CallSite) -> _Problem | None:
    leaf = keras_leaf(site.callee)
    if leaf not in _CALLBACKS or site.star_args or site.star_kwargs:
        return None
    monitor_at, mode_at = _CALLBACKS[leaf]
    if leaf == "ModelCheckpoint":
        save_best = site.argument(_SAVE_BEST_POSITION, "save_best_only")
        if not (isinstance(save_best, Const) and save_best.value is True):
            return None
    monitor_value = site.argument(monitor_at, "monitor")
    if monitor_value is None:
        monitor = "val_loss"
    elif isinstance(monitor_value, Const) and isinstance(monitor_value.value, str):
        monitor = monitor_value.value
    else:
        return None
    shown = f"{leaf}(monitor={monitor!r})"
    fit_text = f"the `{fit.method}`{on_line(facts, fit.node)}"
    name = monitor[4:] if monitor.startswith("val_") else monitor
    given = _site_of(fit).argument(_FIT_CALLBACKS_POSITION.get(fit.method, 5), "callbacks")
    from keras_lint.analysis.lifecycle import writes_logs

    items = given.items if isinstance(given, Seq) else [] if given is None else [given]
    if any(writes_logs(item) for item in items):
        return None  # a callback of the list may log the number itself
    if monitor.startswith("val_") and _has_no_validation(fit):
        return _Problem(
            f"`{shown}` watches `{monitor}`, but {fit_text} has neither `validation_data` nor "
            "`validation_split`, so it never logs it and the callback never acts: give `fit` "
            "validation data or monitor a training number"
        )
    logged = _logged_names(facts, fit)
    if logged is not None and name not in logged:
        suggestion = _suggested(monitor, logged)
        return _Problem(
            f"`{shown}` watches `{monitor}`, but {fit_text} logs only "
            f"{', '.join(f'`{n}`' for n in _with_prefix(sorted(logged), monitor))}, so the "
            "callback never acts (Keras only warns)"
            + (f": monitor `{suggestion}`" if suggestion else ""),
            _rename(facts, site, monitor_at, suggestion) if suggestion else None,
        )
    mode = site.argument(mode_at, "mode")
    if isinstance(mode, Const) and mode.value in {"min", "max"}:
        direction = _direction(name)
        wrong = (mode.value, direction) in {("min", "max"), ("max", "min")}
        if wrong:
            return _Problem(
                f"`{leaf}` watches `{monitor}` with `mode={mode.value!r}`, but `{monitor}` is "
                f"better when it is {'higher' if direction == 'max' else 'lower'}: the callback "
                f"keeps the worst epoch; use `mode={direction!r}`"
            )
    return None




def _has_no_validation(fit: MethodCall) -> bool:
    if _has_star(fit.node) or len(fit.args) > _VALIDATION_POSITIONS.get(fit.method, 6):
        return False
    for keyword in ("validation_data", "validation_split"):
        value = fit.kwargs.get(keyword)
        if value is None:
            continue
        if isinstance(value, Const) and value.value in (None, 0, 0.0):
            continue
        return False
    return True


def _logged_names(facts: ModuleFacts, fit: MethodCall) -> set[str] | None:
    """The names the fit logs (validation prefix removed), or None when not known."""
    model = facts.fit_models.get(id(fit.node))
    compiles = facts.fit_compiles.get(id(fit.node), [])
    if model is None or not compiles or not _single_output(model):
        return None
    names: set[str] = set()
    for compile_call in compiles:
        found = _compile_names(compile_call)
        if found is None:
            return None
        names |= found
    return names


def _single_output(model: ModelInfo) -> bool:
    if model.kind == "sequential":
        return bool(model.layers) and not any(isinstance(v, ObjectValue) for v in model.layers)
    if model.kind in {"functional", "clone"}:
        return model.outputs is not None and len(model.outputs) == 1
    return model.kind == "application"


def _compile_names(compile_call: CompileCall) -> set[str] | None:
    site = compile_call.site
    if site.star_args or site.star_kwargs:
        return None
    if isinstance(site.argument(1, "loss"), (Seq, Mapping)):
        return None  # several outputs: each logs its own prefixed names
    names = {"loss"}
    for position, keyword in ((2, "metrics"), (4, "weighted_metrics")):
        given = site.argument(position, keyword)
        if given is None:
            continue
        if not isinstance(given, Seq):
            return None
        for metric in given.items:
            name = _metric_name(metric)
            if name is None:
                return None
            names.add(name)
    return names


def _metric_name(metric: Value) -> str | None:
    if isinstance(metric, Const) and isinstance(metric.value, str):
        return metric.value
    if isinstance(metric, FunctionValue):
        return metric.node.name.value
    if isinstance(metric, Ref):
        leaf = keras_leaf(metric.name)
        return leaf if leaf in _FUNCTION_NAMES and ".metrics." in metric.name else None
    if isinstance(metric, Instance):
        leaf = keras_leaf(metric.callee)
        if leaf is None or ".metrics." not in metric.callee or metric.call.star_kwargs:
            return None
        given = metric.call.kwargs.get("name")
        if given is not None:
            return (
                given.value if isinstance(given, Const) and isinstance(given.value, str) else None
            )
        return _CLASS_NAMES.get(leaf) if not metric.call.args else None
    return None


def _with_prefix(names: list[str], monitor: str) -> list[str]:
    return [f"val_{n}" for n in names] if monitor.startswith("val_") else names


def _suggested(monitor: str, logged: set[str]) -> str | None:
    """``val_acc`` -> ``val_accuracy`` when the model logs ``accuracy`` (and the reverse)."""
    prefix = "val_" if monitor.startswith("val_") else ""
    name = monitor[len(prefix) :]
    aliases = {"acc": "accuracy", "accuracy": "acc"}
    if name in aliases and aliases[name] in logged:
        return prefix + aliases[name]
    return None


def _rename(facts: ModuleFacts, site: CallSite, position: int, new: str) -> Fix | None:
    """Replace the monitor's string literal, safe when the metric is the literal
    ``"accuracy"``/``"acc"``: Keras logs exactly that name."""
    import libcst as cst  # loaded: the file was parsed

    node = _argument_node(site.node, position, "monitor")
    if not isinstance(node, cst.SimpleString):
        return None
    quote = node.quote
    return Fix(
        f"Monitor `{new}`",
        "safe",
        (Edit(f"{node.prefix}{quote}{new}{quote}", node=node),),
    )


def _argument_node(call: cst.Call, position: int, keyword: str) -> cst.BaseExpression | None:
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    return positional[position].value if position < len(positional) else None


def _direction(name: str) -> str | None:
    """``max`` for a number that grows as the model improves, ``min`` for one that falls."""
    if name in _HIGHER_IS_BETTER or name.endswith("accuracy"):
        return "max"
    if name in _LOWER_IS_BETTER or name.endswith(("_loss", "_error", "crossentropy")):
        return "min"
    return None
