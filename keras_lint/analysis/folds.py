"""Loops over cross-validation folds and the models trained in them (KER604).

A *fold loop* iterates the folds of a scikit-learn splitter that hands out overlapping training
and test rows across folds (``KFold``, ``StratifiedKFold``, ``GroupKFold``, ``ShuffleSplit``...
``.split``; ``TimeSeriesSplit`` only splits forward and leaks nothing), or draws a bootstrap
sample in its body (``sklearn.utils.resample``, ``np.random.choice`` with replacement) that a
``fit`` then trains on. The interpreter runs a loop body twice; a model object that reaches the
same ``fit`` in both passes is carried from one fold to the next. Rebuilding the model in the
body (a builder, a constructor, ``clone_model``) makes a new model object in each pass; restoring
saved weights (``set_weights``, ``load_weights``) in the body resets the one model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from keras_lint.analysis.names import leaf_in
from keras_lint.analysis.provenance import SplitIterator
from keras_lint.analysis.values import (
    CallSite,
    Const,
    Data,
    Instance,
    ModelInfo,
    Seq,
    Value,
    fresh_id,
)

#: splitters whose folds test on rows other folds train on
LEAKING_SPLITTERS = frozenset(
    {
        "KFold",
        "StratifiedKFold",
        "GroupKFold",
        "StratifiedGroupKFold",
        "ShuffleSplit",
        "StratifiedShuffleSplit",
        "GroupShuffleSplit",
        "RepeatedKFold",
        "RepeatedStratifiedKFold",
        "LeaveOneOut",
        "LeavePOut",
        "LeaveOneGroupOut",
        "LeavePGroupsOut",
    }
)
#: model methods that restore weights saved earlier
WEIGHT_RESETS = frozenset({"set_weights", "load_weights"})


@dataclass(frozen=True)
class FoldFit:
    """A ``fit`` that trains one model object on every fold of a fold loop."""

    node: cst.Call = field(repr=False)
    model: ModelInfo
    loop: cst.For | cst.While = field(repr=False)
    #: ``KFold.split`` or ``bootstrap resampling``
    how: str
    scope: object = field(repr=False)


@dataclass
class _Loop:
    node: cst.For | cst.While
    #: the splitter iterated (``KFold``), or "" for another loop
    splitter: str
    #: the first identity handed out in the loop and in the current pass
    start: int
    pass_start: int = 0
    passes: int = 0
    #: per pass: (fit node id) -> (fit node, model, how, scope)
    fits: list[dict[tuple[int, int], tuple[cst.Call, ModelInfo, str, object]]] = field(
        default_factory=list
    )
    resets: set[int] = field(default_factory=set)


@dataclass
class FoldLoops:
    """Recorder of loops, fits and weight resets in program order (hooks of the interpreter)."""

    found: list[FoldFit] = field(default_factory=list)
    #: identities of bootstrap samples (``resample(X)``, ``np.random.choice(n, n)``)
    bootstrap: set[int] = field(default_factory=set)
    _open: list[_Loop] = field(default_factory=list)

    def enter_loop(self, node: cst.For | cst.While, splitter: str) -> None:
        self._open.append(_Loop(node, splitter, fresh_id()))

    def start_pass(self) -> None:
        loop = self._open[-1]
        loop.pass_start = fresh_id()
        loop.passes += 1
        loop.fits.append({})

    def leave_loop(self) -> None:
        loop = self._open.pop()
        if len(loop.fits) < 2:
            return  # one pass: whether the next fold gets the same model is not known
        first, second = loop.fits[0], loop.fits[1]
        for key, (node, model, how, scope) in second.items():
            if key in first and model.id not in loop.resets and model.id < loop.start:
                self.found.append(FoldFit(node, model, loop.node, how, scope))

    def fit(self, node: cst.Call, model: ModelInfo, site: CallSite, scope: object) -> None:
        data = site.argument(0, "x")
        for loop in self._open:
            how = f"{loop.splitter}.split" if loop.splitter in LEAKING_SPLITTERS else None
            if how is None and isinstance(data, Data):
                drawn = [i for i in self.bootstrap if i >= loop.pass_start and i in data.lineage]
                how = "bootstrap resampling" if drawn else None
            if how is not None and loop.fits:
                loop.fits[-1][(id(node), model.id)] = (node, model, how, scope)

    def reset(self, model: ModelInfo) -> None:
        for loop in self._open:
            loop.resets.add(model.id)

    def drawn(
        self, site: CallSite, result: Value | None, receiver: Value | None = None
    ) -> Value | None:
        """The result of a call, marked when it draws a bootstrap sample: ``resample(X, y)``
        without ``replace=False``, ``np.random.choice`` or a generator's ``choice`` with
        replacement."""
        callee = site.callee
        if leaf_in(callee, "sklearn") == "resample" and callee.startswith("sklearn.utils"):
            arrays = [a for a in site.args if isinstance(a, Data)]
            if not arrays:
                return result
            drawn = [Data.derive(a) for a in arrays]
            return self._resampled(site, drawn[0] if len(drawn) == 1 else Seq(list(drawn)))
        if callee == "numpy.random.choice":
            return self._resampled(site, result if isinstance(result, Data) else Data.fresh())
        if (
            isinstance(receiver, Instance)
            and callee.endswith(".choice")
            and receiver.callee in _RANDOM_GENERATORS
        ):
            return self._resampled(site, result if isinstance(result, Data) else Data.fresh())
        return result

    def _resampled(self, site: CallSite, result: Value) -> Value:
        replace = site.kwargs.get("replace")
        if isinstance(replace, Const) and replace.value is False or site.star_kwargs:
            return result
        if replace is None and site.callee.endswith("choice") and len(site.args) > 2:
            replace = site.args[2]
            if isinstance(replace, Const) and replace.value is False:
                return result
        for item in result.items if isinstance(result, Seq) else [result]:
            if isinstance(item, Data):
                self.bootstrap.add(item.ident)
        return result


_RANDOM_GENERATORS = frozenset(
    {"numpy.random.default_rng", "numpy.random.RandomState", "numpy.random.Generator"}
)
#: builtins and progress bars that hand out the folds they are given
_FOLD_PASSTHROUGH = frozenset({"list", "tuple", "iter", "enumerate"})
_PROGRESS_BARS = frozenset(
    {"tqdm.tqdm", "tqdm.auto.tqdm", "tqdm.notebook.tqdm", "tqdm.tqdm_notebook"}
)


def splitter_of(iterated: Value) -> str:
    """The splitter whose folds a loop iterates (``KFold``), or ""."""
    return iterated.splitter if isinstance(iterated, SplitIterator) else ""


def iterated_folds(builtin: str, args: list[Value]) -> Value | None:
    """``enumerate(kf.split(X))``, ``list(kf.split(X))``: the folds, numbered or not."""
    if builtin not in _FOLD_PASSTHROUGH or not args or not isinstance(args[0], SplitIterator):
        return None
    folds = args[0]
    if builtin != "enumerate":
        return folds
    ident = fresh_id()
    return SplitIterator(
        ident,
        frozenset({ident}),
        fold=Seq([Data.fresh(), folds.fold]),
        splitter=folds.splitter,
    )


def folds_through(site: CallSite) -> Value | None:
    """``tqdm(kf.split(X))``: a progress bar over the folds hands out the folds."""
    if site.callee in _PROGRESS_BARS and site.args and isinstance(site.args[0], SplitIterator):
        return site.args[0]
    return None
