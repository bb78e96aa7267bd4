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

from keras_lint.analysis import input_range as ranges
from keras_lint.analysis import preprocessing_catalog as catalog
from keras_lint.analysis.names import keras_leaf, leaf_in
from keras_lint.analysis.values import (
    UNKNOWN,
    CallSite,
    Const,
    Data,
    Instance,
    ModelInfo,
    Ref,
    Seq,
    Tensor,
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
    # ---- the data path of KER502-504 (``input_range.py``), by identity of the value marked
    raw_sources: dict[int, ranges.RawSource] = field(default_factory=dict)
    steps: dict[int, ranges.Step] = field(default_factory=dict)
    orderings: dict[int, ranges.Ordering] = field(default_factory=dict)
    #: values whose rows were put in random order
    shuffled: set[int] = field(default_factory=set)
    #: arrays of one repeated value (``np.zeros(n)``), and ranges (``np.arange(k)``)
    constant_fills: set[int] = field(default_factory=set)
    ramps: set[int] = field(default_factory=set)
    #: loop variables that count classes (``for label, folder in enumerate(folders)``)
    loop_labels: set[int] = field(default_factory=set)
    #: Keras layers (by ``id``) that were ``adapt``ed
    adapted_layers: set[int] = field(default_factory=set)
    #: what a value was cut from beside its lineage (split parts, halves of a dataset)
    parents: dict[int, frozenset[int]] = field(default_factory=dict)
    model_inputs: list[ranges.ModelInput] = field(default_factory=list)
    #: the family of every image directory read (train and validation folders are siblings)
    _directories: int = field(default_factory=fresh_id)

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
        for ident in idents:
            self.parents[ident] = data.lineage
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

    # ----------------------------------------------------------- the data path (KER502-504)
    def data_path_call(self, site: CallSite, result: Value | None) -> Value | None:
        """What an external call does to the range, scaling and row order of data: marks its
        result, or gives the value that replaces it (a raw image for ``cv2.imread``)."""
        callee = site.callee
        leaf = callee.rsplit(".", 1)[-1]
        first = site.args[0] if site.args else None
        if keras_leaf(callee) == "load_data" and ".datasets." in callee:
            self._dataset_halves(site, callee.split(".")[-2], result)
            return None
        if callee in ranges.IMAGE_READERS or keras_leaf(callee) in ranges.KERAS_IMAGE_READERS:
            label = f"{'.'.join(callee.split('.')[-2:])}()"
            return self._raw(site.node, label, ranges.IMAGE_FILE_VALUES)
        if keras_leaf(callee) in ranges.KERAS_IMAGE_DIRECTORIES:
            raw = self._raw(site.node, f"{leaf}()")
            self.parents[raw.ident] = frozenset({self._directories})
            return raw
        if leaf == "preprocess_input" and ".applications." in callee:
            return self._scaled(first, ranges.PREPROCESS_INPUT, f"{callee.split('.')[-2]}.{leaf}")
        if callee in ranges.SCALING_FUNCTIONS:
            return self._scaled(first, ranges.SCALE, leaf)
        if callee in ranges.SHUFFLING_FUNCTIONS:
            return self._shuffle(site, result)
        if leaf_in(callee, "sklearn") == "train_test_split" and isinstance(result, Seq):
            if not _is_off(site.kwargs.get("shuffle", Const(True))):
                self.shuffled.update(p.ident for p in result.items if isinstance(p, Data))
            return None
        top = callee.split(".", 1)[0]
        if top == "numpy" and isinstance(result, Data):
            self._numpy_marks(site, leaf, result)
            return None
        if top == "sklearn" and ".preprocessing." in callee and isinstance(result, Data):
            self.steps[result.ident] = ranges.Step(ranges.SCALE, leaf)
            return None
        if (
            isinstance(result, Data)
            and top not in {"pandas", "sklearn"}
            and not callee.startswith(_TENSOR_FACTORIES)
            and callee not in ranges.RANGE_KEEPING_FUNCTIONS
        ):
            # a function the analysis cannot see into may scale or shuffle what it is given
            self.steps[result.ident] = ranges.Step(ranges.OPAQUE, leaf)
        return None

    def data_path_method(
        self, receiver: Instance, method: str, site: CallSite, result: Value
    ) -> Value:
        """What a method of a library object does to the data path (generators, scalers,
        random generators, ``adapt``); returns the call's value."""
        leaf = receiver.callee.rsplit(".", 1)[-1]
        if keras_leaf(receiver.callee) == "ImageDataGenerator" and method in ranges.GENERATOR_FLOWS:
            return self._generator_flow(receiver, method, site)
        if method == "adapt":
            self.adapted_layers.add(id(receiver))
        elif method in {"shuffle", "permutation", "choice"} and receiver.callee.startswith(
            "numpy.random."
        ):
            return self._shuffle(site, result) or result
        elif method in {"transform", "fit_transform"} and isinstance(result, Data):
            scales = receiver.callee.startswith("sklearn.preprocessing.")
            kind = ranges.SCALE if scales else ranges.OPAQUE
            self.steps[result.ident] = ranges.Step(kind, f"{leaf}.{method}")
        return result

    def data_path_data_method(
        self,
        node: cst.Call,
        receiver: Data,
        method: str,
        args: list[Value],
        kwargs: dict[str, Value],
        result: Value,
        applied: Value | None,
    ) -> Value:
        """Row order and scaling through methods of data: ``df.sample(frac=1)`` shuffles, a sort
        by the label orders rows by class, ``ds.map(f)`` carries what ``f`` does."""
        if method in {"shuffle", "permutation", "choice"}:
            # ``rng.shuffle(x)`` in place, ``rng.permutation(n)``, ``ds.shuffle(1000)``
            self.shuffled.update(a.ident for a in args[:1] if isinstance(a, Data))
            result = self.derive(receiver) if method == "shuffle" else result
            if isinstance(result, Data):
                self.shuffled.add(result.ident)
            return result
        if not isinstance(result, Data):
            return result
        if method in _SIZED_METHODS:
            return self.derive(receiver)  # ``ds.batch(n // 4)``: a size, not rows
        if method == "sample":
            self.shuffled.add(result.ident)
        elif method in {"sort_values", "argsort", "sort_index"}:
            by = kwargs.get("by")
            written = node.args[0].value if node.args else None
            if _label_like(by, written) or (method == "argsort" and _label_expression(node)):
                self._ordered(result, node, "rows sorted by label")
        elif method == "map" and applied is not None:
            data = _data_in([applied]) if isinstance(applied, (Data, Seq)) else []
            if data:
                return self.derive(result, *data)
            self.steps[result.ident] = ranges.Step(ranges.OPAQUE, "map")
        return result

    def operation(self, node: cst.BinaryOperation, values: list[Value]) -> Value | None:
        """``x / 255``, ``(x - mean) / std``, ``x * scale``: the result is scaled; ``inputs /
        255`` in a functional model scales its input; ``[0] * n + [1] * n`` are class blocks."""
        operators = _chain_operators(node)
        scales = bool(operators & _SCALING_OPERATORS)
        result = self.combine(values)
        if isinstance(result, Data):
            if scales:
                self.steps[result.ident] = ranges.Step(ranges.SCALE, "arithmetic")
            return result
        leftmost = values[0] if values else None
        if scales and isinstance(leftmost, Tensor) and leftmost.from_input is not None:
            return _with_input_step(leftmost, ranges.SCALE)
        if _class_blocks(node):
            labels = self.fresh()
            self._ordered(labels, node, "labels concatenated class by class")
            return labels
        return None

    def loop_label(self, loop: cst.For, element: Value) -> Value:
        """``for label, folder in enumerate(folders)`` / ``for k in range(n_classes)``: the
        counter is a label when lists built in the loop collect it as it is."""
        call = loop.iter
        if element is not UNKNOWN or not isinstance(call, cst.Call):
            return element
        name = call.func.value if isinstance(call.func, cst.Name) else None
        target = loop.target
        if name == "range" and isinstance(target, cst.Name):
            label = self.fresh()
            self.loop_labels.add(label.ident)
            return label
        if name == "enumerate" and isinstance(target, cst.Tuple) and len(target.elements) == 2:
            label = self.fresh()
            self.loop_labels.add(label.ident)
            return Seq([label, UNKNOWN])
        return element

    def augmented(self, operator: cst.BaseAugOp, old: Data, value: Value) -> Data:
        """``x /= 255``: a new value computed from the old one, scaled when it divides."""
        result = self.derive(old, *_data_in([value]))
        if isinstance(operator, (cst.DivideAssign, cst.MultiplyAssign, cst.FloorDivideAssign)):
            self.steps[result.ident] = ranges.Step(ranges.SCALE, "in-place scaling")
        return result

    def layer_on_data(self, layer: Instance, data: Data) -> Value | None:
        """A Keras layer applied to arrays (``Rescaling(1/255)(x)`` in a ``map``)."""
        leaf = keras_leaf(layer.callee)
        if leaf in ranges.SCALING_LAYERS or leaf == "Normalization":
            return self._scaled(data, ranges.SCALE, leaf or "layer")
        if leaf in ranges.PASS_THROUGH_LAYERS:
            return self.derive(data)
        return None

    def model_input(self, method: str, site: CallSite, model: ModelInfo | None) -> None:
        """Data given to a model: ``fit``'s ``x``/``y``/``validation_data``, ``evaluate``'s and
        ``predict``'s ``x``, summarised as it arrives."""
        roles: list[tuple[str, Value | None, cst.BaseExpression | None]] = []
        keyword = "generator" if method.endswith("_generator") else "x"
        roles.append(("x", site.argument(0, keyword), _written(site.node, 0, keyword)))
        trains = method in {"fit", "fit_generator", "train_on_batch"}
        if trains:
            roles.append(("y", site.argument(1, "y"), _written(site.node, 1, "y")))
            validation = site.kwargs.get("validation_data")
            written = _written(site.node, -1, "validation_data")
            if isinstance(validation, Seq) and validation.items:
                validation = validation.items[0]
                if isinstance(written, (cst.Tuple, cst.List)) and written.elements:
                    written = written.elements[0].value
            roles.append(("validation_data", validation, written))
        elif method not in {"evaluate", "evaluate_generator", "predict", "predict_generator"}:
            if method not in {"predict_on_batch", "test_on_batch"}:
                return
        fraction = site.kwargs.get("validation_split")
        splits = fraction is not None and not (
            isinstance(fraction, Const) and not fraction.value
        )
        scaling = ranges.model_input_scaling(model, self.adapted_layers) if trains else "unknown"
        order = self._next()
        for role, value, written in roles:
            if not isinstance(value, Data):
                continue
            self.model_inputs.append(
                ranges.ModelInput(
                    site.node,
                    method,
                    role,
                    written,
                    self._path(value),
                    model,
                    scaling,
                    order,
                    self.scope,
                    self.via if self.scope is not self.via_scope else None,
                    self.via_scope,
                    validation_split=trains and splits,
                )
            )

    def _path(self, value: Data) -> ranges.DataPath:
        ancestors = ranges.ancestry(value.lineage, self.parents)
        steps = {i: self.steps[i] for i in ancestors & self.steps.keys()}
        raw = None
        if not steps:
            found = sorted(ancestors & self.raw_sources.keys())
            raw = self.raw_sources[found[0]] if found else None
        shuffled = bool(ancestors & self.shuffled) or any(
            s.kind == ranges.OPAQUE for s in steps.values()
        )
        ordering = None
        if not shuffled:
            found = sorted(ancestors & self.orderings.keys())
            ordering = self.orderings[found[0]] if found else None
        return ranges.DataPath(ancestors, raw, steps, ordering, shuffled)

    def _raw(self, node: cst.CSTNode, label: str, values: str = "pixel values 0-255") -> Data:
        raw = self.fresh()
        self.raw_sources[raw.ident] = ranges.RawSource(node, label, values, self.scope)
        return raw

    def _scaled(self, value: Value | None, kind: str, label: str) -> Value | None:
        if isinstance(value, Tensor) and value.from_input is not None:
            return _with_input_step(value, kind)
        if isinstance(value, Data):
            result = self.derive(value)
            self.steps[result.ident] = ranges.Step(kind, label)
            return result
        return None

    def _ordered(self, value: Data, node: cst.CSTNode, how: str) -> None:
        self.orderings[value.ident] = ranges.Ordering(node, how, self.scope)

    def _dataset_halves(self, site: CallSite, name: str, result: Value | None) -> None:
        """The halves of a ``load_data()`` tuple come from one source; raw ones are marked."""
        if not isinstance(result, Seq):
            return
        family = frozenset({fresh_id()})
        for half in result.items:
            items = half.items if isinstance(half, Seq) else []
            for index, item in enumerate(items):
                if not isinstance(item, Data):
                    continue
                self.parents[item.ident] = family
                if index == 0 and name in ranges.RAW_DATASETS:
                    values = (
                        "values in the hundreds"
                        if name == "boston_housing"
                        else "pixel values 0-255"
                    )
                    self.raw_sources[item.ident] = ranges.RawSource(
                        site.node, f"{name}.load_data()", values, self.scope
                    )

    def _generator_flow(self, generator: Instance, method: str, site: CallSite) -> Data:
        if method == "flow":
            data = site.argument(0, "x")
            result = self.derive(data) if isinstance(data, Data) else self.fresh()
        else:
            result = self._raw(site.node, f"ImageDataGenerator().{method}")
            self.parents[result.ident] = frozenset({self._directories})
        options = generator.call.kwargs
        kinds = [
            _generator_step(name, options[name])
            for name in ranges.GENERATOR_SCALING
            if name in options and not _is_off(options[name])
        ]
        if generator.call.star_kwargs or generator.call.star_args:
            kinds.append(ranges.OPAQUE)
        if kinds:
            scaled = self.derive(result)
            self.steps[scaled.ident] = ranges.Step(kinds[0], "ImageDataGenerator")
            return scaled
        return result

    def _shuffle(self, site: CallSite, result: Value | None) -> Value | None:
        """``np.random.shuffle(x)`` shuffles ``x`` in place; ``permutation``, ``shuffle(x, y)``
        of scikit-learn give shuffled values."""
        data = [a for a in site.args if isinstance(a, Data)]
        if site.callee.endswith("shuffle") and not site.callee.startswith("sklearn"):
            for value in data:
                self.shuffled.add(value.ident)
            if site.callee.startswith("tensorflow"):
                result = self.derive(*data) if data else self.fresh()
            else:
                return result
        if site.callee == "sklearn.utils.shuffle" and data:
            parts = [self.derive(d) for d in data]
            self.shuffled.update(p.ident for p in parts)
            return Seq(list(parts)) if len(parts) > 1 else parts[0]
        if not isinstance(result, Data):
            result = self.derive(*data) if data else self.fresh()
        self.shuffled.add(result.ident)
        return result

    def _collects_loop_labels(self, site: CallSite) -> bool:
        """``np.array(labels)`` where the list holds a class counter of a loop as it is."""
        items = site.args[0].items if site.args and isinstance(site.args[0], Seq) else []
        return any(isinstance(i, Data) and i.ident in self.loop_labels for i in items)

    def _numpy_marks(self, site: CallSite, leaf: str, result: Data) -> None:
        if leaf in ranges.NUMPY_SCALING:
            self.steps[result.ident] = ranges.Step(ranges.SCALE, f"np.{leaf}")
        elif leaf in ranges.CONSTANT_FILLS:
            self.constant_fills.add(result.ident)
        elif leaf == "arange":
            self.ramps.add(result.ident)
        elif leaf == "repeat":
            first = site.args[0] if site.args else None
            if isinstance(first, Data) and first.lineage & self.ramps:
                self._ordered(result, site.node, "labels repeated class by class")
        elif leaf in {"array", "asarray"} and self._collects_loop_labels(site):
            self._ordered(result, site.node, "labels appended class by class in a loop")
        elif leaf == "argsort" and _label_expression(site.node):
            self._ordered(result, site.node, "rows sorted by label")
        elif leaf in {"concatenate", "vstack", "hstack", "append", "row_stack", "r_"}:
            pieces = site.args[0] if site.args else None
            members = pieces.items if isinstance(pieces, Seq) else site.args
            blocks = [
                m for m in members if isinstance(m, Data) and m.lineage & self.constant_fills
            ]
            if len(blocks) >= 2 and len(blocks) == len(members):
                self._ordered(result, site.node, "labels concatenated class by class")


_SCALING_OPERATORS = frozenset({"Divide", "Multiply", "FloorDivide"})
#: ``tf.data`` methods whose arguments are sizes or options, never rows
_SIZED_METHODS = frozenset(
    {"shuffle", "batch", "padded_batch", "prefetch", "repeat", "cache", "rebatch", "unbatch"}
)


def _chain_operators(node: cst.BinaryOperation) -> set[str]:
    """The operators of a chain of binary operations (``(x - m) / s``: subtract, divide)."""
    found: set[str] = set()
    pending: list[cst.BaseExpression] = [node]
    while pending and len(found) < 16:
        current = pending.pop()
        if isinstance(current, cst.BinaryOperation):
            found.add(type(current.operator).__name__)
            pending.extend([current.left, current.right])
    return found


def _class_blocks(node: cst.BinaryOperation) -> bool:
    """``[0] * n + [1] * n``: lists of one label each, repeated and joined in order."""
    if not isinstance(node.operator, cst.Add):
        return False
    labels: list[str] = []
    pending: list[cst.BaseExpression] = [node]
    while pending and len(labels) < 64:
        current = pending.pop()
        if isinstance(current, cst.BinaryOperation) and isinstance(current.operator, cst.Add):
            pending.extend([current.left, current.right])
        elif isinstance(current, cst.BinaryOperation) and isinstance(
            current.operator, cst.Multiply
        ):
            block = current.left if isinstance(current.left, cst.List) else current.right
            if not (isinstance(block, cst.List) and len(block.elements) == 1):
                return False
            item = block.elements[0].value
            if not isinstance(item, (cst.Integer, cst.SimpleString)):
                return False
            labels.append(item.value)
        else:
            return False
    return len(labels) >= 2 and len(set(labels)) == len(labels)


def _with_input_step(tensor: Tensor, kind: str) -> Tensor:
    chain = tensor.from_input or ()
    if len(chain) < ranges.MAX_INPUT_LAYERS:
        chain = (*chain, Const(kind))
    return Tensor(
        tensor.activation,
        tensor.producer,
        tensor.name,
        tensor.width,
        tensor.activation_width,
        from_input=chain,
    )


def _generator_step(option: str, value: Value) -> str:
    if option != "preprocessing_function":
        return ranges.SCALE
    if isinstance(value, Ref) and value.name.endswith("preprocess_input"):
        return ranges.PREPROCESS_INPUT
    return ranges.OPAQUE


def _is_off(value: Value) -> bool:
    return isinstance(value, Const) and value.value in (None, False, 0)


def _written(call: cst.Call, position: int, keyword: str) -> cst.BaseExpression | None:
    """The argument expression given by keyword or at a position (no ``*`` before it)."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    positional = [a for a in call.args if a.keyword is None]
    if 0 <= position < len(positional) and not any(a.star for a in positional[: position + 1]):
        return positional[position].value
    return None


def _label_like(by: Value | None, written: cst.BaseExpression | None) -> bool:
    """A sort key that names the label column (``sort_values("label")``)."""
    keys: list[Value] = []
    if isinstance(by, Seq):
        keys = list(by.items)
    elif by is not None:
        keys = [by]
    elif isinstance(written, cst.SimpleString):
        keys = [Const(written.evaluated_value)]
    return any(
        isinstance(k, Const) and isinstance(k.value, str) and k.value.lower() in ranges.LABEL_NAMES
        for k in keys
    )


def _label_expression(call: cst.Call) -> bool:
    """``np.argsort(y)`` / ``labels.argsort()``: the sorted values are named as labels."""
    if isinstance(call.func, cst.Attribute) and not call.args:
        subject: cst.BaseExpression | None = call.func.value
    else:
        subject = call.args[0].value if call.args else None
    name = subject.value if isinstance(subject, cst.Name) else None
    if isinstance(subject, cst.Attribute):
        name = subject.attr.value
    if name is None:
        return False
    lowered = name.lower()
    return lowered in ranges.LABEL_NAMES or lowered.startswith(("y_", "label"))


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
