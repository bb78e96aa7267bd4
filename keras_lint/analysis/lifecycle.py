"""The flow-ordered life of a model after its first training call: what it was compiled with,
which ``trainable`` flags its training function was traced with, and which best checkpoint it
has not reloaded.

These facts hold on some paths and not on others, exactly like a model's compile state, so they
live in the same flow-sensitive map (``State.compiled``), under keys of their own drawn from the
same counter as model ids: branches join them, loops carry them to their start, helpers hand them
back to their callers, with no extra machinery. A fact's key holds ``Tri.YES`` where it holds,
``Tri.NO`` where it was cleared, ``Tri.MAYBE`` where paths disagree.

Two kinds of facts:
- values (``value``/``put``): one key per named fact, e.g. whether a layer is trainable now;
- occurrences (``add``/``live``/``clear``): one key per event of a group, e.g. each
  ``compile`` of a model, whose payload the rules read back.
"""

from __future__ import annotations

import os.path
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import libcst as cst

from keras_lint.analysis.events import CompileCall, ModuleScope
from keras_lint.analysis.names import keras_leaf
from keras_lint.analysis.syntax import dotted_name, walk
from keras_lint.analysis.values import (
    CallSite,
    Const,
    Instance,
    LayersOf,
    ModelInfo,
    ModelValue,
    ObjectValue,
    Seq,
    Tensor,
    TextEnding,
    Tri,
    Value,
    fresh_id,
)

#: the methods that train a model with the training function ``compile`` resets
TRACED_TRAINING = frozenset({"fit", "fit_generator", "train_on_batch"})
#: methods after which the program goes on with the weights a model holds
WEIGHT_USES = frozenset(
    {
        "evaluate",
        "evaluate_generator",
        "test_on_batch",
        "predict",
        "predict_on_batch",
        "predict_generator",
        "predict_classes",
        "predict_proba",
        "save",
        "save_weights",
        "export",
    }
)
#: external functions that save or export the model given as their first argument
SAVING_FUNCTIONS = frozenset({"save_model", "save_keras_model", "from_keras_model"})
#: position of ``callbacks`` in ``fit(x, y, batch_size, epochs, verbose, callbacks, ...)``
_FIT_CALLBACKS_POSITION = {"fit": 5, "fit_generator": 4}
#: positions in ``ModelCheckpoint(filepath, monitor, verbose, save_best_only, ...)`` and
#: ``EarlyStopping(monitor, min_delta, patience, verbose, mode, baseline, restore_best_weights)``
_SAVE_BEST_POSITION = 3
_RESTORE_POSITION = 6
#: a ``{epoch}``/``{val_loss:.2f}`` field: one file per epoch, no single best file to reload
_FORMAT_FIELD = re.compile(r"\{[A-Za-z_][^{}]*\}")


class FlowFacts:
    """Named facts and groups of occurrences kept in a flow-sensitive ``dict[int, Tri]``."""

    def __init__(self) -> None:
        self._keys: dict[tuple[object, ...], int] = {}
        self._groups: dict[tuple[object, ...], list[int]] = {}
        self._payloads: dict[int, object] = {}

    def _key(self, name: tuple[object, ...]) -> int:
        if name not in self._keys:
            self._keys[name] = fresh_id()
        return self._keys[name]

    def value(self, flow: dict[int, Tri], *name: object) -> Tri | None:
        """The fact's value on this path (None: never set)."""
        key = self._keys.get(name)
        return None if key is None else flow.get(key)

    def put(self, flow: dict[int, Tri], value: Tri, *name: object) -> None:
        flow[self._key(name)] = value

    def add(self, flow: dict[int, Tri], payload: object, *group: object) -> None:
        """A new occurrence of the group, holding on this path from here on."""
        key = fresh_id()
        self._groups.setdefault(group, []).append(key)
        self._payloads[key] = payload
        flow[key] = Tri.YES

    def live(self, flow: dict[int, Tri], *group: object) -> list[object]:
        """The payloads of the group's occurrences that hold on some path reaching here."""
        return [
            self._payloads[key]
            for key in self._groups.get(group, ())
            if flow.get(key) in (Tri.YES, Tri.MAYBE)
        ]

    def clear(
        self,
        flow: dict[int, Tri],
        *group: object,
        keep: Callable[[object], bool] | None = None,
    ) -> list[object]:
        """The group's occurrences stop holding here (all, or all but those ``keep`` keeps);
        the payloads of those that held on some path."""
        cleared = []
        for key in self._groups.get(group, ()):
            if key in flow and (keep is None or not keep(self._payloads[key])):
                if flow[key] in (Tri.YES, Tri.MAYBE):
                    cleared.append(self._payloads[key])
                flow[key] = Tri.NO
        return cleared


@dataclass(frozen=True)
class TrainableChange:
    """``X.trainable = <bool>`` after a model containing X was trained."""

    node: cst.CSTNode = field(repr=False)
    #: what was changed, as a key of the flow facts
    subject: tuple[object, ...]
    value: bool
    scope: ModuleScope = field(repr=False)
    #: found in a function no call reached
    standalone: bool


@dataclass(frozen=True)
class IgnoredTrainableChange:
    """A trainable change followed by a training call of the model without ``compile``."""

    change: TrainableChange
    #: the training call that runs with the old flags, and its receiver expression's model
    training: cst.Call = field(repr=False)
    model: ModelInfo
    #: the compile calls that reach the training call (their arguments make the fix)
    compiles: tuple[CompileCall, ...]


@dataclass(frozen=True)
class BestCheckpoint:
    """``fit(..., callbacks=[ModelCheckpoint(path, save_best_only=True)])`` with no restore."""

    fit: cst.Call = field(repr=False)
    fit_scope: ModuleScope = field(repr=False)
    checkpoint: CallSite
    #: the path, or the file name at its end (``os.path.join(folder, "best.h5")``)
    path: str
    model: ModelInfo
    standalone: bool


@dataclass(frozen=True)
class LastEpochUse:
    """A use of a model's weights while a best checkpoint it wrote is not reloaded."""

    node: cst.CSTNode = field(repr=False)
    #: what the program does with the model: ``evaluate``, ``save``, ``return``...
    use: str
    checkpoint: BestCheckpoint
    scope: ModuleScope = field(repr=False)


def model_parts(info: ModelInfo, seen: frozenset[int] = frozenset()) -> Iterator[Value]:
    """The layers and models a model is made of, nested models' parts included."""
    if info.id in seen:
        return
    seen = seen | {info.id}
    for part in [*info.layers, *info.parts]:
        yield part
        if isinstance(part, ModelValue):
            yield from model_parts(part.info, seen)


def subject_of(value: Value) -> tuple[object, ...] | None:
    """The flow-fact name of what ``value.trainable`` sets, or None when not tracked."""
    if isinstance(value, ModelValue):
        return ("model", value.info.id)
    if isinstance(value, LayersOf):
        return ("layers", value.model.id)
    if isinstance(value, Instance) and keras_leaf(value.callee) is not None:
        return ("layer", id(value))
    return None


def belongs_to(value: Value, model: ModelInfo) -> bool:
    """Whether ``value`` is ``model``, one of its layers, or a layer or model inside it."""
    owner: ModelInfo | None = None
    if isinstance(value, ModelValue):
        owner = value.info
    elif isinstance(value, LayersOf):
        owner = value.model
    if owner is model:
        return True
    for part in model_parts(model):
        if part is value or (
            owner is not None and isinstance(part, ModelValue) and part.info is owner
        ):
            return True
    return False


def tensor_parts(value: Value) -> tuple[Value, ...]:
    """The parts carried by a tensor or a list of tensors given to a layer."""
    items = value.items if isinstance(value, Seq) else [value]
    found: dict[int, Value] = {}
    for item in items:
        if isinstance(item, Tensor):
            for part in item.parts:
                found.setdefault(id(part), part)
    return tuple(found.values())


def callbacks_of(method: str, site: CallSite) -> list[Instance]:
    """The callback instances given to a ``fit`` (a list, a tuple, or one callback)."""
    given = site.argument(_FIT_CALLBACKS_POSITION.get(method, 5), "callbacks")
    if given is None:
        return []
    items = given.items if isinstance(given, Seq) else [given]
    return [item for item in items if isinstance(item, Instance)]


def restores_best(callbacks: list[Instance]) -> bool:
    """An ``EarlyStopping`` that may restore the best weights (``restore_best_weights`` true or
    not a literal)."""
    for callback in callbacks:
        if keras_leaf(callback.callee) != "EarlyStopping":
            continue
        flag = callback.call.argument(_RESTORE_POSITION, "restore_best_weights")
        if flag is not None and not (isinstance(flag, Const) and flag.value is False):
            return True
    return False


def best_checkpoints(callbacks: list[Instance]) -> Iterator[tuple[CallSite, str]]:
    """``ModelCheckpoint(path, save_best_only=True)`` whose path names one known file: the call
    and that path (a path the analysis cannot read may hold ``{epoch}`` fields: not judged)."""
    for callback in callbacks:
        site = callback.call
        if keras_leaf(callback.callee) != "ModelCheckpoint":
            continue
        flag = site.argument(_SAVE_BEST_POSITION, "save_best_only")
        if not (isinstance(flag, Const) and flag.value is True):
            continue
        path = single_file(site.argument(0, "filepath"))
        if path is not None:
            yield site, path


def single_file(value: Value | None) -> str | None:
    """The path a literal names, or the file name ending ``os.path.join(folder, "best.h5")``
    or ``Path(...)``: None when it is not read or holds format fields (``{epoch:02d}``)."""
    if isinstance(value, Const) and isinstance(value.value, str):
        return None if _FORMAT_FIELD.search(value.value) else value.value
    if isinstance(value, TextEnding) and "/" in value.suffix:
        # ``os.path.join(folder, "best.h5")``, ``f"{run}/best.h5"``: the file name is known
        name = value.suffix.rsplit("/", 1)[1]
        return name if name and not _FORMAT_FIELD.search(name) else None
    if isinstance(value, Instance) and value.call.args and not value.call.kwargs:
        parts = [single_file(part) for part in value.call.args[-1:]]
        leaf = value.callee.rsplit(".", 1)[-1]
        if leaf in {"join", "Path", "PurePath"} and parts[0] is not None:
            return parts[0]
    return None


def same_file(loaded: Value | None, checkpoint: BestCheckpoint) -> bool:
    """Whether loading ``loaded`` may read the checkpoint's file (unknown paths may)."""
    path = single_file(loaded)
    if path is None:
        return not (isinstance(loaded, Const) and isinstance(loaded.value, str))
    return os.path.basename(os.path.normpath(path)) == os.path.basename(
        os.path.normpath(checkpoint.path)
    )


def writes_logs(value: Value) -> bool:
    """Whether a callback may add numbers to the logs other callbacks read: any callback but
    Keras's own and a class of the linted code that never writes into ``logs``."""
    if isinstance(value, Instance):
        return keras_leaf(value.callee) is None
    if not isinstance(value, ObjectValue):
        return True
    for node in walk(value.cls.node):
        if isinstance(node, cst.Subscript) and dotted_name(node.value) == "logs":
            return True  # logs["val_f1"] = ... (reading one is rare and harmless to allow)
        if isinstance(node, cst.Call) and dotted_name(node.func) in {
            "logs.update",
            "logs.setdefault",
        }:
            return True
    return False
