"""What calls of the Keras API do to the interpreter's state: models created by factories and
subclasses, ``compile`` and the training methods, layers applied to tensors, and ``fit`` run by a
scikit-learn wrapper. The tables they read are in ``keras_api.py``.
"""

from __future__ import annotations

import dataclasses

import libcst as cst

from keras_lint.analysis import keras_api
from keras_lint.analysis.events import CompileCall, MethodCall, TrainingCall
from keras_lint.analysis.folds import WEIGHT_RESETS
from keras_lint.analysis.input_range import MAX_INPUT_LAYERS
from keras_lint.analysis.interpreter_base import Frame, InterpreterBase
from keras_lint.analysis.lifecycle import (
    TRACED_TRAINING,
    WEIGHT_USES,
    BestCheckpoint,
    IgnoredTrainableChange,
    LastEpochUse,
    TrainableChange,
    belongs_to,
    best_checkpoints,
    callbacks_of,
    model_parts,
    restores_best,
    same_file,
    single_file,
    subject_of,
    tensor_parts,
)
from keras_lint.analysis.predictions import PREDICT_METHODS
from keras_lint.analysis.syntax import calls_in, dotted_name
from keras_lint.analysis.values import (
    UNKNOWN,
    Arguments,
    CallSite,
    ClassValue,
    Const,
    Instance,
    LayersOf,
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
            model = self._new_model(frame, "functional", site.node, outputs=outputs)
            model.info.parts = list(tensor_parts(Seq(outputs or [])))
            return model
        if leaf in keras_api.LOAD_MODEL:
            # the program goes on with the file: a best checkpoint it names is reloaded
            self._checkpoint_loaded(site.argument(0, "filepath"), None, frame)
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
        self._models[info.id] = info
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
        model.info.parts = [
            part
            for value in obj.attrs.values()
            for part in (value.items if isinstance(value, Seq) else [value])
            if isinstance(part, (Instance, ModelValue))
        ]
        # A subclass that compiles itself: unknown is the honest answer.
        if self._cached(("compiles-itself", id(cls)), lambda: _class_compiles_itself(cls)):
            frame.state.compiled[model.info.id] = Tri.UNKNOWN
        call = cls.method("call")
        if call is not None:
            result = self._call_function(
                call, Arguments([Tensor(None, UNKNOWN, from_input=())]), obj, frame.depth + 1, frame
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
        self.data.scope = frame.scope
        self.data.model_input(method, site, info)
        compiled = frame.state.compiled
        if method == "compile":
            compile_call = CompileCall(node, info, site, frame.scope)
            self.events.compiles.append(compile_call)
            compiled[info.id] = Tri.YES
            self._compiled_again(compile_call, frame)
        elif method in keras_api.TRAINING_METHODS:
            state = compiled.get(info.id, info.initial_compiled)
            compiles = self._compiles_reaching(info, frame)
            self.events.training.append(
                TrainingCall(node, method, info, state, frame.scope, compiles)
            )
            if method in TRACED_TRAINING:
                self._trained(node, info, method, site, frame)
            else:
                self._weights_used(node, ModelValue(info), method, frame)
            if method in keras_api.FIT_METHODS and not self._standalone:
                self._training_modules.add(id(self._top_scope))
            self.data.scope = frame.scope
            self.data.model_fit(method, site)
            if method in keras_api.FIT_METHODS:
                self.folds.fit(node, info, site, frame.scope)
                self.predictions.fitted(site.argument(0, "x"))
        elif method == "add" and args and info.kind == "sequential":
            info.layers.append(args[0])
        elif method == "pop" and info.layers:
            info.layers.pop()
        elif method == "load_weights":
            # the file itself loaded into another model counts: the program has the best epoch
            path = site.argument(0, "filepath")
            self._checkpoint_loaded(path, info if single_file(path) is None else None, frame)
        elif method == "set_weights":
            self.flow.clear(compiled, "best", info.id)
        elif method == "get_layer":
            return LayersOf(info)
        if method in WEIGHT_USES and method not in keras_api.TRAINING_METHODS:
            self._weights_used(node, ModelValue(info), method, frame)
        if method in WEIGHT_RESETS:
            self.folds.reset(info)
        if method in PREDICT_METHODS:
            source = site.argument(0, "x")
            return self.predictions.prediction(node, info, source or UNKNOWN, frame.scope)
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
        chain = incoming.from_input if isinstance(incoming, Tensor) else None
        if chain is not None and len(chain) < MAX_INPUT_LAYERS:
            chain = (*chain, layer)
        return Tensor(
            output.activation,
            layer,
            name.value if isinstance(name, Const) and isinstance(name.value, str) else None,
            output.width,
            output.activation_width,
            (*tensor_parts(incoming), layer),
            from_input=chain,
        )

    def _record_wrapped_fit(self, node: cst.Call, frame: Frame) -> None:
        self.events.wrapped_fits.append((node, frame.scope))
        if not self._standalone:
            self._training_modules.add(id(self._top_scope))

    # ------------------------------------------------------------ the model's lifecycle
    def _compiled_again(self, compile_call: CompileCall, frame: Frame) -> None:
        """``compile`` makes a new training function: pending trainable changes take effect."""
        flow, model_id = frame.state.compiled, compile_call.model.id
        self.flow.clear(flow, "compile", model_id)
        self.flow.add(flow, compile_call, "compile", model_id)
        self.flow.clear(flow, "change", model_id)
        self.flow.put(flow, Tri.NO, "traced", model_id)

    def _compiles_reaching(self, info: ModelInfo, frame: Frame) -> tuple[CompileCall, ...]:
        live = self.flow.live(frame.state.compiled, "compile", info.id)
        return tuple(c for c in live if isinstance(c, CompileCall))

    def _trained(
        self, node: cst.Call, info: ModelInfo, method: str, site: CallSite, frame: Frame
    ) -> None:
        """A training call: it reports trainable changes its training function ignores, traces
        that function if ``compile`` reset it, and may leave a best checkpoint behind."""
        flow = frame.state.compiled
        traced = self.flow.value(flow, "traced", info.id)
        if traced in (Tri.YES, Tri.MAYBE) and flow.get(info.id) is not Tri.UNKNOWN:
            compiles = self._compiles_reaching(info, frame)
            for change in self.flow.live(flow, "change", info.id):
                assert isinstance(change, TrainableChange)
                if self._standalone and not change.standalone:
                    continue  # a function nothing calls does not follow the module's code
                now = self.flow.value(flow, "trainable", *change.subject)
                then = self.flow.value(flow, "traced-trainable", info.id, *change.subject)
                if then is None and change.subject[0] == "layers":
                    then = self._traced_layers_flag(info, change.subject[1], flow)
                assigned = Tri.YES if change.value else Tri.NO
                if _may_differ(assigned, then) and _may_differ(now, then):
                    self.events.ignored_trainable_changes.append(
                        IgnoredTrainableChange(change, node, info, compiles)
                    )
        self.flow.clear(flow, "change", info.id)
        if self._standalone:  # trained in the function itself, not by the module around it
            self.flow.put(flow, Tri.YES, "trained-standalone", info.id)
        if traced in (None, Tri.NO):
            for subject in self._trainable_subjects:
                value = self.flow.value(flow, "trainable", *subject)
                self.flow.put(flow, value or Tri.YES, "traced-trainable", info.id, *subject)
            self.flow.put(flow, Tri.YES, "traced", info.id)
        self.flow.clear(flow, "best", info.id)
        if method not in keras_api.FIT_METHODS:
            return
        callbacks = callbacks_of(method, site)
        if restores_best(callbacks):
            return
        for checkpoint, path in best_checkpoints(callbacks):
            best = BestCheckpoint(node, frame.scope, checkpoint, path, info, self._standalone)
            self.flow.add(flow, best, "best", info.id)

    def _traced_layers_flag(self, info: ModelInfo, owner_id: object, flow: dict[int, Tri]) -> Tri:
        """The flag of "some layer of" a model at tracing, never set itself: mixed when a model
        or layer inside it was frozen then."""
        owner = self._models.get(owner_id) if isinstance(owner_id, int) else None
        inside = [
            subject
            for part in (model_parts(owner) if owner is not None else iter(()))
            if (subject := subject_of(part)) is not None
        ]
        for subject in inside:
            traced = self.flow.value(flow, "traced-trainable", info.id, *subject)
            if traced in (Tri.NO, Tri.MAYBE):
                return Tri.MAYBE
        return Tri.YES

    def _set_trainable(self, node: cst.CSTNode, owner: Value, value: Value, frame: Frame) -> None:
        """``X.trainable = value``: a change for every trained model X belongs to."""
        subject = subject_of(owner)
        if subject is None:
            return
        flow = frame.state.compiled
        self._trainable_subjects[subject] = None
        if not (isinstance(value, Const) and isinstance(value.value, bool)):
            self.flow.put(flow, Tri.UNKNOWN, "trainable", *subject)
            return
        for info in self._models.values():
            trained = self.flow.value(
                flow, "trained-standalone" if self._standalone else "traced", info.id
            )
            if trained in (Tri.YES, Tri.MAYBE) and belongs_to(owner, info):
                change = TrainableChange(node, subject, value.value, frame.scope, self._standalone)
                self.flow.add(flow, change, "change", info.id)
        tri = Tri.YES if value.value else Tri.NO
        self.flow.put(flow, tri, "trainable", *subject)
        if subject[0] == "model":  # a model's flag sets its layers' flags too
            self._trainable_subjects[("layers", subject[1])] = None
            self.flow.put(flow, tri, "trainable", "layers", subject[1])

    def _weights_used(self, node: cst.CSTNode, value: Value, use: str, frame: Frame) -> None:
        """The program uses a model's weights: it holds the last epoch's if a best checkpoint
        was written and not reloaded."""
        models = value.items if isinstance(value, Seq) else [value]
        for model in models:
            if not isinstance(model, ModelValue):
                continue
            for best in self.flow.live(frame.state.compiled, "best", model.info.id):
                assert isinstance(best, BestCheckpoint)
                if self._standalone and not best.standalone or id(best) in self._reloads_tried:
                    continue
                self.events.last_epoch_uses.append(LastEpochUse(node, use, best, frame.scope))

    def _checkpoint_loaded(self, path: Value | None, info: ModelInfo | None, frame: Frame) -> None:
        """``M.load_weights(path)`` (or ``load_model(path)`` for any model): the best
        checkpoints that file may be are reloaded."""
        flow = frame.state.compiled
        models = [info] if info is not None else list(self._models.values())
        for model in models:
            reloaded = self.flow.clear(
                flow,
                "best",
                model.id,
                keep=lambda best: isinstance(best, BestCheckpoint) and not same_file(path, best),
            )
            if self._open_trys:
                self._reloads_tried.update(id(best) for best in reloaded)
            # the uses before the reload look at the last epoch on purpose (a comparison)
            self.events.uses_before_reload.update(
                id(use) for use in self.events.last_epoch_uses if use.checkpoint in reloaded
            )


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
    return Tensor(activation, UNKNOWN, None, incoming.width, width, incoming.parts)


def model_output_tensor(model: ModelValue, incoming: Value = UNKNOWN) -> Tensor:
    """The tensor a model gives when applied to one (or its ``output``): its last layer's."""
    output = keras_api.model_output(model.info)
    return Tensor(
        output.activation,
        model,
        None,
        output.width,
        output.activation_width,
        (*tensor_parts(incoming), model),
    )


def _may_differ(now: Tri | None, then: Tri | None) -> bool:
    """Whether a trainable flag may differ from the one a training function was traced with
    (an unset flag is true; an unknown one is not judged)."""
    now, then = now or Tri.YES, then or Tri.YES
    if Tri.UNKNOWN in (now, then):
        return False
    return Tri.MAYBE in (now, then) or now is not then
