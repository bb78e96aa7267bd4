"""Modules of the linted tree: imported names resolved lazily, modules loaded and interpreted
once per project (their top-level events replayed in every file that imports them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from keras_lint.analysis import keras_api
from keras_lint.analysis.events import Events, ModuleScope
from keras_lint.analysis.interpreter_base import Frame, InterpreterBase
from keras_lint.analysis.libraries import is_library
from keras_lint.analysis.names import normalize
from keras_lint.analysis.syntax import dotted_name
from keras_lint.analysis.values import UNKNOWN, Ref, Value

if TYPE_CHECKING:
    from keras_lint.analysis.project import ProjectIndex


@dataclass(eq=False)
class LazyImport(Value):
    """``from helpers import f`` of a module of the linted tree: resolved on first use, so a
    module is parsed and interpreted only when one of its names is actually used."""

    module: str
    name: str
    importer: ModuleScope = field(repr=False)


class ModuleLoadingMixin(InterpreterBase):
    """Loads modules of the linted tree and resolves the names imported from them."""

    def _absolute_module(self, level: int, module: str, scope: ModuleScope) -> str | None:
        if level == 0:
            return module
        if self.project is None:
            return None
        return self.project.resolve_relative(scope.path, level, module)

    def _import_member(self, base: str, name: str, scope: ModuleScope) -> Value:
        project_scope = self._load_project_module(base, scope)
        if project_scope is not None:
            if name in project_scope.globals:
                return self._resolved(project_scope.globals, name)
            sub = self._load_project_module(f"{base}.{name}", scope)
            if sub is not None:
                return Ref(sub.name)
            return UNKNOWN
        return Ref(normalize(f"{base}.{name}"))

    def _load_project_module(self, name: str, importer: ModuleScope) -> ModuleScope | None:
        """The interpreted top level of a module of the linted tree, or None."""
        if self.project is None or is_library(name):
            return None
        located = self.project.locate(name, importer.path)
        if located is None:
            return None
        path, module = located
        key = str(path)
        cached = self.project.scope_cache.get(key)
        if cached is not None:
            # every linted file that imports the module sees what its top level does, once
            if key not in self._replayed:
                self._replayed.add(key)
                self.events.extend(cached[1])
            return cached[0]
        if key in self._loading:
            return None
        self._loading.add(key)
        importer_events, self.events = self.events, Events()
        try:
            scope = ModuleScope(module, key, name)
            self.run_module(scope, standalone=False)
            self.project.scope_cache[key] = (scope, self.events)
            return scope
        finally:
            importer_events.extend(self.events)
            self.events = importer_events
            self._replayed.add(key)
            self._loading.discard(key)

    def _is_project_module(self, name: str, importer: ModuleScope) -> bool:
        return (
            self.project is not None
            and not is_library(name)
            and self.project.knows(name, importer.path)
        )

    def _is_primary(self, scope: ModuleScope) -> bool:
        """Whether ``scope`` is the file being linted (not a module loaded for its helpers)."""
        return scope is getattr(self, "_top_scope", scope)

    def _resolve_project_ref(self, ref: Ref, scope: ModuleScope) -> Value | None:
        """``utils.setup_gpu`` reached through ``import utils``: the project's function."""
        if self.project is None or "." not in ref.name or is_library(ref.name):
            return None
        module, _, member = ref.name.rpartition(".")
        loaded = self._load_project_module(module, scope)
        if loaded is None or member not in loaded.globals:
            return None
        return self._resolved(loaded.globals, member)

    def _resolved(self, env: dict[str, Value], name: str) -> Value:
        value = env[name]
        if isinstance(value, LazyImport):
            key = (id(env), name)
            if key in self._resolving:
                return UNKNOWN
            self._resolving.add(key)
            try:
                value = self._import_member(value.module, value.name, value.importer)
            finally:
                self._resolving.discard(key)
            env[name] = value
        return value


#: calls that may train a model (a ``fit`` method, a cross-validation function): where one in
#: another module is reached, the linted file's call that led there is remembered
_TRAINING_NAMES = keras_api.FIT_METHODS | keras_api.CROSS_VALIDATION


class LeadingCallsMixin(InterpreterBase):
    """Remembers, for each training call reached in another module of the tree, the call of the
    linted file that led there: that is where an entry point training through its project's
    functions is reported (``train_and_evaluate(args)`` in ``task.py``)."""

    def __init__(self, project: ProjectIndex | None) -> None:
        super().__init__(project)
        #: the innermost call of the linted file being evaluated (run by the file, not on its own)
        self._lead: cst.Call | None = None
        self._leads: dict[int, list[cst.Call]] = {}

    def leads_to(self, call: cst.Call) -> list[cst.Call]:
        """The calls of the linted file whose evaluation reached ``call`` (another module's)."""
        return self._leads.get(id(call), [])

    def _eval_call(self, node: cst.Call, frame: Frame) -> Value:
        if frame.scope is self._top_scope:
            if self._standalone:
                return super()._eval_call(node, frame)
            outer, self._lead = self._lead, node
            try:
                return super()._eval_call(node, frame)
            finally:
                self._lead = outer
        if self._lead is not None and not self._standalone:
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else dotted_name(func)
            if name in _TRAINING_NAMES:
                leads = self._leads.setdefault(id(node), [])
                if all(lead is not self._lead for lead in leads):
                    leads.append(self._lead)
        return super()._eval_call(node, frame)
