"""The abstract values the interpreter computes for expressions.

Only what rules need is modelled: external names (through imports), instances created by calls to
external names (layers, losses, callbacks, scalers), Keras models with their layers and outputs,
tensors of the functional API, user functions and classes, literals, and opaque data arrays whose
provenance (``lineage``) feeds the leakage analysis. Everything else is ``UNKNOWN``: rules stay
silent on it.
"""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis.events import ModuleScope


class Tri(enum.Enum):
    """A fact that holds on every path (YES), on none (NO), on some (MAYBE), or is not known."""

    YES = "yes"
    NO = "no"
    MAYBE = "maybe"
    UNKNOWN = "unknown"

    def join(self, other: Tri) -> Tri:
        if self is other:
            return self
        if Tri.UNKNOWN in (self, other):
            return Tri.UNKNOWN
        return Tri.MAYBE


class Value:
    """Base of all abstract values."""


class _Unknown(Value):
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Value = _Unknown()

_ids = itertools.count(1)


def fresh_id() -> int:
    return next(_ids)


@dataclass(eq=False)
class Ref(Value):
    """An external (imported) module, class or function, by canonical dotted name."""

    name: str


@dataclass(eq=False)
class Const(Value):
    value: Any


@dataclass(eq=False)
class TextEnding(Value):
    """A string whose end is known (``f"{run}/model.h5"`` ends with ``/model.h5``)."""

    suffix: str


def text_ending(value: Value) -> str | None:
    """The known end of a string value: all of a constant string, the suffix of a
    ``TextEnding``; None for anything else."""
    if isinstance(value, Const) and isinstance(value.value, str):
        return value.value
    if isinstance(value, TextEnding):
        return value.suffix
    return None


@dataclass(eq=False)
class Seq(Value):
    """A list or tuple literal."""

    items: list[Value]


@dataclass(eq=False)
class Mapping(Value):
    """A dict literal with string keys."""

    items: dict[str, Value]


@dataclass(eq=False)
class CallSite:
    """A call to an external name: where it is and what it was given."""

    node: cst.Call = field(repr=False)
    callee: str
    args: list[Value]
    kwargs: dict[str, Value]
    star_kwargs: bool
    star_args: bool

    def argument(self, position: int, keyword: str) -> Value | None:
        """The value given by keyword or at a position; None if absent (UNKNOWN if unknowable)."""
        if keyword in self.kwargs:
            return self.kwargs[keyword]
        if position < len(self.args) and not self.star_args:
            return self.args[position]
        if self.star_kwargs or self.star_args:
            return UNKNOWN
        return None


@dataclass
class Arguments:
    """The arguments of one call: ``*`` of a known sequence and ``**`` of a known mapping are
    spread in place; any other ``*``/``**`` argument only sets its flag (its items are unknown)."""

    positional: list[Value] = field(default_factory=list)
    keywords: dict[str, Value] = field(default_factory=dict)
    #: a ``*`` argument whose items are unknown
    star_args: bool = False
    #: a ``**`` argument whose keys are unknown
    star_kwargs: bool = False

    def values(self) -> list[Value]:
        """Every value given, positional then keyword."""
        return [*self.positional, *self.keywords.values()]

    def lined_up(self) -> Arguments:
        """These arguments, or none when an unknown ``*``/``**`` hides which parameter gets what."""
        return Arguments() if self.star_args or self.star_kwargs else self

    def call_site(self, node: cst.Call, callee: str) -> CallSite:
        return CallSite(
            node, callee, self.positional, self.keywords, self.star_kwargs, self.star_args
        )


@dataclass(eq=False)
class Instance(Value):
    """The result of calling an external class or factory (a layer, a loss, a callback...)."""

    call: CallSite
    #: layers of a Keras ``Sequential`` or model wrapper are not instances: see ModelValue
    attrs: dict[str, Value] = field(default_factory=dict)

    @property
    def callee(self) -> str:
        return self.call.callee


@dataclass(eq=False)
class Tensor(Value):
    """A symbolic tensor of the functional API, with the activation of the op that made it."""

    activation: str | None  # canonical activation name, "linear", or None when unknown
    producer: Value  # the layer (Instance) or call that produced it, or UNKNOWN
    name: str | None = None  # the producing layer's ``name=``
    width: int | None = None  # the size of its last axis, when known
    activation_width: int | None = None  # that size where ``activation`` was applied
    #: the layers and models applied on the way to it (what a model built on it is made of)
    parts: tuple[Value, ...] = ()
    #: what was applied since the model's ``Input`` (layers, scaling markers), None when unknown
    from_input: tuple[Value, ...] | None = None


@dataclass(eq=False)
class ModelInfo:
    """One Keras model object. Its compile state lives in the interpreter state (flow-sensitive)."""

    id: int
    kind: str  # sequential | functional | subclass | loaded | clone | application | json
    node: cst.CSTNode | None = field(repr=False)
    #: layers of a Sequential model in order (``Sequential([...])`` and ``add()``)
    layers: list[Value] = field(default_factory=list)
    #: outputs of a functional / subclassed model (one per output), None when unknown
    outputs: list[Value] | None = None
    #: compile state right after construction
    initial_compiled: Tri = Tri.NO
    #: what a functional or subclassed model is made of: layers and models (see ``layers``
    #: for a Sequential)
    parts: list[Value] = field(default_factory=list)


@dataclass(eq=False)
class LayersOf(Value):
    """``M.layers``, a slice or an element of it, ``M.get_layer(...)``: layers of a model."""

    model: ModelInfo


@dataclass(eq=False)
class ModelValue(Value):
    info: ModelInfo


@dataclass(eq=False)
class FunctionValue(Value):
    node: cst.FunctionDef = field(repr=False)
    scope: ModuleScope = field(repr=False)
    #: the class the function is a method of (for ``self``), if any
    owner: ClassValue | None = None


@dataclass(eq=False)
class ClassValue(Value):
    node: cst.ClassDef = field(repr=False)
    scope: ModuleScope = field(repr=False)
    bases: list[Value]
    methods: dict[str, FunctionValue] = field(default_factory=dict)
    attrs: dict[str, Value] = field(default_factory=dict)

    def is_keras_model(self, seen: frozenset[int] = frozenset()) -> bool:
        from keras_lint.analysis.names import keras_leaf

        if id(self) in seen:
            return False
        for base in self.bases:
            if isinstance(base, Ref) and keras_leaf(base.name) in {"Model", "Sequential"}:
                return True
            if isinstance(base, ClassValue) and base.is_keras_model(seen | {id(self)}):
                return True
        return False

    def method(self, name: str, seen: frozenset[int] = frozenset()) -> FunctionValue | None:
        if name in self.methods:
            return self.methods[name]
        if id(self) in seen:
            return None
        for base in self.bases:
            if isinstance(base, ClassValue):
                found = base.method(name, seen | {id(self)})
                if found is not None:
                    return found
        return None


@dataclass(eq=False)
class ObjectValue(Value):
    """An instance of a user (non-model) class, e.g. a trainer holding ``self.model``."""

    cls: ClassValue
    attrs: dict[str, Value] = field(default_factory=dict)


@dataclass(eq=False)
class Data(Value):
    """An opaque array or frame, with where it came from.

    ``lineage`` holds the identity of this value and of every value it was computed from, so
    "was ``b`` computed from ``a``" is ``a.ident in b.lineage``; ancestors do not know their
    descendants. ``learned`` names the statistics learned from data (a scaler's fit, a column's
    mean) that flowed into this value; ``statistic`` marks a value that is such a statistic
    rather than rows of data.
    """

    ident: int
    lineage: frozenset[int]
    #: the held-out (test/validation) part of a split, or computed from one alone
    held_out: bool = False
    #: the training part of a split, or computed from training parts alone
    train_part: bool = False
    #: a mix of rows that includes held-out data (``np.concatenate([X_train, X_test])``)
    mixes_held_out: bool = False
    #: identities of the learned statistics this value was computed with
    learned: frozenset[int] = frozenset()
    #: a statistic of data (a mean, a fitted vocabulary), not rows
    statistic: bool = False

    @staticmethod
    def fresh(
        *, held_out: bool = False, train_part: bool = False, learned: frozenset[int] = frozenset()
    ) -> Data:
        ident = fresh_id()
        return Data(
            ident, frozenset({ident}), held_out=held_out, train_part=train_part, learned=learned
        )

    @staticmethod
    def derive(*parents: Data, mixes_held_out: bool = False) -> Data:
        """A value computed from ``parents`` (a transform, a column, a sum...).

        Which rows it holds (training, held-out, a mix) comes from its parents that are rows: a
        training split filled with a statistic is still the training split.
        """
        ident = fresh_id()
        lineage = frozenset({ident}).union(*(p.lineage for p in parents))
        rows = [p for p in parents if not p.statistic] or list(parents)
        return Data(
            ident,
            lineage,
            held_out=bool(rows) and all(p.held_out for p in rows),
            train_part=bool(rows) and all(p.train_part for p in rows),
            mixes_held_out=mixes_held_out or any(p.mixes_held_out for p in rows),
            learned=frozenset().union(*(p.learned for p in parents)),
            statistic=bool(parents) and all(p.statistic for p in parents),
        )


def join_values(a: Value, b: Value) -> Value:
    """The value of a variable after two paths merge."""
    if a is b:
        return a
    if isinstance(a, Const) and isinstance(b, Const) and a.value == b.value:
        return a
    if isinstance(a, Data) and isinstance(b, Data):
        return Data.derive(a, b)
    if isinstance(a, Ref) and isinstance(b, Ref) and a.name == b.name:
        return a
    return UNKNOWN
