"""Programs that train with a Keras ``fit``, as the GPU memory rules (KER301, KER303) see them:
the module's own ``fit`` calls, its calls that lead to a ``fit`` in another module of the
project, and the text trigger that finds the files where either may occur.

No libcst at import time: the rules' text prefilters import this module before anything is
parsed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from keras_lint.analysis import keras_api
from keras_lint.analysis.libraries import runs_code_of_its_project

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis import ModuleFacts


class TrainingOrProgram:
    """Text that trains, or a program that imports and runs code: it may train through the
    functions of a module of its project."""

    # no ``\b`` before the names: each branch must start with a literal for a fast search
    _training = re.compile(r"\.\s*fit(?:_generator)?\b|cross_va|learning_curve")
    def search(self, text: str, /) -> bool:
        if self._training.search(text):
            return True
        # only a module of the project can hold the training the program calls
        return runs_code_of_its_project(text)

def keras_fits(facts: ModuleFacts) -> list[cst.Call]:
    """The Keras ``fit`` calls written in the module: on known models, through scikit-learn
    wrappers, and on models of libraries it cannot follow given Keras-only arguments."""
    fits = [t.node for t in facts.training if t.method in keras_api.FIT_METHODS]
    return fits + facts.wrapped_fits + facts.probable_keras_fits


def training_functions(facts: ModuleFacts, fits: list[cst.Call]) -> list[str]:
    """The top-level functions and classes of the module whose code holds a training call:
    the names through which a program reaches its training."""
    import libcst as cst  # imported by the rules' check only: a run that parses nothing never does

    lines = {facts.position(node).start.line for node in fits}
    names = set()
    for statement in facts.module.body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            span = facts.position(statement)
            if any(span.start.line <= line <= span.end.line for line in lines):
                names.add(statement.name.value)
    return sorted(names)


def first_in_source(facts: ModuleFacts, nodes: list[cst.Call]) -> cst.Call:
    """The node that starts first in the module's text."""

    def start(node: cst.CSTNode) -> tuple[int, int]:
        position = facts.position(node).start
        return (position.line, position.column)

    return min(nodes, key=start)
