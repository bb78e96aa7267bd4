"""KER102 trainable-change-not-compiled: a trained model is frozen or unfrozen and trained again
without ``compile``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.rules.base import Fix, PythonRule, Report
from keras_lint.rules.call_edits import insert_line
from keras_lint.rules.source_positions import on_line

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis import ModuleFacts
    from keras_lint.analysis.lifecycle import IgnoredTrainableChange


class TrainableChangeNotCompiled(PythonRule):
    """
    ## What it does
    Follows each Keras model in program order (through branches, loops, notebook cells and
    helper functions of the file and of the linted tree) and reports an assignment
    `X.trainable = True/False` (or `setattr(X, "trainable", ...)`) where X is a model M, or a
    layer or model inside M (also through `M.layers[...]`, `M.get_layer(...)` and a loop over
    `M.layers`), made after M was trained (`fit`, `train_on_batch`), when M is then trained
    again with no `M.compile(...)` in between and the flag differs from the one M was first
    trained with. A change before the first training call takes effect and is fine, and so is
    the GAN idiom (freeze the discriminator, then build and compile the combined model) and
    toggling a flag back to the value the model was compiled with. A flag that is not a
    literal, a model handed to code the analysis cannot follow, and code in functions that
    nothing calls are not judged.

    ## Why is this bad?
    Keras builds a model's training function at its first `fit` after `compile`, with the
    trainable weights of that moment, and keeps it until the next `compile`. Unfreezing a
    pretrained base after the first training stage and calling `fit` again without `compile`
    trains the head only: the base weights never move, the fine-tuning stage does nothing and
    the log looks normal (keras-team/keras#7965). `keras-lint verify` measures it on a frozen
    base that is unfrozen for a second stage: the base weights change by exactly 0.0 without
    the recompile, against 2.5-3.0 (largest absolute change) with it, and the validation
    accuracy ends at 0.76-0.79 instead of 0.93-0.97 (seeds 0-2, TensorFlow 2.21 on the CPU).

    ## Example
    ```python
    base.trainable = False
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=5)
    base.trainable = True  # KER102: ignored by the next fit
    model.fit(x, y, epochs=5)
    ```

    ## Use instead
    ```python
    base.trainable = True
    model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=5)
    ```

    ## Fix
    Display-only: insert `model.compile(...)` with the arguments of the model's last `compile`
    before the next training call. It is never applied, because fine-tuning usually wants a
    smaller learning rate than the first stage. (The rule keeps this fix with its finding; the
    fix mechanism of the command line shows it where fixes are printed.)
    """

    code = "KER102"
    name = "trainable-change-not-compiled"
    summary = "A trained model's trainable flags change and it trains again without compile"
    severity = "error"
    trigger = re.compile(r"trainable")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        for ignored in facts.ignored_trainable_changes:
            change = ignored.change
            target = facts.module.code_for_node(change.node)
            model = _receiver(facts, ignored.training) or "the model"
            where = on_line(facts, ignored.training)
            yield Report(
                f"`{target}` is set to {change.value} after `{model}` was trained, and "
                f"`{model}.{_method(ignored.training)}`{where} trains again without "
                f"`compile`: Keras keeps the training function of the first `fit`, so the change "
                f"is ignored; call `{model}.compile(...)` after changing `trainable`",
                node=change.node,
                fix=_recompile(facts, ignored, model),
            )


def _receiver(facts: ModuleFacts, call: cst.Call) -> str | None:
    import libcst as cst  # loaded: the file was parsed

    if isinstance(call.func, cst.Attribute):
        return facts.module.code_for_node(call.func.value)
    return None


def _method(call: cst.Call) -> str:
    import libcst as cst  # loaded: the file was parsed

    return call.func.attr.value if isinstance(call.func, cst.Attribute) else "fit"




def _recompile(
    facts: ModuleFacts, ignored: IgnoredTrainableChange, model: str
) -> Fix | None:
    """``model.compile(<the last compile's arguments>)`` before the training call."""
    if len(ignored.compiles) != 1:
        return None
    compile_node = ignored.compiles[0].node
    code = facts.module.code_for_node
    arguments = code(compile_node)[len(code(compile_node.func)) :].strip()
    try:
        line = facts.position(ignored.training).start.line
    except KeyError:
        return None
    text = f"{model}.compile{arguments}"
    return Fix(
        f"Call `{model}.compile(...)` again before training",
        "display-only",
        (insert_line(facts, line, text, indent_of=line),),
    )
