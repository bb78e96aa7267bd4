"""What the analysis knows about the Keras API: model factories, layers, activations, losses.

Names here are canonical (see ``names.normalize``) and matched by their last component inside the
``keras`` namespace, so ``keras.layers.Dense`` and ``keras.layers.core.dense.Dense`` are one layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from keras_lint.analysis.names import keras_leaf
from keras_lint.analysis.values import Const, Instance, ModelInfo, ModelValue, Ref, Tensor, Value

#: methods of a model that need it to be compiled
TRAINING_METHODS = frozenset(
    {"fit", "evaluate", "train_on_batch", "test_on_batch", "fit_generator", "evaluate_generator"}
)
#: the subset that trains (KER301 looks for these)
FIT_METHODS = frozenset({"fit", "fit_generator"})

SEQUENTIAL = "Sequential"
FUNCTIONAL_MODELS = frozenset({"Model", "Functional"})
LOAD_MODEL = frozenset({"load_model"})
UNCOMPILED_FACTORIES = frozenset({"model_from_json", "model_from_yaml", "model_from_config"})
CLONE_MODEL = "clone_model"

#: scikit-learn wrappers that train a Keras model in their ``fit``
KERAS_SKLEARN_WRAPPERS = frozenset({"KerasClassifier", "KerasRegressor"})
#: scikit-learn functions that call their estimator's ``fit``
CROSS_VALIDATION = frozenset(
    {"cross_val_score", "cross_validate", "cross_val_predict", "learning_curve"}
)

#: layers whose ``activation`` argument defaults to linear
LINEAR_DEFAULT_LAYERS = frozenset(
    {
        "Dense",
        "EinsumDense",
        "Conv1D",
        "Conv2D",
        "Conv3D",
        "Convolution1D",
        "Convolution2D",
        "Convolution3D",
        "Conv1DTranspose",
        "Conv2DTranspose",
        "Conv3DTranspose",
        "SeparableConv1D",
        "SeparableConv2D",
        "DepthwiseConv1D",
        "DepthwiseConv2D",
        "LocallyConnected1D",
        "LocallyConnected2D",
    }
)
#: where ``activation`` sits among the positional parameters (``Dense(10, "softmax")``)
_ACTIVATION_POSITION = {
    "Dense": 1,
    "EinsumDense": 2,
    "Conv1D": 7,
    "Conv2D": 7,
    "Conv3D": 7,
}
#: layers that change neither whether their input is a probability or a logit nor its last axis
PASSTHROUGH_LAYERS = frozenset(
    {
        "Dropout",
        "SpatialDropout1D",
        "SpatialDropout2D",
        "SpatialDropout3D",
        "GaussianNoise",
        "GaussianDropout",
        "AlphaDropout",
        "ActivityRegularization",
        "Cropping1D",
        "Cropping2D",
        "Cropping3D",
    }
)
#: layers that keep the activation but change the shape: the last axis is no longer known
RESHAPING_LAYERS = frozenset({"Flatten", "Reshape", "Permute"})
#: wrappers whose output activation is that of the wrapped layer
WRAPPER_LAYERS = frozenset({"TimeDistributed"})

KNOWN_ACTIVATIONS = frozenset(
    {
        "softmax",
        "sigmoid",
        "linear",
        "relu",
        "tanh",
        "elu",
        "selu",
        "gelu",
        "swish",
        "silu",
        "softplus",
        "softsign",
        "exponential",
        "hard_sigmoid",
        "relu6",
        "leaky_relu",
        "mish",
        "log_softmax",
    }
)
# Functions that apply an activation, by the package they live in.
_TF_ACTIVATION_FUNCTIONS = {
    "tensorflow.nn.softmax": "softmax",
    "tensorflow.math.softmax": "softmax",
    "tensorflow.nn.sigmoid": "sigmoid",
    "tensorflow.math.sigmoid": "sigmoid",
    "tensorflow.sigmoid": "sigmoid",
    "tensorflow.nn.relu": "relu",
    "tensorflow.nn.tanh": "tanh",
    "tensorflow.math.tanh": "tanh",
    "tensorflow.tanh": "tanh",
}


def activation_name(value: Value | None) -> str | None:
    """Canonical activation of an ``activation=`` argument; None when unknown.

    A missing argument (``value is None``) or ``None`` means linear.
    """
    if value is None:
        return "linear"
    if isinstance(value, Const):
        if value.value is None:
            return "linear"
        if isinstance(value.value, str) and value.value.lower() in KNOWN_ACTIVATIONS:
            return value.value.lower()
        return None
    if isinstance(value, Ref):
        return function_activation(value.name)
    return None


def function_activation(name: str) -> str | None:
    """The activation a function such as ``tf.nn.softmax`` or ``keras.activations.relu`` applies."""
    if name in _TF_ACTIVATION_FUNCTIONS:
        return _TF_ACTIVATION_FUNCTIONS[name]
    leaf = keras_leaf(name)
    if (
        leaf is not None
        and (".activations." in name or ".ops." in name)
        and leaf in KNOWN_ACTIVATIONS
    ):
        return leaf
    return None


@dataclass(frozen=True)
class LayerOutput:
    """What is known of a layer's output: its activation (canonical name, ``"linear"``, None when
    unknown), the width of its last axis, and that width where the activation was applied (a
    softmax over one unit always outputs 1.0)."""

    activation: str | None = None
    width: int | None = None
    activation_width: int | None = None


UNKNOWN_OUTPUT = LayerOutput()


def tensor_output(tensor: Tensor) -> LayerOutput:
    return LayerOutput(tensor.activation, tensor.width, tensor.activation_width)


def layer_output(
    layer: Value, incoming: LayerOutput, seen: frozenset[int] = frozenset()
) -> LayerOutput:
    """The output of ``layer`` applied to an input described by ``incoming``.

    A model used as a layer gives its own output; anything the analysis does not know gives
    ``UNKNOWN_OUTPUT``: only the last layers decide.
    """
    if isinstance(layer, ModelValue):
        return model_output(layer.info, seen)
    if not isinstance(layer, Instance):
        return UNKNOWN_OUTPUT
    leaf = keras_leaf(layer.callee)
    if leaf is None:
        return UNKNOWN_OUTPUT
    call = layer.call
    if leaf in LINEAR_DEFAULT_LAYERS:
        position = _ACTIVATION_POSITION.get(leaf)
        width = layer_units(layer)
        if position is None and len(call.args) > 2:
            # a long positional call of a layer whose signature we do not pin
            return LayerOutput(None, width, None)
        return LayerOutput(
            activation_name(call.argument(position or 99, "activation")), width, width
        )
    if leaf == "Activation":
        given = call.argument(0, "activation")
        if given is None:
            return UNKNOWN_OUTPUT
        activation = activation_name(given)
        if activation == "linear":
            return incoming  # the identity
        return LayerOutput(activation, incoming.width, incoming.width)
    if leaf == "Softmax":
        axis = call.argument(0, "axis")
        last_axis = axis is None or isinstance(axis, Const) and axis.value == -1
        return LayerOutput("softmax", incoming.width, incoming.width if last_axis else None)
    if leaf in {"ReLU", "LeakyReLU", "PReLU", "ELU"}:
        return LayerOutput("relu", incoming.width, incoming.width)
    if leaf in RESHAPING_LAYERS:
        return LayerOutput(incoming.activation, None, incoming.activation_width)
    if leaf in PASSTHROUGH_LAYERS:
        return incoming
    if leaf in WRAPPER_LAYERS:
        inner = call.argument(0, "layer")
        return layer_output(inner, incoming, seen) if inner is not None else UNKNOWN_OUTPUT
    return UNKNOWN_OUTPUT


def sequential_output(layers: list[Value], seen: frozenset[int] = frozenset()) -> LayerOutput:
    """The output of a Sequential model, read from its layers in order."""
    output = UNKNOWN_OUTPUT
    for layer in layers:
        output = layer_output(layer, output, seen)
    return output


def model_output(info: ModelInfo, seen: frozenset[int] = frozenset()) -> LayerOutput:
    """The output of a model with one output (a Sequential model's last layers, a functional
    model's output tensor); unknown for several outputs, or a model that contains itself."""
    if info.id in seen:
        return UNKNOWN_OUTPUT
    if info.kind == "sequential":
        return sequential_output(info.layers, seen | {info.id})
    if info.outputs is not None and len(info.outputs) == 1:
        tensor = info.outputs[0]
        return tensor_output(tensor) if isinstance(tensor, Tensor) else UNKNOWN_OUTPUT
    return UNKNOWN_OUTPUT


def layer_units(layer: Value) -> int | None:
    """``units`` of a Dense layer (through TimeDistributed), when it is a literal."""
    if not isinstance(layer, Instance):
        return None
    leaf = keras_leaf(layer.callee)
    if leaf in WRAPPER_LAYERS:
        inner = layer.call.argument(0, "layer")
        return layer_units(inner) if inner is not None else None
    if leaf != "Dense":
        return None
    units = layer.call.argument(0, "units")
    if units is None:
        units = layer.call.kwargs.get("output_dim")  # Keras 1
    if (
        isinstance(units, Const)
        and isinstance(units.value, int)
        and not isinstance(units.value, bool)
    ):
        return units.value
    return None
