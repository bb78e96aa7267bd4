"""KER302 backend-env-after-import: the Keras backend chosen after Keras was imported."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.rules.base import Edit, Fix, PythonRule, Report

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis import ModuleFacts
    from keras_lint.analysis.events import EnvSetting, ModuleImport

#: the packages whose import reads each variable (``import tensorflow`` loads Keras 3 with
#: TensorFlow 2.16 and later)
_READ_AT_IMPORT = {
    "KERAS_BACKEND": frozenset({"keras", "tensorflow", "keras_hub", "keras_nlp", "keras_cv"}),
    "TF_USE_LEGACY_KERAS": frozenset({"tensorflow"}),
}


class BackendEnvAfterImport(PythonRule):
    """
    ## What it does
    Reports a `KERAS_BACKEND` assignment (`os.environ["KERAS_BACKEND"] = ...`,
    `os.environ.setdefault`, `os.environ.update`, `os.putenv`, a notebook's `%env`) that runs
    after `keras`, `tensorflow`, `keras_hub`, `keras_nlp` or `keras_cv` was imported earlier in
    the same program (in this file, across notebook cells, or by a module of the project it
    imports), and a `TF_USE_LEGACY_KERAS` assignment that runs after `tensorflow` was imported.

    Setting the variable before any such import is fine, and so is assigning again the value
    it was already given before the import. A copy of `os.environ` handed to a subprocess
    (`env = os.environ.copy(); env["KERAS_BACKEND"] = "jax"`) is not this process's backend
    and is not reported.

    ## Why is this bad?
    Keras reads `KERAS_BACKEND` once, when it is first imported; `import tensorflow` imports
    Keras 3 too (TensorFlow 2.16 and later). An assignment after that changes the environment
    but not the backend: the program runs on TensorFlow, the default, while its author believes
    it runs on JAX or PyTorch. Nothing fails: the `verify` fixture asks for the `jax` backend
    after `import keras` and `keras.backend.backend()` reports `tensorflow`; the same
    assignment before the import gives `jax`. Benchmarks, memory settings for the other
    backend (XLA's preallocation) and backend-specific code paths are then silently wrong.
    `TF_USE_LEGACY_KERAS=1` after `import tensorflow` likewise leaves `tf.keras` on Keras 3.

    ## Example
    ```python
    import os

    import keras

    os.environ["KERAS_BACKEND"] = "jax"
    ```

    ## Use instead
    ```python
    import os

    os.environ["KERAS_BACKEND"] = "jax"

    import keras
    ```
    or set it outside the program (`KERAS_BACKEND=jax python train.py`), or call
    `keras.config.set_backend("jax")` where re-importing is acceptable.

    ## Fix
    Unsafe: when the assignment is a top-level statement whose value is a literal and `os` is
    imported before the first Keras import, the fix moves the assignment above that import. It
    changes which backend runs the whole program, which the author must confirm. Not offered in
    notebooks (the move would cross cells). The engine does not apply fixes yet: the rule
    attaches the fix to its finding as data.
    """

    code = "KER302"
    name = "backend-env-after-import"
    summary = "KERAS_BACKEND (or TF_USE_LEGACY_KERAS) is set after Keras/TensorFlow was imported"
    severity = "warning"
    trigger = re.compile(r"KERAS_BACKEND|TF_USE_LEGACY_KERAS")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        for setting in facts.env:
            packages = _READ_AT_IMPORT.get(setting.name)
            if packages is None or setting.node is None or setting.scope.path != facts.path:
                continue
            earlier = [i for i in facts.imports if i.package in packages and _before(i, setting)]
            if not earlier:
                continue
            first = min(earlier, key=lambda i: i.order)
            if _same_value_set_before(setting, first, facts):
                continue
            yield Report(
                _message(setting, first, facts),
                node=setting.node,
                fix=_fix(setting, first, facts),
            )


def _before(imported: ModuleImport, setting: EnvSetting) -> bool:
    """Whether the import ran before the setting in the program's run.

    A function that no call reached is interpreted on its own, after the top level: the
    imports of the module top levels ran before it, and so did its own earlier imports.
    """
    if imported.order >= setting.order:
        return False
    if imported.flow == setting.flow:
        return True
    return imported.flow == 0 and _top_level(imported.statement, imported.scope.module)


def _top_level(statement: cst.CSTNode | None, module: cst.Module) -> bool:
    return statement is not None and any(statement is s for s in module.body)


def _same_value_set_before(setting: EnvSetting, first: ModuleImport, facts: ModuleFacts) -> bool:
    for earlier in facts.env:
        if earlier.name != setting.name or earlier.order >= first.order:
            continue
        if earlier.flow not in (0, setting.flow):
            continue
        if setting.how == "setdefault":
            return True  # the variable is already set: setdefault changes nothing
        if setting.value is not None and earlier.value == setting.value:
            return True
    return False


def _message(setting: EnvSetting, first: ModuleImport, facts: ModuleFacts) -> str:
    if first.scope.path == facts.path:
        where = f"on line {facts.position(first.node).start.line}"
    else:
        where = f"by {first.scope.name or first.scope.path}"
    value = f" to '{setting.value}'" if setting.value is not None else ""
    if setting.name == "TF_USE_LEGACY_KERAS":
        return (
            f"TF_USE_LEGACY_KERAS is set{value} after `tensorflow` was imported ({where}): "
            "tf.keras stays on Keras 3; set it before the first `import tensorflow`"
        )
    return (
        f"KERAS_BACKEND is set{value} after `{first.package}` was imported ({where}): Keras "
        "has already chosen its backend and ignores it; set it before the first import of "
        "keras/tensorflow"
    )


def _fix(setting: EnvSetting, first: ModuleImport, facts: ModuleFacts) -> Fix | None:
    import libcst as cst  # the registry imports rules without libcst (Dockerfile-only runs)

    statement, anchor = setting.statement, first.statement
    module = facts.module
    if facts.path.endswith(".ipynb") or setting.flow != 0 or setting.standalone:
        return None
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    if first.scope.path != facts.path or not _top_level(statement, module):
        return None
    if not _top_level(anchor, module) or not _literal_only(statement.body[0]):
        return None
    os_imported = any(
        i.package == "os" and i.scope.path == facts.path and i.order < first.order
        and _top_level(i.statement, module)
        for i in facts.imports
    )  # fmt: skip
    if not os_imported or anchor is None:
        return None
    moved = module.code_for_node(statement.with_changes(leading_lines=()))
    here = facts.position(statement)
    target = facts.position(anchor).start.line
    return Fix(
        title=f"Move the {setting.name} assignment above the first Keras import",
        applicability="unsafe",
        edits=(
            Edit(moved, span=(target, 1, target, 1)),
            Edit("", span=(here.start.line, 1, here.end.line + 1, 1)),
        ),
    )


def _literal_only(small: cst.BaseSmallStatement) -> bool:
    """``os.environ[...] = "jax"`` or ``os.environ.setdefault("...", "jax")``: nothing computed."""
    import libcst as cst

    if isinstance(small, cst.Assign):
        return isinstance(small.value, cst.SimpleString)
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        return all(isinstance(arg.value, cst.SimpleString) for arg in small.value.args)
    return False
