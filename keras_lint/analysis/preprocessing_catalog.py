"""What learns from data and what splits it: the tables of the leakage analysis.

A step *learns* when its output for one row depends on the other rows it was fitted on: a
scaler's mean and variance, a vocabulary ranked by frequency, quantile edges, a principal
subspace, a feature selector's scores. Steps that look at one row at a time (``Normalizer``,
``preprocessing.normalize``, ``Binarizer``, ``PolynomialFeatures``) learn nothing. Encoders that
only enumerate the categories they saw (``LabelEncoder``, ``OneHotEncoder``, ``OrdinalEncoder``)
are not counted either: an unseen category fails loudly rather than leaking a statistic.
Extremes (``min``/``max``) are not counted as statistics: they are usually known bounds (255).
"""

from __future__ import annotations

from keras_lint.analysis.names import keras_leaf, leaf_in
from keras_lint.analysis.values import Instance, Mapping, Seq, Value

#: scikit-learn transformers whose ``fit`` learns from the rows it is given
SKLEARN_LEARNED_PREPROCESSING = frozenset(
    {
        "StandardScaler",
        "MinMaxScaler",
        "MaxAbsScaler",
        "RobustScaler",
        "QuantileTransformer",
        "PowerTransformer",
        "KBinsDiscretizer",
        "SplineTransformer",
        "SimpleImputer",
        "Imputer",  # scikit-learn < 0.22
        "KNNImputer",
        "IterativeImputer",
        "PCA",
        "IncrementalPCA",
        "KernelPCA",
        "SparsePCA",
        "TruncatedSVD",
        "FastICA",
        "FactorAnalysis",
        "NMF",
        "LatentDirichletAllocation",
        "TfidfVectorizer",
        "TfidfTransformer",
        "CountVectorizer",
        "DictVectorizer",
        "SelectKBest",
        "SelectPercentile",
        "GenericUnivariateSelect",
        "SelectFpr",
        "SelectFdr",
        "SelectFwe",
        "SelectFromModel",
        "VarianceThreshold",
        "RFE",
        "RFECV",
    }
)
#: scikit-learn compositions: they learn when one of their steps does
SKLEARN_COMPOSITIONS = frozenset(
    {
        "Pipeline",
        "make_pipeline",
        "ColumnTransformer",
        "make_column_transformer",
        "FeatureUnion",
        "make_union",
        "TransformedTargetRegressor",
    }
)
#: ``sklearn.preprocessing`` functions that fit and apply a learned transform in one call
SKLEARN_LEARNED_FUNCTIONS = frozenset(
    {
        "scale",
        "minmax_scale",
        "maxabs_scale",
        "robust_scale",
        "quantile_transform",
        "power_transform",
    }
)
#: other library functions that standardise or bin by statistics of all the rows they get
LEARNED_FUNCTIONS = frozenset({"scipy.stats.zscore", "scipy.stats.mstats.zscore", "pandas.qcut"})
#: Keras preprocessing layers whose ``adapt`` learns statistics or a frequency-ranked vocabulary
KERAS_ADAPTED_LAYERS = frozenset(
    {"Normalization", "Discretization", "TextVectorization", "StringLookup", "IntegerLookup"}
)
#: Keras ``Tokenizer``: ``fit_on_texts`` learns the word ranks its other methods apply
KERAS_TOKENIZER_FITS = frozenset({"fit_on_texts", "fit_on_sequences"})
KERAS_TOKENIZER_TRANSFORMS = frozenset(
    {"texts_to_sequences", "texts_to_matrix", "sequences_to_matrix", "texts_to_sequences_generator"}
)
#: statistics over rows, as array/frame methods (``df.mean()``) and numpy functions
STATISTIC_METHODS = frozenset({"mean", "std", "var", "median", "quantile", "mode", "nanmean"})
NUMPY_STATISTICS = frozenset(
    {
        "mean",
        "std",
        "var",
        "median",
        "percentile",
        "quantile",
        "average",
        "nanmean",
        "nanstd",
        "nanvar",
        "nanmedian",
        "nanpercentile",
        "nanquantile",
    }
)

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
#: splits that carve validation data out of training data (the usual practice on a training set)
VALIDATION_CARVING = frozenset(
    {"validation_split", *SKLEARN_CV_FUNCTIONS, *SKLEARN_SEARCHES}
    | {f"{splitter}.split" for splitter in SKLEARN_SPLITTERS}
)
#: how deep compositions are searched for a learning step (``Pipeline`` in ``FeatureUnion``...)
_MAX_NESTING = 6


def learning_estimator(value: Value) -> str | None:
    """The name to report for an instance whose ``fit`` learns from rows, else None."""
    if not isinstance(value, Instance):
        return None
    name = _sklearn_name(value.callee)
    if name in SKLEARN_LEARNED_PREPROCESSING:
        return name
    if name == "DataFrameMapper" or name in SKLEARN_COMPOSITIONS:
        return name if _has_learning_step(value, 0) else None
    return None


def _sklearn_name(callee: str) -> str | None:
    return leaf_in(callee, "sklearn") or leaf_in(callee, "sklearn_pandas")


def _has_learning_step(value: Value, depth: int, seen: set[int] | None = None) -> bool:
    """Whether a composition holds a learning step, in its lists of steps or nested ones."""
    seen = set() if seen is None else seen
    if depth > _MAX_NESTING or id(value) in seen:
        return False
    seen.add(id(value))  # a list may hold itself
    if isinstance(value, Seq):
        return any(_has_learning_step(item, depth, seen) for item in value.items)
    if isinstance(value, Mapping):
        return any(_has_learning_step(item, depth, seen) for item in value.items.values())
    if not isinstance(value, Instance):
        return False
    name = _sklearn_name(value.callee)
    if name in SKLEARN_LEARNED_PREPROCESSING:
        return True
    if name == "DataFrameMapper" or name in SKLEARN_COMPOSITIONS:
        members = [*value.call.args, *value.call.kwargs.values()]
        return any(_has_learning_step(member, depth + 1, seen) for member in members)
    return False


def learned_function(callee: str) -> bool:
    """A function that learns a transform from its input and applies it (``scale(X)``)."""
    return leaf_in(callee, "sklearn") in SKLEARN_LEARNED_FUNCTIONS or callee in LEARNED_FUNCTIONS


def keras_learning_layer(value: Value) -> str | None:
    """The layer's name when ``adapt`` learns from the data it is given."""
    if isinstance(value, Instance):
        leaf = keras_leaf(value.callee)
        if leaf in KERAS_ADAPTED_LAYERS:
            return leaf
    return None


def is_keras_tokenizer(value: Value) -> bool:
    return isinstance(value, Instance) and keras_leaf(value.callee) == "Tokenizer"
