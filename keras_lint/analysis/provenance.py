"""Provenance of data: where every array or frame comes from, and what learned from it.

Every bound value the interpreter cannot otherwise model is opaque ``Data``. A computation
(``X.values``, ``np.log1p(X)``, ``X * 2``, ``np.array(windows)``, a call the analysis cannot
follow) derives a new value whose lineage includes its inputs. Three kinds of events are
recorded in program order through the interpreter's hooks:

- a *fit*: a step learns statistics from some data (a scaler's ``fit``, ``preprocessing.scale``,
  a Keras layer's ``adapt``, ``df['c'].mean()``); the statistics get an identity that flows into
  every value computed with them (``Data.learned``);
- a *split*: data divided into parts that play different roles (``train_test_split``, a KFold's
  indices, ``X[:n]``/``X[n:]``, ``validation_split``); the parts are fresh rows marked as
  training or held-out data;
- a *use*: learned statistics applied to rows (``scaler.transform(X_train)``,
  ``df.fillna(df.mean())``).

``leakage.py`` reads them to decide which fits leak.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from keras_lint.analysis import preprocessing_catalog as catalog
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
_TRAINING_NAME = re.compile(r"(^|_)(train|training|trn)(_|\d|$)|^(x|y|df)_?train|train$")
#: a ``np.split`` into more pieces than this is cutting mini-batches, not train/test parts
_MAX_SPLIT_PARTS = 3
#: uses remembered per learned statistic (a long loop applying a scaler stays cheap)
_MAX_USES = 64
#: items of nested lists looked at when a list becomes an array (``np.array(windows)``)
_MAX_FLATTENED = 64
#: row-wise reductions (``df.mean(axis=1)``) learn nothing across rows
_ROW_WISE_AXES = (1, "columns")


@dataclass(frozen=True)
class PreprocessingFit:
    """A step that learns statistics from some data: a fit, an ``adapt``, a mean."""

    node: cst.Call = field(repr=False)
    order: int
    #: what the report names: ``StandardScaler.fit_transform``, ``preprocessing.scale``, ``mean``
    label: str
    #: "transformer" (learns a transform it then applies) or "statistic" (a number of the data)
    kind: str
    data: Data
    #: the identity of the learned statistics (in ``Data.learned`` of what they computed)
    learned: int
    scope: object = field(repr=False)  # the ModuleScope the call is written in
    #: the fitted variable is named as training data (``x_train``) though its origin is unknown
    named_training: bool = False
    #: the statistics act without flowing through data: an adapted layer inside a model
    implicit_use: bool = False
    #: a fitted object is kept for later (``scaler.fit(X)``) rather than a result computed
    kept: bool = False
    #: where the linted file reaches a fit written in another module: its call leading there
    via: cst.Call | None = field(default=None, repr=False)
    via_scope: object = field(default=None, repr=False)


@dataclass(frozen=True)
class Split:
    """Data divided into parts that play different roles (train vs. held out)."""

    node: cst.CSTNode = field(repr=False)
    order: int
    #: human description: "train_test_split", "KFold.split", "validation_split", "slicing"
    how: str
    data: Data
    scope: object = field(repr=False)
    #: for slicing: "head" (``X[:n]``), "tail" (``X[n:]``) or "" for other splits
    side: str = ""
    #: identities of the parts it produced, where they are known
    parts: frozenset[int] = frozenset()


@dataclass(eq=False)
class SplitIterator(Data):
    """What ``KFold(...).split(X)`` returns: iterating gives (train indices, test indices)."""

    fold: Value = UNKNOWN
    #: the splitter's class name (``KFold``), "" when it makes a single split
    splitter: str = ""


@dataclass(eq=False)
class Element(Data):
    """One item of iterated data (``for row in X``): slicing it picks columns, not rows."""


@dataclass(eq=False)
class Aggregation(Data):
    """Rows grouped or windowed (``df.groupby(k)``, ``s.rolling(7)``, ``s[t:t + n]``): their
    means are new rows or local values, not a statistic of the whole data."""


#: frame methods whose result aggregates groups or windows of rows
_GROUPING_METHODS = frozenset({"groupby", "resample", "rolling", "expanding", "ewm"})


def _as_kind(kind: type[Data], value: Data) -> Data:
    return kind(
        value.ident,
        value.lineage,
        held_out=value.held_out,
        train_part=value.train_part,
        mixes_held_out=value.mixes_held_out,
        learned=value.learned,
        statistic=value.statistic,
    )


@dataclass
class Provenance:
    fits: list[PreprocessingFit] = field(default_factory=list)
    splits: list[Split] = field(default_factory=list)
    #: for each learned statistic, the lineages of the rows it was applied to
    uses: dict[int, list[frozenset[int]]] = field(default_factory=dict)
    #: the module being interpreted when a hook runs (set by the interpreter)
    scope: object = None
    #: the call of the linted file through which a function of another module runs now
    via: cst.Call | None = None
    via_scope: object = None
    #: the statistics each fitted object (by ``id``) learned last
    _fitted: dict[int, int] = field(default_factory=dict)
    _order: int = 0

    def _next(self) -> int:
        self._order += 1
        return self._order

    def fresh(self) -> Data:
        return Data.fresh()

    # ----------------------------------------------------------- interpreter hooks
    def enter_call(self, node: cst.Call, scope: object, from_linted_file: bool) -> bool:
        """A call of the linted file's code enters a function: fits in other modules are
        reported at this call. Returns whether ``leave_call`` must reset it."""
        if self.via is None and from_linted_file:
            self.via, self.via_scope = node, scope
            return True
        return False

    def leave_call(self, entered: bool) -> None:
        if entered:
            self.via = self.via_scope = None

    def iteration_element(self, iterated: Value) -> Value:
        if isinstance(iterated, SplitIterator):
            return iterated.fold
        if isinstance(iterated, Data):
            return _as_kind(Element, self.derive(iterated))
        return UNKNOWN

    def unpacked(self, value: Value, index: int) -> Value:
        """An item of unpacked data (``a, b = frame_pair``) is computed from it."""
        return self.derive(value) if isinstance(value, Data) else UNKNOWN

    def combine(self, values: list[Value]) -> Value | None:
        """What an operator or an array constructor makes of its operands, None without data."""
        data = _data_in(values)
        return self.derive(*data) if data else None

    def comprehension(self, element: Value) -> Value:
        """``[series[i - n:i] for i in ...]``: a list of rows computed from what its items are."""
        return self.derive(element) if isinstance(element, Data) else UNKNOWN

    def condition(self, test: Value, chosen: Value) -> Value:
        """``a if x > m else b``: which value is chosen depends on the data tested."""
        if isinstance(test, Data) and (chosen is UNKNOWN or isinstance(chosen, (Data, Const))):
            return self.combine([test, chosen]) or UNKNOWN
        return chosen

    def function_argument(self, receiver: Data, *, rows: bool) -> Data:
        """What ``df.apply(f)`` gives ``f``: a column, or with ``axis=1`` a row, whose
        statistics (``row.mean()``) are taken across one row's values and learn nothing."""
        column = self.derive(receiver)
        if not rows:
            return column
        return Data(column.ident, column.lineage, learned=column.learned, statistic=True)

    def subscript(self, node: cst.Subscript, container: Data, keys: list[Value]) -> Value:
        first = node.slice[0].slice if node.slice else None
        side = None
        if isinstance(first, cst.Slice) and not isinstance(container, Element):
            side = _row_slice_side(first)
            if side == "window":
                return _as_kind(Aggregation, self.derive(container))
        if side is not None:
            part = Data.fresh(
                train_part=container.train_part,
                held_out=side == "tail" or container.held_out,
                learned=container.learned,
            )
            self._split(node, "slicing", container, side, [part])
            return part
        # ``X[train_index]``: rows chosen by the indices of a split are that split's part
        selectors = [k for k in keys if isinstance(k, Data)]
        ident = fresh_id()
        parts = [k for k in selectors if k.train_part or k.held_out]
        # rows picked by a split's indices are that part's rows, not the whole container's
        rows = parts[0] if parts else container
        origins = parts[:1] or [container, *selectors]
        result = Data(
            ident,
            frozenset({ident}).union(*(o.lineage for o in origins)),
            held_out=rows.held_out,
            train_part=rows.train_part,
            mixes_held_out=container.mixes_held_out,
            learned=container.learned.union(*(k.learned for k in selectors)),
            statistic=container.statistic,
        )
        if result.learned != container.learned and not result.statistic:
            self._use(result.learned, result)  # columns chosen by a fitted selector's mask
        return result

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
            part = Data.fresh(
                train_part=receiver.train_part,
                held_out=side == "tail" or receiver.held_out,
                learned=receiver.learned,
            )
            self._split(node, "slicing", receiver, side, [part])
            return part
        if method == "sample" and _is_fraction(kwargs.get("frac")):
            # ``train = df.sample(frac=0.8)``: the rest becomes held-out data
            part = Data.fresh(train_part=True, learned=receiver.learned)
            self._split(node, "DataFrame.sample", receiver, "", [part])
            return part
        if method in _GROUPING_METHODS:
            return _as_kind(Aggregation, self.derive(receiver))
        if method in catalog.STATISTIC_METHODS and isinstance(receiver, Aggregation):
            return self.derive(receiver)
        if method in catalog.STATISTIC_METHODS and not receiver.statistic:
            axis = kwargs.get("axis", args[0] if args and method != "quantile" else None)
            if not _row_wise(axis):
                return self._statistic(node, f"{method}()", receiver)
        return self.derive(receiver, *_data_in([*args, *kwargs.values()]))

    def model_fit(self, method: str, site: CallSite) -> None:
        if method not in {"fit", "fit_generator"}:
            return
        fraction = site.kwargs.get("validation_split")
        if fraction is None or (isinstance(fraction, Const) and not fraction.value):
            return
        data = site.argument(0, "x")
        if isinstance(data, Data):
            self._split(site.node, "validation_split", data)

    def external_call(self, site: CallSite) -> Value | None:
        callee = site.callee
        if keras_leaf(callee) == "load_data" and ".datasets." in callee:
            # ``(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()``
            train = Seq([Data.fresh(train_part=True), Data.fresh(train_part=True)])
            return Seq([train, Seq([Data.fresh(held_out=True), Data.fresh(held_out=True)])])
        sk = leaf_in(callee, "sklearn")
        if sk == "train_test_split":
            return self._train_test_split(site)
        if sk in catalog.SKLEARN_CV_FUNCTIONS:
            data = site.argument(1, "X")
            if isinstance(data, Data):
                self._split(site.node, sk, data)
            return self.fresh()
        if catalog.learned_function(callee):
            data = site.argument(0, "X")
            if isinstance(data, Data):
                label = ".".join(callee.split(".")[-2:])
                return self._fit(site, label, data, transformed=data)
            return self.fresh()
        top = callee.split(".", 1)[0]
        if callee.startswith(_TENSOR_FACTORIES):
            return self.combine(site.args) or self.fresh()
        if top in {"numpy", "pandas"}:
            leaf = callee.rsplit(".", 1)[-1]
            if leaf in _ROW_CONCAT and site.args:
                return self._concatenation(site)
            if leaf in _ROW_SPLITS and top == "numpy":
                return self._numpy_split(site)
            if top == "numpy" and leaf in catalog.NUMPY_STATISTICS:
                data = site.argument(0, "a")
                axis = site.argument(1, "axis")
                if (
                    isinstance(data, Data)
                    and not data.statistic
                    and not isinstance(data, Aggregation)
                    and not _row_wise(axis)
                ):
                    return self._statistic(site.node, f"np.{leaf}", data)
            return self.combine(site.args + list(site.kwargs.values())) or self.fresh()
        leaf = callee.rsplit(".", 1)[-1]
        if leaf[:1].islower() and top not in {"sklearn", "os", "sys"}:
            # a function the analysis cannot follow: its result is computed from its arguments
            return self.combine(site.args + list(site.kwargs.values()))
        return None

    def instance_method(self, receiver: Instance, method: str, site: CallSite) -> Value | None:
        data = site.argument(0, "X")
        estimator = catalog.learning_estimator(receiver)
        if estimator is not None and method in {"fit", "fit_transform", "partial_fit"}:
            if not isinstance(data, Data):
                return receiver if method != "fit_transform" else UNKNOWN
            label = f"{estimator}.{method}"
            transformed = data if method == "fit_transform" else None
            result = self._fit(site, label, data, transformed=transformed, fitted=receiver)
            return result if method == "fit_transform" else receiver
        if method in {"transform", "inverse_transform"} and isinstance(data, Data):
            return self._apply(receiver, data)
        layer = catalog.keras_learning_layer(receiver)
        if layer is not None and method == "adapt":
            data = site.argument(0, "data")
            if isinstance(data, Data):
                self._fit(site, f"{layer}.adapt", data, implicit_use=True)
            return UNKNOWN
        if catalog.is_keras_tokenizer(receiver):
            texts = site.argument(0, "texts")
            if method in catalog.KERAS_TOKENIZER_FITS and isinstance(texts, Data):
                self._fit(site, f"Tokenizer.{method}", texts, fitted=receiver)
                return Const(None)
            if method in catalog.KERAS_TOKENIZER_TRANSFORMS and isinstance(texts, Data):
                return self._apply(receiver, texts)
        sk = leaf_in(receiver.callee, "sklearn")
        if sk in catalog.SKLEARN_SPLITTERS and method == "split":
            fold = Seq([Data.fresh(train_part=True), Data.fresh(held_out=True)])
            if isinstance(data, Data):
                self._split(site.node, f"{sk}.split", data, "", fold.items)
            ident = fresh_id()
            count = receiver.call.argument(0, "n_splits")
            single = isinstance(count, Const) and count.value == 1
            splitter = "" if single else sk
            return SplitIterator(ident, frozenset({ident}), fold=fold, splitter=splitter)
        if sk in catalog.SKLEARN_SEARCHES and method == "fit":
            if isinstance(data, Data):
                self._split(site.node, sk, data)
            return receiver
        learned = self._fitted.get(id(receiver))
        if learned is not None and method not in {"fit", "predict", "score"}:
            # what a fitted step tells about its data (``selector.get_support()``)
            return _as_statistic(Data.fresh(learned=frozenset({learned})))
        if method != "fit":
            # a method the analysis cannot follow (``smote.fit_resample(X, y)``)
            return self.combine(site.args + list(site.kwargs.values()))
        return None

    # ----------------------------------------------------------- internals
    def derive(self, *parents: Data, mixes_held_out: bool = False) -> Data:
        """A value computed from ``parents``; records a use where statistics meet rows."""
        result = Data.derive(*parents, mixes_held_out=mixes_held_out)
        if result.learned and not result.statistic:
            rows_learned = [p.learned for p in parents if not p.statistic]
            if len(rows_learned) < len(parents) or any(r != result.learned for r in rows_learned):
                self._use(result.learned, result)
        return result

    def _use(self, learned: frozenset[int], rows: Data) -> None:
        for ident in learned:
            uses = self.uses.setdefault(ident, [])
            if len(uses) < _MAX_USES:
                uses.append(rows.lineage)

    def _fit(
        self,
        site: CallSite,
        label: str,
        data: Data,
        *,
        transformed: Data | None = None,
        fitted: Value | None = None,
        implicit_use: bool = False,
        kind: str = "transformer",
        named: bool | None = None,
    ) -> Data:
        """Record that ``data`` taught a step; the statistics, applied to ``transformed``."""
        learned = fresh_id()
        fit = PreprocessingFit(
            site.node,
            self._next(),
            label,
            kind,
            data,
            learned,
            self.scope,
            _named_training(site) if named is None else named,
            implicit_use,
            fitted is not None and transformed is None,
            self.via if self.scope is not self.via_scope else None,
            self.via_scope,
        )
        self.fits.append(fit)
        if fitted is not None:
            self._fitted[id(fitted)] = learned
        derived = Data.derive(data)
        statistics = _as_statistic(
            Data(derived.ident, derived.lineage, learned=frozenset({learned}))
        )
        if transformed is None:
            return statistics
        return self.derive(transformed, statistics)

    def _apply(self, fitted: Instance, data: Data) -> Data:
        learned = self._fitted.get(id(fitted))
        if learned is None:
            return self.derive(data)
        return self.derive(data, _as_statistic(Data.fresh(learned=frozenset({learned}))))

    def _statistic(self, node: cst.Call, label: str, data: Data) -> Data:
        site = CallSite(node, label, [data], {}, False, False)
        # ``train.signal.mean()``: the name of the frame the statistic is taken of
        of = node.func.value if not node.args and isinstance(node.func, cst.Attribute) else None
        named = _named_training_expression(of) if of is not None else None
        return self._fit(site, label, data, kind="statistic", named=named)

    def _split(
        self,
        node: cst.CSTNode,
        how: str,
        data: Data,
        side: str = "",
        parts: Sequence[Value] | None = None,
    ) -> None:
        idents = frozenset(p.ident for p in parts or [] if isinstance(p, Data))
        self.splits.append(Split(node, self._next(), how, data, self.scope, side, idents))

    def _train_test_split(self, site: CallSite) -> Value:
        parts: list[Value] = []
        for array in site.args:
            learned = array.learned if isinstance(array, Data) else frozenset()
            pair = [
                Data.fresh(train_part=True, learned=learned),
                Data.fresh(held_out=True, learned=learned),
            ]
            if isinstance(array, Data):
                self._split(site.node, "train_test_split", array, "", pair)
            parts.extend(pair)
        if site.star_args:
            return UNKNOWN
        return Seq(parts)

    def _numpy_split(self, site: CallSite) -> Value:
        """``np.split(X, [n])`` cuts train/test parts; ``np.array_split(X, 100)`` cuts batches."""
        data = site.argument(0, "ary")
        if not isinstance(data, Data):
            return UNKNOWN
        sections = site.argument(1, "indices_or_sections")
        if isinstance(sections, Seq) and len(sections.items) < _MAX_SPLIT_PARTS:
            count = len(sections.items) + 1
        elif isinstance(sections, Const) and isinstance(sections.value, int):
            count = sections.value
        else:
            count = 0
        if not 2 <= count <= _MAX_SPLIT_PARTS:
            return self.derive(data)  # mini-batches (``partial_fit`` over chunks)
        parts: list[Value] = [
            Data.fresh(train_part=i == 0, held_out=i > 0, learned=data.learned)
            for i in range(count)
        ]
        self._split(site.node, site.callee.replace("numpy.", "np."), data, "", parts)
        return Seq(parts)

    def _concatenation(self, site: CallSite) -> Value:
        axis = site.kwargs.get("axis")
        if isinstance(axis, Const) and axis.value not in (0, None, "index", "rows"):
            return self.combine(site.args) or self.fresh()  # a column-wise join
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
        return self.derive(*data, mixes_held_out=mixes)


def _as_statistic(value: Data) -> Data:
    return Data(value.ident, value.lineage, learned=value.learned, statistic=True)


def _data_in(values: list[Value]) -> list[Data]:
    """The data among values, looking into lists (``np.array([X1, X2])``, appended windows)."""
    found: list[Data] = []
    pending = list(values)
    seen = 0
    while pending and seen < _MAX_FLATTENED:
        value = pending.pop()
        seen += 1
        if isinstance(value, Data):
            found.append(value)
        elif isinstance(value, Seq):
            pending.extend(value.items)
    return found


def _row_wise(axis: Value | None) -> bool:
    return isinstance(axis, Const) and axis.value in _ROW_WISE_AXES


def _row_slice_side(part: cst.Slice) -> str | None:
    """ "head" for ``X[:n]``/``X[0:n]``, "tail" for ``X[n:]``/``X[n:len(X)]``, else None."""
    if part.step is not None:
        return None
    lower, upper = part.lower, part.upper
    starts_at_zero = lower is None or (isinstance(lower, cst.Integer) and lower.value == "0")
    runs_to_end = upper is None or _is_len_call(upper)
    if starts_at_zero and not runs_to_end:
        return "head"
    if runs_to_end and not starts_at_zero:
        return "tail"
    return "window" if lower is not None and upper is not None else None


def _is_len_call(node: cst.BaseExpression) -> bool:
    return (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "len"
    )


def _named_training(site: CallSite) -> bool:
    """Whether the fitted argument is a variable named as training data (``x_train``)."""
    if not site.node.args:
        return False
    return _named_training_expression(site.node.args[0].value)


def _named_training_expression(argument: cst.BaseExpression) -> bool:
    while isinstance(argument, cst.Subscript) or (
        isinstance(argument, cst.Attribute)
        and isinstance(argument.value, cst.Name)
        and not _TRAINING_NAME.search(argument.attr.value.lower())
    ):  # ``train_data[columns]``, ``train.signal``
        argument = argument.value
    name = argument.value if isinstance(argument, cst.Name) else None
    if isinstance(argument, cst.Attribute):
        name = argument.attr.value
    return name is not None and bool(_TRAINING_NAME.search(name.lower()))


def _is_fraction(value: Value | None) -> bool:
    return isinstance(value, Const) and isinstance(value.value, float) and 0 < value.value < 1


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
