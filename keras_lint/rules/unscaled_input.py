"""KER502 unscaled-input: raw-range values reach ``fit`` with no scaling on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.analysis.libraries import runs_code_of_its_project
from keras_lint.rules.base import PythonRule, Report
from keras_lint.rules.source_positions import value_name, where

if TYPE_CHECKING:
    from keras_lint.analysis import ModuleFacts

_TRAINING_METHODS = frozenset({"fit", "fit_generator", "train_on_batch"})



class _RawSourceOrProjectData:
    """Text that reads a raw-range source, or a program that trains on what a module of its
    project may have read."""

    _raw = re.compile(
        r"load_data|imread|PIL|Image\.open|ImageDataGenerator|load_img|\.\s*flow\b|flow_from"
        r"|_from_directory"
    )

    def search(self, text: str, /) -> bool:
        if self._raw.search(text):
            return True
        return "fit" in text and runs_code_of_its_project(text)

class UnscaledInput(PythonRule):
    """
    ## What it does
    Follows the values given to a Keras model's `fit` back to where they were read, through
    assignments, unpacking, slicing, reshaping, splits, lists built in loops, `tf.data`
    pipelines, `ImageDataGenerator` flows and the helpers of the file and of the linted tree.
    It reports the `fit` call when the training inputs come from a raw-range source and nothing
    on the way, nor the model's first layers, brings them to a small range.

    Raw-range sources: `keras.datasets` `mnist`, `fashion_mnist`, `cifar10`, `cifar100` and
    `boston_housing` `load_data()`; images read with `PIL.Image.open`, `cv2.imread`,
    `imageio.imread` or `load_img` (+ `img_to_array`); `ImageDataGenerator` flows without
    `rescale`, `preprocessing_function`, `featurewise_*`/`samplewise_*` or `zca_whitening`;
    `image_dataset_from_directory`.

    Scaling steps: `/` or `*` by a constant or by a statistic of the data, `(x - mean) / std`,
    in-place `/=` and `*=`, `np.divide`/`np.log1p`/..., `keras.utils.normalize`, a scikit-learn
    scaler's `transform`/`fit_transform` (and any scikit-learn transform), any
    `keras.applications.*.preprocess_input`, `tf.image.convert_image_dtype`,
    `tf.image.per_image_standardization`, a scaling layer applied to the data, and
    `Dataset.map(f)` when `f` does one of these (a map that only casts or resizes does not
    scale). Scaling layers at the model's input (after any reshaping or augmentation layers):
    `Rescaling`, a `Normalization` that is adapted before `fit` or given `mean`/`variance`
    (one that is neither is the identity), `BatchNormalization` and the other normalisation
    layers, `TextVectorization`/`Embedding`/lookups, `preprocess_input` or `x / 255` applied to
    the `Input` of a functional model.

    Silent: token-id datasets (`imdb`, `reuters`), labels (`y`), tabular files (`read_csv`, no
    static range), a first layer the analysis cannot judge (a `Lambda`, a pretrained
    application, a loaded model, a custom layer), and data or models that pass through a
    function the analysis cannot see into (an unresolved helper, an opaque `map` function):
    they may scale.

    ## Why is this bad?
    With inputs in the hundreds or thousands the first layer's pre-activations are huge: ReLU
    units saturate or die, sigmoid/softmax outputs are pinned to 0 or 1, and the gradients
    are either zero or explode. Keras trains without an error while the loss stays flat at
    chance level. Measured by `keras-lint verify` on its fixture (2,000 16-bit images of
    10 pixels up to 50,000 read with `PIL.Image.open`, two `Dense(32, relu)` layers, SGD):
    validation accuracy 0.49-0.54 and a loss stuck at 0.69 (log 2) after the first epoch,
    against 0.88-0.94 when the same pixels are standardised.

    ## Example
    ```python
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    model = keras.Sequential([keras.Input((28, 28)), layers.Flatten(),
                              layers.Dense(10, activation="softmax")])
    model.fit(x_train, y_train, epochs=5)
    ```

    ## Use instead
    ```python
    x_train = x_train.astype("float32") / 255.0
    model.fit(x_train, y_train, epochs=5)
    ```
    or start the model with `layers.Rescaling(1 / 255)`, or a `layers.Normalization()` that is
    `adapt`ed on the training data.

    ## Fix
    Display-only: the suggestions (`x / 255.0`, `Rescaling(1/255)`, `layer.adapt(x_train)`)
    are kept with the rule (`SUGGESTIONS`) for the fixes mechanism; none is applied, since the
    right scale depends on the data.
    """

    code = "KER502"
    name = "unscaled-input"
    summary = "Raw-range inputs (pixels 0-255, large amounts) reach fit with no scaling"
    severity = "error"
    #: display-only suggestions, by what the values are
    SUGGESTIONS = {
        "pixel values 0-255": ("x / 255.0", "`layers.Rescaling(1 / 255)`"),
        "values in the hundreds": (
            "(x - x_train.mean(0)) / x_train.std(0)",
            "an adapted `layers.Normalization()`",
        ),
    }
    # the file trains (``fit``), or reads the raw source whose data it hands to a helper that
    # trains
    trigger = _RawSourceOrProjectData()

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        reported: set[int] = set()
        for given in facts.model_inputs:
            raw = given.path.raw
            if (
                given.role != "x"
                or given.method not in _TRAINING_METHODS
                or raw is None
                or given.input_scaling != "unscaled"
            ):
                continue
            if given.via is not None and getattr(raw.scope, "module", None) is not facts.module:
                continue  # neither the training nor the data is this file's
            node = given.via or given.node
            if id(node) in reported:
                continue
            reported.add(id(node))
            name = value_name(given.argument, facts, "the training input")
            default = self.SUGGESTIONS["pixel values 0-255"]
            scaled, layer = self.SUGGESTIONS.get(raw.values, default)
            yield Report(
                f"`{name}` comes from `{raw.label}`{where(raw.node, raw.scope, facts)} with "
                f"{raw.values} and reaches `{given.method}` with no scaling step and no scaling "
                f"layer at the model's input: training stalls at chance; scale it "
                f"(`{scaled}`) or start the model with {layer}",
                node=node,
            )
