"""Provenance of data arrays: which data a scaler learned from, and what was split afterwards.

Every bound value the interpreter cannot otherwise model is opaque ``Data``. A computation
(``scaler.transform(X)``, ``X.values``, ``np.log1p(X)``, ``X * 2``) derives a new value whose
lineage includes its inputs; a split (``train_test_split``, a ``KFold.split``, ``X[:n]``/``X[n:]``)
gives parts marked as training or held-out data. The leakage analysis then asks, in program order:
was a value computed from the data a preprocessing step learned from split afterwards?
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from keras_lint.analysis.names import keras_leaf, leaf_in
from keras_lint.analysis.values import (
    UNKNOWN,
    CallSite,
    Const,
    Data,
    Instance,
    Seq,
    Value,
    fresh_id,
)

#: sklearn transformers that learn from their input in ``fit`` (feature selectors with ``y`` too)
SKLEARN_LEARNED_PREPROCESSING = frozenset(
    {
        "StandardScaler",
        "MinMaxScaler",
        "MaxAbsScaler",
        "RobustScaler",
        "QuantileTransformer",
        "PowerTransformer",
        "KBinsDiscretizer",
        "SimpleImputer",
        "KNNImputer",
        "IterativeImputer",
        "PCA",
        "IncrementalPCA",
        "KernelPCA",
        "TruncatedSVD",
        "FastICA",
        "FactorAnalysis",
        "TfidfVectorizer",
        "TfidfTransformer",
        "SelectKBest",
        "SelectPercentile",
        "GenericUnivariateSelect",
    }
)
#: Keras preprocessing layers whose ``adapt`` learns statistics of the data
KERAS_ADAPTED_LAYERS = frozenset({"Normalization", "Discretization"})

SKLEARN_SPLITTERS = frozenset(
    {
        "KFold",
        "StratifiedKFold",
        "GroupKFold",
        "StratifiedGroupKFold",
        "ShuffleSplit",
        "StratifiedShuffleSplit",
        "GroupShuffleSplit",
        "TimeSeriesSplit",
        "RepeatedKFold",
        "RepeatedStratifiedKFold",
        "LeaveOneOut",
        "LeavePOut",
        "LeaveOneGroupOut",
        "PredefinedSplit",
    }
)
SKLEARN_CV_FUNCTIONS = frozenset(
    {
        "cross_val_score",
        "cross_validate",
        "cross_val_predict",
        "learning_curve",
        "validation_curve",
        "permutation_test_score",
    }
)
SKLEARN_SEARCHES = frozenset(
    {"GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV", "HalvingRandomSearchCV"}
)
#: TensorFlow calls that wrap arrays without changing their rows
_TENSOR_FACTORIES = (
    "tensorflow.data.",
    "tensorflow.constant",
    "tensorflow.convert_to_tensor",
    "tensorflow.cast",
)
_HEAD_TAIL = {"take": "head", "skip": "tail"}  # tf.data; ``df.head()``/``tail()`` only display
_ROW_SPLITS = frozenset({"split", "array_split"})
_ROW_CONCAT = frozenset({"concatenate", "vstack", "row_stack", "append", "concat"})
_HELD_OUT_NAME = re.compile(
    r"(^|_)(test|tst|val|valid|validation|holdout|dev)(_|\d|$)|^(x|y|df)?test|test$"
)


@dataclass(frozen=True)
class PreprocessingFit:
    """A scaler's ``fit``/``fit_transform`` or a Keras layer's ``adapt`` on some data."""

    node: cst.Call = field(repr=False)
    order: int
    method: str
    estimator: str
    data: Data
    scope: object  # the ModuleScope the call is written in
    #: the fitted variable is named as training data (``x_train``) though its origin is unknown
    named_training: bool = False


@dataclass(frozen=True)
class Split:
    """Data divided into parts that play different roles (train vs. held out)."""

    node: cst.CSTNode = field(repr=False)
    order: int
    how: str  # human description: "train_test_split", "KFold.split", "validation_split", "slicing"
    data: Data
    #: for slicing: "head" (``X[:n]``), "tail" (``X[n:]``) or "" for other splits
    side: str = ""


@dataclass(frozen=True)
class Leak:
    fit: PreprocessingFit
    reason: str


@dataclass(eq=False)
class SplitIterator(Data):
    """What ``KFold(...).split(X)`` returns: iterating gives (train indices, test indices)."""


@dataclass
class DataFlow:
    fits: list[PreprocessingFit] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)
    #: the module being interpreted when a hook runs (set by the interpreter)
    scope: object = None
    _order: int = 0

    def _next(self) -> int:
        self._order += 1
        return self._order

    def fresh(self) -> Data:
        return Data.fresh()

    # ----------------------------------------------------------- hooks
    def iteration_element(self, iterated: Value) -> Value:
        if isinstance(iterated, SplitIterator):
            return Seq([Data.fresh(train_part=True), Data.fresh(held_out=True)])
        if isinstance(iterated, Data):
            return Data.derive(iterated)
        return UNKNOWN

    def unpacked(self, value: Value, index: int) -> Value:
        return UNKNOWN

    def combine(self, values: list[Value]) -> Value | None:
        data = [v for v in values if isinstance(v, Data)]
        return Data.derive(*data) if data else None

    def subscript(self, node: cst.Subscript, container: Data, keys: list[Value]) -> Value:
        first = node.slice[0].slice if node.slice else None
        if isinstance(first, cst.Slice) and (first.lower is None) != (first.upper is None):
            side = "head" if first.lower is None else "tail"
            self.splits.append(Split(node, self._next(), "slicing", container, side))
            return Data.fresh(train_part=container.train_part, held_out=side == "tail")
        return Data.derive(container)

    def data_method(
        self,
        node: cst.Call,
        receiver: Data,
        method: str,
        args: list[Value],
        kwargs: dict[str, Value],
    ) -> Value:
        if method == "append" and args and isinstance(args[0], Data):
            return self._mix([receiver, args[0]], held_out_by_name=False)
        if method in _HEAD_TAIL:  # ``ds.take(n)`` / ``ds.skip(n)``
            side = _HEAD_TAIL[method]
            self.splits.append(Split(node, self._next(), "slicing", receiver, side))
            return Data.fresh(train_part=receiver.train_part, held_out=side == "tail")
        if method == "sample" and _is_fraction(kwargs.get("frac")):
            # ``train = df.sample(frac=0.8)``: the rest becomes held-out data
            self.splits.append(Split(node, self._next(), "DataFrame.sample", receiver))
            return Data.fresh(train_part=True)
        return Data.derive(receiver)

    def model_fit(self, method: str, site: CallSite) -> None:
        if method not in {"fit", "fit_generator"}:
            return
        fraction = site.kwargs.get("validation_split")
        if fraction is None or (isinstance(fraction, Const) and not fraction.value):
            return
        data = site.argument(0, "x")
        if isinstance(data, Data):
            self.splits.append(Split(site.node, self._next(), "validation_split", data))

    def external_call(self, site: CallSite) -> Value | None:
        if keras_leaf(site.callee) == "load_data" and ".datasets." in site.callee:
            # ``(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()``
            train = Seq([Data.fresh(train_part=True), Data.fresh(train_part=True)])
            return Seq([train, Seq([Data.fresh(held_out=True), Data.fresh(held_out=True)])])
        sk = leaf_in(site.callee, "sklearn")
        if sk == "train_test_split":
            return self._train_test_split(site)
        if sk in SKLEARN_CV_FUNCTIONS:
            data = site.argument(1, "X")
            if isinstance(data, Data):
                self.splits.append(Split(site.node, self._next(), sk, data))
            return self.fresh()
        top = site.callee.split(".", 1)[0]
        if site.callee.startswith(_TENSOR_FACTORIES):
            return self.combine(site.args) or self.fresh()
        if top in {"numpy", "pandas"}:
            leaf = site.callee.rsplit(".", 1)[-1]
            if leaf in _ROW_CONCAT and site.args:
                return self._concatenation(site)
            if leaf in _ROW_SPLITS and top == "numpy":
                data = site.argument(0, "ary")
                if isinstance(data, Data):
                    self.splits.append(Split(site.node, self._next(), "numpy.split", data))
                    return UNKNOWN  # its parts are unpacked into fresh values

            return self.combine(site.args + list(site.kwargs.values())) or self.fresh()
        return None

    def instance_method(self, receiver: Instance, method: str, site: CallSite) -> Value | None:
        sk = leaf_in(receiver.callee, "sklearn")
        keras = keras_leaf(receiver.callee)
        data = site.argument(0, "X")
        if sk in SKLEARN_LEARNED_PREPROCESSING and method in {"fit", "fit_transform"}:
            if isinstance(data, Data):
                fit = PreprocessingFit(
                    site.node, self._next(), method, sk, data, self.scope, _named_training(site)
                )
                self.fits.append(fit)
            return receiver if method == "fit" else _derived(data)
        if keras in KERAS_ADAPTED_LAYERS and method == "adapt":
            data = site.argument(0, "data")
            if isinstance(data, Data):
                fit = PreprocessingFit(
                    site.node, self._next(), method, keras, data, self.scope, _named_training(site)
                )
                self.fits.append(fit)
            return UNKNOWN
        if sk in SKLEARN_LEARNED_PREPROCESSING and method in {"transform", "inverse_transform"}:
            return _derived(data)
        if sk in SKLEARN_SPLITTERS and method == "split":
            if isinstance(data, Data):
                self.splits.append(Split(site.node, self._next(), f"{sk}.split", data))
            ident = fresh_id()
            return SplitIterator(ident, frozenset({ident}))
        if sk in SKLEARN_SEARCHES and method == "fit":
            if isinstance(data, Data):
                self.splits.append(Split(site.node, self._next(), sk, data))
            return receiver
        return None

    # ----------------------------------------------------------- results
    def leaks(self) -> list[Leak]:
        found: dict[int, Leak] = {}
        for fit in self.fits:
            if id(fit.node) in found:
                continue
            reason = self._leak_reason(fit)
            if reason is not None:
                found[id(fit.node)] = Leak(fit, reason)
        return list(found.values())

    def _leak_reason(self, fit: PreprocessingFit) -> str | None:
        if fit.data.mixes_held_out:
            return "the fitted data includes held-out test/validation data"
        if fit.data.train_part:
            return None  # fitting on the training part of a split is the correct practice
        later = [s for s in self.splits if s.order > fit.order and fit.data.ident in s.data.lineage]
        if fit.named_training:
            # ``x_train`` of unknown origin is taken at its name: carving validation folds out
            # of it is the usual practice; splitting it again into train and test is not
            later = [s for s in later if s.how not in _VALIDATION_CARVING]
        for split in later:
            if split.how == "validation_split":
                return "the same data is later split by `fit(..., validation_split=...)`"
            if split.how != "slicing":
                return f"the same data is later split (`{split.how}`)"
        sides = {s.side for s in later if s.how == "slicing"}
        if {"head", "tail"} <= sides:
            return "the same data is later sliced into training and held-out parts"
        return None

    # ----------------------------------------------------------- internals
    def _train_test_split(self, site: CallSite) -> Value:
        parts: list[Value] = []
        for array in site.args:
            if isinstance(array, Data):
                self.splits.append(Split(site.node, self._next(), "train_test_split", array))
            parts.extend([Data.fresh(train_part=True), Data.fresh(held_out=True)])
        if site.star_args:
            return UNKNOWN
        return Seq(parts)

    def _concatenation(self, site: CallSite) -> Value:
        axis = site.kwargs.get("axis")
        if isinstance(axis, Const) and axis.value not in (0, None, "index", "rows"):
            return (
                self.combine(site.args) or self.fresh()
            )  # a column-wise join is not a mix of rows
        pieces = site.args[0]
        members = pieces.items if isinstance(pieces, Seq) else site.args
        named = any(_HELD_OUT_NAME.search(name.lower()) for name in _element_nodes(site.node))
        return self._mix(members, held_out_by_name=named)

    def _mix(self, members: list[Value], *, held_out_by_name: bool) -> Data:
        """Rows of several data sets stacked together."""
        data = [m for m in members if isinstance(m, Data)]
        mixes = len(members) > 1 and (
            held_out_by_name or any(d.held_out or d.mixes_held_out for d in data)
        )
        return Data.derive(*data, mixes_held_out=mixes)


#: splits that carve validation data out of training data (the usual practice on a training set)
_VALIDATION_CARVING = frozenset(
    {"validation_split", *SKLEARN_CV_FUNCTIONS, *SKLEARN_SEARCHES}
    | {f"{splitter}.split" for splitter in SKLEARN_SPLITTERS}
)
_TRAINING_NAME = re.compile(r"(^|_)(train|training|trn)(_|\d|$)|^(x|y|df)_?train|train$")


def _named_training(site: CallSite) -> bool:
    """Whether the fitted argument is a variable named as training data (``x_train``)."""
    if not site.node.args:
        return False
    argument = site.node.args[0].value
    name = argument.value if isinstance(argument, cst.Name) else None
    if isinstance(argument, cst.Attribute):
        name = argument.attr.value
    return name is not None and bool(_TRAINING_NAME.search(name.lower()))


def _is_fraction(value: Value | None) -> bool:
    return isinstance(value, Const) and isinstance(value.value, float) and 0 < value.value < 1


def _derived(data: Value | None) -> Value:
    return Data.derive(data) if isinstance(data, Data) else UNKNOWN


def _element_nodes(call: cst.Call) -> list[str]:
    """Names of the variables concatenated by ``np.concatenate([a, b])`` / ``pd.concat((a, b))``."""
    if not call.args:
        return []
    first = call.args[0].value
    elements = (
        first.elements
        if isinstance(first, (cst.List, cst.Tuple))
        else [a for a in call.args if a.keyword is None]
    )
    names = []
    for element in elements:
        value = element.value
        if isinstance(value, cst.Name):
            names.append(value.value)
        elif isinstance(value, cst.Attribute):
            names.append(value.attr.value)
    return names
