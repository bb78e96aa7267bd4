"""KER703 legacy-h5-save: a whole model saved in the legacy HDF5 format under Keras 3."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.analysis.names import keras_leaf
from keras_lint.analysis.values import UNKNOWN, Const, Data, Instance, ModelValue, text_ending
from keras_lint.rules.base import Edit, Fix, PythonRule, Report

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis import ModuleFacts
    from keras_lint.analysis.values import Value

_HDF5 = (".h5", ".hdf5")
#: packages whose import puts a program on Keras 3 (TensorFlow 2.16 and later load Keras 3)
_KERAS_3_PACKAGES = frozenset({"keras", "tensorflow"})
_LEGACY_TRUE = frozenset({"1", "true", "yes"})


class LegacyH5Save(PythonRule):
    """
    ## What it does
    Reports a whole model saved in the legacy HDF5 format by a program on Keras 3:
    `model.save(path)`, `keras.models.save_model(model, path)`, `keras.saving.save_model` with a
    path ending in `.h5` or `.hdf5`, and `ModelCheckpoint(path)` with a path ending in `.h5`
    and no `save_weights_only=True`. The path may be any expression whose end the analysis
    knows: a literal, a constant or local variable, an f-string, `+`, `%` or `.format` whose
    last literal part ends so, or `os.path.join`.

    A program is on Keras 3 when it imports `keras`, or imports `tensorflow` (whose `tf.keras`
    is Keras 3 from TensorFlow 2.16) without setting `TF_USE_LEGACY_KERAS` before that import;
    one that imports `tf_keras` is not. A project that pins Keras 2 (`keras<3`,
    `tensorflow<2.16`, `tensorflow==2.15.*`, ... in its `requirements*.txt`, `pyproject.toml`,
    `setup.cfg` or `environment.yml`, or a notebook's own `!pip install keras==2.*`) is not
    reported. `save_weights("model.weights.h5")` saves weights in the current format and is
    fine.

    ## Why is this bad?
    Keras 3 keeps HDF5 only as a legacy format: it writes what the old format can hold, and
    reading it back goes through a compatibility path that does not know every object of a
    Keras 3 model. A model saved as `.h5` may not reload: the `verify` fixture compiles a model
    with `loss="mse"`, saves it as `model.h5`, and `keras.models.load_model("model.h5")`
    fails with `Could not deserialize 'keras.metrics.mse'`; the same model saved as
    `model.keras` reloads and reproduces its predictions exactly. The failure comes when the
    model is needed (serving, fine-tuning, a colleague's evaluation), long after training.
    Custom layers, optimizers with state, and preprocessing layers are other frequent victims.

    ## Example
    ```python
    import keras

    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=10)
    model.save("model.h5")
    ```

    ## Use instead
    ```python
    import keras

    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=10)
    model.save("model.keras")
    ```
    (or `ModelCheckpoint("best.keras")`; to keep only weights, `save_weights("w.weights.h5")`).

    ## Fix
    Unsafe: when the path is a string literal that no other code of the project mentions,
    the fix renames its extension to `.keras` (`"model.h5"` becomes `"model.keras"`). A
    program or service that expects the `.h5` file must follow, which the author must check.
    The engine does not apply fixes yet: the rule attaches the fix to its finding as data.
    """

    code = "KER703"
    name = "legacy-h5-save"
    summary = "A whole model is saved in the legacy HDF5 format (.h5/.hdf5) under Keras 3"
    severity = "warning"
    trigger = re.compile(r"h5|hdf5")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        saves = list(_saves(facts))
        if not saves or not _on_keras_3(facts):
            return
        if facts.project is not None and facts.project.keras2_pin(facts.path) is not None:
            return
        for node, path_node, path, what in saves:
            yield Report(
                f"{what} writes the whole model to '{path}' in the legacy HDF5 format, which "
                "may not reload under Keras 3: save to a `.keras` path instead",
                node=node,
                fix=_fix(path_node, facts),
            )


def _saves(facts: ModuleFacts) -> Iterator[tuple[cst.Call, cst.BaseExpression | None, str, str]]:
    """``(call, path argument, path end, description)`` of each whole-model HDF5 save."""
    seen: set[int] = set()
    for call in facts.method_calls:
        if call.method != "save" or id(call.node) in seen or not _is_model(call.receiver):
            continue
        if "save_format" in call.kwargs:
            continue  # raises in Keras 3: loud, not this rule's
        path = call.args[0] if call.args else call.kwargs.get("filepath", UNKNOWN)
        ending = text_ending(path)
        if ending is not None and ending.lower().endswith(_HDF5):
            seen.add(id(call.node))
            yield call.node, _argument_node(call.node, 0, "filepath"), _shown(ending), "`save`"
    for site in facts.calls:
        leaf = keras_leaf(site.callee)
        if leaf == "save_model" and "save_format" not in site.kwargs:
            ending = text_ending(site.argument(1, "filepath") or UNKNOWN)
            if ending is not None and ending.lower().endswith(_HDF5):
                node = _argument_node(site.node, 1, "filepath")
                yield site.node, node, _shown(ending), "`save_model`"
        elif leaf == "ModelCheckpoint":
            weights_only = site.kwargs.get("save_weights_only")
            if weights_only is not None and not (
                isinstance(weights_only, Const) and weights_only.value is False
            ):
                continue
            ending = text_ending(site.argument(0, "filepath") or UNKNOWN)
            if ending is not None and ending.lower().endswith(".h5"):
                node = _argument_node(site.node, 0, "filepath")
                yield site.node, node, _shown(ending), "`ModelCheckpoint`"


def _is_model(receiver: Value) -> bool:
    """A Keras model, or an object the analysis does not know (a model from a library or a
    helper it cannot follow), but not an object of another library."""
    if isinstance(receiver, ModelValue):
        return True
    if isinstance(receiver, Instance):
        return keras_leaf(receiver.callee) is not None
    return receiver is UNKNOWN or isinstance(receiver, Data)


def _shown(ending: str) -> str:
    return ending if len(ending) <= 80 else "..." + ending[-77:]


def _argument_node(call: cst.Call, position: int, keyword: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    return positional[position].value if position < len(positional) else None


def _on_keras_3(facts: ModuleFacts) -> bool:
    packages = {i.package for i in facts.imports}
    if "tf_keras" in packages or not packages & _KERAS_3_PACKAGES:
        return False
    if "keras" in packages:
        return True
    first_tensorflow = min(i.order for i in facts.imports if i.package == "tensorflow")
    legacy = any(
        s.name == "TF_USE_LEGACY_KERAS"
        and (s.value or "").strip().lower() in _LEGACY_TRUE
        and s.order < first_tensorflow
        for s in facts.env
    )
    return not legacy


def _fix(path_node: cst.BaseExpression | None, facts: ModuleFacts) -> Fix | None:
    import libcst as cst  # the registry imports rules without libcst (Dockerfile-only runs)

    if not isinstance(path_node, cst.SimpleString) or path_node.value.startswith(('"""', "'''")):
        return None
    raw = path_node.value
    body, quote = raw[:-1], raw[-1]
    extension = next((e for e in _HDF5 if body.lower().endswith(e)), None)
    if extension is None:
        return None
    text = path_node.evaluated_value
    if not isinstance(text, str) or facts.module.code.count(text) != 1:
        return None  # the same path is read elsewhere in this file
    if facts.project is not None and facts.project.mentioned_elsewhere(text, facts.path):
        return None
    return Fix(
        title=f"Save to `{text[: -len(extension)]}.keras`",
        applicability="unsafe",
        edits=(Edit(body[: -len(extension)] + ".keras" + quote, node=path_node),),
    )
