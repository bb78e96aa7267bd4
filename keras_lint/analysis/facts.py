"""``ModuleFacts``: everything the Python rules read about one file, computed in one pass."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange

from keras_lint.analysis.events import (
    AttributeSetting,
    BackendCall,
    CompileCall,
    EnvSetting,
    Events,
    MethodCall,
    ModuleImport,
    ModuleScope,
    TrainingCall,
)
from keras_lint.analysis.folds import FoldFit
from keras_lint.analysis.input_range import ModelInput
from keras_lint.analysis.interpreter import Interpreter
from keras_lint.analysis.keras_api import FIT_METHODS
from keras_lint.analysis.leakage import Leak, find_leaks
from keras_lint.analysis.lifecycle import IgnoredTrainableChange, LastEpochUse
from keras_lint.analysis.names import keras_leaf
from keras_lint.analysis.positions import StatementPositions
from keras_lint.analysis.predictions import ShuffledComparison, shuffled_comparisons
from keras_lint.analysis.project import ProjectIndex
from keras_lint.analysis.values import (
    UNKNOWN,
    CallSite,
    ClassValue,
    Data,
    Instance,
    Mapping,
    ModelInfo,
    ObjectValue,
    Ref,
    Seq,
    Tri,
    Value,
)


@dataclass
class ModuleFacts:
    path: str
    module: cst.Module
    project: ProjectIndex | None
    #: every call of an external (imported) name written in this file, once per call node
    calls: list[CallSite] = field(default_factory=list)
    #: method calls on tracked objects written in this file (all contexts)
    method_calls: list[MethodCall] = field(default_factory=list)
    #: ``fit``/``evaluate``/... on known models, one per call node (compile state: the worst
    #: over the contexts the call was reached in)
    training: list[TrainingCall] = field(default_factory=list)
    #: ``compile`` calls on known models, one per (call node, model)
    compiles: list[CompileCall] = field(default_factory=list)
    #: environment settings and attribute assignments reached from this file (helpers included)
    env: list[EnvSetting] = field(default_factory=list)
    #: the imports that ran, in this file and in the modules of the tree it loads, in order
    imports: list[ModuleImport] = field(default_factory=list)
    attributes: list[AttributeSetting] = field(default_factory=list)
    #: calls that may run a backend operation, reached from this file, in the order they ran
    backend_calls: list[BackendCall] = field(default_factory=list)
    #: every external call reached from this file, including in helpers of other files, with
    #: whether it was only found in a function that no call reached
    reached_calls: list[tuple[CallSite, bool]] = field(default_factory=list)
    #: preprocessing fitted on data that is later split (KER501)
    leaks: list[Leak] = field(default_factory=list)
    #: data given to models' ``fit``/``evaluate``/``predict`` with its path summarised
    #: (KER502-504), reported in this file (directly or through its call into a helper)
    model_inputs: list[ModelInput] = field(default_factory=list)
    #: True when the module runs training when executed: top-level code or a ``__main__`` block
    is_entry_point: bool = False
    #: ``fit`` calls reached from this file (helpers included) with the callbacks given to them
    fits_with_callbacks: list[tuple[cst.Call, list[Instance]]] = field(default_factory=list)
    #: for an instance created by a call node (by ``id``): the names of the calls it was given to
    instance_uses: dict[int, set[str]] = field(default_factory=dict)
    #: training calls through scikit-learn wrappers of Keras models written in this file
    wrapped_fits: list[cst.Call] = field(default_factory=list)
    #: ``fit`` run by the module on an object of unknown origin (``sm.Unet()``) given Keras-only
    #: arguments (``epochs=``, ``validation_split=``, Keras callbacks), in a module that uses
    #: TensorFlow and not PyTorch
    probable_keras_fits: list[cst.Call] = field(default_factory=list)
    #: calls of this file, run when it runs, that lead to a Keras ``fit`` in another module of
    #: the project (``train_and_evaluate(args)`` in ``task.py``)
    training_leads: list[cst.Call] = field(default_factory=list)
    #: calls (by ``id``) whose result is bound to a name never read afterwards: dead values
    unused_results: set[int] = field(default_factory=set)
    #: ``X.trainable = ...`` written in this file whose model trains again uncompiled (KER102)
    ignored_trainable_changes: list[IgnoredTrainableChange] = field(default_factory=list)
    #: uses in this file of a model whose best checkpoint is not reloaded (KER702)
    last_epoch_uses: list[LastEpochUse] = field(default_factory=list)
    #: every ``fit`` reached from this file (helpers included), with the ``compile`` calls of
    #: its model that reach it, by the fit's ``id`` (KER602)
    fit_calls: list[MethodCall] = field(default_factory=list)
    fit_compiles: dict[int, list[CompileCall]] = field(default_factory=dict)
    #: the model of each such ``fit``, by the fit's ``id`` (None: not a known model)
    fit_models: dict[int, ModelInfo] = field(default_factory=dict)
    #: predictions written in this file, made on a shuffling iterator and compared with labels
    #: from another pass over it (KER603)
    shuffled_predictions: list[ShuffledComparison] = field(default_factory=list)
    #: ``fit`` calls written in this file that train one model object on every fold (KER604)
    fold_fits: list[FoldFit] = field(default_factory=list)
    #: calls (by ``id``) that run only under a condition on a model or its predictions
    #: (``if model.output_shape[-1] > 1:``)
    output_checked_calls: set[int] = field(default_factory=set)
    _positions: StatementPositions | None = None

    def position(self, node: cst.CSTNode) -> CodeRange:
        """Source range of a node of this module, as libcst's ``PositionProvider`` gives it
        (resolved only for the top-level statement that holds it, when first asked); raises
        ``KeyError`` for a node of another module."""
        if self._positions is None:
            self._positions = StatementPositions(self.module)
        return self._positions[node]


def build_module_facts(
    module: cst.Module, path: str, project: ProjectIndex | None = None
) -> ModuleFacts:
    """Interpret the module once and keep the facts that concern this file."""
    interpreter = Interpreter(project)
    scope = ModuleScope(module, path, "")
    with warnings.catch_warnings():  # reading "\\d" as a string warns about the user's code
        warnings.simplefilter("ignore")
        interpreter.run_module(scope)
    events = interpreter.events
    facts = ModuleFacts(path=path, module=module, project=project)

    seen_calls: set[int] = set()
    for site, where, standalone in events.calls:
        facts.reached_calls.append((site, standalone))
        if where is scope and id(site.node) not in seen_calls:
            seen_calls.add(id(site.node))
            facts.calls.append(site)
    facts.method_calls = [m for m in events.method_calls if m.scope is scope]

    by_node: dict[int, TrainingCall] = {}
    for call in events.training:
        if call.scope is not scope:
            continue
        known = by_node.get(id(call.node))
        if known is None:
            by_node[id(call.node)] = call
        elif _worse(call.compiled, known.compiled):
            by_node[id(call.node)] = call
    facts.training = list(by_node.values())

    seen_compiles: set[tuple[int, int]] = set()
    for compile_call in events.compiles:
        key = (id(compile_call.node), compile_call.model.id)
        if compile_call.scope is scope and key not in seen_compiles:
            seen_compiles.add(key)
            facts.compiles.append(compile_call)

    facts.env = list(events.env)
    facts.imports = list(events.imports)
    facts.attributes = list(events.attributes)
    facts.backend_calls = list(events.backend_calls)
    facts.leaks = [leak for leak in find_leaks(interpreter.data) if leak.scope is scope]
    facts.model_inputs = [i for i in interpreter.data.model_inputs if i.report_scope is scope]
    facts.is_entry_point = interpreter.entry_point_training(scope)
    facts.wrapped_fits = list(
        {id(node): node for node, where in events.wrapped_fits if where is scope}.values()
    )
    facts.unused_results = interpreter.unused_results()
    facts.shuffled_predictions = [
        found
        for found in shuffled_comparisons(interpreter.predictions)
        if found.prediction.scope is scope
    ]
    facts.output_checked_calls = interpreter.predictions.guarded
    facts.fold_fits = list(
        {id(f.node): f for f in interpreter.folds.found if f.scope is scope}.values()
    )
    if _uses_tensorflow_not_torch(scope):
        # only where the module runs it: a function's parameter may be anything (an instance
        # of a local subclass of a library model is one wherever it is trained)
        probable = [
            call
            for call in facts.method_calls
            if (not call.standalone or isinstance(call.receiver, ObjectValue))
            and _probable_keras_fit(call)
        ]
        facts.probable_keras_fits = [call.node for call in probable]
        facts.is_entry_point |= any(not call.standalone for call in probable)
    facts.training_leads = _training_leads(interpreter, scope)
    facts.is_entry_point |= bool(facts.training_leads)
    for method_call in events.method_calls:
        arguments = [*method_call.args, *method_call.kwargs.values()]
        for instance in _instances_in(arguments):
            facts.instance_uses.setdefault(id(instance.call.node), set()).add(method_call.method)
        if method_call.method in FIT_METHODS:
            callbacks = method_call.kwargs.get("callbacks", UNKNOWN)
            facts.fits_with_callbacks.append((method_call.node, list(_instances_in([callbacks]))))
    _lifecycle_facts(facts, events, scope)
    for site, _, _ in events.calls:
        callee = site.callee.rsplit(".", 1)[-1]
        for instance in _instances_in([*site.args, *site.kwargs.values()]):
            facts.instance_uses.setdefault(id(instance.call.node), set()).add(callee)
    return facts


def _training_leads(interpreter: Interpreter, scope: ModuleScope) -> list[cst.Call]:
    """Calls of this file, run by the file, that reach a Keras ``fit`` in another module."""
    events = interpreter.events
    fits: list[cst.Call] = [
        call.node
        for call in events.training
        if call.scope is not scope and call.method in FIT_METHODS
    ]
    fits += [node for node, where in events.wrapped_fits if where is not scope]
    fits += [
        call.node
        for call in events.method_calls
        if call.scope is not scope
        and not call.standalone
        and _uses_tensorflow_not_torch(call.scope)
        and _probable_keras_fit(call)
    ]
    leads: dict[int, cst.Call] = {}
    for fit in fits:
        for lead in interpreter.leads_to(fit):
            leads.setdefault(id(lead), lead)
    return list(leads.values())


def _lifecycle_facts(facts: ModuleFacts, events: Events, scope: ModuleScope) -> None:
    """The facts of KER102, KER602 and KER702, each once per node of this file."""
    changes: dict[int, IgnoredTrainableChange] = {}
    for ignored in events.ignored_trainable_changes:
        if ignored.change.scope is scope:
            changes.setdefault(id(ignored.change.node), ignored)
    facts.ignored_trainable_changes = list(changes.values())
    uses: dict[tuple[int, int, int], LastEpochUse] = {}
    for use in events.last_epoch_uses:
        # a checkpoint reloaded later: the uses before it look at the last epoch on purpose
        if use.scope is scope and id(use) not in events.uses_before_reload:
            key = (id(use.node), id(use.checkpoint.fit), id(use.checkpoint.checkpoint.node))
            uses.setdefault(key, use)
    facts.last_epoch_uses = list(uses.values())
    fits: dict[int, MethodCall] = {}
    for call in events.method_calls:
        if call.method in FIT_METHODS:
            fits.setdefault(id(call.node), call)
    facts.fit_calls = list(fits.values())
    for training in events.training:
        if training.method in FIT_METHODS:
            found = facts.fit_compiles.setdefault(id(training.node), [])
            found.extend(c for c in training.compiles if c not in found)
            facts.fit_models.setdefault(id(training.node), training.model)


_OTHER_ESTIMATOR_LIBRARIES = frozenset({"sklearn", "xgboost", "lightgbm", "catboost", "torch"})


def _uses_tensorflow_not_torch(scope: ModuleScope) -> bool:
    names = {v.name.split(".", 1)[0] for v in scope.globals.values() if isinstance(v, Ref)}
    return bool(names & {"keras", "tensorflow"}) and not names & {"torch", "lightning", "jax"}


def _probable_keras_fit(call: MethodCall) -> bool:
    """``model.fit(x, epochs=10)`` on a model of unknown origin: Keras' signature."""
    receiver = call.receiver
    if call.method not in FIT_METHODS:
        return False
    if isinstance(receiver, Instance):
        if receiver.callee.split(".", 1)[0] in _OTHER_ESTIMATOR_LIBRARIES:
            return False
    elif isinstance(receiver, ObjectValue):
        if not _subclasses_a_library_model(receiver.cls):
            return False
    elif not (receiver is UNKNOWN or isinstance(receiver, Data)):
        return False
    if "epochs" in call.kwargs or "validation_split" in call.kwargs:
        return True
    callbacks = list(_instances_in([call.kwargs.get("callbacks", UNKNOWN)]))
    return any(keras_leaf(c.callee) is not None for c in callbacks)


def _subclasses_a_library_model(cls: ClassValue) -> bool:
    """A local class that inherits ``fit`` from a library class outside Keras itself
    (``class M(tfrs.Model)``, ``class M(keras_cv.models.RetinaNet)``)."""
    if cls.method("fit") is not None:
        return False  # its own fit, interpreted as a function
    pending, seen = [cls], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for base in current.bases:
            if isinstance(base, ClassValue):
                pending.append(base)
            elif (
                isinstance(base, Ref)
                and "." in base.name
                and keras_leaf(base.name) is None
                and base.name.split(".", 1)[0] not in _OTHER_ESTIMATOR_LIBRARIES
            ):
                return True
    return False


def _instances_in(values: list[Value]) -> Iterator[Instance]:
    """Instances among values, looking into lists, tuples and dicts (one level deep each)."""
    for value in values:
        if isinstance(value, Instance):
            yield value
        elif isinstance(value, Seq):
            yield from (v for v in value.items if isinstance(v, Instance))
        elif isinstance(value, Mapping):
            yield from (v for v in value.items.values() if isinstance(v, Instance))


_SEVERITY = {Tri.YES: 0, Tri.UNKNOWN: 0, Tri.MAYBE: 1, Tri.NO: 2}


def _worse(candidate: Tri, known: Tri) -> bool:
    return _SEVERITY[candidate] > _SEVERITY[known]
