"""KER303 jax-gpu-preallocation: Keras training on JAX lets XLA take 75 % of the GPU.

Reported at the first Keras ``fit`` of a program on the JAX backend (or at its call that leads to
training in another module) when nothing disables XLA's preallocation before JAX's first
operation.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import lines_of, tree_findings
from keras_lint.engine import lint_paths, lint_source

CODE = "KER303"

REPORTED = [
    pytest.param(
        """\
        import os

        os.environ["KERAS_BACKEND"] = "jax"

        import keras
        import numpy as np

        model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((64, 8)), np.zeros((64, 1)), epochs=2)
        """,
        [10],
        id="sequential-fit-on-jax",
    ),
    pytest.param(
        """\
        import os
        os.environ.setdefault("KERAS_BACKEND", "jax")
        import keras
        from keras import layers
        import numpy as np

        inputs = keras.Input(shape=(28, 28, 1))
        h = layers.Conv2D(8, 3, activation="relu")(inputs)
        h = layers.GlobalAveragePooling2D()(h)
        model = keras.Model(inputs, layers.Dense(10, activation="softmax")(h))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        history = model.fit(np.zeros((32, 28, 28, 1)), np.zeros(32), epochs=1)
        model.fit(np.zeros((32, 28, 28, 1)), np.zeros(32), epochs=1)
        """,
        [12],
        id="setdefault-functional-model-first-fit",
    ),
    pytest.param(
        """\
        import argparse
        import os

        os.environ["KERAS_BACKEND"] = "jax"
        import keras
        import numpy as np


        def main():
            parser = argparse.ArgumentParser()
            parser.add_argument("--epochs", type=int, default=3)
            args = parser.parse_args()
            model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
            model.compile(optimizer="sgd", loss="mse")
            model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=args.epochs)


        if __name__ == "__main__":
            main()
        """,
        [15],
        id="argparse-script-with-main-block",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        import jax
        import keras
        import numpy as np


        class Trainer(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(1)

            def call(self, x):
                return self.dense(x)

            def train_step(self, state, data):
                return super().train_step(state, data)


        model = Trainer()
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 3)), np.zeros((16, 1)), epochs=2)
        """,
        [22],
        id="subclassed-model-with-custom-train-step",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        # too late: the model above already made JAX reserve the GPU
        os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        [10],
        id="preallocate-false-after-the-model-is-built",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        import jax
        import keras
        import numpy as np

        print(jax.devices())
        os.environ["XLA_CLIENT_MEM_FRACTION"] = ".30"
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        [11],
        id="mem-fraction-after-jax-devices",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        import jax.numpy as jnp
        import keras

        x = jnp.ones((16, 4))
        os.environ["XLA_PYTHON_CLIENT_ALLOCATOR"] = "platform"
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, jnp.zeros((16, 1)), epochs=1)
        """,
        [10],
        id="allocator-after-a-jax-numpy-call",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.predict(np.zeros((2, 4)))
        os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        [10],
        id="preallocate-false-after-predict",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "true"
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        [9],
        id="preallocate-true-keeps-it-on",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        os.environ["XLA_PYTHON_CLIENT_ALLOCATOR"] = "cuda_async"
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        [9],
        id="cuda-async-allocator-still-preallocates",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        import keras
        import numpy as np


        def train(epochs):
            model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            return model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=epochs)


        history = train(5)
        """,
        [10],
        id="helper-function-called-at-top-level",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        os.environ["CUDA_VISIBLE_DEVICES"] = "0"
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        [9],
        id="cuda-visible-devices-naming-a-gpu",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)


        def unused():
            os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
        """,
        [8],
        id="setting-in-a-function-nothing-calls",
    ),
]

SILENT = [
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        id="preallocate-false-before-keras",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "0"
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        id="preallocate-zero",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        os.environ["XLA_PYTHON_CLIENT_MEM_FRACTION"] = ".25"
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        id="deprecated-mem-fraction",
    ),
    pytest.param(
        """\
        import os
        os.environ.update({"KERAS_BACKEND": "jax", "XLA_CLIENT_MEM_FRACTION": "0.9"})
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        id="mem-fraction-any-value-is-a-choice",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        os.environ["XLA_PYTHON_CLIENT_ALLOCATOR"] = "platform"
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        id="platform-allocator",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        import jax
        import keras
        import numpy as np

        # imports are not operations: the setting still comes first
        os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        id="setting-after-imports-before-any-operation",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "torch"
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        id="torch-backend",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        id="tensorflow-backend-is-ker301s",
    ),
    pytest.param(
        """\
        import os
        import keras
        import numpy as np

        os.environ["KERAS_BACKEND"] = "jax"  # after the import: Keras runs on TensorFlow
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        id="backend-set-after-keras-import-is-not-jax",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        os.environ["JAX_PLATFORMS"] = "cpu"
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        id="jax-platforms-cpu",
    ),
    pytest.param(
        """\
        import os
        os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
        os.environ["KERAS_BACKEND"] = "jax"
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        id="cuda-visible-devices-minus-one",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
        import jax
        jax.config.update("jax_platforms", "cpu")
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        id="no-visible-gpu-and-jax-config-cpu",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.evaluate(np.zeros((16, 4)), np.zeros((16, 1)))
        """,
        id="no-fit-no-training",
    ),
    pytest.param(
        """\
        import os


        def setup():
            os.environ["KERAS_BACKEND"] = "jax"
            os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"


        setup()
        import keras
        import numpy as np

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
        model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
        """,
        id="settings-made-by-a-called-helper",
    ),
    pytest.param(
        """\
        import os
        os.environ["KERAS_BACKEND"] = "jax"
        import keras
        import numpy as np


        def main():
            os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
            model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)


        if __name__ == "__main__":
            main()
        """,
        id="setting-first-thing-in-main",
    ),
]


@pytest.mark.parametrize(("src", "expected"), REPORTED)
def test_reports_first_fit_on_jax_without_disabling_preallocation(
    src: str, expected: list[int]
) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", SILENT)
def test_silent_when_preallocation_is_disabled_or_not_on_a_jax_gpu(src: str) -> None:
    assert lines_of(src, CODE) == []


def _findings(src: str) -> list:
    import textwrap

    return [f for f in lint_source(textwrap.dedent(src), "train.py") if f.code == CODE]


def test_a_setting_too_late_is_named_in_the_message() -> None:
    (finding,) = _findings(REPORTED[4].values[0])
    assert "XLA_PYTHON_CLIENT_PREALLOCATE is set on line 8" in finding.message
    assert "after JAX's first operation on line 6" in finding.message
    (finding,) = _findings(REPORTED[0].values[0])
    assert "never disables XLA's preallocation" in finding.message
    assert finding.severity == "warning"


def test_the_fix_shows_the_setting_after_keras_backend_and_is_never_applied() -> None:
    (finding,) = _findings(REPORTED[0].values[0])
    assert finding.fix is not None
    assert finding.fix.applicability == "display-only"
    (edit,) = finding.fix.edits
    assert (edit.line, edit.column, edit.end_line, edit.end_column) == (4, 1, 4, 1)
    assert edit.text == 'os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"\n'


def test_the_fix_is_not_offered_without_a_top_level_os_environ_statement() -> None:
    src = """\
    from os import environ
    environ["KERAS_BACKEND"] = "jax"
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.fit(np.zeros((16, 4)), np.zeros((16, 1)), epochs=1)
    """
    (finding,) = _findings(src)
    assert finding.fix is None


def test_the_fixed_program_is_clean() -> None:
    src = REPORTED[0].values[0]
    (finding,) = _findings(src)
    (edit,) = finding.fix.edits
    import textwrap

    lines = textwrap.dedent(src).splitlines(keepends=True)
    fixed = "".join(lines[: edit.line - 1]) + edit.text + "".join(lines[edit.line - 1 :])
    assert lines_of(fixed, CODE) == []


# -- trees: Dockerfile ENV, library modules, programs calling into them --------------------------

TRAIN_JAX = """\
import os
os.environ["KERAS_BACKEND"] = "jax"
import keras
import numpy as np

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
"""

TRAIN_PLAIN = """\
import keras
import numpy as np

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
"""

LIBRARY = """\
import keras
import numpy as np


def train_and_evaluate(epochs):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=epochs)
    return model
"""

TREE_REPORTED = [
    pytest.param(
        {
            "Dockerfile": "FROM python:3.12\nENV KERAS_BACKEND=jax\nCOPY . /app\n",
            "train.py": TRAIN_PLAIN,
        },
        [("train.py", 6)],
        id="dockerfile-env-chooses-jax",
    ),
    pytest.param(
        {
            "Dockerfile": (
                "FROM python:3.12\nENV KERAS_BACKEND=jax XLA_PYTHON_CLIENT_PREALLOCATE=true\n"
            ),
            "src/train.py": TRAIN_PLAIN,
        },
        [("src/train.py", 6)],
        id="dockerfile-of-a-folder-above-keeps-preallocation-on",
    ),
    pytest.param(
        {
            "service/Dockerfile": "FROM python:3.12\nENV XLA_PYTHON_CLIENT_PREALLOCATE=false\n",
            "trainer/train.py": TRAIN_JAX,
        },
        [("trainer/train.py", 8)],
        id="dockerfile-of-a-sibling-folder-does-not-count",
    ),
    pytest.param(
        {
            "pyproject.toml": "",
            "trainer/__init__.py": "",
            "trainer/model.py": LIBRARY,
            "trainer/task.py": """\
            import os
            os.environ["KERAS_BACKEND"] = "jax"

            from trainer.model import train_and_evaluate

            if __name__ == "__main__":
                train_and_evaluate(5)
            """,
        },
        [("trainer/task.py", 7)],
        id="program-reported-at-its-call-that-leads-to-training",
    ),
    pytest.param(
        {
            "pyproject.toml": "",
            "Dockerfile": "FROM python:3.12\nENV KERAS_BACKEND=jax\n",
            "trainer/__init__.py": "",
            "trainer/model.py": LIBRARY,
            "trainer/task.py": """\
            from trainer.model import train_and_evaluate

            train_and_evaluate(5)
            """,
        },
        # the library's training is reported once, at the program's call
        [("trainer/task.py", 3)],
        id="library-on-jax-judged-through-its-program",
    ),
    pytest.param(
        {
            "pyproject.toml": "",
            "Dockerfile": "FROM python:3.12\nENV KERAS_BACKEND=jax\n",
            "model.py": LIBRARY,
        },
        [("model.py", 8)],
        id="library-on-jax-that-no-program-calls",
    ),
]

TREE_SILENT = [
    pytest.param(
        {
            "Dockerfile": (
                "FROM python:3.12\nENV KERAS_BACKEND=jax\nENV XLA_PYTHON_CLIENT_PREALLOCATE=false\n"
            ),
            "train.py": TRAIN_PLAIN,
        },
        id="dockerfile-env-disables-preallocation",
    ),
    pytest.param(
        {
            "Dockerfile": "FROM python:3.12\nENV KERAS_BACKEND=jax XLA_CLIENT_MEM_FRACTION=.5\n",
            "app/train.py": TRAIN_PLAIN,
        },
        id="dockerfile-of-a-folder-above-sets-a-fraction",
    ),
    pytest.param(
        {
            "Dockerfile": "FROM python:3.12\nENV KERAS_BACKEND=jax\n",
            "train.py": """\
            import os
            os.environ["XLA_PYTHON_CLIENT_ALLOCATOR"] = "platform"
            import keras
            import numpy as np

            model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
            """,
        },
        id="dockerfile-backend-code-allocator",
    ),
    pytest.param(
        {
            "pyproject.toml": "",
            "Dockerfile": "FROM python:3.12\nENV KERAS_BACKEND=jax\n",
            "trainer/__init__.py": "",
            "trainer/model.py": LIBRARY,
            "trainer/task.py": """\
            import os
            os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"

            from trainer.model import train_and_evaluate

            if __name__ == "__main__":
                train_and_evaluate(5)
            """,
        },
        # the library module is the covered program's concern, and the program disables it
        id="library-module-called-by-a-covered-entry-point",
    ),
    pytest.param(
        {
            "pyproject.toml": "",
            "gpu_env.py": """\
            import os
            os.environ["KERAS_BACKEND"] = "jax"
            os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
            """,
            "train.py": """\
            import gpu_env
            import keras
            import numpy as np

            model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
            """,
        },
        id="settings-made-at-import-of-a-project-module",
    ),
    pytest.param(
        {
            "pyproject.toml": "",
            "config.py": """\
            import os


            def setup():
                os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"


            if __name__ == "__main__":
                import jax
                print(jax.devices())
            """,
            "train.py": """\
            import os
            os.environ["KERAS_BACKEND"] = "jax"
            import keras
            import numpy as np
            from config import setup

            setup()
            model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
            model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
            """,
        },
        # the helper module's main block does not run on import: nothing came before the setting
        id="operation-in-an-imported-modules-main-block-does-not-run",
    ),
    pytest.param(
        {"pyproject.toml": "", "model.py": LIBRARY},
        # the library alone: it never chooses JAX
        id="library-module-without-a-backend",
    ),
]


@pytest.mark.parametrize(("files", "expected"), TREE_REPORTED)
def test_tree_reports_jax_programs_that_keep_preallocation(tree, files, expected) -> None:
    assert tree_findings(tree(files), CODE) == expected


@pytest.mark.parametrize("files", TREE_SILENT)
def test_tree_silent_when_dockerfile_or_program_disables_preallocation(tree, files) -> None:
    assert tree_findings(tree(files), CODE) == []


def test_library_module_on_jax_reported_when_no_program_calls_it(tree) -> None:
    library = 'import os\nos.environ["KERAS_BACKEND"] = "jax"\n' + LIBRARY
    root = tree({"pyproject.toml": "", "model.py": library})
    assert tree_findings(root, CODE) == [("model.py", 10)]
    covered = tree(
        {
            "pyproject.toml": "",
            "model.py": library,
            "run.py": "import os\nos.environ['XLA_PYTHON_CLIENT_PREALLOCATE'] = 'false'\n"
            "import model\n",
        }
    )
    assert tree_findings(covered, CODE) == []


# -- notebooks --------------------------------------------------------------------------------


def write_notebook(path: Path, cells: list) -> Path:
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, str(path))
    return path


def notebook_findings(path: Path) -> list[tuple[int | None, int]]:
    result = lint_paths([path.parent], select=[CODE])
    return sorted((f.cell, f.line) for f in result.findings if f.code == CODE)


BUILD_CELL = """\
import keras
import numpy as np

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")"""

FIT_CELL = "history = model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=2)"


def test_notebook_with_env_magic_for_the_backend_is_reported(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path / "experiment.ipynb",
        [
            new_markdown_cell("# JAX experiment"),
            new_code_cell("%env KERAS_BACKEND=jax"),
            new_code_cell(BUILD_CELL),
            new_code_cell(FIT_CELL),
        ],
    )
    assert notebook_findings(path) == [(4, 1)]


def test_notebook_env_magic_disabling_preallocation_first_is_silent(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path / "experiment.ipynb",
        [
            new_code_cell("%env KERAS_BACKEND=jax\n%env XLA_PYTHON_CLIENT_PREALLOCATE=false"),
            new_code_cell(BUILD_CELL),
            new_code_cell(FIT_CELL),
        ],
    )
    assert notebook_findings(path) == []


def test_notebook_env_magic_after_the_model_cell_is_too_late(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path / "experiment.ipynb",
        [
            new_code_cell("%env KERAS_BACKEND=jax"),
            new_code_cell(BUILD_CELL),
            new_code_cell("%env XLA_PYTHON_CLIENT_PREALLOCATE=false"),
            new_code_cell(FIT_CELL),
        ],
    )
    assert notebook_findings(path) == [(4, 1)]


def test_an_imported_modules_main_block_does_not_run_when_it_is_imported(tmp_path: Path) -> None:
    """A helper module whose own ``__main__`` block builds a model: a
    program importing the module for ``configure()`` never runs that block."""
    (tmp_path / "environment.py").write_text(
        "import os\n"
        "\n"
        "\n"
        "def configure():\n"
        '    os.environ["KERAS_BACKEND"] = "jax"\n'
        '    os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"\n'
        "\n"
        "\n"
        "def smoke_test():\n"
        "    import keras\n"
        "\n"
        "    keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])\n"
        "\n"
        "\n"
        'if __name__ == "__main__":\n'
        "    smoke_test()\n"
    )
    (tmp_path / "train.py").write_text(
        "import numpy as np\n"
        "\n"
        "from environment import configure\n"
        "\n"
        "configure()\n"
        "import keras  # noqa: E402\n"
        "\n"
        "model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])\n"
        'model.compile(optimizer="adam", loss="mse")\n'
        "model.fit(np.zeros((4, 2)), np.zeros(4), epochs=1)\n"
    )
    assert tree_findings(tmp_path, CODE) == []
    # the same program without the setting is reported: the test can fail
    (tmp_path / "environment.py").write_text(
        (tmp_path / "environment.py")
        .read_text()
        .replace('    os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"\n', "")
    )
    assert tree_findings(tmp_path, CODE) == [("train.py", 10)]
