"""KER601 early-stopping-without-restore: EarlyStopping keeps the last weights, not the best."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from keras_lint.analysis.names import keras_leaf
from keras_lint.analysis.values import CallSite, Const, Value
from keras_lint.rules.base import Fix, PythonRule, Report
from keras_lint.rules.call_edits import set_keyword

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis import ModuleFacts

#: position of ``restore_best_weights`` in ``EarlyStopping(monitor, min_delta, patience, verbose,
#: mode, baseline, restore_best_weights, ...)``
_RESTORE_POSITION = 6
#: position of ``save_best_only`` in ``ModelCheckpoint(filepath, monitor, verbose, save_best_only)``
_SAVE_BEST_POSITION = 3
#: KerasTuner's ``search`` keeps each trial's best epoch itself
_SEARCHES = frozenset({"search"})


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
    Adds `restore_best_weights=True` to the call (after its last argument, on a line of its own
    in a call written one argument per line, keeping a trailing comma), or replaces an explicit
    `restore_best_weights=False`. Unsafe (`--fix --unsafe-fixes`): it changes which weights the
    program ends with.
    """

    code = "KER601"
    name = "early-stopping-without-restore"
    severity = "error"
    summary = (
        "EarlyStopping without restore_best_weights=True keeps the last, not the best, weights"
    )
    trigger = re.compile(r"EarlyStopping")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        for site in facts.calls:
            if keras_leaf(site.callee) != "EarlyStopping" or not _misses_restore(site):
                continue
            if _keeps_best_weights(facts, site):
                continue
            edit = set_keyword(facts, site.node, "restore_best_weights", "True", _RESTORE_POSITION)
            fix = None
            if edit is not None:
                fix = Fix("Add `restore_best_weights=True`", "unsafe", (edit,))
            yield Report(
                "EarlyStopping without `restore_best_weights=True` leaves the model with the "
                "weights of the last epoch, not the best one",
                node=site.node,
                fix=fix,
            )


def _misses_restore(site: CallSite) -> bool:
    value = site.argument(_RESTORE_POSITION, "restore_best_weights")
    return value is None or (isinstance(value, Const) and value.value is False)


def _keeps_best_weights(facts: ModuleFacts, site: CallSite) -> bool:
    """Whether the run never ends on the last epoch's weights for lack of this option.

    True when the callback never reaches a training call (bound to a name that is never read,
    or only handed to a hyperparameter search, which keeps each trial's best epoch itself),
    or when every
    ``fit`` it is given to also saves the best model (``ModelCheckpoint(save_best_only=True)``)
    and that file is loaded back after the fit.
    """
    if id(site.node) in facts.unused_results:
        return True  # bound to a name that is never read: it never reaches training
    fits = [
        (node, callbacks)
        for node, callbacks in facts.fits_with_callbacks
        if any(callback.call.node is site.node for callback in callbacks)
    ]
    if not fits:
        uses = facts.instance_uses.get(id(site.node), set())
        if uses and uses <= _SEARCHES:
            return True
        # handed to code we cannot follow: any reloaded best checkpoint in the file counts
        return _reloaded_after(facts, _best_checkpoints(facts.calls), _line_of(facts, site.node))
    for node, callbacks in fits:
        checkpoints = _best_checkpoints(c.call for c in callbacks)
        if not checkpoints or not _reloaded_after(facts, checkpoints, _end_of(facts, node)):
            return False
    return True


def _best_checkpoints(sites: Iterable[CallSite]) -> list[str | None]:
    """Paths of ``ModelCheckpoint(..., save_best_only=True)`` (None when not a literal)."""
    return [
        _path(site.argument(0, "filepath"))
        for site in sites
        if keras_leaf(site.callee) == "ModelCheckpoint"
        and _is_true(site.argument(_SAVE_BEST_POSITION, "save_best_only"))
    ]


def _reloaded_after(facts: ModuleFacts, checkpoints: list[str | None], line: int) -> bool:
    """One of ``checkpoints`` is loaded (``load_weights``/``load_model``) after ``line``."""
    if not checkpoints:
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
        if _line_of(facts, node) <= line:
            continue
        loaded = _path(target)
        # a path that is not a literal on either side may well be the checkpoint's
        if loaded is None or None in checkpoints or loaded in checkpoints:
            return True
    return False


def _line_of(facts: ModuleFacts, node: cst.CSTNode) -> int:
    return facts.position(node).start.line


def _end_of(facts: ModuleFacts, node: cst.CSTNode) -> int:
    try:
        return facts.position(node).end.line
    except KeyError:  # a fit in a helper of another file: any later reload counts
        return 0


def _path(value: Value | None) -> str | None:
    if isinstance(value, Const) and isinstance(value.value, str):
        return os.path.normpath(value.value)
    return None


def _is_true(value: object) -> bool:
    return isinstance(value, Const) and value.value is True
