"""KER603 shuffled-predict-labels: predictions of a reshuffling iterator scored against labels
read in another pass. Every snippet marks the lines where the finding is expected with
``# expect``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import lines_of, lint_snippet, tree_findings
from keras_lint.analysis.facts import build_module_facts
from keras_lint.engine import lint_paths
from keras_lint.rules.shuffled_predict_labels import ShuffledPredictLabels

CODE = "KER603"


def expected_lines(src: str) -> list[int]:
    return [n for n, line in enumerate(textwrap.dedent(src).splitlines(), 1) if "# expect" in line]


#: indented like the snippets it starts, which are dedented as a whole
GENERATOR = """\
        import numpy as np
        from sklearn.metrics import classification_report, confusion_matrix
        from tensorflow.keras.preprocessing.image import ImageDataGenerator

        datagen = ImageDataGenerator(rescale=1.0 / 255)
"""

REPORTED = [
    pytest.param(
        GENERATOR
        + """\
        test_gen = datagen.flow_from_directory("data/test", target_size=(64, 64))
        probabilities = model.predict(test_gen)  # expect
        print(confusion_matrix(test_gen.classes, probabilities.argmax(axis=1)))
        """,
        id="flow-from-directory-classes-confusion-matrix",
    ),
    pytest.param(
        GENERATOR
        + """\
        test_gen = datagen.flow_from_directory("data/test", shuffle=True, batch_size=16)
        test_gen.reset()
        pred = np.argmax(model.predict_generator(test_gen, steps=len(test_gen)), axis=1)  # expect
        print(classification_report(test_gen.classes, pred))
        """,
        id="predict-generator-after-reset",
    ),
    pytest.param(
        GENERATOR
        + """\
        test_gen = datagen.flow_from_dataframe(df, directory="img", x_col="f", y_col="label")
        pred = model.predict(test_gen)  # expect
        acc = (np.argmax(pred, axis=1) == test_gen.labels).mean()
        """,
        id="flow-from-dataframe-labels-equality",
    ),
    pytest.param(
        GENERATOR
        + """\
        x_test, y_test = np.load("x_test.npy"), np.load("y_test.npy")
        test_flow = datagen.flow(x_test, y_test, batch_size=32)
        pred = model.predict(test_flow)  # expect
        from sklearn.metrics import accuracy_score
        print(accuracy_score(y_test, pred > 0.5))
        """,
        id="flow-of-arrays-scored-against-its-arrays",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np
        from sklearn.metrics import accuracy_score

        test_ds = keras.utils.image_dataset_from_directory("test", image_size=(64, 64))
        probs = model.predict(test_ds)  # expect
        labels = np.concatenate([y for x, y in test_ds], axis=0)
        print(accuracy_score(labels, probs.argmax(axis=-1)))
        """,
        id="image-dataset-from-directory-labels-from-a-second-loop",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from sklearn.metrics import f1_score

        val_ds = tf.keras.utils.image_dataset_from_directory("val", shuffle=True, seed=1)
        y_true = []
        for images, labels in val_ds:
            y_true.extend(labels.numpy())
        y_pred = model.predict(val_ds).argmax(axis=1)  # expect
        print(f1_score(y_true, y_pred, average="macro"))
        """,
        id="tf-keras-utils-labels-collected-in-a-loop-before",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from sklearn.metrics import roc_auc_score

        x_test, y_test = load_split("test")
        ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).shuffle(1000).batch(64)
        scores = model.predict(ds)  # expect
        print(roc_auc_score(y_test, scores))
        """,
        id="tf-data-shuffle-scored-against-its-arrays",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np
        from sklearn.metrics import confusion_matrix

        ds = keras.utils.text_dataset_from_directory("reviews/test", batch_size=32)
        predictions = model(next(iter(ds))[0])
        all_pred = model.predict(ds)  # expect
        true = np.concatenate([y.numpy() for _, y in ds])
        print(confusion_matrix(true, np.round(all_pred)))
        """,
        id="text-dataset-from-directory",
    ),
    pytest.param(
        """\
        import argparse
        from keras.preprocessing.image import ImageDataGenerator as IDG
        from sklearn import metrics

        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--test-dir")
            args = parser.parse_args()
            gen = IDG().flow_from_directory(args.test_dir, (224, 224))
            y_prob = model.predict(gen)  # expect
            print(metrics.confusion_matrix(gen.classes, y_prob.argmax(1)))

        if __name__ == "__main__":
            main()
        """,
        id="argparse-script-aliased-generator",
    ),
    pytest.param(
        GENERATOR
        + """\
        def make_test_gen(path):
            return datagen.flow_from_directory(path, class_mode="binary")

        gen = make_test_gen("test")
        p = model.predict(gen)  # expect
        print(confusion_matrix(gen.classes, (p > 0.5).astype(int)))
        """,
        id="generator-made-by-a-helper-in-the-file",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from sklearn.metrics import accuracy_score

        x, y = load_split("test")
        ds = tf.data.Dataset.from_tensor_slices((x, y))
        ds = ds.shuffle(512).batch(32).prefetch(tf.data.AUTOTUNE)
        labels = [t.numpy() for _, batch in ds for t in batch]
        preds = model.predict(ds).argmax(-1)  # expect
        print(accuracy_score(labels, preds))
        """,
        id="tf-data-pipeline-reassigned-labels-from-a-comprehension",
    ),
    pytest.param(
        GENERATOR
        + """\
        test_gen = datagen.flow_from_directory("test")
        probabilities = model.predict(test_gen, steps=len(test_gen))  # expect
        y_true = test_gen.classes
        y_pred = np.argmax(probabilities, axis=1)
        correct = y_pred == y_true
        """,
        id="equality-of-bound-values",
    ),
    pytest.param(
        """\
        import numpy as np
        from keras_preprocessing.image import ImageDataGenerator
        from sklearn.metrics import accuracy_score

        validation_generator = ImageDataGenerator(rescale=1.0 / 255).flow_from_directory(
            "iris", target_size=(256, 256), class_mode="categorical", shuffle=True
        )
        validation_generator.reset()
        pred = model.predict(validation_generator)  # expect
        correct = accuracy_score(validation_generator.classes, np.argmax(pred, axis=1))
        """,
        id="standalone-keras-preprocessing-after-reset",
    ),
]

SILENT = [
    pytest.param(
        GENERATOR
        + """\
        test_gen = datagen.flow_from_directory("data/test", shuffle=False)
        probabilities = model.predict(test_gen)
        print(confusion_matrix(test_gen.classes, probabilities.argmax(axis=1)))
        """,
        id="shuffle-false",
    ),
    pytest.param(
        GENERATOR
        + """\
        test_gen = datagen.flow_from_directory("test", None, "rgb", None, "categorical", 32, False)
        probabilities = model.predict(test_gen)
        print(confusion_matrix(test_gen.classes, probabilities.argmax(axis=1)))
        """,
        id="shuffle-false-positional",
    ),
    pytest.param(
        """\
        import numpy as np
        import keras

        test_ds = keras.utils.image_dataset_from_directory("test")
        y_true, y_pred = [], []
        for images, labels in test_ds:
            y_true.append(labels.numpy())
            y_pred.append(model.predict(images).argmax(axis=1))
        print((np.concatenate(y_true) == np.concatenate(y_pred)).mean())
        """,
        id="labels-and-predictions-from-the-same-loop",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from sklearn.metrics import accuracy_score

        ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(64)
        print(accuracy_score(y_test, model.predict(ds).argmax(-1)))
        """,
        id="tf-data-without-shuffle",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from sklearn.metrics import accuracy_score

        ds = tf.data.Dataset.from_tensor_slices((x_test, y_test))
        ds = ds.shuffle(100, reshuffle_each_iteration=False).batch(64)
        print(accuracy_score(y_test, model.predict(ds).argmax(-1)))
        """,
        id="tf-data-shuffled-once",
    ),
    pytest.param(
        GENERATOR
        + """\
        test_gen = datagen.flow_from_directory("data/test")
        loss, acc = model.evaluate(test_gen)
        print(acc)
        """,
        id="evaluate-only",
    ),
    pytest.param(
        GENERATOR
        + """\
        test_gen = datagen.flow_from_directory("data/test")
        probabilities = model.predict(test_gen)
        print(probabilities[:10], test_gen.class_indices)
        """,
        id="predictions-never-compared",
    ),
    pytest.param(
        GENERATOR
        + """\
        train_gen = datagen.flow_from_directory("data/train")
        test_gen = datagen.flow_from_directory("data/test", shuffle=False)
        model.fit(train_gen, epochs=5)
        probabilities = model.predict(test_gen)
        print(confusion_matrix(test_gen.classes, probabilities.argmax(axis=1)))
        """,
        id="shuffling-training-generator-unshuffled-test-generator",
    ),
    pytest.param(
        """\
        from sklearn.metrics import accuracy_score

        probs = model.predict(x_test)
        print(accuracy_score(y_test, probs.argmax(axis=1)))
        """,
        id="arrays",
    ),
    pytest.param(
        GENERATOR
        + """\
        gen = datagen.flow(x_test, batch_size=32)
        x_batch, y_batch = next(gen)
        pred = model.predict(x_batch)
        print(confusion_matrix(y_batch, pred.argmax(axis=1)))
        """,
        id="one-batch-taken-once",
    ),
    pytest.param(
        GENERATOR
        + """\
        gen = datagen.flow_from_directory("test")
        p1 = model.predict(gen)
        p2 = other_model.predict(gen)
        agree = (p1.argmax(1) == p2.argmax(1)).mean()
        """,
        id="two-predictions-compared-with-each-other",
    ),
    pytest.param(
        GENERATOR
        + """\
        gen = datagen.flow_from_directory("test", shuffle=flag)
        p = model.predict(gen)
        print(confusion_matrix(gen.classes, p.argmax(1)))
        """,
        id="shuffle-unknown",
    ),
]


@pytest.mark.parametrize("src", REPORTED)
def test_predictions_of_a_reshuffling_iterator_scored_against_another_pass(src: str) -> None:
    assert lines_of(src, CODE) == expected_lines(src)


@pytest.mark.parametrize("src", SILENT)
def test_look_alikes_are_silent(src: str) -> None:
    assert lines_of(src, CODE) == []


def test_generator_made_in_another_module_of_the_tree(tmp_path: Path) -> None:
    files = {
        "data.py": """\
            from keras.preprocessing.image import ImageDataGenerator

            def test_generator(path):
                return ImageDataGenerator(rescale=1 / 255).flow_from_directory(path)
            """,
        "evaluate.py": """\
            from sklearn.metrics import confusion_matrix
            from data import test_generator

            gen = test_generator("test")
            probs = model.predict(gen)
            print(confusion_matrix(gen.classes, probs.argmax(axis=1)))
            """,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    assert tree_findings(tmp_path, CODE) == [("evaluate.py", 5)]


def test_notebook_across_cells(tmp_path: Path) -> None:
    cells = [
        new_code_cell(
            "import keras\nimport numpy as np\nfrom sklearn.metrics import confusion_matrix"
        ),
        new_code_cell("test_ds = keras.utils.image_dataset_from_directory('test')"),
        new_code_cell("preds = model.predict(test_ds)"),
        new_code_cell(
            "y = np.concatenate([l for _, l in test_ds])\nconfusion_matrix(y, preds.argmax(1))"
        ),
    ]
    nbformat.write(new_notebook(cells=cells), str(tmp_path / "eval.ipynb"))
    result = lint_paths([tmp_path], select=[CODE])
    assert [(f.cell, f.line) for f in result.findings] == [(3, 1)]


def test_message_names_the_iterator_its_line_the_comparison_and_the_remedy() -> None:
    src = REPORTED[0].values[0]
    (finding,) = lint_snippet(src, select=[CODE])
    assert finding.message.startswith("`model.predict(test_gen)` reads an iterator")
    assert "(`flow_from_directory`, line 6)" in finding.message
    assert "`confusion_matrix` at line 8" in finding.message
    assert "pass `shuffle=False`" in finding.message


def _fixes(src: str) -> list[tuple[str, str, str, str] | None]:
    module = cst.parse_module(textwrap.dedent(src))
    facts = build_module_facts(module, "evaluate.py")
    found: list[tuple[str, str, str, str] | None] = []
    for _, fix in ShuffledPredictLabels().findings(facts):
        if fix is None:
            found.append(None)
            continue
        (edit,) = fix.edits
        found.append((fix.applicability, module.code_for_node(edit.node), edit.place, edit.text))
    return found


def test_an_iterator_used_only_for_prediction_gets_a_safe_shuffle_false() -> None:
    assert _fixes(REPORTED[0].values[0]) == [
        ("safe", "target_size=(64, 64)", "after", ", shuffle=False")
    ]
    assert _fixes(REPORTED[1].values[0]) == [("safe", "True", "replace", "False")]


def test_an_iterator_that_also_trains_or_a_tf_data_shuffle_gets_no_fix() -> None:
    trains = (
        GENERATOR
        + """\
        x, y = np.load("x.npy"), np.load("y.npy")
        gen = datagen.flow(x, y)
        model.fit(gen, epochs=3)
        p = model.predict(gen)
        print(confusion_matrix(y, p.argmax(1)))
        """
    )
    assert _fixes(trains) == [None]
    assert _fixes(REPORTED[6].values[0]) == [None]
