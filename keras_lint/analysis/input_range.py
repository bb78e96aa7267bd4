"""What the data reaching a model looks like: its range, its scaling, its row order.

The provenance layer (``provenance.py``) marks values where they are made: arrays read from a
raw-range source (pixels 0-255 from ``mnist.load_data()``, ``cv2.imread``, a directory of
images; ``boston_housing`` amounts in the hundreds), the results of scaling steps (``x / 255``,
``scaler.transform(x)``, ``preprocess_input(x)``), of calls it cannot see into (opaque: they may
scale or shuffle), rows built class by class (labels concatenated from constant blocks, a sort
by label) and shuffles. This module holds the tables of those marks and reads them along a
value's ancestry (its lineage, the data a split part was cut from, the family of a
``load_data()`` tuple) when the value reaches ``fit``/``evaluate``/``predict``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from keras_lint.analysis.names import keras_leaf
from keras_lint.analysis.values import Const, Instance, ModelInfo, ModelValue, Tensor, Value

if TYPE_CHECKING:
    from collections.abc import Iterable

    import libcst as cst

#: ``keras.datasets`` whose ``load_data()`` inputs are raw: pixels 0-255, prices and taxes in
#: the hundreds (imdb/reuters give token ids, which an ``Embedding`` reads as they are)
RAW_DATASETS = frozenset({"mnist", "fashion_mnist", "cifar10", "cifar100", "boston_housing"})
#: functions that read an image file into an array of 0-255 values
IMAGE_READERS = frozenset({"PIL.Image.open", "cv2.imread", "imageio.imread", "imageio.v2.imread"})
#: what images read from files hold
IMAGE_FILE_VALUES = "raw pixel values (0-255, up to 65535 in 16-bit images)"
#: Keras image readers (``keras.utils.load_img`` and its older homes)
KERAS_IMAGE_READERS = frozenset({"load_img"})
#: Keras datasets of images read from a directory tree
KERAS_IMAGE_DIRECTORIES = frozenset({"image_dataset_from_directory"})
#: ``ImageDataGenerator`` methods that yield batches
GENERATOR_FLOWS = frozenset({"flow", "flow_from_directory", "flow_from_dataframe"})
#: ``ImageDataGenerator`` options that scale or standardise what it yields
GENERATOR_SCALING = frozenset(
    {
        "rescale",
        "preprocessing_function",
        "featurewise_center",
        "featurewise_std_normalization",
        "samplewise_center",
        "samplewise_std_normalization",
        "zca_whitening",
    }
)
#: library functions that scale an array (numpy's by name, the others by full name)
NUMPY_SCALING = frozenset(
    {"divide", "true_divide", "multiply", "log", "log1p", "log2", "log10", "sqrt", "tanh"}
)
SCALING_FUNCTIONS = frozenset(
    {
        "keras.utils.normalize",
        "keras.utils.np_utils.normalize",
        "keras.layers.Rescaling",
        "tensorflow.image.convert_image_dtype",
        "tensorflow.image.per_image_standardization",
        "tensorflow.math.divide",
        "tensorflow.divide",
        "tensorflow.truediv",
        "tensorflow.math.truediv",
        "tensorflow.multiply",
        "tensorflow.math.multiply",
        "tensorflow.math.l2_normalize",
        "tensorflow.nn.l2_normalize",
        "keras.ops.divide",
        "keras.ops.multiply",
    }
)
#: library calls that keep the range of the values they are given (shape, type, geometry)
RANGE_KEEPING_FUNCTIONS = frozenset(
    {
        "tensorflow.reshape",
        "tensorflow.expand_dims",
        "tensorflow.squeeze",
        "tensorflow.transpose",
        "tensorflow.stack",
        "tensorflow.concat",
        "tensorflow.image.resize",
        "tensorflow.image.resize_with_pad",
        "tensorflow.image.grayscale_to_rgb",
        "tensorflow.image.rgb_to_grayscale",
        "tensorflow.image.flip_left_right",
        "tensorflow.image.random_flip_left_right",
        "tensorflow.image.random_flip_up_down",
        "tensorflow.image.decode_jpeg",
        "tensorflow.image.decode_png",
        "tensorflow.image.decode_image",
        "tensorflow.io.decode_jpeg",
        "tensorflow.io.decode_png",
        "tensorflow.io.decode_image",
        "cv2.resize",
        "cv2.cvtColor",
        "cv2.flip",
        "keras.utils.img_to_array",
        "keras.preprocessing.image.img_to_array",
        "keras.utils.to_categorical",
        "keras.utils.np_utils.to_categorical",
        "keras.ops.reshape",
        "keras.ops.expand_dims",
        "keras.ops.convert_to_tensor",
    }
)
#: calls that put rows in random order (``np.random.shuffle(x)``, ``sklearn.utils.shuffle``)
SHUFFLING_FUNCTIONS = frozenset(
    {
        "numpy.random.shuffle",
        "numpy.random.permutation",
        "numpy.random.choice",
        "random.shuffle",
        "random.sample",
        "sklearn.utils.shuffle",
        "tensorflow.random.shuffle",
        "torch.randperm",
    }
)
#: numpy functions that make an array of one repeated value (a block of one class's labels)
CONSTANT_FILLS = frozenset({"zeros", "ones", "full", "zeros_like", "ones_like", "full_like"})
#: column names a sort by which puts rows in class order
LABEL_NAMES = frozenset({"label", "labels", "class", "classes", "target", "y", "category"})
#: layers that only reshape, crop or augment: a scaling layer after them is still at the input
PASS_THROUGH_LAYERS = frozenset(
    {
        "Input",
        "InputLayer",
        "Reshape",
        "Flatten",
        "Permute",
        "Resizing",
        "CenterCrop",
        "Cropping1D",
        "Cropping2D",
        "Cropping3D",
        "ZeroPadding1D",
        "ZeroPadding2D",
        "ZeroPadding3D",
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomTranslation",
        "RandomCrop",
        "RandomContrast",
        "RandomBrightness",
        "RandomHeight",
        "RandomWidth",
        "Masking",
        "GaussianNoise",
        "Dropout",
        "SpatialDropout1D",
        "SpatialDropout2D",
    }
)
#: layers that bring any input to a small range (or read ids) when they come first
SCALING_LAYERS = frozenset(
    {
        "Rescaling",
        "BatchNormalization",
        "LayerNormalization",
        "UnitNormalization",
        "GroupNormalization",
        "TextVectorization",
        "Embedding",
        "StringLookup",
        "IntegerLookup",
        "CategoryEncoding",
        "Hashing",
        "Discretization",
    }
)
#: the most layers remembered from a model's input (only the first few decide)
MAX_INPUT_LAYERS = 8
#: ancestors visited when a value's ancestry is searched
_MAX_ANCESTORS = 4096

#: kinds of steps: ``scale`` (arithmetic, scalers, rescaling), ``preprocess_input`` (an
#: application's own preprocessing), ``opaque`` (a call that may do either)
SCALE, PREPROCESS_INPUT, OPAQUE = "scale", "preprocess_input", "opaque"


@dataclass(frozen=True)
class RawSource:
    """Where raw-range values are read: ``mnist.load_data()``, ``cv2.imread(p)``..."""

    node: cst.CSTNode = field(repr=False)
    #: what the message names: ``mnist.load_data()``, ``ImageDataGenerator.flow_from_directory``
    label: str
    #: what the values are: "pixel values 0-255", "values in the hundreds"
    values: str
    scope: object = field(repr=False)


@dataclass(frozen=True)
class Step:
    """A step that scales or preprocesses the values it is given."""

    kind: str
    label: str


@dataclass(frozen=True)
class Ordering:
    """Rows built class by class (labels concatenated from constant blocks, a sort by label)."""

    node: cst.CSTNode = field(repr=False)
    how: str
    scope: object = field(repr=False)


@dataclass(frozen=True)
class DataPath:
    """One value given to ``fit``/``evaluate``/``predict``, summarised when it gets there."""

    #: the identities of the value and of everything it was computed or cut from
    ancestors: frozenset[int]
    #: the raw-range source among them, when no scaling or opaque step is
    raw: RawSource | None
    #: the steps among them, by identity
    steps: dict[int, Step]
    #: how its rows were put in class order when no shuffle followed
    ordering: Ordering | None
    #: its rows were shuffled, or passed a call that may have shuffled them
    shuffled: bool = False


@dataclass(frozen=True)
class ModelInput:
    """Data given to a model's ``fit`` (``x``, ``validation_data``), ``evaluate`` or ``predict``."""

    node: cst.Call = field(repr=False)
    method: str
    #: "x", "y" or "validation_data"
    role: str
    #: the argument expression as written (None when it came through ``*args``/``**kwargs``)
    argument: cst.BaseExpression | None = field(repr=False)
    path: DataPath
    model: ModelInfo | None = field(repr=False)
    #: "scaled", "unscaled" or "unknown": what the model does first with its input
    input_scaling: str
    order: int
    scope: object = field(repr=False)
    via: cst.Call | None = field(default=None, repr=False)
    via_scope: object = field(default=None, repr=False)
    #: ``fit(validation_split=...)`` with a non-zero fraction (or one the analysis cannot read)
    validation_split: bool = False

    @property
    def report_scope(self) -> object:
        """The module the report belongs to: the call's, or the linted file's call leading to it."""
        return self.via_scope if self.via is not None else self.scope


def ancestry(
    lineage: frozenset[int], parents: dict[int, frozenset[int]]
) -> frozenset[int]:
    """The lineage, and the lineages of what split parts and dataset halves were cut from."""
    found = set(lineage)
    pending = [i for i in lineage if i in parents]
    while pending and len(found) < _MAX_ANCESTORS:
        for ident in parents[pending.pop()]:
            if ident not in found:
                found.add(ident)
                if ident in parents:
                    pending.append(ident)
    return frozenset(found)


def model_input_scaling(model: ModelInfo | None, adapted: set[int]) -> str:
    """Whether the model scales its input first: "scaled", "unscaled" or "unknown"."""
    if model is None:
        return "unknown"
    if model.kind in {"sequential", "clone"} and model.layers:
        return _layers_scaling(model.layers, adapted, 0)
    if model.kind in {"functional", "subclass", "clone"} and model.outputs:
        verdicts = {
            _layers_scaling(list(out.from_input), adapted, 0)
            if isinstance(out, Tensor) and out.from_input is not None
            else "unknown"
            for out in model.outputs
        }
        return verdicts.pop() if len(verdicts) == 1 else "unknown"
    return "unknown"


def _layers_scaling(layers: Iterable[Value], adapted: set[int], depth: int) -> str:
    for layer in layers:
        if isinstance(layer, Tensor):
            continue  # ``keras.Input`` in a Sequential list
        if isinstance(layer, Const):
            return "scaled" if layer.value in {SCALE, PREPROCESS_INPUT} else "unknown"
        if isinstance(layer, ModelValue):
            if layer.info.kind != "sequential" or depth > 2:
                return "unknown"  # an application, a loaded model: may preprocess itself
            inner = _layers_scaling(layer.info.layers, adapted, depth + 1)
            if inner != "passes":
                return inner
            continue
        if not isinstance(layer, Instance):
            return "unknown"
        leaf = keras_leaf(layer.callee)
        if leaf is None:
            return "unknown"
        if leaf in PASS_THROUGH_LAYERS:
            continue
        if leaf in SCALING_LAYERS or _is_working_normalization(layer, adapted):
            return "scaled"
        if leaf == "Lambda":
            return "unknown"  # its function may divide: the analysis does not read it
        return "unscaled"
    return "passes" if depth else "unknown"


def _is_working_normalization(layer: Instance, adapted: set[int]) -> bool:
    """``Normalization`` scales when adapted or given its statistics; otherwise it is the
    identity."""
    if keras_leaf(layer.callee) != "Normalization":
        return False
    given = layer.call.kwargs
    return id(layer) in adapted or "mean" in given or "variance" in given or layer.call.star_kwargs


def mismatched_steps(train: DataPath, evaluation: DataPath) -> list[Step]:
    """The training value's own steps of a kind the evaluation value never passes; empty when
    the two come from different sources or the evaluation passes an opaque call."""
    if not train.ancestors & evaluation.ancestors:
        return []
    own_train = [s for i, s in train.steps.items() if i not in evaluation.ancestors]
    own_eval = {s.kind for i, s in evaluation.steps.items() if i not in train.ancestors}
    if OPAQUE in own_eval:
        return []
    return [s for s in own_train if s.kind != OPAQUE and s.kind not in own_eval]
