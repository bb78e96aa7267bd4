"""Names a module reads without binding them: brought in by a star import, or Keras names a
notebook uses whose import cell is missing.

A star import of a Keras, TensorFlow or scikit-learn module gives its names. Without one, a few
names only Keras defines (``Sequential``, ``Dense``, ``Activation``, ``Dropout``, ``Flatten``)
are taken as Keras's when nothing could bind them otherwise: the module binds the name nowhere
(no import, assignment, ``def``, ``class``, parameter or loop variable of that name in any
scope), star-imports nothing but Keras and TensorFlow, and compiles a model with ``loss=`` or
``optimizer=``. Any other unbound name stays unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import libcst as cst

from keras_lint.analysis.events import ModuleScope
from keras_lint.analysis.names import normalize
from keras_lint.analysis.syntax import dotted_name
from keras_lint.analysis.values import UNKNOWN, Ref, Value

#: names that, read unbound in a module that compiles a model, can only be Keras's
UNMISTAKABLE_KERAS_NAMES = {
    "Sequential": "keras.models.Sequential",
    "Dense": "keras.layers.Dense",
    "Activation": "keras.layers.Activation",
    "Dropout": "keras.layers.Dropout",
    "Flatten": "keras.layers.Flatten",
}
_STAR_PACKAGES = ("keras", "tensorflow", "sklearn")


def unbound_name(
    name: str, scope: ModuleScope, cached: Callable[[tuple[str, int], Callable[[], bool]], bool]
) -> Value:
    """The value of ``name`` read where no binding of the module holds it; ``cached`` memoizes
    per module whether the name is free there."""
    stars = [star for star in scope.star_imports if star.startswith(_STAR_PACKAGES)]
    if name in UNMISTAKABLE_KERAS_NAMES:
        # ``from sklearn.metrics import *`` then ``from keras.layers import *``: Dense is Keras's
        stars.sort(key=lambda star: not _is_keras(star))
    if stars:
        return Ref(normalize(f"{stars[0]}.{name}"))
    canonical = UNMISTAKABLE_KERAS_NAMES.get(name)
    if canonical is None or any(not _is_keras(star) for star in scope.star_imports):
        return UNKNOWN
    if cached((f"free-keras-name:{name}", id(scope)), lambda: _free_in(name, scope.module)):
        return Ref(canonical)
    return UNKNOWN


def _is_keras(module: str) -> bool:
    return module.split(".", 1)[0] in {"keras", "tensorflow"}


def _free_in(name: str, module: cst.Module) -> bool:
    """No statement of ``module`` binds ``name``, and it compiles a model with ``loss=`` or
    ``optimizer=``."""
    finder = _Bindings()
    module.visit(finder)
    return finder.compiles and name not in finder.bound


class _Bindings(cst.CSTVisitor):
    """Every name some statement of a module binds, and whether it compiles a model."""

    def __init__(self) -> None:
        super().__init__()
        self.bound: set[str] = set()
        self.compiles = False

    def _targets(self, target: cst.BaseExpression | None) -> None:
        self.bound.update(_target_names(target))

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._targets(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._targets(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._targets(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:
        self._targets(node.name if isinstance(node.name, cst.BaseExpression) else None)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is None:
            full = dotted_name(node.name) or ""
            self.bound.add(full.split(".", 1)[0])

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.bound.add(node.name.value)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.bound.add(node.name.value)

    def visit_Param(self, node: cst.Param) -> None:
        self.bound.add(node.name.value)

    def visit_Global(self, node: cst.Global) -> None:
        self.bound.update(item.name.value for item in node.names)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self.bound.add(node.name.value)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self.bound.add(node.name.value)

    def visit_Call(self, node: cst.Call) -> None:
        if (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "compile"
            and any(
                arg.keyword is not None and arg.keyword.value in {"loss", "optimizer"}
                for arg in node.args
            )
        ):
            self.compiles = True


def _target_names(target: cst.BaseExpression | None) -> Iterator[str]:
    """The names an assignment target binds (not the owners of attributes or subscripts)."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_names(target.value)
