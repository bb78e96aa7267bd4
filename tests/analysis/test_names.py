"""Canonical names: every spelling of a Keras name is one name."""

from __future__ import annotations

import pytest

from keras_lint.analysis.names import keras_leaf, normalize


@pytest.mark.parametrize(
    "spelling",
    [
        "keras.layers.Dense",
        "tensorflow.keras.layers.Dense",
        "tensorflow.python.keras.layers.Dense",
        "keras.src.layers.Dense",
        "tf_keras.layers.Dense",
        "keras.api._v2.keras.layers.Dense",
    ],
)
def test_keras_spellings_share_one_canonical_name(spelling: str) -> None:
    assert normalize(spelling) == "keras.layers.Dense"
    assert keras_leaf(normalize(spelling)) == "Dense"


def test_other_names_are_left_alone() -> None:
    assert normalize("tensorflow.nn.softmax") == "tensorflow.nn.softmax"
    assert normalize("kerasx.layers.Dense") == "kerasx.layers.Dense"
    assert keras_leaf("sklearn.preprocessing.StandardScaler") is None
