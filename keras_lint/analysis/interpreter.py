"""One pass over a module in program order that computes every fact the rules read.

The interpreter executes the module abstractly: statements in order, both arms of a branch
merged afterwards, loop bodies twice (so a compile placed after a fit in a loop is seen), calls of
functions and classes of the same file or of the linted tree interpreted in place with their
arguments (so a helper that builds, compiles or returns a model is understood at its call site).
Functions that no call reaches are then interpreted on their own with unknown arguments.

What it records (``events.Events``): every call of an external name (``CallSite``), every
method call on a tracked object, model compiles and training calls with the compile state at that
point, environment variable assignments and attribute assignments such as
``gpu_options.allow_growth = True``. The data-provenance events of the leakage analysis are
recorded by ``DataFlow`` through hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeGuard

import libcst as cst

from keras_lint.analysis import keras_api
from keras_lint.analysis.data_flow import DataFlow
from keras_lint.analysis.events import (
    AttributeSetting,
    CompileCall,
    EnvSetting,
    Events,
    MethodCall,
    ModuleScope,
    TrainingCall,
)
from keras_lint.analysis.names import keras_leaf, normalize
from keras_lint.analysis.state import State, merge_models
from keras_lint.analysis.syntax import calls_in, child_nodes, dotted_name, import_from_module
from keras_lint.analysis.values import (
    UNKNOWN,
    CallSite,
    ClassValue,
    Const,
    Data,
    FunctionValue,
    Instance,
    Mapping,
    ModelInfo,
    ModelValue,
    ObjectValue,
    Ref,
    Seq,
    Tensor,
    Tri,
    Value,
    fresh_id,
    join_values,
)

if TYPE_CHECKING:
    from keras_lint.analysis.project import ProjectIndex

MAX_CALL_DEPTH = 4
#: a function called from many places is interpreted in place this many times, then unknown
MAX_INLINES_PER_FUNCTION = 8
#: statements interpreted per linted file before inlining stops (pathological inputs stay fast)
STATEMENT_BUDGET = 20_000
#: loops nested deeper than this (helpers' loops included) run their body once, not twice: two
#: passes at every level would cost 2**depth
MAX_LOOPS_RUN_TWICE = 4


@dataclass(eq=False)
class LazyImport(Value):
    """``from helpers import f`` of a module of the linted tree: resolved on first use, so a
    module is parsed and interpreted only when one of its names is actually used."""

    module: str
    name: str
    importer: ModuleScope = field(repr=False)


@dataclass(eq=False)
class BoundMethod(Value):
    function: FunctionValue
    receiver: Value


@dataclass
class Frame:
    scope: ModuleScope = field(repr=False)
    state: State
    is_module: bool
    depth: int
    returns: list[tuple[Value, dict[int, Tri]]] = field(default_factory=list)
    #: a ``yield`` was met: calling the function returns a generator, not its return value
    is_generator: bool = False
    #: what owns its local names: the function or class node, or the module scope (by ``id``)
    owner: int = 0

    def bind(self, name: str, value: Value) -> None:
        self.state.env[name] = value
        if self.is_module:
            self.scope.globals = self.state.env

    def set_state(self, state: State) -> None:
        self.state = state
        if self.is_module:
            self.scope.globals = state.env


class _Terminated(Exception):
    """Raised to leave a block after ``return``/``raise``/``break``/``continue``."""


class Interpreter:
    def __init__(self, project: ProjectIndex | None) -> None:
        self.project = project
        self.events = Events()
        self.data = DataFlow()
        self._stack: list[cst.FunctionDef] = []
        self._inlined: set[int] = set()
        self._statements = 0
        #: loops whose body is being interpreted
        self._open_loops = 0
        self._loading: set[str] = set()
        #: imported names being resolved now, by (module globals, name): a name that modules
        #: import from each other (``from b import f`` in a, ``from a import f`` in b) is unknown
        self._resolving: set[tuple[int, str]] = set()
        #: modules of the tree whose top-level events this interpreter has taken in
        self._replayed: set[str] = set()
        self._standalone = False
        self._memo: dict[tuple[str, int], bool] = {}
        #: results of calls bound to a name (``es = EarlyStopping()``, ``cbs = [EarlyStopping()]``):
        #: (owner and name, step, call ids); and the last step at which each name was read
        self._bindings: list[tuple[tuple[int, str], int, list[int]]] = []
        self._last_read: dict[tuple[int, str], int] = {}
        self._inline_counts: dict[int, int] = {}
        #: modules whose code trains a model when run (a fit reached from the top level)
        self._training_modules: set[int] = set()

    def _cached(self, key: tuple[str, int], compute: Callable[[], bool]) -> bool:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def unused_results(self) -> set[int]:
        """Calls (by ``id``) whose result was bound to a name that is never read afterwards."""
        unused: set[int] = set()
        read: set[int] = set()
        for key, step, calls in self._bindings:
            (read if self._last_read.get(key, -1) >= step else unused).update(calls)
        return unused - read  # a call bound in several contexts counts as read in any of them

    def entry_point_training(self, scope: ModuleScope) -> bool:
        """Whether running ``scope`` as a program reaches a ``fit`` (its own or a helper's)."""
        return id(scope) in self._training_modules

    # ----------------------------------------------------------------- modules
    def run_module(self, scope: ModuleScope, *, standalone: bool = True) -> None:
        """Interpret the module body, then every function that no call reached."""
        frame = Frame(scope, State(scope.globals, {}), is_module=True, depth=0, owner=id(scope))
        if not hasattr(self, "_top_scope"):
            self._top_scope = scope
        try:
            self._exec_block(scope.module.body, frame)
        except _Terminated:
            pass
        scope.final_compiled = frame.state.compiled
        if standalone:
            self._standalone = True
            try:
                self._run_uncalled(scope)
            finally:
                self._standalone = False

    def _run_uncalled(self, scope: ModuleScope) -> None:
        done: set[int] = set()
        while True:
            pending = [f for f in scope.functions if id(f.node) not in self._inlined | done]
            if not pending:
                return
            for function in pending:
                done.add(id(function.node))
                receiver: Value | None = None
                # a function run on its own sees the module's models as the top level left them
                context = Frame(scope, State({}, dict(scope.final_compiled)), False, depth=0)
                if function.owner is not None and _first_param(function.node) == "self":
                    receiver = self._standalone_instance(function, context)
                self._call_function(function, [], {}, receiver, 1, context, standalone=True)

    def _standalone_instance(self, method: FunctionValue, context: Frame) -> Value:
        """``self`` for a method analysed on its own: the attributes ``__init__`` gives it.

        Models held in attributes keep the compile state ``__init__`` leaves them in, unless
        another method of the class compiles something: then the order is unknown.
        """
        assert method.owner is not None
        cls = method.owner
        obj = ObjectValue(cls)
        init = cls.method("__init__")
        if init is not None and init is not method:
            saved = self.events
            self.events = Events()  # __init__'s own events are reported by its own analysis
            self._call_function(init, [], {}, obj, 1, context, standalone=True)
            self.events = saved
        if context.state.compiled and self._cached(
            ("compiles-outside", id(cls)), lambda: _compiles_outside(cls, {"__init__"})
        ):
            for model_id in list(context.state.compiled):
                context.state.compiled[model_id] = Tri.UNKNOWN
        return obj

    # -------------------------------------------------------------- statements
    def _exec_block(self, body: Sequence[cst.CSTNode], frame: Frame) -> None:
        """Execute statements in order; ``_Terminated`` propagates from return/raise/break."""
        for stmt in body:
            self._exec_stmt(stmt, frame)

    def _run_branch(self, body: Sequence[cst.CSTNode], frame: Frame, start: State) -> State | None:
        """Run a block from ``start``; the state at its end, or None when it always leaves."""
        frame.set_state(start)
        try:
            self._exec_block(body, frame)
        except _Terminated:
            return None
        return frame.state

    def _join_into(self, frame: Frame, states: list[State | None], fallback: State) -> None:
        live = [s for s in states if s is not None]
        if not live:
            frame.set_state(fallback)
            raise _Terminated
        frame.set_state(State.join(live))

    def _exec_stmt(self, stmt: cst.CSTNode, frame: Frame) -> None:
        self._statements += 1
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self._exec_small(small, frame)
        elif isinstance(stmt, cst.If):
            self._exec_if(stmt, frame)
        elif isinstance(stmt, (cst.For, cst.While)):
            self._exec_loop(stmt, frame)
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            self._exec_try(stmt, frame)
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                value = self._eval(item.item, frame)
                if item.asname is not None:
                    self._assign(item.asname.name, value, frame)
            self._exec_block(_body(stmt.body), frame)
        elif isinstance(stmt, cst.FunctionDef):
            self._define_function(stmt, frame, owner=None)
        elif isinstance(stmt, cst.ClassDef):
            self._define_class(stmt, frame)
        elif isinstance(stmt, cst.Match):
            self._eval(stmt.subject, frame)
            start = frame.state
            ends = [self._run_branch(_body(case.body), frame, start.copy()) for case in stmt.cases]
            self._join_into(frame, [*ends, start], start)
        elif isinstance(stmt, cst.SimpleStatementSuite):
            for small in stmt.body:
                self._exec_small(small, frame)

    def _exec_if(self, stmt: cst.If, frame: Frame) -> None:
        test = self._eval(stmt.test, frame)
        if isinstance(test, Const) and not isinstance(test.value, slice):
            # A condition known here (``if compile:`` with ``compile=True``): one branch runs.
            # The other is still read, as code a flipped flag would run, but its effects on
            # the state are dropped.
            start = frame.state
            self._speculate(stmt, frame, start, run_then=not test.value)
            frame.set_state(start)
            if test.value:
                self._exec_block(_body(stmt.body), frame)
            elif isinstance(stmt.orelse, cst.If):
                self._exec_if(stmt.orelse, frame)
            elif stmt.orelse is not None:
                self._exec_block(_body(stmt.orelse.body), frame)
            return
        start = frame.state
        then = self._run_branch(_body(stmt.body), frame, start.copy())
        orelse: State | None
        if stmt.orelse is None:
            orelse = start
        elif isinstance(stmt.orelse, cst.If):
            frame.set_state(start.copy())
            try:
                self._exec_if(stmt.orelse, frame)
                orelse = frame.state
            except _Terminated:
                orelse = None
        else:
            orelse = self._run_branch(_body(stmt.orelse.body), frame, start.copy())
        self._join_into(frame, [then, orelse], start)

    def _speculate(self, stmt: cst.If, frame: Frame, start: State, *, run_then: bool) -> None:
        """Interpret the branch a known condition skips, on a copy of the state."""
        if run_then:
            self._run_branch(_body(stmt.body), frame, start.copy())
        elif isinstance(stmt.orelse, cst.If):
            frame.set_state(start.copy())
            try:
                self._exec_if(stmt.orelse, frame)
            except _Terminated:
                pass
        elif stmt.orelse is not None:
            self._run_branch(_body(stmt.orelse.body), frame, start.copy())

    def _exec_loop(self, stmt: cst.For | cst.While, frame: Frame) -> None:
        if isinstance(stmt, cst.For):
            iterated = self._eval(stmt.iter, frame)
            element = self.data.iteration_element(iterated)
        else:
            self._eval(stmt.test, frame)
        start = frame.state
        states: list[State | None] = [start]
        current = start
        # twice: effects of the end of the body reach its start
        passes = 2 if self._open_loops < MAX_LOOPS_RUN_TWICE else 1
        self._open_loops += 1
        try:
            for _ in range(passes):
                frame.set_state(current.copy())
                if isinstance(stmt, cst.For):
                    self._assign(stmt.target, element, frame)
                end = self._run_branch(_body(stmt.body), frame, frame.state)
                states.append(end)
                if end is None:
                    break
                current = State.join([current, end])
        finally:
            self._open_loops -= 1
        if stmt.orelse is not None:
            joined = State.join([s for s in states if s is not None])
            states.append(self._run_branch(_body(stmt.orelse.body), frame, joined))
        self._join_into(frame, states, start)

    def _exec_try(self, stmt: cst.Try | cst.TryStar, frame: Frame) -> None:
        start = frame.state
        body_end = self._run_branch(_body(stmt.body), frame, start.copy())
        if body_end is not None and stmt.orelse is not None:
            body_end = self._run_branch(_body(stmt.orelse.body), frame, body_end)
        reached = State.join([start] + ([body_end] if body_end is not None else []))
        ends: list[State | None] = [body_end]
        for handler in stmt.handlers:
            if handler.type is not None:
                self._eval(handler.type, frame)
            ends.append(self._run_branch(_body(handler.body), frame, reached.copy()))
        if stmt.finalbody is not None:
            live = [s for s in ends if s is not None]
            after = State.join(live) if live else reached.copy()
            frame.set_state(after)
            self._exec_block(_body(stmt.finalbody.body), frame)
            if not live:
                raise _Terminated
            return
        self._join_into(frame, ends, start)

    def _exec_small(self, small: cst.BaseSmallStatement, frame: Frame) -> None:
        if isinstance(small, cst.Expr):
            self._eval(small.value, frame)
        elif isinstance(small, cst.Assign):
            value = self._eval(small.value, frame)
            for target in small.targets:
                self._assign(target.target, value, frame)
            target_node = small.targets[0].target
            if len(small.targets) == 1 and isinstance(target_node, cst.Name):
                calls = _created_by(small.value)
                if calls:
                    key = (frame.owner, target_node.value)
                    self._bindings.append((key, self._statements, calls))
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self._assign(small.target, self._eval(small.value, frame), frame)
        elif isinstance(small, cst.AugAssign):
            value = self._eval(small.value, frame)
            old = self._eval(small.target, frame)
            if isinstance(old, Data) and isinstance(value, Data):
                self._assign(small.target, Data.derive(old, value), frame)
            elif isinstance(old, Seq) and isinstance(value, Seq):
                old.items.extend(value.items)
            elif not isinstance(old, Data):
                self._assign(small.target, UNKNOWN, frame)
        elif isinstance(small, cst.Return):
            value = self._eval(small.value, frame) if small.value is not None else Const(None)
            frame.returns.append((value, dict(frame.state.compiled)))
            raise _Terminated
        elif isinstance(small, cst.Raise):
            if small.exc is not None:
                self._eval(small.exc, frame)
            raise _Terminated
        elif isinstance(small, (cst.Break, cst.Continue)):
            raise _Terminated
        elif isinstance(small, cst.Import):
            self._import(small, frame)
        elif isinstance(small, cst.ImportFrom):
            self._import_from(small, frame)
        elif isinstance(small, cst.Del):
            self._delete(small.target, frame)
        elif isinstance(small, cst.Assert):
            self._eval(small.test, frame)

    # ----------------------------------------------------------------- imports
    def _import(self, node: cst.Import, frame: Frame) -> None:
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                frame.bind(alias.asname.name.value, Ref(normalize(full)))
            else:
                top = full.split(".", 1)[0]
                frame.bind(top, Ref(normalize(top)))
                if self.project is not None and self._is_primary(frame.scope):
                    self._load_project_module(full, frame.scope)  # runs its top level

    def _import_from(self, node: cst.ImportFrom, frame: Frame) -> None:
        level, module = import_from_module(node)
        base = self._absolute_module(level, module, frame.scope)
        if isinstance(node.names, cst.ImportStar):
            if base is not None:
                project_scope = self._load_project_module(base, frame.scope)
                if project_scope is not None:
                    for global_name, global_value in project_scope.globals.items():
                        frame.bind(global_name, global_value)
                else:
                    frame.scope.star_imports.append(normalize(base))
            return
        for alias in node.names:
            name = dotted_name(alias.name)
            if name is None:
                continue
            bound = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                bound = alias.asname.name.value
            value: Value = UNKNOWN
            if base is not None and self._is_project_module(base, frame.scope):
                value = LazyImport(base, name, frame.scope)
            elif base is not None:
                value = Ref(normalize(f"{base}.{name}"))
            frame.bind(bound, value)

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
        if self.project is None or _is_library(name):
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
            and not _is_library(name)
            and self.project.knows(name, importer.path)
        )

    def _is_primary(self, scope: ModuleScope) -> bool:
        """Whether ``scope`` is the file being linted (not a module loaded for its helpers)."""
        return scope is getattr(self, "_top_scope", scope)

    def _resolve_project_ref(self, ref: Ref, scope: ModuleScope) -> Value | None:
        """``utils.setup_gpu`` reached through ``import utils``: the project's function."""
        if self.project is None or "." not in ref.name or _is_library(ref.name):
            return None
        module, _, member = ref.name.rpartition(".")
        loaded = self._load_project_module(module, scope)
        if loaded is None or member not in loaded.globals:
            return None
        return self._resolved(loaded.globals, member)

    # ------------------------------------------------------------- definitions
    def _define_function(
        self, node: cst.FunctionDef, frame: Frame, owner: ClassValue | None
    ) -> FunctionValue:
        for decorator in node.decorators:
            self._eval(decorator.decorator, frame)
        function = FunctionValue(node, frame.scope, owner)
        frame.scope.functions.append(function)
        frame.bind(node.name.value, function)
        return function

    def _define_class(self, node: cst.ClassDef, frame: Frame) -> None:
        bases = [self._eval(arg.value, frame) for arg in node.bases if arg.keyword is None]
        cls = ClassValue(node, frame.scope, bases)
        frame.scope.classes.append(cls)
        class_frame = Frame(
            frame.scope, State({}, dict(frame.state.compiled)), False, frame.depth, owner=id(node)
        )
        class_frame.state.env = dict(frame.state.env)  # class bodies see the enclosing names
        for stmt in _body(node.body):
            if isinstance(stmt, cst.FunctionDef):
                cls.methods[stmt.name.value] = self._define_function(stmt, class_frame, cls)
            else:
                try:
                    self._exec_stmt(stmt, class_frame)
                except _Terminated:
                    break
        for name, value in class_frame.state.env.items():
            if frame.state.env.get(name) is not value and not isinstance(value, FunctionValue):
                cls.attrs[name] = value
        frame.bind(node.name.value, cls)

    # -------------------------------------------------------------- assignment
    def _assign(self, target: cst.BaseExpression, value: Value, frame: Frame) -> None:
        if isinstance(target, cst.Name):
            frame.bind(target.value, _materialize(value))
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            starred = any(isinstance(e, cst.StarredElement) for e in elements)
            items: list[Value] | None = None
            if isinstance(value, Seq) and len(value.items) == len(elements) and not starred:
                items = value.items
            for index, element in enumerate(elements):
                item = items[index] if items is not None else self.data.unpacked(value, index)
                inner = element.value
                self._assign(
                    inner, UNKNOWN if isinstance(element, cst.StarredElement) else item, frame
                )
        elif isinstance(target, cst.Attribute):
            owner = self._eval(target.value, frame)
            attr = target.attr.value
            value = _materialize(value)
            if isinstance(owner, (ObjectValue, Instance)):
                owner.attrs[attr] = value
            elif isinstance(owner, ClassValue):
                owner.attrs[attr] = value
            dotted = dotted_name(target)
            if dotted is not None:
                frame.bind(dotted, value)
                self.events.attributes.append(
                    AttributeSetting(dotted, value, frame.scope, self._standalone)
                )
        elif isinstance(target, cst.Subscript):
            container = self._eval(target.value, frame)
            key = self._subscript_key(target, frame)
            if (
                isinstance(container, Ref)
                and container.name == "os.environ"
                and isinstance(key, str)
            ):
                text = (
                    value.value
                    if isinstance(value, Const) and isinstance(value.value, str)
                    else None
                )
                self.events.env.append(EnvSetting(key, text, frame.scope, self._standalone))
            elif isinstance(container, Mapping) and isinstance(key, str):
                container.items[key] = value
            elif isinstance(container, Data) and isinstance(value, Data):
                # ``df[cols] = scaler.fit_transform(df[cols])``: df now holds the result
                name = dotted_name(target.value)
                if name is not None:
                    frame.bind(name, Data.derive(container, value))
        elif isinstance(target, cst.StarredElement):
            self._assign(target.value, UNKNOWN, frame)

    def _delete(self, target: cst.BaseExpression, frame: Frame) -> None:
        if isinstance(target, cst.Name):
            frame.state.env.pop(target.value, None)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._delete(element.value, frame)

    def _subscript_key(self, node: cst.Subscript, frame: Frame) -> object:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        key = self._eval(node.slice[0].slice.value, frame)
        return key.value if isinstance(key, Const) else None

    # ------------------------------------------------------------- expressions
    def _lookup(self, name: str, frame: Frame) -> Value:
        env = frame.state.env
        if name in env:
            self._last_read[(frame.owner, name)] = self._statements
            return self._resolved(env, name)
        if not frame.is_module and name in frame.scope.globals:
            self._last_read[(id(frame.scope), name)] = self._statements
            return self._resolved(frame.scope.globals, name)
        for star in frame.scope.star_imports:
            if star.startswith(("keras", "tensorflow", "sklearn")):
                return Ref(normalize(f"{star}.{name}"))
        return UNKNOWN

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

    def _eval(self, node: cst.BaseExpression | None, frame: Frame) -> Value:
        if node is None:
            return UNKNOWN
        if isinstance(node, cst.Name):
            if node.value in {"True", "False", "None"}:
                return Const({"True": True, "False": False, "None": None}[node.value])
            return self._lookup(node.value, frame)
        if isinstance(node, cst.Attribute):
            return self._eval_attribute(node, frame)
        if isinstance(node, cst.Call):
            return self._eval_call(node, frame)
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            try:
                text = node.evaluated_value
            except Exception:  # noqa: BLE001 - exotic literals are simply unknown
                return UNKNOWN
            return Const(text) if isinstance(text, str) else UNKNOWN
        if isinstance(node, cst.Integer):
            return Const(_literal(node.value, int))
        if isinstance(node, cst.Float):
            return Const(_literal(node.value, float))
        if isinstance(node, (cst.List, cst.Tuple)):
            items = []
            for element in node.elements:
                item = self._eval(element.value, frame)
                if isinstance(element, cst.StarredElement):
                    if isinstance(item, Seq):
                        items.extend(item.items)
                        continue
                    return UNKNOWN
                items.append(item)
            return Seq(items)
        if isinstance(node, cst.Dict):
            return self._eval_dict(node, frame)
        if isinstance(node, cst.Subscript):
            return self._eval_subscript(node, frame)
        if isinstance(node, cst.UnaryOperation):
            operand = self._eval(node.expression, frame)
            if isinstance(node.operator, cst.Not) and _is_plain_const(operand):
                return Const(not operand.value)
            if isinstance(node.operator, cst.Minus) and isinstance(operand, Const):
                if isinstance(operand.value, (int, float)) and not isinstance(operand.value, bool):
                    return Const(-operand.value)
            return UNKNOWN
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            left = self._eval(node.left, frame)
            right = self._eval(node.comparisons[0].comparator, frame)
            operator = node.comparisons[0].operator
            if _is_plain_const(left) and _is_plain_const(right):
                equal = left.value == right.value
                if isinstance(operator, (cst.Equal, cst.Is)):
                    return Const(equal)
                if isinstance(operator, (cst.NotEqual, cst.IsNot)):
                    return Const(not equal)
            return UNKNOWN
        if isinstance(node, (cst.BinaryOperation, cst.BooleanOperation)):
            # long chains (``[0]*44 + [18] + ...``) are evaluated in a loop, not recursively
            operands: list[cst.BaseExpression] = []
            current: cst.BaseExpression = node
            while isinstance(current, (cst.BinaryOperation, cst.BooleanOperation)):
                operands.append(current.right)
                current = current.left
            operands.append(current)
            values = [self._eval(operand, frame) for operand in reversed(operands)]
            if isinstance(node, cst.BooleanOperation):
                return UNKNOWN
            return self.data.combine(values) or UNKNOWN
        if isinstance(node, cst.IfExp):
            self._eval(node.test, frame)
            return join_values(self._eval(node.body, frame), self._eval(node.orelse, frame))
        if isinstance(node, cst.NamedExpr):
            value = self._eval(node.value, frame)
            self._assign(node.target, value, frame)
            return value
        if isinstance(node, (cst.Await, cst.Yield)):
            if isinstance(node, cst.Yield):
                frame.is_generator = True
            inner = node.expression if isinstance(node, cst.Await) else node.value
            if isinstance(inner, cst.BaseExpression):
                return self._eval(inner, frame)
            if isinstance(inner, cst.From):
                self._eval(inner.item, frame)
            return UNKNOWN
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            return self._eval_comprehension(node, frame)
        if isinstance(node, cst.Lambda):
            return UNKNOWN
        # Anything else (comparisons, boolean operations, f-strings...): its calls still count.
        for child in child_nodes(node):
            if isinstance(child, cst.BaseExpression):
                self._eval(child, frame)
            else:
                for grandchild in child_nodes(child):
                    if isinstance(grandchild, cst.BaseExpression):
                        self._eval(grandchild, frame)
        return UNKNOWN

    def _eval_dict(self, node: cst.Dict, frame: Frame) -> Value:
        items: dict[str, Value] = {}
        exact = True
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = self._eval(element.key, frame)
                value = self._eval(element.value, frame)
                if isinstance(key, Const) and isinstance(key.value, str):
                    items[key.value] = value
                else:
                    exact = False
            else:
                self._eval(element.value, frame)
                exact = False
        return Mapping(items) if exact else UNKNOWN

    def _eval_comprehension(
        self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp, frame: Frame
    ) -> Value:
        saved = frame.state
        frame.set_state(saved.copy())
        comp: cst.CompFor | None = node.for_in
        while comp is not None:
            iterated = self._eval(comp.iter, frame)
            self._assign(comp.target, self.data.iteration_element(iterated), frame)
            for condition in comp.ifs:
                self._eval(condition.test, frame)
            comp = comp.inner_for_in
        if isinstance(node, cst.DictComp):
            self._eval(node.key, frame)
            self._eval(node.value, frame)
        else:
            self._eval(node.elt, frame)
        compiled = frame.state.compiled
        frame.set_state(State(saved.env, compiled))
        return UNKNOWN

    def _eval_attribute(self, node: cst.Attribute, frame: Frame) -> Value:
        dotted = dotted_name(node)
        if dotted is not None and dotted in frame.state.env:
            return frame.state.env[dotted]
        owner = self._eval(node.value, frame)
        attr = node.attr.value
        return self._attribute_of(owner, attr)

    def _attribute_of(self, owner: Value, attr: str) -> Value:
        if isinstance(owner, Ref):
            ref = Ref(normalize(f"{owner.name}.{attr}"))
            return ref
        if isinstance(owner, ObjectValue):
            if attr in owner.attrs:
                return owner.attrs[attr]
            method = owner.cls.method(attr)
            if method is not None:
                return BoundMethod(method, owner)
            return owner.cls.attrs.get(attr, UNKNOWN)
        if isinstance(owner, Instance):
            return owner.attrs.get(attr, UNKNOWN)
        if isinstance(owner, ClassValue):
            return owner.attrs.get(attr, UNKNOWN)
        if isinstance(owner, ModelValue):
            if attr in {"output", "outputs"}:
                return Tensor(_model_activation(owner.info), UNKNOWN)
            return UNKNOWN
        if isinstance(owner, Data):
            return UNKNOWN if attr in _METADATA_ATTRIBUTES else Data.derive(owner)
        return UNKNOWN

    def _eval_subscript(self, node: cst.Subscript, frame: Frame) -> Value:
        container = self._eval(node.value, frame)
        keys = []
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                keys.append(self._eval(element.slice.value, frame))
            elif isinstance(element.slice, cst.Slice):
                for part in (element.slice.lower, element.slice.upper, element.slice.step):
                    if part is not None:
                        self._eval(part, frame)
                keys.append(Const(slice(None)))
        if isinstance(container, Seq) and len(keys) == 1 and isinstance(keys[0], Const):
            index = keys[0].value
            if (
                isinstance(index, int)
                and not isinstance(index, bool)
                and -len(container.items) <= index < len(container.items)
            ):
                return container.items[index]
            return UNKNOWN
        if isinstance(container, Mapping) and len(keys) == 1 and isinstance(keys[0], Const):
            key = keys[0].value
            return container.items.get(key, UNKNOWN) if isinstance(key, str) else UNKNOWN
        if isinstance(container, Data):
            return self.data.subscript(node, container, keys)
        return UNKNOWN

    # ------------------------------------------------------------------- calls
    def _eval_arguments(
        self, node: cst.Call, frame: Frame
    ) -> tuple[list[Value], dict[str, Value], bool, bool]:
        args: list[Value] = []
        kwargs: dict[str, Value] = {}
        star_args = star_kwargs = False
        for arg in node.args:
            value = self._eval(arg.value, frame)
            if arg.star == "*":
                if isinstance(value, Seq):
                    args.extend(value.items)
                else:
                    star_args = True
            elif arg.star == "**":
                if isinstance(value, Mapping):
                    kwargs.update(value.items)
                else:
                    star_kwargs = True
            elif arg.keyword is not None:
                kwargs[arg.keyword.value] = value
            else:
                args.append(value)
        return args, kwargs, star_args, star_kwargs

    def _eval_call(self, node: cst.Call, frame: Frame) -> Value:
        func = node.func
        if isinstance(func, cst.Attribute):
            dotted = dotted_name(func)
            receiver = (
                frame.state.env[dotted.rpartition(".")[0]]
                if dotted is not None and dotted.rpartition(".")[0] in frame.state.env
                else self._eval(func.value, frame)
            )
            method = func.attr.value
            args, kwargs, star_args, star_kwargs = self._eval_arguments(node, frame)
            if isinstance(receiver, Ref):
                member = Ref(normalize(f"{receiver.name}.{method}"))
                return self._call_value(node, member, args, kwargs, star_args, star_kwargs, frame)
            return self._call_method(
                node, receiver, method, args, kwargs, star_args, star_kwargs, frame
            )
        callee = self._eval(func, frame)
        args, kwargs, star_args, star_kwargs = self._eval_arguments(node, frame)
        return self._call_value(node, callee, args, kwargs, star_args, star_kwargs, frame)

    def _call_value(
        self,
        node: cst.Call,
        callee: Value,
        args: list[Value],
        kwargs: dict[str, Value],
        star_args: bool,
        star_kwargs: bool,
        frame: Frame,
    ) -> Value:
        if isinstance(callee, Ref):
            project_value = self._resolve_project_ref(callee, frame.scope)
            if project_value is not None:
                callee = project_value
            else:
                site = CallSite(node, callee.name, args, kwargs, star_kwargs, star_args)
                self.events.calls.append((site, frame.scope, self._standalone))
                if not _is_library(callee.name):
                    self._forget_compile_state([*args, *kwargs.values()], frame)
                return self._external_result(site, frame)
        if star_args or star_kwargs:
            args, kwargs = [], {}  # arguments we cannot line up: parameters stay unknown
        if isinstance(callee, FunctionValue):
            return self._call_function(callee, args, kwargs, None, frame.depth + 1, frame)
        if isinstance(callee, BoundMethod):
            return self._call_function(
                callee.function, args, kwargs, callee.receiver, frame.depth + 1, frame
            )
        if isinstance(callee, ClassValue):
            return self._instantiate(node, callee, args, kwargs, frame)
        if isinstance(callee, Instance) and keras_leaf(callee.callee) is not None:
            return self._apply_layer(callee, args)
        if isinstance(callee, ModelValue):
            incoming = args[0] if args else UNKNOWN
            if isinstance(incoming, Tensor):
                return Tensor(_model_activation(callee.info), callee)
            return UNKNOWN
        if isinstance(callee, ObjectValue) and callee.cls.method("call") is not None:
            return Tensor(None, UNKNOWN)  # a custom layer applied to a tensor
        if not (isinstance(node.func, cst.Name) and node.func.value in _HARMLESS_BUILTINS):
            self._forget_compile_state([*args, *kwargs.values()], frame)
        return UNKNOWN

    def _forget_compile_state(self, values: list[Value], frame: Frame) -> None:
        """Models handed to code we cannot follow may come back compiled: their state is unknown.

        Objects are followed through their attributes, each once: an object may refer to itself
        (``self.owner = self``) or to another that refers back to it.
        """
        pending = list(values)
        seen: set[int] = set()
        while pending:
            value = pending.pop()
            for item in value.items if isinstance(value, Seq) else [value]:
                if isinstance(item, ModelValue):
                    frame.state.compiled[item.info.id] = Tri.UNKNOWN
                elif isinstance(item, ObjectValue) and id(item) not in seen:
                    seen.add(id(item))
                    pending.extend(item.attrs.values())

    def _apply_layer(self, layer: Instance, args: list[Value]) -> Value:
        # the input may come from a custom layer: only the last layer decides the activation
        incoming = args[0] if args else UNKNOWN
        activation = keras_api.layer_output_activation(
            layer, incoming.activation if isinstance(incoming, Tensor) else None
        )
        name = layer.call.kwargs.get("name")
        return Tensor(
            activation,
            layer,
            name.value if isinstance(name, Const) and isinstance(name.value, str) else None,
        )

    def _external_result(self, site: CallSite, frame: Frame) -> Value:
        self.data.scope = frame.scope
        leaf = keras_leaf(site.callee)
        if leaf is not None:
            model = self._keras_model_factory(site, leaf, frame)
            if model is not None:
                return model
            if leaf in {"Input", "InputLayer"}:
                return Tensor(None, UNKNOWN)
            activation = keras_api.function_activation(site.callee)
            if activation is not None:
                incoming = site.args[0] if site.args else UNKNOWN
                return Tensor(activation, UNKNOWN) if isinstance(incoming, Tensor) else UNKNOWN
            return self.data.external_call(site) or Instance(site)
        activation = keras_api.function_activation(site.callee)
        if activation is not None:
            incoming = site.args[0] if site.args else UNKNOWN
            return Tensor(activation, UNKNOWN) if isinstance(incoming, Tensor) else UNKNOWN
        if site.callee == "os.environ.setdefault" and site.args:
            self._env_from_call(site.args[0], site.args[1] if len(site.args) > 1 else None, frame)
        elif site.callee == "os.environ.update" and site.args and isinstance(site.args[0], Mapping):
            for key, value in site.args[0].items.items():
                self._env_from_call(Const(key), value, frame)
        elif site.callee == "os.putenv" and site.args:
            self._env_from_call(site.args[0], site.args[1] if len(site.args) > 1 else None, frame)
        if site.callee.rsplit(".", 1)[-1] in _CROSS_VALIDATION and any(
            _trains_a_keras_wrapper(arg) for arg in site.args[:1]
        ):
            self._record_wrapped_fit(site.node, frame)
        result = self.data.external_call(site)
        return result if result is not None else Instance(site)

    def _record_wrapped_fit(self, node: cst.Call, frame: Frame) -> None:
        self.events.wrapped_fits.append((node, frame.scope))
        if not self._standalone:
            self._training_modules.add(id(self._top_scope))

    def _env_from_call(self, key: Value, value: Value | None, frame: Frame) -> None:
        if isinstance(key, Const) and isinstance(key.value, str):
            text = (
                value.value if isinstance(value, Const) and isinstance(value.value, str) else None
            )
            self.events.env.append(EnvSetting(key.value, text, frame.scope, self._standalone))

    def _keras_model_factory(self, site: CallSite, leaf: str, frame: Frame) -> Value | None:
        name = site.callee
        if leaf == keras_api.SEQUENTIAL:
            layers_arg = site.argument(0, "layers")
            if layers_arg is None:
                layers: list[Value] = []
            elif isinstance(layers_arg, Seq):
                layers = list(layers_arg.items)
            else:
                layers = [UNKNOWN]
            return self._new_model(frame, "sequential", site.node, layers=layers)
        if leaf in keras_api.FUNCTIONAL_MODELS:
            outputs_arg = site.argument(1, "outputs")
            if outputs_arg is None:
                outputs_arg = site.kwargs.get("output")  # Keras 1: Model(input=..., output=...)
            outputs: list[Value] | None
            if outputs_arg is None:
                outputs = None
            elif isinstance(outputs_arg, Seq):
                outputs = list(outputs_arg.items)
            elif isinstance(outputs_arg, Mapping):
                outputs = [
                    Tensor(t.activation, t.producer, key) if isinstance(t, Tensor) else t
                    for key, t in outputs_arg.items.items()
                ]
            else:
                outputs = [outputs_arg]
            return self._new_model(frame, "functional", site.node, outputs=outputs)
        if leaf in keras_api.LOAD_MODEL:
            flag = site.kwargs.get("compile")
            if site.star_kwargs:
                state = Tri.UNKNOWN
            elif flag is None:
                state = Tri.YES
            elif isinstance(flag, Const) and isinstance(flag.value, bool):
                state = Tri.YES if flag.value else Tri.NO
            else:
                state = Tri.UNKNOWN
            return self._new_model(frame, "loaded", site.node, compiled=state)
        if leaf in keras_api.UNCOMPILED_FACTORIES:
            return self._new_model(frame, "json", site.node)
        if leaf == keras_api.CLONE_MODEL:
            source = site.argument(0, "model")
            if isinstance(source, ModelValue):
                return self._new_model(
                    frame,
                    "clone",
                    site.node,
                    layers=list(source.info.layers),
                    outputs=source.info.outputs,
                )
            return self._new_model(frame, "clone", site.node)
        if ".applications." in name and leaf[:1].isupper():
            return self._new_model(frame, "application", site.node)
        return None

    def _new_model(
        self,
        frame: Frame,
        kind: str,
        node: cst.CSTNode | None,
        *,
        layers: list[Value] | None = None,
        outputs: list[Value] | None = None,
        compiled: Tri = Tri.NO,
    ) -> ModelValue:
        info = ModelInfo(fresh_id(), kind, node, layers or [], outputs, compiled)
        frame.state.compiled[info.id] = compiled
        return ModelValue(info)

    def _instantiate(
        self,
        node: cst.Call,
        cls: ClassValue,
        args: list[Value],
        kwargs: dict[str, Value],
        frame: Frame,
    ) -> Value:
        obj = ObjectValue(cls)
        init = cls.method("__init__")
        if cls.is_keras_model():
            if init is not None:
                self._call_function(init, args, kwargs, obj, frame.depth + 1, frame)
            model = self._new_model(frame, "subclass", node)
            # A subclass that compiles itself: unknown is the honest answer.
            if self._cached(("compiles-itself", id(cls)), lambda: _class_compiles_itself(cls)):
                frame.state.compiled[model.info.id] = Tri.UNKNOWN
            call = cls.method("call")
            if call is not None:
                result = self._call_function(
                    call, [Tensor(None, UNKNOWN)], {}, obj, frame.depth + 1, frame
                )
                if isinstance(result, Tensor):
                    model.info.outputs = [result]
                elif isinstance(result, Seq):
                    model.info.outputs = list(result.items)
            return model
        if init is not None:
            self._call_function(init, args, kwargs, obj, frame.depth + 1, frame)
        return obj

    def _call_method(
        self,
        node: cst.Call,
        receiver: Value,
        method: str,
        args: list[Value],
        kwargs: dict[str, Value],
        star_args: bool,
        star_kwargs: bool,
        frame: Frame,
    ) -> Value:
        if isinstance(receiver, ModelValue):
            return self._model_method(
                node, receiver.info, method, args, kwargs, star_args, star_kwargs, frame
            )
        self.events.method_calls.append(
            MethodCall(node, receiver, method, args, kwargs, frame.scope, self._standalone)
        )
        if isinstance(receiver, ObjectValue):
            attr = self._attribute_of(receiver, method)
            if not isinstance(attr, (BoundMethod, FunctionValue, Instance, ModelValue)):
                # a method we cannot see (an unknown base class): it may compile self's models
                self._forget_compile_state([receiver], frame)
            return self._call_value(node, attr, args, kwargs, star_args, star_kwargs, frame)
        if isinstance(receiver, Instance):
            if method == "fit" and _trains_a_keras_wrapper(receiver):
                self._record_wrapped_fit(node, frame)
            self.data.scope = frame.scope
            site = CallSite(
                node, f"{receiver.callee}().{method}", args, kwargs, star_kwargs, star_args
            )
            result = self.data.instance_method(receiver, method, site)
            return result if result is not None else UNKNOWN
        if isinstance(receiver, Data) or receiver is UNKNOWN:
            self._forget_compile_state([*args, *kwargs.values()], frame)
        if isinstance(receiver, Data):
            return self.data.data_method(node, receiver, method, args, kwargs)
        if isinstance(receiver, Seq) and method in {"append", "extend", "insert"} and args:
            if method == "append":
                receiver.items.append(args[0])
            elif method == "extend" and isinstance(args[0], Seq):
                receiver.items.extend(args[0].items)
            return Const(None)
        if (
            isinstance(receiver, Mapping)
            and method in {"update"}
            and args
            and isinstance(args[0], Mapping)
        ):
            receiver.items.update(args[0].items)
        return UNKNOWN

    def _model_method(
        self,
        node: cst.Call,
        info: ModelInfo,
        method: str,
        args: list[Value],
        kwargs: dict[str, Value],
        star_args: bool,
        star_kwargs: bool,
        frame: Frame,
    ) -> Value:
        site = CallSite(node, f"model.{method}", args, kwargs, star_kwargs, star_args)
        self.events.method_calls.append(
            MethodCall(node, ModelValue(info), method, args, kwargs, frame.scope, self._standalone)
        )
        compiled = frame.state.compiled
        if method == "compile":
            self.events.compiles.append(CompileCall(node, info, site, frame.scope))
            compiled[info.id] = Tri.YES
        elif method in keras_api.TRAINING_METHODS:
            state = compiled.get(info.id, info.initial_compiled)
            self.events.training.append(TrainingCall(node, method, info, state, frame.scope))
            if method in keras_api.FIT_METHODS and not self._standalone:
                self._training_modules.add(id(self._top_scope))
            self.data.scope = frame.scope
            self.data.model_fit(method, site)
        elif method == "add" and args and info.kind == "sequential":
            info.layers.append(args[0])
        elif method == "pop" and info.layers:
            info.layers.pop()
        elif method == "predict":
            return self.data.fresh()
        return UNKNOWN

    # ------------------------------------------------------------- functions
    def _call_function(
        self,
        function: FunctionValue,
        args: list[Value],
        kwargs: dict[str, Value],
        receiver: Value | None,
        depth: int,
        caller: Frame | None = None,
        *,
        standalone: bool = False,
    ) -> Value:
        node = function.node
        if depth > 1 and (
            depth > MAX_CALL_DEPTH
            or self._statements > STATEMENT_BUDGET
            or self._inline_counts.get(id(node), 0) >= MAX_INLINES_PER_FUNCTION
        ):
            return UNKNOWN
        if any(f is node for f in self._stack):
            return UNKNOWN
        if not standalone:
            self._inlined.add(id(node))
            self._inline_counts[id(node)] = self._inline_counts.get(id(node), 0) + 1
        scope = function.scope
        compiled = dict(caller.state.compiled) if caller is not None else {}
        env = self._bind_parameters(node, args, kwargs, receiver, scope)
        frame = Frame(scope, State(env, compiled), is_module=False, depth=depth, owner=id(node))
        self._stack.append(node)
        try:
            try:
                self._exec_block(_body(node.body), frame)
                frame.returns.append((Const(None), dict(frame.state.compiled)))
            except _Terminated:
                if not frame.returns:
                    frame.returns.append((UNKNOWN, dict(frame.state.compiled)))
        finally:
            self._stack.pop()
        if caller is not None:
            merged = State.join([State({}, c) for _, c in frame.returns]).compiled
            caller.state.compiled.update(merged)
        returned = [(v, c) for v, c in frame.returns if not _is_none(v)] or frame.returns
        models = [(v, c) for v, c in returned if isinstance(v, ModelValue)]
        if caller is not None and models and len(models) == len(returned):
            result: Value = merge_models(models, caller.state.compiled)
        else:
            result = returned[0][0]
            for value, _ in returned[1:]:
                result = join_values(result, value)
        if node.asynchronous is not None or frame.is_generator:
            return UNKNOWN
        return result

    def _bind_parameters(
        self,
        node: cst.FunctionDef,
        args: list[Value],
        kwargs: dict[str, Value],
        receiver: Value | None,
        scope: ModuleScope,
    ) -> dict[str, Value]:
        env: dict[str, Value] = {}
        params = node.params
        positional = [*params.posonly_params, *params.params]
        given = ([receiver] if receiver is not None else []) + list(args)
        if receiver is None and positional and _first_param(node) in {"self", "cls"} and args == []:
            given = []
        for index, param in enumerate(positional):
            name = param.name.value
            if index < len(given):
                env[name] = given[index]
            elif name in kwargs:
                env[name] = kwargs[name]
            elif param.default is not None:
                env[name] = self._eval_default(param.default, scope)
            else:
                env[name] = Data.fresh()
        for param in params.kwonly_params:
            name = param.name.value
            if name in kwargs:
                env[name] = kwargs[name]
            elif param.default is not None:
                env[name] = self._eval_default(param.default, scope)
            else:
                env[name] = Data.fresh()
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                env[star.name.value] = UNKNOWN
        return env

    def _eval_default(self, node: cst.BaseExpression, scope: ModuleScope) -> Value:
        if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.Name)):
            frame = Frame(
                scope, State(dict(scope.globals), {}), is_module=False, depth=MAX_CALL_DEPTH
            )
            return _materialize(self._eval(node, frame))
        return Data.fresh()


# ---------------------------------------------------------------------- helpers
#: builtins that only look at a model (``print(model)``) and leave its compile state alone
_HARMLESS_BUILTINS = frozenset(
    {"print", "len", "isinstance", "type", "str", "repr", "id", "hasattr", "getattr", "vars", "dir"}
)
_LIBRARY_PREFIXES = (
    "keras",
    "tensorflow",
    "tf_keras",
    "sklearn",
    "numpy",
    "pandas",
    "torch",
    "jax",
    "os",
    "sys",
)


def _is_library(name: str) -> bool:
    return name.split(".", 1)[0] in _LIBRARY_PREFIXES


def _body(block: cst.BaseSuite | cst.CSTNode) -> Sequence[cst.CSTNode]:
    if isinstance(block, cst.IndentedBlock):
        return block.body
    if isinstance(block, cst.SimpleStatementSuite):
        return block.body
    return ()


#: attributes of arrays and frames that describe them rather than hold their rows
_METADATA_ATTRIBUTES = frozenset(
    {"shape", "dtype", "dtypes", "ndim", "size", "columns", "index", "name", "names", "nbytes"}
)


#: scikit-learn wrappers that train a Keras model in their ``fit``
_KERAS_WRAPPERS = frozenset({"KerasClassifier", "KerasRegressor"})
_CROSS_VALIDATION = frozenset(
    {"cross_val_score", "cross_validate", "cross_val_predict", "learning_curve"}
)


def _trains_a_keras_wrapper(value: Value) -> bool:
    """A Keras scikit-learn wrapper, or a search/pipeline whose estimator is one."""
    if not isinstance(value, Instance):
        return False
    leaf = value.callee.rsplit(".", 1)[-1]
    if leaf in _KERAS_WRAPPERS and value.callee.startswith(("keras.", "scikeras.")):
        return True
    estimator = value.call.argument(0, "estimator")
    return estimator is not None and estimator is not value and _trains_a_keras_wrapper(estimator)


def _created_by(node: cst.BaseExpression) -> list[int]:
    """The calls whose results an assigned value holds: ``f()`` or ``[f(), g()]`` (by ``id``)."""
    if isinstance(node, cst.Call):
        return [id(node)]
    if isinstance(node, (cst.List, cst.Tuple)):
        return [id(e.value) for e in node.elements if isinstance(e.value, cst.Call)]
    return []


def _is_plain_const(value: Value) -> TypeGuard[Const]:
    """A literal whose truth and equality are those of the program (not a slice marker)."""
    return isinstance(value, Const) and isinstance(value.value, (bool, int, float, str, type(None)))


def _is_none(value: Value) -> bool:
    return isinstance(value, Const) and value.value is None


def _materialize(value: Value) -> Value:
    """A bound unknown value keeps an identity: later uses of the name are the same data."""
    return Data.fresh() if value is UNKNOWN else value


def _literal(text: str, kind: type) -> object:
    try:
        return kind(text.replace("_", ""), 0) if kind is int else kind(text.replace("_", ""))
    except ValueError:
        return None


def _first_param(node: cst.FunctionDef) -> str | None:
    params = [*node.params.posonly_params, *node.params.params]
    return params[0].name.value if params else None


def _class_compiles_itself(cls: ClassValue) -> bool:
    """A model subclass that calls ``self.compile``/``super().compile`` in one of its methods."""
    for call in calls_in(cls.node):
        if dotted_name(call.func) == "self.compile":
            return True
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "compile":
            inner = call.func.value
            if isinstance(inner, cst.Call) and dotted_name(inner.func) == "super":
                return True
    return False


def _compiles_outside(cls: ClassValue, methods: set[str]) -> bool:
    """Whether a method of ``cls`` other than ``methods`` calls some ``.compile(...)``."""
    for name, function in cls.methods.items():
        if name in methods:
            continue
        for call in calls_in(function.node):
            if isinstance(call.func, cst.Attribute) and call.func.attr.value == "compile":
                return True
    return False


def _model_activation(info: ModelInfo) -> str | None:
    if info.kind == "sequential":
        return keras_api.sequential_output_activation(info.layers)
    if info.outputs is not None and len(info.outputs) == 1:
        activation, _ = keras_api.tensor_output(info.outputs[0])
        return activation
    return None
