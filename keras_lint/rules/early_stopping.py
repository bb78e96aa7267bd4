"""KER601 early-stopping-without-restore: EarlyStopping keeps the last weights, not the best."""

from __future__ import annotations

import re
from collections.abc import Iterator

from keras_lint.analysis import ModuleFacts
from keras_lint.analysis.names import keras_leaf
from keras_lint.analysis.values import CallSite, Const, Value
from keras_lint.rules.base import PythonRule, Report

#: position of ``restore_best_weights`` in ``EarlyStopping(monitor, min_delta, patience, verbose,
#: mode, baseline, restore_best_weights, ...)``
_RESTORE_POSITION = 6
#: position of ``save_best_only`` in ``ModelCheckpoint(filepath, monitor, verbose, save_best_only)``
_SAVE_BEST_POSITION = 3


class EarlyStoppingWithoutRestore(PythonRule):
    """
    ## What it does
    Reports a Keras `EarlyStopping(...)` callback created without `restore_best_weights=True`
    (the argument is missing or literally `False`), unless the file also saves the best model
    with `ModelCheckpoint(..., save_best_only=True)` and loads that file back (`load_weights` or
    `load_model`) after the training call. A value that is not a literal, or arguments passed
    through `**kwargs`, are not judged; an `EarlyStopping` that is not Keras' (PyTorch
    Lightning's, say) is ignored.

    ## Why is this bad?
    EarlyStopping stops training after `patience` epochs without improvement, and by default the
    model keeps the weights of the *last* epoch: those `patience` epochs past the best one, when
    the model had already started to over-fit. The model that is evaluated, saved and deployed is
    then measurably worse than the best epoch that the training log shows, silently.

    ## Example
    ```python
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=10)
    model.fit(x, y, validation_split=0.2, epochs=200, callbacks=[stop])
    ```

    ## Use instead
    ```python
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=10, restore_best_weights=True
    )
    model.fit(x, y, validation_split=0.2, epochs=200, callbacks=[stop])
    ```

    ## Fix
    Add `restore_best_weights=True` (not applied automatically: it changes which weights the
    program ends with).
    """

    code = "KER601"
    name = "early-stopping-without-restore"
    summary = (
        "EarlyStopping without restore_best_weights=True keeps the last, not the best, weights"
    )
    trigger = re.compile(r"EarlyStopping")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        candidates = [
            site
            for site in facts.calls
            if keras_leaf(site.callee) == "EarlyStopping" and _misses_restore(site)
        ]
        for site in candidates:
            if _best_checkpoint_reloaded(facts, after=_end_of_training(facts, site)):
                continue
            yield Report(
                "EarlyStopping without `restore_best_weights=True` leaves the model with the "
                "weights of the last epoch, not the best one",
                node=site.node,
            )


def _misses_restore(site: CallSite) -> bool:
    value = site.argument(_RESTORE_POSITION, "restore_best_weights")
    return value is None or (isinstance(value, Const) and value.value is False)


def _best_checkpoint_reloaded(facts: ModuleFacts, after: int) -> bool:
    """A ``ModelCheckpoint(save_best_only=True)`` whose file is loaded after line ``after``."""
    saved = [
        _path(site.argument(0, "filepath"))
        for site in facts.calls
        if keras_leaf(site.callee) == "ModelCheckpoint"
        and _is_true(site.argument(_SAVE_BEST_POSITION, "save_best_only"))
    ]
    if not saved:
        return False
    reloads = [
        (call.node, call.args[0] if call.args else call.kwargs.get("filepath"))
        for call in facts.method_calls
        if call.method == "load_weights"
    ]
    reloads += [
        (site.node, site.argument(0, "filepath"))
        for site in facts.calls
        if keras_leaf(site.callee) == "load_model"
    ]
    for node, target in reloads:
        if facts.position(node).start.line <= after:
            continue
        loaded = _path(target)
        # a path that is not a literal on either side may well be the checkpoint's
        if loaded is None or None in saved or loaded in saved:
            return True
    return False


def _end_of_training(facts: ModuleFacts, site: CallSite) -> int:
    """The last line of the first ``fit`` that ends after the callback is created."""
    created = facts.position(site.node).start.line
    ends = [
        facts.position(call.node).end.line
        for call in facts.method_calls
        if call.method in {"fit", "fit_generator"}
    ]
    later = [end for end in ends if end >= created]
    return min(later) if later else created


def _path(value: Value | None) -> str | None:
    if isinstance(value, Const) and isinstance(value.value, str):
        return value.value
    return None


def _is_true(value: object) -> bool:
    return isinstance(value, Const) and value.value is True
