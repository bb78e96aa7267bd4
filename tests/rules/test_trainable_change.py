"""KER102 trainable-change-not-compiled: a trained model's trainable flags change, and it trains
again without compile."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import lines_of, lint_snippet, tree_findings
from keras_lint.engine import lint_paths

CODE = "KER102"

REPORTED = [
    pytest.param(
        """\
        import keras
        import numpy as np

        x, y = np.zeros((64, 32, 32, 3)), np.zeros(64)
        base = keras.applications.MobileNetV2(include_top=False, input_shape=(32, 32, 3))
        base.trainable = False
        inputs = keras.Input(shape=(32, 32, 3))
        h = keras.layers.GlobalAveragePooling2D()(base(inputs, training=False))
        model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(h))
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x, y, epochs=2)
        base.trainable = True
        model.fit(x, y, epochs=2)
        """,
        [12],
        id="functional-unfreeze-application-base-then-fit",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras

        base = keras.applications.ResNet50(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        model = keras.Sequential([base, keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(np.zeros((8, 64, 64, 3)), np.zeros(8), epochs=1)
        model.layers[0].trainable = True
        model.fit(np.zeros((8, 64, 64, 3)), np.zeros(8), epochs=1)
        """,
        [9],
        id="sequential-layer-by-index-unfrozen",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        base = tf.keras.applications.VGG16(include_top=False, weights=None, input_shape=(64, 64, 3))
        for layer in base.layers:
            layer.trainable = False
        x = tf.keras.layers.Flatten()(base.output)
        model = tf.keras.Model(base.input, tf.keras.layers.Dense(2, activation="softmax")(x))
        model.compile(optimizer="sgd", loss="categorical_crossentropy")
        model.fit(np.zeros((4, 64, 64, 3)), np.zeros((4, 2)))
        for layer in base.layers[-4:]:
            layer.trainable = True
        model.fit(np.zeros((4, 64, 64, 3)), np.zeros((4, 2)))
        """,
        [12],
        id="tf-keras-loop-over-last-layers-unfrozen",
    ),
    pytest.param(
        """\
        import numpy as np
        from keras import layers, models

        model = models.Sequential([layers.Input((4,)), layers.Dense(8, name="h"), layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros(16))
        model.get_layer("h").trainable = False
        model.fit(np.zeros((16, 4)), np.zeros(16))
        """,
        [7],
        id="get-layer-frozen-after-training",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        base = keras.applications.EfficientNetB0(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        model = keras.Sequential([base, keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(np.zeros((4, 64, 64, 3)), np.zeros(4))
        setattr(base, "trainable", True)
        model.fit(np.zeros((4, 64, 64, 3)), np.zeros(4))
        """,
        [9],
        id="setattr-trainable",
    ),
    pytest.param(
        """\
        import numpy as np
        from keras import Input, Model
        from keras import layers as L

        inputs = Input(shape=(10,))
        encoder = L.Dense(16, activation="relu")
        outputs = L.Dense(1)(encoder(inputs))
        net = Model(inputs, outputs)
        net.compile(optimizer="adam", loss="mse")
        net.fit(np.zeros((8, 10)), np.zeros(8))
        encoder.trainable = False
        net.fit(np.zeros((8, 10)), np.zeros(8))
        """,
        [11],
        id="aliased-layers-layer-object-frozen",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        base = keras.applications.MobileNet(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        model = keras.Sequential([base, keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        for step in range(100):
            model.train_on_batch(np.zeros((2, 64, 64, 3)), np.zeros(2))
            if step == 50:
                base.trainable = True
        """,
        [11],
        id="train-on-batch-loop-unfreezes-halfway",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras


        def unfreeze(network):
            network.trainable = True


        base = keras.applications.MobileNetV3Small(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        model = keras.Sequential([base, keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        unfreeze(base)
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        """,
        [6],
        id="helper-in-the-file-unfreezes",
    ),
    pytest.param(
        """\
        import argparse

        import numpy as np
        import keras

        parser = argparse.ArgumentParser()
        parser.add_argument("--recompile", action="store_true")
        args = parser.parse_args()
        base = keras.applications.DenseNet121(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        model = keras.Sequential([base, keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        base.trainable = True
        if args.recompile:
            model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="mse")
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        """,
        [14],
        id="argparse-recompile-on-one-branch-only",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras


        class Classifier(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = keras.layers.Dense(32, activation="relu")
                self.out = keras.layers.Dense(1)

            def call(self, x):
                return self.out(self.hidden(x))


        clf = Classifier()
        clf.compile(optimizer="adam", loss="mse")
        clf.fit(np.zeros((8, 4)), np.zeros(8))
        clf.layers[0].trainable = False
        clf.fit(np.zeros((8, 4)), np.zeros(8))
        """,
        [18],
        id="subclassed-model-layer-frozen",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        history = model.fit(np.zeros((8, 3)), np.zeros(8), epochs=3)
        model.trainable = False
        model.fit(np.zeros((8, 3)), np.zeros(8), epochs=3)
        """,
        [7],
        id="whole-model-frozen-still-trains",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        base = tf.keras.applications.Xception(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        head = tf.keras.layers.Dense(5, activation="softmax")
        model = tf.keras.Sequential([base, head])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(np.zeros((2, 71, 71, 3)), np.zeros(2))
        base.trainable = True
        for layer in base.layers[:-10]:
            layer.trainable = False
        model.fit(np.zeros((2, 71, 71, 3)), np.zeros(2))
        """,
        [10],
        id="partial-unfreeze-reports-the-unfreeze-only",
    ),
]

NOT_REPORTED = [
    pytest.param(
        """\
        import numpy as np
        import keras

        base = keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        model = keras.Sequential([base, keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        base.trainable = True
        model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="mse")
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        """,
        id="unfreeze-recompile-fit",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        base = keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")
        model = keras.Sequential([base, keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        base.trainable = False
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        """,
        id="freeze-after-compile-before-first-fit",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras

        def build_discriminator():
            d = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1, "sigmoid")])
            d.compile(optimizer="adam", loss="binary_crossentropy")
            return d

        generator = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8)])
        discriminator = build_discriminator()
        discriminator.trainable = False
        z = keras.Input(shape=(4,))
        gan = keras.Model(z, discriminator(generator(z)))
        gan.compile(optimizer="adam", loss="binary_crossentropy")
        for step in range(1000):
            discriminator.train_on_batch(np.zeros((16, 8)), np.zeros(16))
            gan.train_on_batch(np.zeros((16, 4)), np.ones(16))
        """,
        id="gan-freeze-then-compile-combined-model",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        discriminator = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1, "sigmoid")])
        discriminator.compile(optimizer="adam", loss="binary_crossentropy")
        generator = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8)])
        discriminator.trainable = False
        z = keras.Input(shape=(4,))
        gan = keras.Model(z, discriminator(generator(z)))
        gan.compile(optimizer="adam", loss="binary_crossentropy")
        for step in range(1000):
            discriminator.trainable = True
            discriminator.train_on_batch(np.zeros((16, 8)), np.zeros(16))
            discriminator.trainable = False
            gan.train_on_batch(np.zeros((16, 4)), np.ones(16))
        """,
        id="gan-toggles-back-to-the-compiled-flags",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        base = keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        model = keras.Sequential([base, keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        base.trainable = True
        model.evaluate(np.zeros((2, 64, 64, 3)), np.zeros(2))
        model.save("model.keras")
        """,
        id="unfrozen-but-never-trained-again",
    ),
    pytest.param(
        """\
        import sys

        import numpy as np
        import keras

        base = keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        model = keras.Sequential([base, keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        base.trainable = "--finetune" in sys.argv
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        """,
        id="flag-not-a-literal",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras
        from training_utils import recompile

        base = keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        model = keras.Sequential([base, keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        base.trainable = True
        recompile(model)
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        """,
        id="model-handed-to-an-unknown-helper",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        base = keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        model = keras.Sequential([base, keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        base.trainable = True
        print(base.summary())
        base.trainable = False
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        """,
        id="unfrozen-and-frozen-again-before-fit",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
        other = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((8, 3)), np.zeros(8))
        other.trainable = False
        model.fit(np.zeros((8, 3)), np.zeros(8))
        """,
        id="another-model-frozen",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        base = keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        model = keras.Sequential([base, keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))


        def fine_tune():
            base.trainable = True
            model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        """,
        id="function-nothing-calls-is-not-a-flow",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        base = tf.keras.applications.VGG16(include_top=False, weights=None, pooling="avg")
        for layer in base.layers:
            layer.trainable = False
        model = tf.keras.Sequential([base, tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        for layer in base.layers:
            layer.trainable = False
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        """,
        id="layers-frozen-again-as-they-were",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras


        class Settings:
            trainable = False


        settings = Settings()
        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((8, 3)), np.zeros(8))
        settings.trainable = True
        model.fit(np.zeros((8, 3)), np.zeros(8))
        """,
        id="trainable-of-a-non-keras-object",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        base = keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        model = keras.Sequential([base, keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        base.trainable = True
        tuned = keras.models.clone_model(model)
        tuned.compile(optimizer="adam", loss="mse")
        tuned.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
        """,
        id="unfrozen-then-a-new-compiled-clone-trains",
    ),
]


@pytest.mark.parametrize(("src", "expected"), REPORTED)
def test_reports_trainable_change_before_uncompiled_training(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", NOT_REPORTED)
def test_silent_when_recompiled_before_first_training_or_unchanged(src: str) -> None:
    assert lines_of(src, CODE) == []


def test_message_names_the_flag_the_model_and_the_training_call_and_the_fix_is_display_only() -> (
    None
):
    src = REPORTED[0].values[0]
    [finding] = [f for f in lint_snippet(src, select=[CODE]) if f.code == CODE]
    assert "`base.trainable`" in finding.message
    assert "`model.fit` on line 13" in finding.message
    assert "model.compile(...)" in finding.message
    assert (finding.line, finding.column, finding.end_line) == (12, 1, 12)


def test_fix_recompiles_with_the_last_compile_arguments_before_the_training_call() -> None:
    import textwrap


    src = textwrap.dedent(REPORTED[0].values[0])
    [finding] = [f for f in lint_snippet(src, select=[CODE]) if f.code == CODE]
    fix = finding.fix
    assert fix is not None and fix.applicability == "display-only"
    [edit] = fix.edits
    assert (edit.line, edit.column, edit.end_line, edit.end_column) == (13, 1, 13, 1)
    assert edit.text == 'model.compile(optimizer="adam", loss="binary_crossentropy")\n'


MODELS = """\
    import keras


    def build(n_classes):
        base = keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        model = keras.Sequential([base, keras.layers.Dense(n_classes, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return model, base
    """

TRAIN = """\
    import numpy as np

    from models import build

    model, base = build(3)
    model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
    base.trainable = True
    model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))
    """


def test_model_built_by_a_helper_of_another_module(tree) -> None:
    assert tree_findings(tree({"models.py": MODELS, "train.py": TRAIN}), CODE) == [("train.py", 7)]


NB_SETUP = (
    "import numpy as np\nimport keras\n"
    'base = keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")\n'
    "base.trainable = False\n"
    "model = keras.Sequential([base, keras.layers.Dense(1)])\n"
    'model.compile(optimizer="adam", loss="mse")'
)
NB_FIT = "model.fit(np.zeros((2, 64, 64, 3)), np.zeros(2))"


def notebook_findings(root: Path, cells: list) -> list[tuple[int | None, int]]:
    nbformat.write(new_notebook(cells=cells), str(root / "finetune.ipynb"))
    result = lint_paths([root], select=[CODE])
    return sorted((f.cell, f.line) for f in result.findings if f.code == CODE)


def test_notebook_flow_across_cells(tmp_path: Path) -> None:
    cells = [
        new_code_cell(NB_SETUP),
        new_code_cell(NB_FIT),
        new_markdown_cell("## Fine-tuning"),
        new_code_cell("base.trainable = True"),
        new_code_cell(NB_FIT),
    ]
    assert notebook_findings(tmp_path, cells) == [(4, 1)]


def test_notebook_recompiled_in_a_later_cell(tmp_path: Path) -> None:
    cells = [
        new_code_cell(NB_SETUP),
        new_code_cell(NB_FIT),
        new_code_cell("base.trainable = True"),
        new_code_cell('model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="mse")'),
        new_code_cell(NB_FIT),
    ]
    assert notebook_findings(tmp_path, cells) == []
