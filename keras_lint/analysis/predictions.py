"""Predictions of models, the iterators they read, and what they are compared with.

A model's ``predict(...)`` (or the model called on data) gives a ``Prediction``: opaque data that
remembers the model and what it was run on. Keras iterators and ``tf.data`` pipelines are
``Batches``: data that remembers whether each pass over it visits the rows in a new random order
(``flow_from_directory``, ``ImageDataGenerator.flow``, ``*_dataset_from_directory`` with
``shuffle`` absent or true, ``Dataset.shuffle``) and the identities of the arrays and pipeline
stages it reads. Comparisons of predictions with labels (``accuracy_score``, ``confusion_matrix``,
``==``...) are recorded; ``shuffled_comparisons`` finds those whose labels come from another
pass over the shuffling iterator the predictions were made on (KER603). KER202 reads the
``Prediction`` given to an ``argmax``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from keras_lint.analysis.names import keras_leaf, leaf_in
from keras_lint.analysis.values import (
    UNKNOWN,
    CallSite,
    Const,
    Data,
    Instance,
    ModelInfo,
    ModelValue,
    Seq,
    Value,
    fresh_id,
)

if TYPE_CHECKING:
    import libcst as cst

#: ``ImageDataGenerator`` methods that make an iterator, with the position of ``shuffle``
GENERATOR_FLOWS = {"flow": 3, "flow_from_directory": 6, "flow_from_dataframe": 10}
#: ``keras.utils`` functions that read a folder into a dataset, with the position of ``shuffle``
DATASET_FROM_DIRECTORY = {
    "image_dataset_from_directory": 7,
    "text_dataset_from_directory": 5,
    "audio_dataset_from_directory": 5,
}
#: ``tf.data`` methods that keep the order their input has (shuffled or not)
PIPELINE_METHODS = frozenset(
    {
        "batch",
        "padded_batch",
        "map",
        "prefetch",
        "cache",
        "repeat",
        "unbatch",
        "filter",
        "take",
        "skip",
        "with_options",
        "apply",
        "rebatch",
        "ragged_batch",
    }
)
#: scikit-learn metrics that compare labels (first) with predictions (second)
COMPARING_METRICS = frozenset(
    {
        "accuracy_score",
        "balanced_accuracy_score",
        "confusion_matrix",
        "classification_report",
        "roc_auc_score",
        "f1_score",
        "precision_score",
        "recall_score",
        "precision_recall_fscore_support",
        "matthews_corrcoef",
        "cohen_kappa_score",
        "roc_curve",
        "precision_recall_curve",
        "average_precision_score",
        "log_loss",
        "multilabel_confusion_matrix",
    }
)
PREDICT_METHODS = frozenset({"predict", "predict_generator", "predict_on_batch"})


@dataclass(eq=False)
class Prediction(Data):
    """What a model gives for some data: ``model.predict(x)`` or ``model(x)``."""

    model: ModelInfo | None = None
    node: cst.Call | None = field(default=None, repr=False)
    #: what the model was run on
    source: Value = UNKNOWN
    scope: object = field(default=None, repr=False)


@dataclass(eq=False)
class Batches(Data):
    """A Keras iterator or a ``tf.data`` pipeline: rows read pass after pass."""

    #: each pass visits the rows in a new random order
    shuffles: bool = False
    #: how it came to shuffle (``flow_from_directory``, ``Dataset.shuffle``), or how it was made
    how: str = ""
    #: the call that made it shuffle (or made it, when it does not)
    node: cst.Call | None = field(default=None, repr=False)
    #: that call takes ``shuffle=``: turning it off there is the fix
    takes_shuffle: bool = False
    scope: object = field(default=None, repr=False)
    #: the arrays it was built from and every stage of its pipeline (by ``ident``)
    origins: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Comparison:
    """Labels compared with predictions: a metric call or an ``==``."""

    node: cst.CSTNode = field(repr=False)
    how: str
    values: tuple[Value, ...]
    scope: object = field(repr=False)


@dataclass(frozen=True)
class ShuffledComparison:
    """Predictions on a shuffling iterator compared with labels from another pass over it."""

    prediction: Prediction
    batches: Batches
    comparison: Comparison
    #: the iterator was given to a ``fit`` as training data (shuffling it there is wanted)
    trains_with: bool


@dataclass
class Predictions:
    """Recorder of predictions, iterators and comparisons (hooks called by the interpreter)."""

    predictions: dict[int, Prediction] = field(default_factory=dict)
    comparisons: list[Comparison] = field(default_factory=list)
    #: lineages of the data given to ``fit`` as ``x``
    trained_on: list[frozenset[int]] = field(default_factory=list)
    #: branches being run whose condition reads a model or its predictions (a shape check)
    guards: int = 0
    #: calls (by ``id``) found in such a branch
    guarded: set[int] = field(default_factory=set)

    def is_output_check(self, read: list[Value]) -> bool:
        """Whether a condition that read these values looks at a model or its predictions."""
        return any(
            isinstance(value, ModelValue)
            or isinstance(value, Data)
            and bool(value.lineage & self.predictions.keys())
            for value in read
        )

    def prediction(
        self, node: cst.Call, model: ModelInfo | None, source: Value, scope: object
    ) -> Prediction:
        ident = fresh_id()
        result = Prediction(
            ident, frozenset({ident}), model=model, node=node, source=source, scope=scope
        )
        self.predictions[ident] = result
        return result

    def unknown_model_prediction(
        self, node: cst.Call, method: str, args: list[Value], scope: object
    ) -> Prediction | None:
        """``predict`` of an object of unknown origin given a Keras iterator: a model's (its
        ``fit`` on one trains with it)."""
        if method in {"fit", "fit_generator"} and args:
            self.fitted(args[0])
        if method in PREDICT_METHODS and args and isinstance(args[0], Batches):
            return self.prediction(node, None, args[0], scope)
        return None

    def fitted(self, data: Value | None) -> None:
        if isinstance(data, Data):
            self.trained_on.append(data.lineage)

    def generator_flow(
        self,
        receiver: Instance,
        method: str,
        site: CallSite,
        scope: object,
        base: Value | None = None,
    ) -> Value | None:
        """``ImageDataGenerator(...).flow_from_directory(...)``: an iterator of batches (over
        ``base``, the data the provenance layer made of the call, when it made any)."""
        # ``keras_preprocessing`` is the standalone package Keras 2.x re-exported
        leaf = keras_leaf(receiver.callee) or leaf_in(receiver.callee, "keras_preprocessing")
        if leaf != "ImageDataGenerator" or method not in GENERATOR_FLOWS:
            return None
        shuffle = site.argument(GENERATOR_FLOWS[method], "shuffle")
        arrays = [site.argument(0, "x"), site.argument(1, "y")] if method == "flow" else []
        return self._iterator(site, method, shuffle, arrays, scope, base)

    def external_call(
        self, site: CallSite, scope: object, base: Value | None = None
    ) -> Value | None:
        """Datasets read from folders and ``tf.data`` pipelines built from arrays."""
        leaf = keras_leaf(site.callee) or leaf_in(site.callee, "tensorflow")
        if leaf in DATASET_FROM_DIRECTORY and (
            site.callee.startswith("keras.") or ".keras." in site.callee
        ):
            shuffle = site.argument(DATASET_FROM_DIRECTORY[leaf], "shuffle")
            return self._iterator(site, leaf, shuffle, [], scope, base)
        if site.callee.startswith("tensorflow.data.Dataset.") and leaf in {
            "from_tensor_slices",
            "from_tensors",
            "zip",
        }:
            sources = _data_in(site.args)
            made = Data.derive(*sources) if sources else Data.fresh()
            origins = frozenset({made.ident}).union(d.ident for d in sources)
            return Batches(
                made.ident,
                made.lineage,
                held_out=made.held_out,
                train_part=made.train_part,
                mixes_held_out=made.mixes_held_out,
                learned=made.learned,
                how=leaf,
                node=site.node,
                scope=scope,
                origins=origins,
            )
        return None

    def pipeline_step(
        self,
        node: cst.Call,
        receiver: Data,
        method: str,
        kwargs: dict[str, Value],
        result: Value,
        scope: object,
    ) -> Value:
        """``ds.shuffle(n)``, ``ds.batch(32)``...: the pipeline with its order."""
        if method == "shuffle":
            reshuffle = kwargs.get("reshuffle_each_iteration")
            shuffles = reshuffle is None or (isinstance(reshuffle, Const) and reshuffle.value)
            base = receiver if isinstance(receiver, Batches) else None
            return self._stage(
                result, receiver, base, bool(shuffles), "Dataset.shuffle", node, scope
            )
        if isinstance(receiver, Batches) and method in PIPELINE_METHODS:
            return self._stage(
                result, receiver, receiver, receiver.shuffles, receiver.how, receiver.node, scope
            )
        return result

    def compared(self, node: cst.CSTNode, how: str, values: list[Value], scope: object) -> None:
        # a list of batches (``y_true.extend(labels)`` in a loop) holds the rows of its items
        rows = [_as_rows(v) for v in values]
        if sum(isinstance(v, Data) for v in rows) >= 2:
            self.comparisons.append(Comparison(node, how, tuple(rows), scope))

    def metric_call(self, site: CallSite, scope: object) -> None:
        """``accuracy_score(y_true, y_pred)`` and the other metrics that compare two arrays."""
        if leaf_in(site.callee, "sklearn") in COMPARING_METRICS or site.callee in {
            "tensorflow.math.confusion_matrix",
            "tensorflow.confusion_matrix",
        }:
            labels = site.argument(0, "y_true")
            if labels is None:
                labels = site.argument(0, "labels")
            predicted = site.argument(1, "y_pred")
            if predicted is None:
                predicted = site.argument(1, "y_score") or site.argument(1, "predictions")
            if labels is not None and predicted is not None:
                how = site.callee.rsplit(".", 1)[-1]
                self.compared(site.node, how, [labels, predicted], scope)

    # ----------------------------------------------------------- internals
    def _iterator(
        self,
        site: CallSite,
        how: str,
        shuffle: Value | None,
        arrays: list[Value | None],
        scope: object = None,
        base: Value | None = None,
    ) -> Batches:
        shuffles = shuffle is None or (isinstance(shuffle, Const) and shuffle.value is True)
        sources = _data_in([a for a in arrays if a is not None])
        # the same value as the provenance layer's data of the call: its range and steps hold
        made = base if isinstance(base, Data) else None
        ident = made.ident if made is not None else fresh_id()
        lineage = frozenset({ident}).union(*(d.lineage for d in sources))
        if made is not None:
            lineage |= made.lineage
        return Batches(
            ident,
            lineage,
            held_out=made.held_out if made is not None else False,
            train_part=made.train_part if made is not None else False,
            mixes_held_out=made.mixes_held_out if made is not None else False,
            learned=made.learned if made is not None else frozenset(),
            shuffles=shuffles,
            how=how,
            node=site.node,
            takes_shuffle=True,
            scope=scope,
            origins=frozenset({ident}).union(d.ident for d in sources),
        )

    def _stage(
        self,
        result: Value,
        receiver: Data,
        base: Batches | None,
        shuffles: bool,
        how: str,
        node: cst.Call | None,
        scope: object,
    ) -> Batches:
        made = result if isinstance(result, Data) else Data.derive(receiver)
        origins = (base.origins if base is not None else frozenset({receiver.ident})) | {made.ident}
        same_source = base is not None and node is base.node
        return Batches(
            made.ident,
            made.lineage | receiver.lineage,
            held_out=made.held_out,
            train_part=made.train_part,
            mixes_held_out=made.mixes_held_out,
            learned=made.learned,
            shuffles=shuffles,
            how=how,
            node=node,
            takes_shuffle=base.takes_shuffle if same_source and base is not None else False,
            scope=base.scope if same_source and base is not None else scope,
            origins=origins,
        )


def shuffled_comparisons(recorded: Predictions) -> list[ShuffledComparison]:
    """Predictions made on a shuffling iterator, compared with labels read in another pass over
    it (its ``classes``/``labels``, a loop over it, or the arrays it was built from)."""
    found: dict[int, ShuffledComparison] = {}
    for comparison in recorded.comparisons:
        values = [v for v in comparison.values if isinstance(v, Data)]
        for predicted in values:
            for ident in predicted.lineage & recorded.predictions.keys():
                prediction = recorded.predictions[ident]
                batches = prediction.source
                if not isinstance(batches, Batches) or not batches.shuffles:
                    continue
                if id(prediction.node) in found:
                    continue
                for labels in values:
                    if labels is predicted or labels.lineage & recorded.predictions.keys():
                        continue
                    if labels.lineage & batches.origins:
                        trains = any(batches.ident in lineage for lineage in recorded.trained_on)
                        found[id(prediction.node)] = ShuffledComparison(
                            prediction, batches, comparison, trains
                        )
                        break
    return list(found.values())


def _data_in(values: list[Value]) -> list[Data]:
    found: list[Data] = []
    for value in values:
        if isinstance(value, Data):
            found.append(value)
        elif isinstance(value, Seq):
            found.extend(v for v in value.items if isinstance(v, Data))
    return found


def _as_rows(value: Value) -> Value:
    if isinstance(value, Seq):
        items = _data_in([value])
        return Data.derive(*items) if items else value
    return value
