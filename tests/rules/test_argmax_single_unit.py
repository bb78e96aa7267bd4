"""KER202 argmax-on-single-unit-output: the class is the argmax of a one-column prediction.

Every snippet marks the lines where the finding is expected with ``# expect``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import lines_of, tree_findings
from keras_lint.analysis.facts import build_module_facts
from keras_lint.engine import lint_paths
from keras_lint.rules.argmax_single_unit import ArgmaxOnSingleUnitOutput

CODE = "KER202"


def expected_lines(src: str) -> list[int]:
    return [n for n, line in enumerate(textwrap.dedent(src).splitlines(), 1) if "# expect" in line]


#: indented like the snippets it starts, which are dedented as a whole
SEQUENTIAL = """\
        import keras
        import numpy as np

        model = keras.Sequential([
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(x_train, y_train, epochs=5)
"""

REPORTED = [
    pytest.param(
        SEQUENTIAL + "        classes = np.argmax(model.predict(x_test), axis=-1)  # expect\n",
        id="np-argmax-of-predict-last-axis",
    ),
    pytest.param(
        SEQUENTIAL
        + "        probs = model.predict(x_test)\n"
        + "        pred = np.argmax(probs, axis=1)  # expect\n",
        id="np-argmax-of-a-bound-prediction-axis-1",
    ),
    pytest.param(
        SEQUENTIAL + "        pred = model.predict(x_test).argmax(axis=-1)  # expect\n",
        id="argmax-method",
    ),
    pytest.param(
        SEQUENTIAL + "        pred = model.predict(x_test).argmax(1)  # expect\n",
        id="argmax-method-positional-axis",
    ),
    pytest.param(
        """\
        from tensorflow import keras
        import tensorflow as tf

        model = keras.models.Sequential()
        model.add(keras.layers.Dense(8, activation="relu", input_shape=(4,)))
        model.add(keras.layers.Dense(1, activation="sigmoid"))
        model.compile(optimizer="adam", loss="binary_crossentropy")
        pred = tf.argmax(model(x_batch), axis=1)  # expect
        """,
        id="tf-argmax-of-the-model-called-add-chain",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        inputs = tf.keras.Input(shape=(10,))
        hidden = tf.keras.layers.Dense(32, activation="relu")(inputs)
        outputs = tf.keras.layers.Dense(1, activation="sigmoid")(hidden)
        model = tf.keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="binary_crossentropy")
        y_pred = tf.math.argmax(model.predict(x_val), -1)  # expect
        """,
        id="functional-tf-math-argmax-positional-axis",
    ),
    pytest.param(
        """\
        import keras
        from keras import layers as L, ops

        class Scorer(keras.Model):
            def __init__(self):
                super().__init__()
                self.hidden = L.Dense(8, activation="relu")
                self.out = L.Dense(1, activation="sigmoid")

            def call(self, x):
                return self.out(self.hidden(x))

        model = Scorer()
        model.compile(optimizer="adam", loss="binary_crossentropy")
        labels = ops.argmax(model.predict(x_test), axis=-1)  # expect
        """,
        id="subclassed-keras-ops-argmax",
    ),
    pytest.param(
        """\
        import keras
        import keras.backend as K
        import numpy as np

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
        classes = K.argmax(model.predict(x))  # expect
        """,
        id="backend-argmax-default-last-axis-logit-output",
    ),
    pytest.param(
        """\
        import numpy as onp
        from keras.models import Sequential
        from keras.layers import Dense, Dropout

        def build():
            net = Sequential(
                [Dense(32, activation="relu"), Dropout(0.3), Dense(1, activation="sigmoid")]
            )
            net.compile(optimizer="adam", loss="binary_crossentropy")
            return net

        clf = build()
        clf.fit(X, y)
        submission = onp.argmax(clf.predict(X_test), axis=-1)  # expect
        """,
        id="builder-in-the-file-numpy-alias-dropout-after-dense",
    ),
    pytest.param(
        """\
        import argparse
        import numpy as np
        import tensorflow as tf

        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=5)
            args = parser.parse_args()
            model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation="sigmoid")])
            model.compile(optimizer="adam", loss="binary_crossentropy")
            model.fit(x, y, epochs=args.epochs)
            print(np.argmax(model.predict(x), axis=-1))  # expect

        if __name__ == "__main__":
            main()
        """,
        id="argparse-script",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        ds = tf.data.Dataset.from_tensor_slices(x).batch(32)
        pred = np.argmax(model.predict(ds), axis=-1)  # expect
        """,
        id="predict-of-a-tf-data-pipeline",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([
            tf.keras.layers.Conv2D(8, 3, activation="relu"),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(1),
            tf.keras.layers.Activation("sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        gen = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1 / 255)
        flow = gen.flow_from_directory("test", shuffle=False)
        pred = np.argmax(model.predict(flow), axis=1)  # expect
        """,
        id="separate-activation-layer-image-generator",
    ),
]

SILENT = [
    pytest.param(
        SEQUENTIAL + "        pred = (model.predict(x_test) > 0.5).astype('int32')\n",
        id="threshold",
    ),
    pytest.param(
        SEQUENTIAL + "        pred = np.argmax(model.predict(x_test))\n",
        id="argmax-without-axis-flattens",
    ),
    pytest.param(
        SEQUENTIAL + "        pred = np.argmax(model.predict(x_test), axis=0)\n", id="axis-0"
    ),
    pytest.param(
        SEQUENTIAL + "        import tensorflow as tf\n        pred = tf.argmax(model(x_test))\n",
        id="tf-argmax-default-axis-0",
    ),
    pytest.param(
        SEQUENTIAL.replace('Dense(1, activation="sigmoid")', 'Dense(10, activation="softmax")')
        + "pred = np.argmax(model.predict(x_test), axis=-1)\n",
        id="multi-class-head",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        model = keras.models.load_model("model.keras")
        pred = np.argmax(model.predict(x), axis=-1)
        """,
        id="loaded-model-unresolved",
    ),
    pytest.param(
        """\
        import numpy as np

        def score(model, x):
            return np.argmax(model.predict(x), axis=-1)
        """,
        id="model-of-unknown-origin",
    ),
    pytest.param(
        SEQUENTIAL + "        pred = np.argmax(model.predict(x_test)[:, 0], axis=-1)\n",
        id="argmax-of-a-column-slice-not-a-prediction",
    ),
    pytest.param(SEQUENTIAL + "        pred = np.argmax(y_test, axis=-1)\n", id="argmax-of-labels"),
    pytest.param(
        """\
        import keras
        import numpy as np

        inputs = keras.Input((4,))
        a = keras.layers.Dense(1, activation="sigmoid", name="a")(inputs)
        b = keras.layers.Dense(3, activation="softmax", name="b")(inputs)
        model = keras.Model(inputs, [a, b])
        pred = np.argmax(model.predict(x)[1], axis=-1)
        """,
        id="multi-output-model",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        model = keras.Sequential(
            [keras.layers.Dense(1, activation="sigmoid"), keras.layers.Flatten()]
        )
        pred = np.argmax(model.predict(x), axis=-1)
        """,
        id="unknown-width-after-flatten",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        model = keras.Sequential([keras.layers.Dense(2, activation="softmax")])
        probs = model.predict(x)
        pred = np.argmax(probs, axis=-1)
        """,
        id="two-unit-softmax",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np
        from some_library import make_model

        model = make_model()
        pred = np.argmax(model.predict(x), axis=-1)
        """,
        id="unresolved-builder",
    ),
    pytest.param(
        SEQUENTIAL
        + """\
        def plot_decision_boundary(model, X):
            y_pred = model.predict(X)
            if model.output_shape[-1] > 1:
                y_pred = np.argmax(y_pred, axis=1)
            else:
                y_pred = np.round(y_pred)
            return y_pred

        plot_decision_boundary(model, x_test)
        """,
        id="argmax-only-when-the-model-has-several-outputs",
    ),
    pytest.param(
        SEQUENTIAL
        + """\
        y_pred = model.predict(x_test)
        if len(y_pred[0]) > 1:
            classes = np.argmax(y_pred, axis=1)
        """,
        id="argmax-only-when-the-prediction-has-several-columns",
    ),
]


@pytest.mark.parametrize("src", REPORTED)
def test_argmax_of_a_one_unit_output_is_reported(src: str) -> None:
    assert lines_of(src, CODE) == expected_lines(src)


@pytest.mark.parametrize("src", SILENT)
def test_look_alikes_are_silent(src: str) -> None:
    assert lines_of(src, CODE) == []


def test_builder_in_another_module_of_the_tree(tmp_path: Path) -> None:
    files = {
        "models.py": """\
            import keras

            def build_model():
                model = keras.Sequential(
                    [keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1, "sigmoid")]
                )
                model.compile(optimizer="adam", loss="binary_crossentropy")
                return model
            """,
        "predict.py": """\
            import numpy as np
            from models import build_model

            model = build_model()
            model.fit(x, y)
            classes = np.argmax(model.predict(x_test), axis=-1)
            """,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    assert tree_findings(tmp_path, CODE) == [("predict.py", 6)]


def test_notebook_across_cells(tmp_path: Path) -> None:
    cells = [
        new_code_cell("import numpy as np\nfrom tensorflow import keras"),
        new_code_cell(
            "model = keras.Sequential([keras.layers.Dense(1, activation='sigmoid')])\n"
            "model.compile(optimizer='adam', loss='binary_crossentropy')"
        ),
        new_code_cell("probs = model.predict(x_test)"),
        new_code_cell("print(probs[:5])\nclasses = np.argmax(probs, axis=1)"),
    ]
    nbformat.write(new_notebook(cells=cells), str(tmp_path / "eval.ipynb"))
    result = lint_paths([tmp_path], select=[CODE])
    assert [(f.cell, f.line) for f in result.findings] == [(4, 2)]


def test_message_names_the_prediction_the_layer_and_the_remedy() -> None:
    src = SEQUENTIAL + "        classes = np.argmax(model.predict(x_test), axis=-1)\n"
    (finding,) = [f for f in __import__("conftest").lint_snippet(src, select=[CODE])]
    assert "`np.argmax` of the predictions of `model`" in finding.message
    assert "(line 6)" in finding.message and "one unit" in finding.message
    assert "p > 0.5" in finding.message


def _fixes(src: str) -> list[tuple[str, str, str]]:
    module = cst.parse_module(textwrap.dedent(src))
    facts = build_module_facts(module, "train.py")
    found = []
    for _, fix in ArgmaxOnSingleUnitOutput().findings(facts):
        assert fix is not None
        (edit,) = fix.edits
        found.append((fix.applicability, module.code_for_node(edit.node), edit.text))
    return found


def test_sigmoid_output_gets_a_safe_threshold_fix_that_keeps_the_shape() -> None:
    src = SEQUENTIAL + "        classes = np.argmax(model.predict(x_test), axis=-1)\n"
    assert _fixes(src) == [
        (
            "safe",
            "np.argmax(model.predict(x_test), axis=-1)",
            '(model.predict(x_test)[..., 0] > 0.5).astype("int32")',
        )
    ]
    src = SEQUENTIAL + "        p = model.predict(x_test)\n        classes = p.argmax(axis=1)\n"
    assert _fixes(src) == [("safe", "p.argmax(axis=1)", '(p[..., 0] > 0.5).astype("int32")')]


def test_the_threshold_fix_is_what_the_fixture_measures() -> None:
    """The fixture's good program uses the same expression the fix writes."""
    good = Path(__file__).resolve().parents[2] / "fixtures/argmax-on-single-unit-output/good.py"
    assert '(probabilities[..., 0] > 0.5).astype("int32")' in good.read_text(encoding="utf-8")


def test_logit_output_gets_no_automatic_fix() -> None:
    src = """\
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        classes = np.argmax(model.predict(x), axis=-1)
        """
    module = cst.parse_module(textwrap.dedent(src))
    facts = build_module_facts(module, "train.py")
    assert [fix for _, fix in ArgmaxOnSingleUnitOutput().findings(facts)] == [None]
