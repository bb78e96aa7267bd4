"""Canonical names: one spelling for every way Keras, TensorFlow and friends are imported.

``tf.keras.layers.Dense``, ``tensorflow.keras.layers.Dense``, ``keras.layers.Dense``,
``keras.src.layers.core.dense.Dense`` and ``tf_keras.layers.Dense`` all become ``keras.…Dense``;
rules then match on the namespace and the last component (``keras_leaf``), so deep internal paths
and public re-exports are the same thing.
"""

from __future__ import annotations

# Longest prefixes first: each maps a Keras namespace spelling to the canonical ``keras``.
_KERAS_PREFIXES = (
    "tensorflow.python.keras",
    "tensorflow._api.v2.keras",
    "tensorflow.compat.v2.keras",
    "tensorflow.compat.v1.keras",
    "tensorflow.keras",
    "keras._tf_keras.keras",
    "keras.api._v2.keras",
    "keras.api",
    "keras.src",
    "tf_keras.src",
    "tf_keras",
)


def normalize(dotted: str) -> str:
    """Map any spelling of a Keras name to ``keras.…``; other names are returned unchanged."""
    for prefix in _KERAS_PREFIXES:
        if dotted == prefix:
            return "keras"
        if dotted.startswith(prefix + "."):
            return "keras" + dotted[len(prefix) :]
    return dotted


def keras_leaf(name: str | None) -> str | None:
    """``Dense`` for ``keras.layers.core.dense.Dense``; None for names outside Keras."""
    if name is None or not name.startswith("keras."):
        return None
    return name.rsplit(".", 1)[1]


def leaf_in(name: str | None, package: str) -> str | None:
    """The last component of ``name`` if it lies under the top-level ``package``."""
    if name is None or not (name == package or name.startswith(package + ".")):
        return None
    return name.rsplit(".", 1)[-1]
