"""Calls: argument evaluation and binding, calls of the linted code's functions and classes
(interpreted in place), method calls on tracked values and calls of external names.

What a call of the Keras API does (model factories, ``compile``/``fit``, layers applied to
tensors) is in ``keras_calls.py``.
"""

from __future__ import annotations

import os

import libcst as cst

from keras_lint.analysis import keras_api
from keras_lint.analysis.events import EnvSetting, MethodCall, ModuleScope
from keras_lint.analysis.expressions import format_template_ending
from keras_lint.analysis.folds import folds_through, iterated_folds
from keras_lint.analysis.input_range import KERAS_IMAGE_DIRECTORIES
from keras_lint.analysis.interpreter_base import (
    MAX_CALL_DEPTH,
    MAX_INLINES_PER_FUNCTION,
    STATEMENT_BUDGET,
    BoundMethod,
    Frame,
    InterpreterBase,
    Terminated,
    materialize,
)
from keras_lint.analysis.keras_calls import (
    activation_function_result,
    model_output_tensor,
    trains_a_keras_wrapper,
)
from keras_lint.analysis.lifecycle import SAVING_FUNCTIONS
from keras_lint.analysis.module_loading import is_library
from keras_lint.analysis.names import keras_leaf, normalize
from keras_lint.analysis.state import State, merge_models
from keras_lint.analysis.statements import block_body
from keras_lint.analysis.syntax import dotted_name
from keras_lint.analysis.values import (
    UNKNOWN,
    Arguments,
    CallSite,
    ClassValue,
    Const,
    Data,
    FunctionValue,
    Instance,
    Mapping,
    ModelValue,
    ObjectValue,
    Ref,
    Seq,
    Tensor,
    TextEnding,
    Tri,
    Value,
    join_values,
    text_ending,
)

#: builtins that only look at a model (``print(model)``) and leave its compile state alone
_HARMLESS_BUILTINS = frozenset(
    {"print", "len", "isinstance", "type", "str", "repr", "id", "hasattr", "getattr", "vars", "dir"}
)


class CallsMixin(InterpreterBase):
    """Evaluates calls: lines up their arguments and runs, models or records what they call."""

    def _eval_arguments(self, node: cst.Call, frame: Frame) -> Arguments:
        arguments = Arguments()
        for arg in node.args:
            value = self._eval(arg.value, frame)
            if arg.star == "*":
                if isinstance(value, Seq):
                    arguments.positional.extend(value.items)
                else:
                    arguments.star_args = True
            elif arg.star == "**":
                if isinstance(value, Mapping):
                    arguments.keywords.update(value.items)
                else:
                    arguments.star_kwargs = True
            elif arg.keyword is not None:
                arguments.keywords[arg.keyword.value] = value
            else:
                arguments.positional.append(value)
        return arguments

    def _eval_call(self, node: cst.Call, frame: Frame) -> Value:
        if self.predictions.guards:
            self.predictions.guarded.add(id(node))
        func = node.func
        if isinstance(func, cst.Attribute):
            dotted = dotted_name(func)
            receiver = (
                frame.state.env[dotted.rpartition(".")[0]]
                if dotted is not None and dotted.rpartition(".")[0] in frame.state.env
                else self._eval(func.value, frame)
            )
            method = func.attr.value
            arguments = self._eval_arguments(node, frame)
            if (
                method == "format"
                and isinstance(receiver, Const)
                and isinstance(receiver.value, str)
            ):
                return format_template_ending(receiver.value)
            if isinstance(receiver, Ref):
                member = Ref(normalize(f"{receiver.name}.{method}"))
                return self._call_value(node, member, arguments, frame)
            return self._call_method(node, receiver, method, arguments, frame)
        callee = self._eval(func, frame)
        return self._call_value(node, callee, self._eval_arguments(node, frame), frame)

    def _call_value(
        self, node: cst.Call, callee: Value, arguments: Arguments, frame: Frame
    ) -> Value:
        if isinstance(callee, Ref):
            project_value = self._resolve_project_ref(callee, frame.scope)
            if project_value is not None:
                callee = project_value
            else:
                site = arguments.call_site(node, callee.name)
                self.events.calls.append((site, frame.scope, self._standalone))
                if callee.name.rsplit(".", 1)[-1] in SAVING_FUNCTIONS and site.args:
                    self._weights_used(node, site.args[0], "save", frame)
                self._record_backend_call(callee.name, node, frame)
                if not is_library(callee.name):
                    self._forget_compile_state(arguments.values(), frame)
                return self._external_result(site, frame)
        arguments = arguments.lined_up()  # parameters we cannot line up stay unknown
        args = arguments.positional
        if isinstance(callee, (FunctionValue, BoundMethod)):
            # fits in another module's function are reported at the linted file's call
            entered = self.data.enter_call(node, frame.scope, frame.scope is self._top_scope)
            try:
                if isinstance(callee, BoundMethod):
                    return self._call_function(
                        callee.function, arguments, callee.receiver, frame.depth + 1, frame
                    )
                return self._call_function(callee, arguments, None, frame.depth + 1, frame)
            finally:
                self.data.leave_call(entered)
        if isinstance(callee, ClassValue):
            return self._instantiate(node, callee, arguments, frame)
        if isinstance(callee, Instance) and keras_leaf(callee.callee) is not None:
            if args and isinstance(args[0], Data):
                layered = self.data.layer_on_data(callee, args[0])
                if layered is not None:
                    return layered
            return self._apply_layer(callee, args)
        if isinstance(callee, ModelValue):
            incoming = args[0] if args else UNKNOWN
            if (
                isinstance(incoming, Tensor)
                or isinstance(incoming, Seq)
                and any(isinstance(item, Tensor) for item in incoming.items)
            ):
                return model_output_tensor(callee, incoming)
            self._weights_used(node, callee, "call", frame)  # ``model(x)`` predicts
            if args:  # the model run on data: its predictions
                return self.predictions.prediction(node, callee.info, incoming, frame.scope)
            return UNKNOWN
        if isinstance(callee, ObjectValue) and callee.cls.method("call") is not None:
            return Tensor(None, UNKNOWN)  # a custom layer applied to a tensor
        if isinstance(node.func, cst.Name) and node.func.value == "setattr" and len(args) == 3:
            name = args[1]
            if isinstance(name, Const) and name.value == "trainable":
                self._set_trainable(node, args[0], args[2], frame)
                return Const(None)
        if not (isinstance(node.func, cst.Name) and node.func.value in _HARMLESS_BUILTINS):
            self._forget_compile_state(arguments.values(), frame)
        if isinstance(node.func, cst.Name) and callee is UNKNOWN:
            folds = iterated_folds(node.func.value, args)  # ``enumerate(kf.split(X))``
            if folds is not None:
                return folds
        return UNKNOWN

    def _call_method(
        self, node: cst.Call, receiver: Value, method: str, arguments: Arguments, frame: Frame
    ) -> Value:
        if isinstance(receiver, ModelValue):
            return self._model_method(node, receiver.info, method, arguments, frame)
        args, kwargs = arguments.positional, arguments.keywords
        self.events.method_calls.append(
            MethodCall(node, receiver, method, args, kwargs, frame.scope, self._standalone)
        )
        if isinstance(receiver, ObjectValue):
            attr = self._attribute_of(receiver, method)
            if not isinstance(attr, (BoundMethod, FunctionValue, Instance, ModelValue)):
                # a method we cannot see (an unknown base class): it may compile self's models
                self._forget_compile_state([receiver], frame)
            return self._call_value(node, attr, arguments, frame)
        if isinstance(receiver, Instance):
            if method == "fit" and trains_a_keras_wrapper(receiver):
                self._record_wrapped_fit(node, frame)
            self.data.scope = frame.scope
            site = arguments.call_site(node, f"{receiver.callee}().{method}")
            result = self.data.instance_method(receiver, method, site)
            result = self.folds.drawn(site, result, receiver)
            result = self.data.data_path_method(
                receiver, method, site, result if result is not None else UNKNOWN
            )
            made = self.predictions.generator_flow(receiver, method, site, frame.scope, result)
            return made if made is not None else result
        if isinstance(receiver, Data) or receiver is UNKNOWN:
            self._forget_compile_state(arguments.values(), frame)
            # a model of unknown origin predicting on a Keras iterator (``model.predict(gen)``)
            made = self.predictions.unknown_model_prediction(node, method, args, frame.scope)
            if made is not None:
                return made
        if isinstance(receiver, Data):
            return self._data_method(node, receiver, method, arguments, frame)
        if isinstance(receiver, Seq) and method in {"append", "extend", "insert"} and args:
            if method == "append":
                receiver.items.append(args[0])
            elif method == "extend" and isinstance(args[0], Seq):
                receiver.items.extend(args[0].items)
            elif method == "extend" and isinstance(args[0], Data):
                receiver.items.append(args[0])  # rows of data: the list now holds them
            return Const(None)
        if (
            isinstance(receiver, Mapping)
            and method in {"update"}
            and args
            and isinstance(args[0], Mapping)
        ):
            receiver.items.update(args[0].items)
        return UNKNOWN

    def _data_method(
        self, node: cst.Call, receiver: Data, method: str, arguments: Arguments, frame: Frame
    ) -> Value:
        """A method of an array or frame; a function it applies (``df.apply(f)``) runs on a
        column, and ``inplace=True`` rebinds the frame it was called on."""
        args, kwargs = arguments.positional, arguments.keywords
        outcome: Value | None = None
        if method in _APPLYING_METHODS and node.args and node.args[0].keyword is None:
            axis = kwargs.get("axis")
            rows = isinstance(axis, Const) and axis.value in (1, "columns")
            column = self.data.function_argument(receiver, rows=rows)
            outcome = self._run_applied(node, args[0] if args else UNKNOWN, column, frame)
            if isinstance(outcome, Data):
                args = [outcome, *args[1:]]
        result = self.data.data_method(node, receiver, method, args, kwargs)
        result = self.data.data_path_data_method(
            node, receiver, method, args, kwargs, result, outcome
        )
        result = self.predictions.pipeline_step(node, receiver, method, kwargs, result, frame.scope)
        inplace = kwargs.get("inplace")
        if isinstance(inplace, Const) and inplace.value is True and isinstance(result, Data):
            root = _root_name(node.func)
            changed = frame.state.env.get(root) if root is not None else None
            if root is not None and isinstance(changed, Data):
                frame.bind(root, self.data.derive(changed, result))
        return result

    def _run_applied(self, node: cst.Call, function: Value, column: Data, frame: Frame) -> Value:
        """What the function given to ``apply``/``map`` returns for one column of the frame."""
        written = node.args[0].value
        if isinstance(written, cst.Lambda):
            saved = frame.state
            frame.set_state(saved.copy())
            for param in written.params.params:
                frame.bind(param.name.value, column)
            value = self._eval(written.body, frame)
            frame.set_state(State(saved.env, frame.state.compiled))
            return value
        if isinstance(function, FunctionValue):
            return self._call_value(node, function, Arguments([column]), frame)
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

    def _external_result(self, site: CallSite, frame: Frame) -> Value:
        self.data.scope = frame.scope
        self.predictions.metric_call(site, frame.scope)
        # a dataset read from a folder: the provenance layer's raw images, iterated in batches
        base = None
        if keras_leaf(site.callee) in KERAS_IMAGE_DIRECTORIES:
            base = self.data.data_path_call(site, None)
        made = self.predictions.external_call(site, frame.scope, base) or folds_through(site)
        if made is not None:
            return made
        leaf = keras_leaf(site.callee)
        if leaf is not None:
            model = self._keras_model_factory(site, leaf, frame)
            if model is not None:
                return model
            if leaf in {"Input", "InputLayer"}:
                return Tensor(None, UNKNOWN, from_input=())
            activation = keras_api.function_activation(site.callee)
            if activation is not None:
                return activation_function_result(activation, site)
            result = self.data.external_call(site)
            return self.data.data_path_call(site, result) or result or Instance(site)
        activation = keras_api.function_activation(site.callee)
        if activation is not None:
            return activation_function_result(activation, site)
        if site.callee in _PATH_JOINS and site.args and not site.star_args:
            return _joined_path(site.args)
        if site.callee == "os.environ.setdefault" and site.args:
            self._env_from_call(
                site.args[0],
                site.args[1] if len(site.args) > 1 else None,
                frame,
                site,
                "setdefault",
            )
        elif site.callee == "os.environ.update" and site.args and isinstance(site.args[0], Mapping):
            for key, value in site.args[0].items.items():
                self._env_from_call(Const(key), value, frame, site, "update")
        elif site.callee == "os.putenv" and site.args:
            self._env_from_call(
                site.args[0], site.args[1] if len(site.args) > 1 else None, frame, site, "putenv"
            )
        if site.callee.rsplit(".", 1)[-1] in keras_api.CROSS_VALIDATION and any(
            trains_a_keras_wrapper(arg) for arg in site.args[:1]
        ):
            self._record_wrapped_fit(site.node, frame)
        result = self.data.external_call(site)
        result = self.data.data_path_call(site, result) or result
        result = self.folds.drawn(site, result)
        return result if result is not None else Instance(site)

    def _env_from_call(
        self, key: Value, value: Value | None, frame: Frame, site: CallSite, how: str
    ) -> None:
        if isinstance(key, Const) and isinstance(key.value, str):
            text = (
                value.value if isinstance(value, Const) and isinstance(value.value, str) else None
            )
            self.events.env.append(
                EnvSetting(
                    key.value, text, frame.scope, self._standalone, site.node, self._line, how,
                    self._next_order(), self._flow,
                )
            )  # fmt: skip

    def _instantiate(
        self, node: cst.Call, cls: ClassValue, arguments: Arguments, frame: Frame
    ) -> Value:
        obj = ObjectValue(cls)
        if cls.is_keras_model():
            return self._instantiate_model(node, cls, obj, arguments, frame)
        init = cls.method("__init__")
        if init is not None:
            self._call_function(init, arguments, obj, frame.depth + 1, frame)
        return obj

    def _call_function(
        self,
        function: FunctionValue,
        arguments: Arguments,
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
        env = self._bind_parameters(node, arguments, receiver, scope)
        frame = Frame(scope, State(env, compiled), is_module=False, depth=depth, owner=id(node))
        self._stack.append(node)
        try:
            try:
                self._exec_block(block_body(node.body), frame)
                frame.returns.append((Const(None), dict(frame.state.compiled)))
            except Terminated:
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
        arguments: Arguments,
        receiver: Value | None,
        scope: ModuleScope,
    ) -> dict[str, Value]:
        env: dict[str, Value] = {}
        params = node.params
        positional = [*params.posonly_params, *params.params]
        args, kwargs = arguments.positional, arguments.keywords
        given = ([receiver] if receiver is not None else []) + list(args)
        if receiver is None and positional and first_param(node) in {"self", "cls"} and not args:
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
            return materialize(self._eval(node, frame))
        return Data.fresh()


#: frame methods that call the function they are given on columns, rows or elements
_APPLYING_METHODS = frozenset({"apply", "applymap", "map", "transform", "agg", "aggregate", "pipe"})


def _root_name(node: cst.BaseExpression) -> str | None:
    """``df`` for ``df['a'].fillna`` or ``df.loc[m, 'a'].fillna``: the variable a method changes."""
    current = node.value if isinstance(node, cst.Attribute) else node
    while isinstance(current, (cst.Subscript, cst.Attribute)):
        current = current.value
    return current.value if isinstance(current, cst.Name) else None


def _is_none(value: Value) -> bool:
    return isinstance(value, Const) and value.value is None


def first_param(node: cst.FunctionDef) -> str | None:
    params = [*node.params.posonly_params, *node.params.params]
    return params[0].name.value if params else None


_PATH_JOINS = frozenset({"os.path.join", "posixpath.join", "ntpath.join"})


def _joined_path(parts: list[Value]) -> Value:
    """``os.path.join(folder, "model.h5")``: constant when every part is, else its known end."""
    last = text_ending(parts[-1])
    if last is None:
        return UNKNOWN
    if all(isinstance(p, Const) and isinstance(p.value, str) for p in parts):
        return Const(os.path.join(*(p.value for p in parts)))  # type: ignore[attr-defined]
    return TextEnding(last if isinstance(parts[-1], TextEnding) else "/" + last)
