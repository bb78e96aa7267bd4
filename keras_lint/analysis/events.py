"""What the interpreter records: the modules it runs and the events rules are built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from keras_lint.analysis.values import (
    CallSite,
    ClassValue,
    FunctionValue,
    ModelInfo,
    Tri,
    Value,
)

if TYPE_CHECKING:
    from keras_lint.analysis.lifecycle import IgnoredTrainableChange, LastEpochUse


@dataclass
class ModuleScope:
    """A module being interpreted: its tree, its globals and the functions it defines."""

    module: cst.Module = field(repr=False)
    path: str
    name: str  # dotted module name ("" when unknown)
    globals: dict[str, Value] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)
    functions: list[FunctionValue] = field(default_factory=list)
    classes: list[ClassValue] = field(default_factory=list)
    #: compile state of the module's models when its top level has run
    final_compiled: dict[int, Tri] = field(default_factory=dict)


@dataclass(frozen=True)
class MethodCall:
    """A call of a method on a tracked object (a model, an instance, data)."""

    node: cst.Call = field(repr=False)
    receiver: Value
    method: str
    args: list[Value]
    kwargs: dict[str, Value]
    scope: ModuleScope = field(repr=False)
    #: found in a function no call reached
    standalone: bool = False


@dataclass(frozen=True)
class TrainingCall:
    """``fit``/``evaluate``/... on a known model, with its compile state at that point."""

    node: cst.Call = field(repr=False)
    method: str
    model: ModelInfo
    compiled: Tri
    scope: ModuleScope = field(repr=False)
    #: the ``compile`` calls of the model that reach this call (the last one on each path)
    compiles: tuple[CompileCall, ...] = ()


@dataclass(frozen=True)
class CompileCall:
    node: cst.Call = field(repr=False)
    model: ModelInfo
    site: CallSite
    scope: ModuleScope = field(repr=False)


@dataclass(frozen=True)
class EnvSetting:
    """``os.environ[name] = value`` and its spellings (value None when not a literal)."""

    name: str
    value: str | None
    scope: ModuleScope = field(repr=False)
    #: found in a function no call reached (it may never run)
    standalone: bool = False
    #: the assignment or call, and the statement line that holds it
    node: cst.CSTNode | None = field(default=None, repr=False, compare=False)
    statement: cst.CSTNode | None = field(default=None, repr=False, compare=False)
    #: "assign", "setdefault", "update" or "putenv"
    how: str = "assign"
    #: where it happened in the flow (see ``ModuleImport``)
    order: int = 0
    flow: int = 0


@dataclass(frozen=True)
class ModuleImport:
    """An ``import``/``from ... import`` that ran, by the top-level package it loads.

    ``order`` counts the imports and environment settings of one interpreter in the order they
    ran; ``flow`` is 0 for the program's own run and a new number for each function that no call
    reached and that is interpreted on its own afterwards (its module's top level ran first).
    """

    package: str
    node: cst.CSTNode = field(repr=False)
    statement: cst.CSTNode | None = field(repr=False)
    scope: ModuleScope = field(repr=False)
    standalone: bool
    order: int
    flow: int


@dataclass(frozen=True)
class BackendCall:
    """A call that may make the Keras backend run an operation, with its place in the flow
    (``order`` and ``flow`` as for ``ModuleImport``): an external call by its dotted name
    (``keras.layers.Dense``, ``jax.numpy.ones``), a method of a known model as
    ``model.<method>``, and a local Keras model class instantiated, as ``model``."""

    name: str
    node: cst.Call = field(repr=False)
    scope: ModuleScope = field(repr=False)
    standalone: bool
    order: int
    flow: int


@dataclass(frozen=True)
class AttributeSetting:
    """An assignment to a dotted attribute, e.g. ``config.gpu_options.allow_growth = True``."""

    target: str
    value: Value
    scope: ModuleScope = field(repr=False)
    standalone: bool = False


@dataclass
class Events:
    #: (call, module it is written in, found in a function no call reached)
    calls: list[tuple[CallSite, ModuleScope, bool]] = field(default_factory=list)
    method_calls: list[MethodCall] = field(default_factory=list)
    training: list[TrainingCall] = field(default_factory=list)
    compiles: list[CompileCall] = field(default_factory=list)
    env: list[EnvSetting] = field(default_factory=list)
    imports: list[ModuleImport] = field(default_factory=list)
    attributes: list[AttributeSetting] = field(default_factory=list)
    #: calls that may run a backend operation, in the order they ran
    backend_calls: list[BackendCall] = field(default_factory=list)
    #: training through scikit-learn wrappers of Keras models (``KerasClassifier(...).fit``)
    wrapped_fits: list[tuple[cst.Call, ModuleScope]] = field(default_factory=list)
    #: the lifecycle facts of ``lifecycle.py`` (KER102, KER702)
    ignored_trainable_changes: list[IgnoredTrainableChange] = field(default_factory=list)
    last_epoch_uses: list[LastEpochUse] = field(default_factory=list)
    #: uses (by ``id``) of ``last_epoch_uses`` that a reload of their checkpoint follows
    uses_before_reload: set[int] = field(default_factory=set)

    def extend(self, other: Events) -> None:
        """Add what another run recorded (a helper module's top level, say)."""
        self.calls.extend(other.calls)
        self.method_calls.extend(other.method_calls)
        self.training.extend(other.training)
        self.compiles.extend(other.compiles)
        self.env.extend(other.env)
        self.imports.extend(other.imports)
        self.attributes.extend(other.attributes)
        self.backend_calls.extend(other.backend_calls)
        self.wrapped_fits.extend(other.wrapped_fits)
        self.ignored_trainable_changes.extend(other.ignored_trainable_changes)
        self.last_epoch_uses.extend(other.last_epoch_uses)
        self.uses_before_reload.update(other.uses_before_reload)
