"""Statements and control flow: blocks, branches, loops, ``try``, assignment, imports, definitions.

Both arms of a branch run from the same state and are joined afterwards; a loop body runs twice
(so what its end does reaches its start); ``return``/``raise``/``break`` leave a block by raising
``Terminated``.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from keras_lint.analysis.events import AttributeSetting, EnvSetting, ModuleImport
from keras_lint.analysis.folds import splitter_of
from keras_lint.analysis.interpreter_base import (
    MAX_LOOPS_RUN_TWICE,
    Frame,
    InterpreterBase,
    Terminated,
    materialize,
)
from keras_lint.analysis.module_loading import LazyImport
from keras_lint.analysis.names import normalize
from keras_lint.analysis.state import State
from keras_lint.analysis.syntax import dotted_name, import_from_module
from keras_lint.analysis.values import (
    UNKNOWN,
    ClassValue,
    Const,
    Data,
    FunctionValue,
    Instance,
    LayersOf,
    Mapping,
    ObjectValue,
    Ref,
    Seq,
    Value,
)


class StatementsMixin(InterpreterBase):
    """Executes statements in program order, updating the frame's state."""

    def _exec_block(self, body: Sequence[cst.CSTNode], frame: Frame) -> None:
        """Execute statements in order; ``Terminated`` propagates from return/raise/break."""
        for stmt in body:
            self._exec_stmt(stmt, frame)

    def _run_branch(self, body: Sequence[cst.CSTNode], frame: Frame, start: State) -> State | None:
        """Run a block from ``start``; the state at its end, or None when it always leaves."""
        frame.set_state(start)
        try:
            self._exec_block(body, frame)
        except Terminated:
            return None
        return frame.state

    def _join_into(self, frame: Frame, states: list[State | None], fallback: State) -> None:
        live = [s for s in states if s is not None]
        if not live:
            frame.set_state(fallback)
            raise Terminated
        frame.set_state(State.join(live))

    def _exec_stmt(self, stmt: cst.CSTNode, frame: Frame) -> None:
        self._statements += 1
        if isinstance(stmt, cst.SimpleStatementLine):
            outer, self._line = self._line, stmt
            try:
                for small in stmt.body:
                    self._exec_small(small, frame)
            finally:
                self._line = outer
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
            self._exec_block(block_body(stmt.body), frame)
        elif isinstance(stmt, cst.FunctionDef):
            self._define_function(stmt, frame, owner=None)
        elif isinstance(stmt, cst.ClassDef):
            self._define_class(stmt, frame)
        elif isinstance(stmt, cst.Match):
            self._eval(stmt.subject, frame)
            start = frame.state
            ends = [
                self._run_branch(block_body(case.body), frame, start.copy()) for case in stmt.cases
            ]
            self._join_into(frame, [*ends, start], start)
        elif isinstance(stmt, cst.SimpleStatementSuite):
            for small in stmt.body:
                self._exec_small(small, frame)

    def _exec_if(self, stmt: cst.If, frame: Frame) -> None:
        if _is_main_guard(stmt.test) and not self._is_primary(frame.scope):
            # a module imported for its helpers runs as itself, not as ``__main__``
            if isinstance(stmt.orelse, cst.If):
                self._exec_if(stmt.orelse, frame)
            elif stmt.orelse is not None:
                self._exec_block(block_body(stmt.orelse.body), frame)
            return
        outer, self._test_reads = self._test_reads, []
        try:
            test = self._eval(stmt.test, frame)
            read = self._test_reads
        finally:
            self._test_reads = outer
        # ``if model.output_shape[-1] > 1:``: the branches run only for some models' outputs
        guarded = self.predictions.is_output_check(read)
        self.predictions.guards += guarded
        try:
            self._exec_if_branches(stmt, frame, test)
        finally:
            self.predictions.guards -= guarded

    def _exec_if_branches(self, stmt: cst.If, frame: Frame, test: Value) -> None:
        if isinstance(test, Const) and not isinstance(test.value, slice):
            # A condition known here (``if compile:`` with ``compile=True``): one branch runs.
            # The other is still read, as code a flipped flag would run, but its effects on
            # the state are dropped.
            start = frame.state
            self._speculate(stmt, frame, start, run_then=not test.value)
            frame.set_state(start)
            if test.value:
                self._exec_block(block_body(stmt.body), frame)
            elif isinstance(stmt.orelse, cst.If):
                self._exec_if(stmt.orelse, frame)
            elif stmt.orelse is not None:
                self._exec_block(block_body(stmt.orelse.body), frame)
            return
        start = frame.state
        then = self._run_branch(block_body(stmt.body), frame, start.copy())
        orelse: State | None
        if stmt.orelse is None:
            orelse = start
        elif isinstance(stmt.orelse, cst.If):
            frame.set_state(start.copy())
            try:
                self._exec_if(stmt.orelse, frame)
                orelse = frame.state
            except Terminated:
                orelse = None
        else:
            orelse = self._run_branch(block_body(stmt.orelse.body), frame, start.copy())
        self._join_into(frame, [then, orelse], start)

    def _speculate(self, stmt: cst.If, frame: Frame, start: State, *, run_then: bool) -> None:
        """Interpret the branch a known condition skips, on a copy of the state."""
        if run_then:
            self._run_branch(block_body(stmt.body), frame, start.copy())
        elif isinstance(stmt.orelse, cst.If):
            frame.set_state(start.copy())
            try:
                self._exec_if(stmt.orelse, frame)
            except Terminated:
                pass
        elif stmt.orelse is not None:
            self._run_branch(block_body(stmt.orelse.body), frame, start.copy())

    def _exec_loop(self, stmt: cst.For | cst.While, frame: Frame) -> None:
        if isinstance(stmt, cst.For):
            iterated = self._eval(stmt.iter, frame)
            element = (
                iterated
                if isinstance(iterated, LayersOf)  # each layer of ``M.layers``
                else self.data.iteration_element(iterated)
            )
            element = self.data.loop_label(stmt, element)
        else:
            self._eval(stmt.test, frame)
        start = frame.state
        states: list[State | None] = [start]
        current = start
        # twice: effects of the end of the body reach its start
        passes = 2 if self._open_loops < MAX_LOOPS_RUN_TWICE else 1
        self._open_loops += 1
        self.folds.enter_loop(stmt, splitter_of(iterated) if isinstance(stmt, cst.For) else "")
        try:
            for _ in range(passes):
                self.folds.start_pass()
                frame.set_state(current.copy())
                if isinstance(stmt, cst.For):
                    self._assign(stmt.target, element, frame)
                end = self._run_branch(block_body(stmt.body), frame, frame.state)
                states.append(end)
                if end is None:
                    break
                current = State.join([current, end])
        finally:
            self._open_loops -= 1
            self.folds.leave_loop()
        if stmt.orelse is not None:
            joined = State.join([s for s in states if s is not None])
            states.append(self._run_branch(block_body(stmt.orelse.body), frame, joined))
        self._join_into(frame, states, start)

    def _exec_try(self, stmt: cst.Try | cst.TryStar, frame: Frame) -> None:
        start = frame.state
        self._open_trys += 1
        try:
            body_end = self._run_branch(block_body(stmt.body), frame, start.copy())
        finally:
            self._open_trys -= 1
        if body_end is not None and stmt.orelse is not None:
            body_end = self._run_branch(block_body(stmt.orelse.body), frame, body_end)
        reached = State.join([start] + ([body_end] if body_end is not None else []))
        ends: list[State | None] = [body_end]
        for handler in stmt.handlers:
            if handler.type is not None:
                self._eval(handler.type, frame)
            ends.append(self._run_branch(block_body(handler.body), frame, reached.copy()))
        if stmt.finalbody is not None:
            live = [s for s in ends if s is not None]
            after = State.join(live) if live else reached.copy()
            frame.set_state(after)
            self._exec_block(block_body(stmt.finalbody.body), frame)
            if not live:
                raise Terminated
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
            if isinstance(old, Data):
                self._assign(small.target, self.data.augmented(small.operator, old, value), frame)
            elif isinstance(old, Seq) and isinstance(value, Seq):
                old.items.extend(value.items)
            else:
                self._assign(small.target, UNKNOWN, frame)
        elif isinstance(small, cst.Return):
            value = self._eval(small.value, frame) if small.value is not None else Const(None)
            if self._standalone and frame.depth == 1:
                # a function nothing here calls hands its model to callers we cannot see
                self._weights_used(small, value, "return", frame)
            frame.returns.append((value, dict(frame.state.compiled)))
            raise Terminated
        elif isinstance(small, cst.Raise):
            if small.exc is not None:
                self._eval(small.exc, frame)
            raise Terminated
        elif isinstance(small, (cst.Break, cst.Continue)):
            raise Terminated
        elif isinstance(small, cst.Import):
            self._import(small, frame)
        elif isinstance(small, cst.ImportFrom):
            self._import_from(small, frame)
        elif isinstance(small, cst.Del):
            self._delete(small.target, frame)
        elif isinstance(small, cst.Assert):
            self._eval(small.test, frame)

    def _record_import(self, package: str, node: cst.CSTNode, frame: Frame) -> None:
        self.events.imports.append(
            ModuleImport(
                package, node, self._line, frame.scope, self._standalone, self._next_order(),
                self._flow,
            )
        )  # fmt: skip

    def _import(self, node: cst.Import, frame: Frame) -> None:
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            self._record_import(full.split(".", 1)[0], node, frame)
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
        if level == 0 and module:
            self._record_import(module.split(".", 1)[0], node, frame)
        if isinstance(node.names, cst.ImportStar):
            if base is not None:
                project_scope = self._load_project_module(base, frame.scope)
                if project_scope is not None:
                    for global_name, global_value in project_scope.globals.items():
                        frame.bind(global_name, global_value)
                    # what it star-imported comes along
                    frame.scope.star_imports.extend(project_scope.star_imports)
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
        for stmt in block_body(node.body):
            if isinstance(stmt, cst.FunctionDef):
                cls.methods[stmt.name.value] = self._define_function(stmt, class_frame, cls)
            else:
                try:
                    self._exec_stmt(stmt, class_frame)
                except Terminated:
                    break
        for name, value in class_frame.state.env.items():
            if frame.state.env.get(name) is not value and not isinstance(value, FunctionValue):
                cls.attrs[name] = value
        frame.bind(node.name.value, cls)

    def _assign(self, target: cst.BaseExpression, value: Value, frame: Frame) -> None:
        if isinstance(target, cst.Name):
            frame.bind(target.value, materialize(value))
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
            value = materialize(value)
            if isinstance(owner, (ObjectValue, Instance)):
                owner.attrs[attr] = value
            elif isinstance(owner, ClassValue):
                owner.attrs[attr] = value
            if attr == "trainable":
                self._set_trainable(target, owner, value, frame)
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
                self.events.env.append(
                    EnvSetting(
                        key, text, frame.scope, self._standalone, target, self._line,
                        order=self._next_order(), flow=self._flow,
                    )
                )  # fmt: skip
            elif isinstance(container, Mapping) and isinstance(key, str):
                container.items[key] = value
            elif isinstance(container, Data) and isinstance(value, Data):
                # ``df[cols] = scaler.fit_transform(df[cols])``: df now holds the result
                name = dotted_name(target.value)
                if name is not None:
                    frame.bind(name, self.data.derive(container, value))
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


def block_body(block: cst.BaseSuite | cst.CSTNode) -> Sequence[cst.CSTNode]:
    if isinstance(block, cst.IndentedBlock):
        return block.body
    if isinstance(block, cst.SimpleStatementSuite):
        return block.body
    return ()


def _created_by(node: cst.BaseExpression) -> list[int]:
    """The calls whose results an assigned value holds: ``f()`` or ``[f(), g()]`` (by ``id``)."""
    if isinstance(node, cst.Call):
        return [id(node)]
    if isinstance(node, (cst.List, cst.Tuple)):
        return [id(e.value) for e in node.elements if isinstance(e.value, cst.Call)]
    return []


def _is_main_guard(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = {_name_or_text(test.left), _name_or_text(target.comparator)}
    return sides == {"__name__", "'__main__'"}


def _name_or_text(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.SimpleString):
        return repr(node.evaluated_value)
    return None
