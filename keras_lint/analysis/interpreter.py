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
recorded by ``Provenance`` (``provenance.py``) through hooks.

The interpreter's parts are in the modules named after what they evaluate: ``statements.py``,
``expressions.py``, ``calls.py``, ``keras_calls.py`` (the Keras API) and ``module_loading.py``
(modules of the linted tree); their shared state is in ``interpreter_base.py``.
"""

from __future__ import annotations

from keras_lint.analysis.calls import CallsMixin, first_param
from keras_lint.analysis.events import Events, ModuleScope
from keras_lint.analysis.expressions import ExpressionsMixin
from keras_lint.analysis.interpreter_base import Frame, Terminated
from keras_lint.analysis.keras_calls import KerasCallsMixin, compiles_outside
from keras_lint.analysis.module_loading import LeadingCallsMixin, ModuleLoadingMixin
from keras_lint.analysis.state import State
from keras_lint.analysis.statements import StatementsMixin
from keras_lint.analysis.values import Arguments, FunctionValue, ObjectValue, Tri, Value

__all__ = ["Interpreter"]


class Interpreter(
    LeadingCallsMixin,
    StatementsMixin,
    ExpressionsMixin,
    CallsMixin,
    KerasCallsMixin,
    ModuleLoadingMixin,
):
    """Runs a module and the functions no call reaches; ``events`` and ``data`` hold the facts."""

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

    def run_module(self, scope: ModuleScope, *, standalone: bool = True) -> None:
        """Interpret the module body, then every function that no call reached."""
        frame = Frame(scope, State(scope.globals, {}), is_module=True, depth=0, owner=id(scope))
        if not hasattr(self, "_top_scope"):
            self._top_scope = scope
        try:
            self._exec_block(scope.module.body, frame)
        except Terminated:
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
                if function.owner is not None and first_param(function.node) == "self":
                    receiver = self._standalone_instance(function, context)
                self._call_function(function, Arguments(), receiver, 1, context, standalone=True)

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
            self._call_function(init, Arguments(), obj, 1, context, standalone=True)
            self.events = saved
        if context.state.compiled and self._cached(
            ("compiles-outside", id(cls)), lambda: compiles_outside(cls, {"__init__"})
        ):
            for model_id in list(context.state.compiled):
                context.state.compiled[model_id] = Tri.UNKNOWN
        return obj
