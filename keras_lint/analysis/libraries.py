"""Which imported names are libraries, never modules of the linted tree (no libcst here: the
rules' text prefilters use it before anything is parsed)."""

from __future__ import annotations

import re
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


#: an import statement: ``from MODULE import``, or ``import A, B as C`` (the names it lists)
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.+|[\w.]+)[ \t]+import|import[ \t]+([\w.][\w., \t]*))",
    re.MULTILINE,
)


def imports_a_project_module(text: str) -> bool:
    """Whether the Python ``text`` imports a module that may belong to the linted tree (a
    relative import, or one that is no library): what it calls may then do what it does not."""
    if "import" not in text:
        return False
    for match in _IMPORT.finditer(text):
        if match.group(1) is not None:  # ``from .`` and ``from ..x`` are no library either
            if not is_library(match.group(1)):
                return True
            continue
        for name in match.group(2).split(","):
            words = name.split()
            if words and not is_library(words[0]):
                return True
    return False


#: top-level code that calls something: ``main()``, ``history = train(...)``, a main block
_RUNS = re.compile(
    r"^(?:if\s+__name__|[A-Za-z_][\w.]*\s*\(|[A-Za-z_][\w.,\t ]*=\s*[\w.]+\s*\()",
    re.MULTILINE,
)


def runs_code_of_its_project(text: str) -> bool:
    """Whether the Python ``text`` is a program (it runs calls at the top level or in a main
    block) that imports a module of its project: it may train, fit or split through that
    module's functions without naming any of it."""
    return "import" in text and _RUNS.search(text) is not None and imports_a_project_module(text)
