"""Which imported names are libraries, never modules of the linted tree (no libcst here: the
rules' text prefilters use it before anything is parsed)."""

from __future__ import annotations

import sys

#: top-level packages that are libraries, never modules of the linted tree: the standard
#: library (a module of the tree named like one would shadow it) and the common packages of
#: training code
_LIBRARY_PREFIXES = frozenset(
    {
        *(sys.stdlib_module_names - {"test"}),  # ``test`` is a common package of a project
        "keras",
        "tensorflow",
        "tf_keras",
        "keras_cv",
        "keras_nlp",
        "keras_hub",
        "tensorflow_datasets",
        "tensorflow_hub",
        "sklearn",
        "scipy",
        "numpy",
        "pandas",
        "matplotlib",
        "seaborn",
        "plotly",
        "cv2",
        "PIL",
        "skimage",
        "tqdm",
        "torch",
        "torchvision",
        "jax",
        "flax",
        "xgboost",
        "lightgbm",
        "statsmodels",
        "nltk",
        "transformers",
        "IPython",
        "nbformat",
        "absl",
        "six",
        "setuptools",
        "yaml",
        "h5py",
        "requests",
        "flask",
        "bs4",
        "gym",
        "google",
        "apache_beam",
        "tensorflow_transform",
        "tflite_support",
        "tflite_runtime",
        "tflite_model_maker",
        "tf_agents",
        "langchain",
    }
)


def is_library(name: str) -> bool:
    """Whether the dotted ``name`` lies in a library package."""
    return name.split(".", 1)[0] in _LIBRARY_PREFIXES
