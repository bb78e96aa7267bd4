"""KER702 best-checkpoint-not-restored: the best epoch is saved, the program goes on with the
last one."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.analysis.libraries import runs_code_of_its_project
from keras_lint.analysis.values import Const
from keras_lint.rules.base import Fix, PythonRule, Report
from keras_lint.rules.call_edits import insert_line
from keras_lint.rules.source_positions import on_line

if TYPE_CHECKING:

    from keras_lint.analysis import ModuleFacts
    from keras_lint.analysis.lifecycle import BestCheckpoint, LastEpochUse



class _CheckpointOrProjectCall:
    """Text that writes a best checkpoint, or that uses a model (``evaluate``, ``save``,
    ``return``...) in a program that imports a module of its project, whose helper may have
    trained it."""

    _use = re.compile(
        r"return|\.\s*(?:evaluate|predict|save|export|test_on_batch)|save_model"
        r"|from_keras_model|save_keras_model"
    )

    def search(self, text: str, /) -> bool:
        if "ModelCheckpoint" in text:
            return True
        return self._use.search(text) is not None and runs_code_of_its_project(text)

class BestCheckpointNotRestored(PythonRule):
    """
    ## What it does
    Follows each Keras model trained with `fit(..., callbacks=[ModelCheckpoint(path,
    save_best_only=True)])` in program order and reports the first use of its weights after
    that `fit` (`evaluate`, `predict`, calling the model, `save`, `save_weights`, `export`,
    `keras.models.save_model`, or `return` from a function nothing in the file calls) that no
    `model.load_weights(path)` or `keras.models.load_model(path)` precedes on some path. A
    model returned from a helper is followed to its caller's uses. Silent when the same `fit`
    also has `EarlyStopping(restore_best_weights=True)`, when the program ends after `fit`, when
    the checkpoint is reloaded (in a later notebook cell too), and when the path holds format
    fields (`"w-{epoch:02d}.keras"`: one file per epoch).

    ## Why is this bad?
    `save_best_only=True` writes the weights of the best epoch to a file; the model object keeps
    training and ends with the weights of the *last* epoch. A program that then evaluates,
    saves or serves the model in memory reports and ships the over-fitted last epoch, while the
    log promises the best one. `keras-lint verify` measures it on an over-fitting classifier:
    the final model's validation loss is 0.79-0.88 above the best checkpoint's, while
    reloading the checkpoint gives exactly the best epoch's loss (seeds 0-2, TensorFlow 2.21 on
    the CPU).

    ## Example
    ```python
    checkpoint = keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True)
    model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[checkpoint])
    model.evaluate(x_test, y_test)  # KER702: the last epoch, not the best
    ```

    ## Use instead
    ```python
    checkpoint = keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True)
    model.fit(x, y, validation_split=0.2, epochs=100, callbacks=[checkpoint])
    model.load_weights("best.keras")
    model.evaluate(x_test, y_test)
    ```

    ## Fix
    Unsafe: insert `model.load_weights(path)` right after the `fit`, when the path is a literal.
    It changes which weights the rest of the program uses (that is the point) and the author may
    have wanted the last epoch on purpose. (The rule keeps this fix with its finding; the fix
    mechanism of the command line applies it with `--unsafe-fixes`.)
    """

    code = "KER702"
    name = "best-checkpoint-not-restored"
    summary = "ModelCheckpoint(save_best_only=True) saves the best epoch, the program uses the last"
    severity = "error"
    #: a use is a method or function named here, ``return``, or calling the model in the file
    #: that creates the checkpoint (so its name is in the text)
    trigger = _CheckpointOrProjectCall()

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        first: dict[tuple[int, int], tuple[tuple[int, int], LastEpochUse]] = {}
        here = {id(site.node) for site in facts.calls}
        for use in facts.last_epoch_uses:
            if use.use == "call" and id(use.checkpoint.checkpoint.node) not in here:
                continue  # ``model(x)`` is judged where the checkpoint is written
            start = facts.position(use.node).start
            key = (id(use.checkpoint.fit), id(use.checkpoint.checkpoint.node))
            if key not in first or (start.line, start.column) < first[key][0]:
                first[key] = ((start.line, start.column), use)
        reported: set[int] = set()
        for _, use in sorted(first.values(), key=lambda item: item[0]):
            if id(use.node) in reported:
                continue
            reported.add(id(use.node))
            yield _report(facts, use)


def _report(facts: ModuleFacts, use: LastEpochUse) -> Report:
    best = use.checkpoint
    model = _model_name(facts, use) or "the model"
    path = json.dumps(best.path)
    action = "is returned" if use.use == "return" else f"is used (`{use.use}`)"
    return Report(
        f"`{model}` {action} with the weights of the last epoch: "
        f"`ModelCheckpoint({path}, save_best_only=True)` saved the best epoch of the `fit`"
        f"{on_line(facts, best.fit)} but the model never reloads it; call "
        f"`{model}.load_weights({path})` after `fit`",
        node=use.node,
        fix=_reload(facts, best, model),
    )


def _model_name(facts: ModuleFacts, use: LastEpochUse) -> str | None:
    """How the program names the model at its use."""
    import libcst as cst  # loaded: the file was parsed

    node = use.node
    code = facts.module.code_for_node
    if isinstance(node, cst.Return):
        return code(node.value) if isinstance(node.value, (cst.Name, cst.Attribute)) else None
    if not isinstance(node, cst.Call):
        return None
    if use.use == "call":
        return code(node.func)
    if isinstance(node.func, cst.Attribute) and node.func.attr.value == use.use:
        return code(node.func.value)  # model.evaluate(...)
    return code(node.args[0].value) if node.args else None  # keras.models.save_model(model, p)




def _reload(facts: ModuleFacts, best: BestCheckpoint, model: str) -> Fix | None:
    """``model.load_weights("path")`` on the line after the ``fit`` (literal paths only)."""
    import libcst as cst  # loaded: the file was parsed

    written = best.checkpoint.argument(0, "filepath")
    if not isinstance(written, Const) or not isinstance(best.fit.func, cst.Attribute):
        return None  # a path built from parts: the author writes the reload
    try:
        found = facts.position(best.fit)
    except KeyError:
        return None
    receiver = facts.module.code_for_node(best.fit.func.value)
    text = f"{receiver}.load_weights({json.dumps(best.path)})"
    return Fix(
        f"Reload the best checkpoint into `{receiver}` after `fit`",
        "unsafe",
        (insert_line(facts, found.end.line + 1, text, indent_of=found.start.line),),
    )
