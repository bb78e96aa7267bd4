"""What calls of the Keras API do to the interpreter's state: models created by factories and
subclasses, ``compile`` and the training methods, layers applied to tensors, and ``fit`` run by a
scikit-learn wrapper. The tables they read are in ``keras_api.py``.
"""

from __future__ import annotations

import dataclasses

import libcst as cst

from keras_lint.analysis import keras_api
from keras_lint.analysis.events import CompileCall, MethodCall, TrainingCall
from keras_lint.analysis.interpreter_base import Frame, InterpreterBase
from keras_lint.analysis.syntax import calls_in, dotted_name
from keras_lint.analysis.values import (
    UNKNOWN,
    Arguments,
    CallSite,
    ClassValue,
    Const,
    Instance,
    Mapping,
    ModelInfo,
    ModelValue,
    ObjectValue,
    Seq,
    Tensor,
    Tri,
    Value,
    fresh_id,
)


class KerasCallsMixin(InterpreterBase):
    """Models, their compile state and their training calls."""

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
                    dataclasses.replace(t, name=key) if isinstance(t, Tensor) else t
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

    def _instantiate_model(
        self, node: cst.Call, cls: ClassValue, obj: ObjectValue, arguments: Arguments, frame: Frame
    ) -> Value:
        """A subclass of a Keras model: its ``__init__`` runs, and its ``call`` on a tensor gives
        the model's outputs."""
        self._record_backend_call("model", node, frame)
        init = cls.method("__init__")
        if init is not None:
            self._call_function(init, arguments, obj, frame.depth + 1, frame)
        model = self._new_model(frame, "subclass", node)
        # A subclass that compiles itself: unknown is the honest answer.
        if self._cached(("compiles-itself", id(cls)), lambda: _class_compiles_itself(cls)):
            frame.state.compiled[model.info.id] = Tri.UNKNOWN
        call = cls.method("call")
        if call is not None:
            result = self._call_function(
                call, Arguments([Tensor(None, UNKNOWN)]), obj, frame.depth + 1, frame
            )
            if isinstance(result, Tensor):
                model.info.outputs = [result]
            elif isinstance(result, Seq):
                model.info.outputs = list(result.items)
        return model

    def _model_method(
        self, node: cst.Call, info: ModelInfo, method: str, arguments: Arguments, frame: Frame
    ) -> Value:
        args, kwargs = arguments.positional, arguments.keywords
        site = arguments.call_site(node, f"model.{method}")
        self._record_backend_call(f"model.{method}", node, frame)
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

    def _apply_layer(self, layer: Instance, args: list[Value]) -> Value:
        # the input may come from a custom layer: only the last layer decides the activation
        incoming = args[0] if args else UNKNOWN
        output = keras_api.layer_output(
            layer,
            keras_api.tensor_output(incoming)
            if isinstance(incoming, Tensor)
            else keras_api.UNKNOWN_OUTPUT,
        )
        name = layer.call.kwargs.get("name")
        return Tensor(
            output.activation,
            layer,
            name.value if isinstance(name, Const) and isinstance(name.value, str) else None,
            output.width,
            output.activation_width,
        )

    def _record_wrapped_fit(self, node: cst.Call, frame: Frame) -> None:
        self.events.wrapped_fits.append((node, frame.scope))
        if not self._standalone:
            self._training_modules.add(id(self._top_scope))


def trains_a_keras_wrapper(value: Value) -> bool:
    """A Keras scikit-learn wrapper, or a search/pipeline whose estimator is one."""
    if not isinstance(value, Instance):
        return False
    leaf = value.callee.rsplit(".", 1)[-1]
    if leaf in keras_api.KERAS_SKLEARN_WRAPPERS and value.callee.startswith(
        ("keras.", "scikeras.")
    ):
        return True
    estimator = value.call.argument(0, "estimator")
    return estimator is not None and estimator is not value and trains_a_keras_wrapper(estimator)


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


def compiles_outside(cls: ClassValue, methods: set[str]) -> bool:
    """Whether a method of ``cls`` other than ``methods`` calls some ``.compile(...)``."""
    for name, function in cls.methods.items():
        if name in methods:
            continue
        for call in calls_in(function.node):
            if isinstance(call.func, cst.Attribute) and call.func.attr.value == "compile":
                return True
    return False


def activation_function_result(activation: str, site: CallSite) -> Value:
    """``tf.nn.softmax(x)``, ``keras.activations.sigmoid(x)``... applied to a tensor."""
    incoming = site.args[0] if site.args else UNKNOWN
    if not isinstance(incoming, Tensor):
        return UNKNOWN
    width = incoming.width
    if activation == "softmax":
        axis = site.argument(1, "axis")
        if not (axis is None or isinstance(axis, Const) and axis.value in {-1, None}):
            width = None  # over another axis: its size is unknown
    return Tensor(activation, UNKNOWN, None, incoming.width, width)


def model_output_tensor(model: ModelValue) -> Tensor:
    """The tensor a model gives when applied to one (or its ``output``): its last layer's."""
    output = keras_api.model_output(model.info)
    return Tensor(output.activation, model, None, output.width, output.activation_width)
