"""KER601 early-stopping-without-restore: EarlyStopping keeps the last weights, not the best."""

from __future__ import annotations

import re
from collections.abc import Iterator

from keras_lint.analysis import ModuleFacts
from keras_lint.analysis.names import keras_leaf
from keras_lint.analysis.values import CallSite, Const
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
    with `ModelCheckpoint(..., save_best_only=True)` and reloads it (`load_weights` or
    `load_model`). A value that is not a literal, or arguments passed through `**kwargs`, are
    not judged; an `EarlyStopping` that is not Keras' (PyTorch Lightning's, say) is ignored.

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
    summary = "EarlyStopping without restore_best_weights=True keeps the last, not the best, weights"
    trigger = re.compile(r"EarlyStopping")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        candidates = [
            site
            for site in facts.calls
            if keras_leaf(site.callee) == "EarlyStopping" and _misses_restore(site)
        ]
        if not candidates or _best_checkpoint_reloaded(facts):
            return
        for site in candidates:
            yield Report(
                "EarlyStopping without `restore_best_weights=True` leaves the model with the "
                "weights of the last epoch, not the best one",
                node=site.node,
            )


def _misses_restore(site: CallSite) -> bool:
    value = site.argument(_RESTORE_POSITION, "restore_best_weights")
    return value is None or (isinstance(value, Const) and value.value is False)


def _best_checkpoint_reloaded(facts: ModuleFacts) -> bool:
    """A ``ModelCheckpoint(save_best_only=True)`` whose file is loaded back afterwards."""
    saves_best = any(
        keras_leaf(site.callee) == "ModelCheckpoint"
        and _is_true(site.argument(_SAVE_BEST_POSITION, "save_best_only"))
        for site in facts.calls
    )
    if not saves_best:
        return False
    reloads = any(call.method == "load_weights" for call in facts.method_calls) or any(
        keras_leaf(site.callee) == "load_model" for site in facts.calls
    )
    return reloads


def _is_true(value: object) -> bool:
    return isinstance(value, Const) and value.value is True
