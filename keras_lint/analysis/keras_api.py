"""What the analysis knows about the Keras API: model factories, layers, activations, losses.

Names here are canonical (see ``names.normalize``) and matched by their last component inside the
``keras`` namespace, so ``keras.layers.Dense`` and ``keras.layers.core.dense.Dense`` are one layer.
"""

from __future__ import annotations

from keras_lint.analysis.names import keras_leaf
from keras_lint.analysis.values import Const, Instance, Ref, Tensor, Value

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
#: layers that do not change whether their input is a probability or a logit
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
        "Flatten",
        "Reshape",
        "Permute",
        "Cropping1D",
        "Cropping2D",
        "Cropping3D",
    }
)
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


def layer_output_activation(layer: Value, incoming: str | None) -> str | None:
    """Activation of the output of ``layer`` given its input's activation; None if unknown."""
    if not isinstance(layer, Instance):
        return None
    leaf = keras_leaf(layer.callee)
    if leaf is None:
        return None
    call = layer.call
    if leaf in LINEAR_DEFAULT_LAYERS:
        position = _ACTIVATION_POSITION.get(leaf)
        if position is None and len(call.args) > 2:
            return None  # a long positional call of a layer whose signature we do not pin
        return activation_name(call.argument(position or 99, "activation"))
    if leaf == "Activation":
        given = call.argument(0, "activation")
        return None if given is None else activation_name(given)
    if leaf == "Softmax":
        return "softmax"
    if leaf in {"ReLU", "LeakyReLU", "PReLU", "ELU"}:
        return "relu"
    if leaf in PASSTHROUGH_LAYERS:
        return incoming
    if leaf in WRAPPER_LAYERS:
        inner = call.argument(0, "layer")
        return layer_output_activation(inner, incoming) if inner is not None else None
    return None


def sequential_output_activation(layers: list[Value]) -> str | None:
    """Activation of a Sequential model's output, read from its last layers."""
    activation: str | None = None
    for layer in layers:
        activation = layer_output_activation(layer, activation)
    return activation


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
    if (
        isinstance(units, Const)
        and isinstance(units.value, int)
        and not isinstance(units.value, bool)
    ):
        return units.value
    return None


def last_defining_layer(layers: list[Value]) -> Value | None:
    """The last layer that is not a passthrough (for Dense(1, softmax) style checks)."""
    for layer in reversed(layers):
        if isinstance(layer, Instance) and keras_leaf(layer.callee) in PASSTHROUGH_LAYERS:
            continue
        return layer
    return None


def tensor_output(value: Value) -> tuple[str | None, Value | None]:
    """(activation, producing layer) of a functional output tensor."""
    if isinstance(value, Tensor):
        return value.activation, value.producer
    return None, None
