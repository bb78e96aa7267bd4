"""What the parts of the interpreter share: frames, the limits on inlining, the ``Terminated``
signal, and ``InterpreterBase`` holding the state every part reads and writes.

The interpreter is one class composed of parts, each in the module that says what it evaluates
(``statements.py``, ``expressions.py``, ``calls.py``, ``keras_calls.py``, ``module_loading.py``).
The methods one part calls on another are declared here, so each part reads on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from keras_lint.analysis.events import BackendCall, Events, ModuleScope
from keras_lint.analysis.folds import FoldLoops
from keras_lint.analysis.lifecycle import FlowFacts
from keras_lint.analysis.predictions import Predictions
from keras_lint.analysis.provenance import Provenance
from keras_lint.analysis.state import State
from keras_lint.analysis.values import (
    UNKNOWN,
    Arguments,
    CallSite,
    ClassValue,
    Data,
    FunctionValue,
    Instance,
    ModelInfo,
    ModelValue,
    ObjectValue,
    Ref,
    Tri,
    Value,
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


class Terminated(Exception):
    """Raised to leave a block after ``return``/``raise``/``break``/``continue``."""


def materialize(value: Value) -> Value:
    """A bound unknown value keeps an identity: later uses of the name are the same data."""
    return Data.fresh() if value is UNKNOWN else value


class InterpreterBase:
    """The interpreter's state, and the methods its parts call on each other."""

    #: the file being linted: set by the first ``run_module``
    _top_scope: ModuleScope

    def __init__(self, project: ProjectIndex | None) -> None:
        self.project = project
        self.events = Events()
        self.data = Provenance()
        #: predictions, the iterators they read and their comparisons (KER202, KER603)
        self.predictions = Predictions()
        #: fold loops and the models trained in them (KER604)
        self.folds = FoldLoops()
        #: the values an ``if`` test being evaluated has read (None outside a test)
        self._test_reads: list[Value] | None = None
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
        #: the order of imports and environment settings, the flow they belong to, and the
        #: statement line being executed (see ``events.ModuleImport``)
        self._order = 0
        self._flow = 0
        self._line: cst.CSTNode | None = None
        self._memo: dict[tuple[str, int], bool] = {}
        #: results of calls bound to a name (``es = EarlyStopping()``, ``cbs = [EarlyStopping()]``):
        #: (owner and name, step, call ids); and the last step at which each name was read
        self._bindings: list[tuple[tuple[int, str], int, list[int]]] = []
        self._last_read: dict[tuple[int, str], int] = {}
        self._inline_counts: dict[int, int] = {}
        #: modules whose code trains a model when run (a fit reached from the top level)
        self._training_modules: set[int] = set()
        #: the models' lifecycle facts (``lifecycle.py``), every model made, and every object
        #: whose ``trainable`` flag was set (in order)
        self.flow = FlowFacts()
        self._models: dict[int, ModelInfo] = {}
        self._trainable_subjects: dict[tuple[object, ...], None] = {}
        #: ``try`` bodies being interpreted, and best checkpoints (by ``id``) a ``try`` body
        #: reloads: the handler is the failure to load, not a path that skips the reload
        self._open_trys = 0
        self._reloads_tried: set[int] = set()

    def _next_order(self) -> int:
        self._order += 1
        return self._order

    def _record_backend_call(self, name: str, node: cst.Call, frame: Frame) -> None:
        self.events.backend_calls.append(
            BackendCall(name, node, frame.scope, self._standalone, self._next_order(), self._flow)
        )

    def _cached(self, key: tuple[str, int], compute: Callable[[], bool]) -> bool:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # ------------------------------------------------------ implemented by the parts
    def run_module(self, scope: ModuleScope, *, standalone: bool = True) -> None:
        raise NotImplementedError

    def _exec_block(self, body: Sequence[cst.CSTNode], frame: Frame) -> None:
        raise NotImplementedError

    def _assign(self, target: cst.BaseExpression, value: Value, frame: Frame) -> None:
        raise NotImplementedError

    def _eval(self, node: cst.BaseExpression | None, frame: Frame) -> Value:
        raise NotImplementedError

    def _attribute_of(self, owner: Value, attr: str) -> Value:
        raise NotImplementedError

    def _eval_call(self, node: cst.Call, frame: Frame) -> Value:
        raise NotImplementedError

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
        raise NotImplementedError

    def _keras_model_factory(self, site: CallSite, leaf: str, frame: Frame) -> Value | None:
        raise NotImplementedError

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
        raise NotImplementedError

    def _instantiate_model(
        self, node: cst.Call, cls: ClassValue, obj: ObjectValue, arguments: Arguments, frame: Frame
    ) -> Value:
        raise NotImplementedError

    def _model_method(
        self, node: cst.Call, info: ModelInfo, method: str, arguments: Arguments, frame: Frame
    ) -> Value:
        raise NotImplementedError

    def _apply_layer(self, layer: Instance, positional: list[Value]) -> Value:
        raise NotImplementedError

    def _record_wrapped_fit(self, node: cst.Call, frame: Frame) -> None:
        raise NotImplementedError

    def _set_trainable(self, node: cst.CSTNode, owner: Value, value: Value, frame: Frame) -> None:
        raise NotImplementedError

    def _weights_used(self, node: cst.CSTNode, value: Value, use: str, frame: Frame) -> None:
        raise NotImplementedError

    def _resolved(self, env: dict[str, Value], name: str) -> Value:
        raise NotImplementedError

    def _absolute_module(self, level: int, module: str, scope: ModuleScope) -> str | None:
        raise NotImplementedError

    def _load_project_module(self, name: str, importer: ModuleScope) -> ModuleScope | None:
        raise NotImplementedError

    def _is_project_module(self, name: str, importer: ModuleScope) -> bool:
        raise NotImplementedError

    def _is_primary(self, scope: ModuleScope) -> bool:
        raise NotImplementedError

    def _resolve_project_ref(self, ref: Ref, scope: ModuleScope) -> Value | None:
        raise NotImplementedError
