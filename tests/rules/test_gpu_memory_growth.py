"""KER301 missing-gpu-memory-growth: a training entry point lets TF reserve all GPU memory.

Reported once per module, at the first Keras ``fit`` call on a known model, when nothing in the
module (or its called helpers, or the project's Dockerfile) enables memory growth or a memory limit.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import lines_of, tree_findings, write_tree
from keras_lint.engine import lint_paths

CODE = "KER301"

REPORTED = [
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        x = np.random.rand(1000, 20).astype("float32")
        y = np.random.randint(0, 2, size=(1000, 1))

        model = tf.keras.Sequential([
            tf.keras.layers.Input(shape=(20,)),
            tf.keras.layers.Dense(64, activation="relu"),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        model.fit(x, y, epochs=5, batch_size=32)
        """,
        [13],
        id="tf-keras-sequential-fit-without-growth",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras

        inputs = keras.Input(shape=(28, 28, 1))
        h = keras.layers.Conv2D(32, 3, activation="relu")(inputs)
        h = keras.layers.GlobalAveragePooling2D()(h)
        outputs = keras.layers.Dense(10, activation="softmax")(h)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")

        x = np.random.rand(256, 28, 28, 1)
        y = np.random.randint(0, 10, size=(256,))
        history = model.fit(x, y, epochs=3, validation_split=0.1)
        """,
        [13],
        id="from-tensorflow-import-keras-functional-model",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np

        # Keras 3 without KERAS_BACKEND runs on its default backend, TensorFlow
        model = keras.Sequential([
            keras.layers.Input(shape=(8,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1),
        ])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((64, 8)), np.zeros((64, 1)), epochs=2)
        """,
        [11],
        id="keras3-default-backend-is-tensorflow",
    ),
    pytest.param(
        """\
        import keras
        import numpy as np
        from keras import layers as L

        model = keras.Sequential()
        model.add(L.Input(shape=(32,)))
        model.add(L.Dense(64, activation="relu"))
        model.add(L.Dropout(0.2))
        model.add(L.Dense(3, activation="softmax"))
        model.compile(optimizer="adam", loss="categorical_crossentropy")

        x = np.random.rand(128, 32)
        y = keras.utils.to_categorical(np.random.randint(0, 3, 128), 3)
        model.fit(x, y, epochs=4)
        """,
        [14],
        id="layers-alias-L-with-add-chain",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf


        class Classifier(tf.keras.Model):
            def __init__(self, num_classes):
                super().__init__()
                self.hidden = tf.keras.layers.Dense(128, activation="relu")
                self.out = tf.keras.layers.Dense(num_classes)

            def call(self, inputs):
                return self.out(self.hidden(inputs))


        model = Classifier(10)
        model.compile(
            optimizer="adam",
            loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        model.fit(np.random.rand(100, 16), np.random.randint(0, 10, 100), epochs=2)
        """,
        [20],
        id="subclassed-model-instance",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        model = tf.keras.models.load_model("checkpoints/base.keras")
        x_new = np.load("data/x_new.npy")
        y_new = np.load("data/y_new.npy")
        model.fit(x_new, y_new, epochs=1)
        model.save("checkpoints/finetuned.keras")
        """,
        [7],
        id="fine-tuning-a-loaded-model",
    ),
    pytest.param(
        """\
        import numpy as np
        from tensorflow import keras


        def build_model(input_dim):
            model = keras.Sequential([
                keras.layers.Input(shape=(input_dim,)),
                keras.layers.Dense(32, activation="relu"),
                keras.layers.Dense(1),
            ])
            model.compile(optimizer="adam", loss="mse")
            return model


        x = np.random.rand(500, 12)
        y = np.random.rand(500, 1)
        model = build_model(12)
        model.fit(x, y, epochs=10, batch_size=64)
        """,
        [18],
        id="model-returned-by-helper-in-same-file",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf


        def make_model():
            model = tf.keras.Sequential([
                tf.keras.layers.Input(shape=(4,)),
                tf.keras.layers.Dense(3, activation="softmax"),
            ])
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
            return model


        def main():
            x = np.random.rand(150, 4)
            y = np.random.randint(0, 3, 150)
            model = make_model()
            model.fit(x, y, epochs=20)
            model.save("iris.keras")


        if __name__ == "__main__":
            main()
        """,
        [18],
        id="script-with-main-guard",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(10,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        x = np.random.rand(200, 10)
        y = np.random.rand(200, 1)
        model.fit(x, y, epochs=5)
        # second stage at a lower learning rate
        model.optimizer.learning_rate = 1e-4
        model.fit(x, y, epochs=5)
        """,
        [8],
        id="reported-once-at-the-first-of-two-fits",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(6,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        history = model.fit(
            np.random.rand(64, 6),
            np.random.rand(64, 1),
            epochs=3,
            batch_size=16,
            verbose=2,
        )
        """,
        [6],
        id="multi-line-fit-reported-where-the-call-starts",
    ),
    pytest.param(
        """\
        import os

        # "false" explicitly keeps TensorFlow's grab-everything behaviour
        os.environ["TF_FORCE_GPU_ALLOW_GROWTH"] = "false"

        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        [11],
        id="allow-growth-env-set-to-false",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):
            # False is the default: this does not enable growth
            tf.config.experimental.set_memory_growth(gpu, False)

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        [10],
        id="set-memory-growth-false",
    ),
    pytest.param(
        """\
        import os

        os.environ["KERAS_BACKEND"] = "tensorflow"

        import keras
        import numpy as np

        model = keras.Sequential([keras.layers.Input(shape=(5,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((16, 5)), np.zeros((16, 1)))
        """,
        [10],
        id="keras-backend-explicitly-tensorflow",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf


        def enable_memory_growth():
            for gpu in tf.config.list_physical_devices("GPU"):
                tf.config.experimental.set_memory_growth(gpu, True)


        # the helper exists but is never called, so growth is never enabled
        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        [13],
        id="growth-helper-defined-but-never-called",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        # hiding GPUs or listing them is not a memory policy
        gpus = tf.config.list_physical_devices("GPU")
        print(f"found {len(gpus)} GPUs")
        if gpus:
            tf.config.set_visible_devices(gpus[0], "GPU")

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        [12],
        id="set-visible-devices-is-not-growth",
    ),
    pytest.param(
        """\
        import os

        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
        os.environ["CUDA_VISIBLE_DEVICES"] = "0"

        import numpy as np
        import tensorflow as tf

        tf.keras.mixed_precision.set_global_policy("mixed_float16")
        model = tf.keras.Sequential([
            tf.keras.layers.Input(shape=(3,)),
            tf.keras.layers.Dense(1, dtype="float32"),
        ])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        [15],
        id="other-tf-environment-settings-do-not-count",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from tensorflow import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
        x_train, x_test = x_train / 255.0, x_test / 255.0
        train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(10_000).batch(128)
        test_ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(128)

        model = keras.Sequential([
            keras.layers.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10),
        ])
        model.compile(
            optimizer="adam",
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            metrics=["accuracy"],
        )
        model.evaluate(test_ds)
        model.fit(train_ds, validation_data=test_ds, epochs=5)
        model.evaluate(test_ds)
        """,
        [21],
        id="fit-on-tf-data-after-an-evaluate",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        base = tf.keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")
        base.trainable = False
        inputs = tf.keras.Input(shape=(224, 224, 3))
        outputs = tf.keras.layers.Dense(5, activation="softmax")(base(inputs, training=False))
        model = tf.keras.Model(inputs=inputs, outputs=outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(np.zeros((8, 224, 224, 3)), np.zeros((8,)), epochs=1)
        """,
        [10],
        id="transfer-learning-functional-model",
    ),
]

SILENT = [
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):
            tf.config.experimental.set_memory_growth(gpu, True)

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        id="set-memory-growth-loop",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            try:
                for gpu in gpus:
                    tf.config.experimental.set_memory_growth(gpu, True)
            except RuntimeError as e:
                # memory growth must be set before GPUs have been initialized
                print(e)

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        id="set-memory-growth-in-try-except-as-in-the-tf-guide",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        physical_devices = tf.config.list_physical_devices("GPU")
        tf.config.experimental.set_memory_growth(physical_devices[0], enable=True)

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        id="set-memory-growth-with-enable-keyword",
    ),
    pytest.param(
        """\
        import os

        os.environ["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"

        import numpy as np
        from tensorflow import keras

        model = keras.Sequential([keras.layers.Input(shape=(3,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        id="allow-growth-env-assigned",
    ),
    pytest.param(
        """\
        import os

        os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")

        import keras
        import numpy as np

        model = keras.Sequential([keras.layers.Input(shape=(3,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        id="allow-growth-env-setdefault",
    ),
    pytest.param(
        """\
        import os

        os.environ.update({
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "TF_FORCE_GPU_ALLOW_GROWTH": "true",
        })

        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        id="allow-growth-env-update-dict",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            tf.config.set_logical_device_configuration(
                gpus[0],
                [tf.config.LogicalDeviceConfiguration(memory_limit=4096)],
            )

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        id="memory-limit-via-logical-device-configuration",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        gpus = tf.config.experimental.list_physical_devices("GPU")
        tf.config.experimental.set_virtual_device_configuration(
            gpus[0],
            [tf.config.experimental.VirtualDeviceConfiguration(memory_limit=2048)],
        )

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        id="memory-limit-via-experimental-virtual-device-configuration",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        config = tf.compat.v1.ConfigProto()
        config.gpu_options.allow_growth = True
        session = tf.compat.v1.Session(config=config)
        tf.compat.v1.keras.backend.set_session(session)

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        id="tf1-configproto-allow-growth",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf


        def configure_gpus():
            for gpu in tf.config.list_physical_devices("GPU"):
                tf.config.experimental.set_memory_growth(gpu, True)


        def main():
            configure_gpus()
            model = tf.keras.Sequential([
                tf.keras.layers.Input(shape=(3,)),
                tf.keras.layers.Dense(1),
            ])
            model.compile(optimizer="adam", loss="mse")
            model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)


        if __name__ == "__main__":
            main()
        """,
        id="growth-helper-in-same-file-called-from-main",
    ),
    pytest.param(
        """\
        import os

        os.environ["KERAS_BACKEND"] = "jax"

        import keras
        import numpy as np

        model = keras.Sequential([keras.layers.Input(shape=(3,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        id="keras-backend-jax",
    ),
    pytest.param(
        """\
        import os

        os.environ["KERAS_BACKEND"] = "torch"

        import keras
        import numpy as np
        from keras import layers as L

        model = keras.Sequential([L.Input(shape=(3,)), L.Dense(8, activation="relu"), L.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
        """,
        id="keras-backend-torch",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        # inference only: TF still grabs the GPU, but this module is not a training entry point
        model = tf.keras.models.load_model("model.keras")
        x = np.load("batch.npy")
        predictions = model.predict(x, batch_size=256)
        np.save("predictions.npy", predictions)
        """,
        id="predict-only-inference-script",
    ),
    pytest.param(
        """\
        import tensorflow as tf

        model = tf.keras.models.load_model("model.keras")
        test_ds = tf.data.Dataset.load("data/test")
        loss, accuracy = model.evaluate(test_ds)
        print(f"test accuracy {accuracy:.3f}")
        """,
        id="evaluate-only-script",
    ),
    pytest.param(
        """\
        import numpy as np
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.linear_model import LogisticRegression

        x = np.random.rand(100, 4)
        y = np.random.randint(0, 2, 100)
        LogisticRegression(max_iter=200).fit(x, y)
        forest = RandomForestClassifier(n_estimators=100)
        forest.fit(x, y)
        """,
        id="sklearn-fit-only",
    ),
    pytest.param(
        """\
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        optimizer = tf.keras.optimizers.Adam(1e-3)
        loss_fn = tf.keras.losses.MeanSquaredError()
        dataset = tf.data.Dataset.from_tensor_slices(
            (np.zeros((32, 3), "float32"), np.zeros((32, 1), "float32"))
        ).batch(8)

        # custom GradientTape loops are out of the rule's scope
        for epoch in range(3):
            for x, y in dataset:
                with tf.GradientTape() as tape:
                    loss = loss_fn(y, model(x, training=True))
                grads = tape.gradient(loss, model.trainable_variables)
                optimizer.apply_gradients(zip(grads, model.trainable_variables))
        """,
        id="custom-gradient-tape-loop",
    ),
    pytest.param(
        """\
        import tensorflow as tf


        def train(model, train_ds, val_ds, epochs=10):
            # the model's origin is unknown here: it may not even be a Keras model
            callbacks = [tf.keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)]
            return model.fit(train_ds, validation_data=val_ds, epochs=epochs, callbacks=callbacks)
        """,
        id="fit-on-a-parameter-of-unknown-origin",
    ),
    pytest.param(
        """\
        import numpy as np
        from model_zoo import get_pretrained

        # get_pretrained lives outside the linted tree: the returned object is unknown
        model = get_pretrained("resnet50")
        model.fit(np.zeros((8, 224, 224, 3)), np.zeros((8,)), epochs=1)
        """,
        id="fit-on-object-from-unknown-external-function",
    ),
    pytest.param(
        """\
        import os

        import numpy as np
        import tensorflow as tf


        def main():
            os.environ["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"
            model = tf.keras.Sequential([
                tf.keras.layers.Input(shape=(3,)),
                tf.keras.layers.Dense(1),
            ])
            model.compile(optimizer="adam", loss="mse")
            model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)


        if __name__ == "__main__":
            main()
        """,
        id="allow-growth-env-set-inside-main",
    ),
]


@pytest.mark.parametrize(("src", "expected"), REPORTED)
def test_reports_first_fit_without_gpu_memory_growth(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


@pytest.mark.parametrize("src", SILENT)
def test_silent_when_growth_is_enabled_or_module_does_not_train_with_keras_fit(src: str) -> None:
    assert lines_of(src, CODE) == []


TRAIN_PY = """\
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
"""

GPU_SETUP_PY = """\
import tensorflow as tf


def enable_growth():
    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)
"""

MODELS_PY = """\
from tensorflow import keras


def build_model():
    model = keras.Sequential([keras.layers.Input(shape=(3,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model
"""

TREE_REPORTED = [
    pytest.param(
        {
            "service/Dockerfile": "FROM python:3.11\nENV TF_FORCE_GPU_ALLOW_GROWTH=true\n",
            "trainer/train.py": TRAIN_PY,
        },
        # a Dockerfile covers the Python files of its own build folder, not a sibling's
        [("trainer/train.py", 6)],
        id="dockerfile-of-a-sibling-folder-does-not-count",
    ),
    pytest.param(
        {"train.py": TRAIN_PY},
        [("train.py", 6)],
        id="tree-without-dockerfile",
    ),
    pytest.param(
        {
            "Dockerfile": """\
            FROM tensorflow/tensorflow:2.16.1-gpu
            ENV PYTHONUNBUFFERED=1
            COPY train.py /app/train.py
            CMD ["python", "/app/train.py"]
            """,
            "train.py": TRAIN_PY,
        },
        [("train.py", 6)],
        id="dockerfile-env-without-allow-growth",
    ),
    pytest.param(
        {
            "Dockerfile": """\
            FROM tensorflow/tensorflow:2.16.1-gpu
            ENV TF_FORCE_GPU_ALLOW_GROWTH=false
            COPY train.py /app/train.py
            CMD ["python", "/app/train.py"]
            """,
            "train.py": TRAIN_PY,
        },
        [("train.py", 6)],
        id="dockerfile-allow-growth-false",
    ),
    pytest.param(
        {
            "models.py": MODELS_PY,
            "train.py": """\
            import numpy as np

            from models import build_model

            model = build_model()
            model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
            """,
        },
        [("train.py", 6)],
        id="model-returned-by-helper-in-another-module",
    ),
    pytest.param(
        {
            "gpu_setup.py": GPU_SETUP_PY,
            "train.py": """\
            import numpy as np
            import tensorflow as tf

            # imported, never called
            from gpu_setup import enable_growth

            model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
            """,
        },
        [("train.py", 9)],
        id="growth-helper-from-another-module-imported-but-not-called",
    ),
    pytest.param(
        {
            "gpu_setup.py": GPU_SETUP_PY,
            "train_a.py": """\
            import numpy as np
            import tensorflow as tf

            from gpu_setup import enable_growth

            enable_growth()
            model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
            """,
            "train_b.py": TRAIN_PY,
        },
        # the rule is per module: train_a enabling growth does not cover train_b
        [("train_b.py", 6)],
        id="only-the-module-that-does-not-enable-growth",
    ),
]

TREE_SILENT = [
    pytest.param(
        {
            "Dockerfile": """\
            FROM tensorflow/tensorflow:2.16.1-gpu
            ENV TF_FORCE_GPU_ALLOW_GROWTH=true
            COPY train.py /app/train.py
            CMD ["python", "/app/train.py"]
            """,
            "train.py": TRAIN_PY,
        },
        id="dockerfile-env-allow-growth-true",
    ),
    pytest.param(
        {
            "Dockerfile": """\
            FROM tensorflow/tensorflow:2.16.1-gpu
            ENV PYTHONUNBUFFERED=1 TF_FORCE_GPU_ALLOW_GROWTH=true
            WORKDIR /app
            COPY . .
            CMD ["python", "train.py"]
            """,
            "train.py": TRAIN_PY,
        },
        id="dockerfile-env-with-several-variables",
    ),
    pytest.param(
        {
            "gpu_setup.py": GPU_SETUP_PY,
            "train.py": """\
            import numpy as np
            import tensorflow as tf

            from gpu_setup import enable_growth

            enable_growth()
            model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
            """,
        },
        id="growth-helper-from-another-module-called",
    ),
    pytest.param(
        {
            "gpu_setup.py": GPU_SETUP_PY,
            "models.py": MODELS_PY,
            "train.py": """\
            import numpy as np

            import gpu_setup
            from models import build_model


            def main():
                gpu_setup.enable_growth()
                model = build_model()
                model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)


            if __name__ == "__main__":
                main()
            """,
        },
        id="growth-helper-called-through-module-attribute",
    ),
    pytest.param(
        {
            "gpu_setup.py": """\
            import os


            def limit_gpu_memory():
                os.environ["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"
            """,
            "train.py": """\
            from gpu_setup import limit_gpu_memory

            limit_gpu_memory()

            import numpy as np
            from tensorflow import keras

            model = keras.Sequential([keras.layers.Input(shape=(3,)), keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
            """,
        },
        id="env-helper-from-another-module-called",
    ),
    pytest.param(
        {"gpu_setup.py": GPU_SETUP_PY, "models.py": MODELS_PY},
        # modules that only define helpers never train
        id="library-modules-without-fit",
    ),
]


@pytest.mark.parametrize(("files", "expected"), TREE_REPORTED)
def test_tree_reports_modules_that_never_enable_growth(tree, files, expected) -> None:
    root = tree(files)
    assert tree_findings(root, CODE) == expected


@pytest.mark.parametrize("files", TREE_SILENT)
def test_tree_silent_when_helper_or_dockerfile_enables_growth(tree, files) -> None:
    root = tree(files)
    assert tree_findings(root, CODE) == []


def write_notebook(path: Path, cells: list) -> Path:
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, str(path))
    return path


def notebook_findings(path: Path) -> list[tuple[int | None, int]]:
    result = lint_paths([path.parent], select=[CODE])
    return sorted((f.cell, f.line) for f in result.findings if f.code == CODE)


BUILD_CELL = """\
model = tf.keras.Sequential([
    tf.keras.layers.Input(shape=(3,)),
    tf.keras.layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")"""

FIT_CELL = """\
x = np.zeros((32, 3))
y = np.zeros((32, 1))
history = model.fit(x, y, epochs=2)
model.fit(x, y, epochs=2)"""


def test_notebook_reported_at_first_fit_cell_and_line(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path / "experiment.ipynb",
        [
            new_markdown_cell("# Regression experiment"),
            new_code_cell("import numpy as np\nimport tensorflow as tf"),
            new_code_cell(BUILD_CELL),
            new_markdown_cell("## Training"),
            new_code_cell(FIT_CELL),
        ],
    )
    # markdown cells count: the fit cell is the 5th cell; the first fit is its 3rd line
    assert notebook_findings(path) == [(5, 3)]


def test_notebook_silent_with_env_magic(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path / "experiment.ipynb",
        [
            new_code_cell("%env TF_FORCE_GPU_ALLOW_GROWTH=true"),
            new_code_cell("import numpy as np\nimport tensorflow as tf"),
            new_code_cell(BUILD_CELL),
            new_code_cell(FIT_CELL),
        ],
    )
    assert notebook_findings(path) == []


def test_notebook_silent_with_set_memory_growth_in_an_earlier_cell(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path / "experiment.ipynb",
        [
            new_code_cell(
                "import numpy as np\n"
                "import tensorflow as tf\n"
                "\n"
                "for gpu in tf.config.list_physical_devices('GPU'):\n"
                "    tf.config.experimental.set_memory_growth(gpu, True)"
            ),
            new_code_cell(BUILD_CELL),
            new_code_cell(FIT_CELL),
        ],
    )
    assert notebook_findings(path) == []


def test_notebook_env_magic_set_to_false_does_not_satisfy(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path / "experiment.ipynb",
        [
            new_code_cell("%env TF_FORCE_GPU_ALLOW_GROWTH=false\nimport numpy as np"),
            new_code_cell("import tensorflow as tf"),
            new_code_cell(BUILD_CELL + "\n" + FIT_CELL),
        ],
    )
    # the fit cell is BUILD_CELL (5 lines) followed by FIT_CELL: its first fit is line 8
    assert notebook_findings(path) == [(3, 8)]


@pytest.mark.parametrize(
    "hide",
    [
        'import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "-1"\n',
        'import os\nos.environ["CUDA_VISIBLE_DEVICES"] = ""\n',
        'import tensorflow as tf\ntf.config.set_visible_devices([], "GPU")\n',
    ],
    ids=["cuda-visible-devices-minus-one", "cuda-visible-devices-empty", "no-visible-gpu"],
)
def test_silent_when_the_program_hides_every_gpu(hide: str) -> None:
    assert lines_of(hide + TRAIN_PY, CODE) == []


def test_cuda_visible_devices_naming_a_gpu_still_reported() -> None:
    src = 'import os\nos.environ["CUDA_VISIBLE_DEVICES"] = "0"\n' + TRAIN_PY
    assert lines_of(src, CODE) == [8]


def test_model_from_either_branch_is_still_a_keras_model() -> None:
    src = """\
        import os

        from tensorflow import keras

        if os.path.exists("m.h5"):
            model = keras.models.load_model("m.h5")
        else:
            model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
            model.compile("adam", "mse")
        model.fit([[1.0, 2.0, 3.0, 4.0]], [1.0])
        """
    assert lines_of(src, CODE) == [10]


@pytest.mark.parametrize(
    "training",
    [
        "clf = KerasClassifier(build_fn=build, epochs=3)\nclf.fit(x, y)",
        "search = GridSearchCV(KerasClassifier(build_fn=build), {'epochs': [3]})\nsearch.fit(x, y)",
        "scores = cross_val_score(KerasClassifier(build_fn=build, epochs=3), x, y, cv=3)",
    ],
    ids=["wrapper-fit", "grid-search-over-wrapper", "cross-validation-of-wrapper"],
)
def test_training_through_a_scikit_learn_wrapper_is_a_keras_fit(training: str) -> None:
    src = (
        "import numpy as np\n"
        "from scikeras.wrappers import KerasClassifier\n"
        "from sklearn.model_selection import GridSearchCV, cross_val_score\n"
        "from tensorflow import keras\n"
        "def build():\n"
        "    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n"
        "    model.compile('adam', 'mse')\n"
        "    return model\n"
        "x, y = np.ones((64, 4)), np.ones(64)\n" + training + "\n"
    )
    assert lines_of(src, CODE) == [len(src.splitlines())]


def test_silent_when_training_on_a_tpu() -> None:
    src = (
        "import tensorflow as tf\n"
        "resolver = tf.distribute.cluster_resolver.TPUClusterResolver()\n"
        "tf.tpu.experimental.initialize_tpu_system(resolver)\n"
        "strategy = tf.distribute.TPUStrategy(resolver)\n" + TRAIN_PY
    )
    assert lines_of(src, CODE) == []


def test_training_behind_a_notebook_toggle_still_counts() -> None:
    src = """\
        import tensorflow as tf

        skip_training = True
        model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])
        if not skip_training:
            model.compile(optimizer="adam", loss="mse")
            model.fit([[1.0, 2.0, 3.0]], [1.0], epochs=15)
        else:
            model.load_weights("./models/ckpt")
        """
    assert lines_of(src, CODE) == [7]


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        (
            "import segmentation_models as sm\nimport tensorflow as tf\n"
            "model = sm.Unet('resnet34')\nmodel.compile('adam', 'binary_crossentropy')\n"
            "model.fit(x, y, epochs=10, validation_split=0.1)\n",
            [5],
        ),
        (
            "import torch\nimport tensorflow as tf\nfrom mylib import Net\n"
            "Net().fit(x, y, epochs=10)\n",
            [],
        ),
        (
            "import tensorflow as tf\nfrom xgboost import XGBClassifier\n"
            "XGBClassifier().fit(x, y)\n",
            [],
        ),
    ],
    ids=["library-model-fit-with-epochs", "module-that-uses-torch", "non-keras-fit"],
)
def test_fit_on_a_model_from_a_library_it_cannot_follow(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected


# -- programs and the library modules they train through ---------------------------------------

TRAINER_MODEL_PY = """\
import numpy as np
import tensorflow as tf


def build():
    model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), tf.keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model


def preprocess(x):
    return x / 255.0


def train_and_evaluate(args):
    model = build()
    model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=args.epochs)
"""

TASK_PY = """\
import argparse

{imports}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
{setup}    {call}(args)


if __name__ == "__main__":
    main()
"""

GROWTH_LINES = """\
    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)
"""


def trainer_package(imports: str, call: str, setup: str = "") -> dict[str, str]:
    """A ``trainer`` package run as ``python -m trainer.task``: ``task.py`` calls the training
    function of ``model.py``."""
    return {
        "trainer/__init__.py": "",
        "trainer/model.py": TRAINER_MODEL_PY,
        "trainer/task.py": TASK_PY.format(imports=imports, call=call, setup=setup),
    }


PROGRAMS_REPORTED = [
    pytest.param(
        trainer_package("from trainer import model", "model.train_and_evaluate"),
        # the program's own call that leads to training; the library is its concern
        [("trainer/task.py", 10)],
        id="trainer-package-absolute-import",
    ),
    pytest.param(
        trainer_package("from . import model", "model.train_and_evaluate"),
        [("trainer/task.py", 10)],
        id="trainer-package-relative-module-import",
    ),
    pytest.param(
        trainer_package("from .model import train_and_evaluate", "train_and_evaluate"),
        [("trainer/task.py", 10)],
        id="trainer-package-relative-function-import",
    ),
    pytest.param(
        {
            "trainer/__init__.py": "",
            "trainer/model.py": TRAINER_MODEL_PY,
            # growth enabled in a function nobody calls: the program still trains without it
            "trainer/task.py": TASK_PY.format(
                imports="import tensorflow as tf\nfrom trainer import model\n\n\n"
                "def unused():\n" + GROWTH_LINES,
                call="model.train_and_evaluate",
                setup="",
            ),
        },
        [("trainer/task.py", 17)],
        id="growth-in-an-uncalled-function-of-the-program",
    ),
    pytest.param(
        {
            "lib.py": TRAINER_MODEL_PY,
            # imports the library for its preprocessing only: the library's training is
            # nobody's call, so the library is reported itself
            "run.py": "from lib import preprocess\n\nprint(preprocess(255.0))\n",
        },
        [("lib.py", 17)],
        id="program-that-does-not-call-the-training-function",
    ),
    pytest.param(
        {"lib.py": TRAINER_MODEL_PY},
        [("lib.py", 17)],
        id="library-that-no-program-calls",
    ),
    pytest.param(
        {
            "lib.py": TRAINER_MODEL_PY,
            "pipeline.py": "import lib\n\n\ndef run(args):\n    lib.train_and_evaluate(args)\n",
            "main.py": "import sys\n\nimport pipeline\n\npipeline.run(sys.argv)\n",
        },
        # through a function of a module in between
        [("main.py", 5)],
        id="program-calling-through-a-module-in-between",
    ),
]

PROGRAMS_SILENT = [
    pytest.param(
        trainer_package(
            "import tensorflow as tf\n\nfrom trainer import model",
            "model.train_and_evaluate",
            setup=GROWTH_LINES,
        ),
        id="program-enables-growth-before-calling-the-library",
    ),
    pytest.param(
        trainer_package(
            "from trainer import gpu\nfrom trainer import model", "model.train_and_evaluate"
        )
        | {
            "trainer/gpu.py": "import tensorflow as tf\n\n"
            'for _gpu in tf.config.list_physical_devices("GPU"):\n'
            "    tf.config.experimental.set_memory_growth(_gpu, True)\n"
        },
        id="program-imports-a-module-that-enables-growth-at-import-time",
    ),
    pytest.param(
        {
            "lib.py": TRAINER_MODEL_PY,
            "gpu.py": "import os\n\nos.environ['TF_FORCE_GPU_ALLOW_GROWTH'] = 'true'\n",
            # growth enabled at import time of the module in between
            "pipeline.py": "import gpu\nimport lib\n\n\ndef run(args):\n"
            "    lib.train_and_evaluate(args)\n",
            "main.py": "import sys\n\nimport pipeline\n\npipeline.run(sys.argv)\n",
        },
        id="growth-at-import-time-of-a-module-in-between",
    ),
    pytest.param(
        {
            "lib.py": TRAINER_MODEL_PY,
            "gpu.py": GPU_SETUP_PY,
            # no program calls the library; a module of its import graph enables growth
            "setup_all.py": "import gpu\nimport lib\n",
        },
        id="library-whose-import-graph-enables-growth",
    ),
]


@pytest.mark.parametrize(("files", "expected"), PROGRAMS_REPORTED)
def test_program_reported_at_its_call_that_leads_to_training(tree, files, expected) -> None:
    assert tree_findings(tree(files), CODE) == expected


@pytest.mark.parametrize("files", PROGRAMS_SILENT)
def test_silent_when_the_program_or_the_import_graph_enables_growth(tree, files) -> None:
    assert tree_findings(tree(files), CODE) == []


def test_notebook_calling_a_helper_modules_training_function(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text(TRAINER_MODEL_PY, encoding="utf-8")
    cells = [
        new_code_cell(
            "from types import SimpleNamespace\n\nfrom helpers import train_and_evaluate"
        ),
        new_markdown_cell("## Training"),
        new_code_cell("train_and_evaluate(SimpleNamespace(epochs=2))"),
    ]
    write_notebook(tmp_path / "experiment.ipynb", cells)
    assert tree_findings(tmp_path, CODE) == [("experiment.ipynb", 1)]
    result = lint_paths([tmp_path], select=[CODE])
    assert [f.cell for f in result.findings] == [3]

    growth = (
        "import tensorflow as tf\n"
        'for gpu in tf.config.list_physical_devices("GPU"):\n'
        "    tf.config.experimental.set_memory_growth(gpu, True)"
    )
    write_notebook(tmp_path / "experiment.ipynb", [new_code_cell(growth), *cells])
    assert tree_findings(tmp_path, CODE) == []


def test_findings_of_a_file_do_not_depend_on_unrelated_files_of_the_run(tmp_path: Path) -> None:
    """Growth enabled in one repository does not silence a library of another one linted in the
    same run; the file alone, its repository, the run over both and flake8 agree."""
    write_tree(
        tmp_path,
        {
            "enables/pyproject.toml": "",
            "enables/gpu.py": GPU_SETUP_PY,
            "enables/train.py": "from gpu import enable_growth\n\nenable_growth()\n" + TRAIN_PY,
            "library/pyproject.toml": "",
            "library/lib.py": TRAINER_MODEL_PY,
        },
    )
    lib = tmp_path / "library/lib.py"
    expected = [(str(lib.resolve()), 17)]

    def found(*paths: Path) -> list[tuple[str, int]]:
        result = lint_paths(list(paths), select=[CODE])
        return [(str(Path(f.path).resolve()), f.line) for f in result.findings if f.code == CODE]

    assert found(tmp_path) == expected
    assert found(tmp_path / "library") == expected
    assert found(lib) == expected
    assert found(lib, tmp_path / "enables/train.py") == expected
    run = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select=KER", str(lib)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert [line.split(":")[1] for line in run.stdout.splitlines()] == ["17"], run.stderr


LIBRARY_MODEL_SUBCLASSES = [
    pytest.param(
        """\
        import tensorflow as tf
        import tensorflow_recommenders as tfrs


        class Ranker(tfrs.Model):
            def compute_loss(self, features, training=False):
                return tf.reduce_mean(features["rating"])


        ranker = Ranker()
        ranker.compile(optimizer=tf.keras.optimizers.Adagrad(0.1))
        ranker.fit(train_ds, epochs=3)
        """,
        [12],
        id="tfrs-model-subclass",
    ),
    pytest.param(
        """\
        import keras_cv
        import tensorflow as tf


        class Detector(keras_cv.models.RetinaNet):
            pass


        def train(ds):
            detector = Detector(num_classes=20, bounding_box_format="xywh")
            detector.compile(optimizer="adam", classification_loss="focal", box_loss="smoothl1")
            detector.fit(ds, epochs=10)
        """,
        # a library module: trained inside a function nothing here calls
        [12],
        id="keras-cv-model-subclass-in-a-function",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        import tensorflow_recommenders as tfrs


        class Ranker(tfrs.Model):
            def fit(self, data, epochs=1):
                return data


        Ranker().fit(train_ds, epochs=3)
        """,
        # its own fit: a function like any other, interpreted, no Keras training
        [],
        id="subclass-with-its-own-fit",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        from sklearn.linear_model import LogisticRegression


        class Classifier(LogisticRegression):
            pass


        Classifier().fit(x, y)
        """,
        [],
        id="scikit-learn-subclass",
    ),
    pytest.param(
        """\
        import tensorflow as tf
        import tensorflow_recommenders as tfrs


        class Ranker(tfrs.Model):
            pass


        ranker = Ranker()
        for gpu in tf.config.list_physical_devices("GPU"):
            tf.config.experimental.set_memory_growth(gpu, True)
        ranker.fit(train_ds, epochs=3)
        """,
        [],
        id="subclass-trained-with-growth-enabled",
    ),
]


@pytest.mark.parametrize(("src", "expected"), LIBRARY_MODEL_SUBCLASSES)
def test_local_subclass_of_a_library_keras_model_trains(src: str, expected: list[int]) -> None:
    assert lines_of(src, CODE) == expected
