"""Expressions: names, literals, containers, attributes, subscripts, operators, comprehensions.

Calls are evaluated in ``calls.py``; names imported from the linted tree are resolved on first
read by ``module_loading.py``.
"""

from __future__ import annotations

import itertools
import re
from typing import TypeGuard

import libcst as cst

from keras_lint.analysis.interpreter_base import BoundMethod, Frame, InterpreterBase
from keras_lint.analysis.keras_calls import model_output_tensor
from keras_lint.analysis.names import normalize
from keras_lint.analysis.state import State
from keras_lint.analysis.syntax import child_nodes, dotted_name
from keras_lint.analysis.unbound_names import unbound_name
from keras_lint.analysis.values import (
    UNKNOWN,
    ClassValue,
    Const,
    Data,
    Instance,
    LayersOf,
    Mapping,
    ModelValue,
    ObjectValue,
    Ref,
    Seq,
    TextEnding,
    Value,
    join_values,
    text_ending,
)

#: attributes of arrays and frames that describe them rather than hold their rows
_METADATA_ATTRIBUTES = frozenset(
    {"shape", "dtype", "dtypes", "ndim", "size", "columns", "index", "name", "names", "nbytes"}
)


class ExpressionsMixin(InterpreterBase):
    """Evaluates expressions to abstract values."""

    def _eval_fstring(self, node: cst.FormattedString, frame: Frame) -> Value:
        """An f-string: constant when every part is, else the text after its last known part."""
        pieces: list[str | None] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                pieces.append(part.value)
                continue
            assert isinstance(part, cst.FormattedStringExpression)
            value = self._eval(part.expression, frame)
            plain = part.conversion is None and part.format_spec is None
            pieces.append(value.value if plain and _is_str(value) else None)  # type: ignore[attr-defined]
        if all(p is not None for p in pieces):
            return Const("".join(p for p in pieces if p is not None))
        known = list(itertools.takewhile(lambda p: p is not None, reversed(pieces)))
        suffix = "".join(reversed([p for p in known if p is not None]))
        if "{" in suffix or "\\" in suffix:  # ``{{`` escapes and backslashes: not worth reading
            return UNKNOWN
        return TextEnding(suffix) if suffix else UNKNOWN

    def _lookup(self, name: str, frame: Frame) -> Value:
        env = frame.state.env
        if name in env:
            self._last_read[(frame.owner, name)] = self._statements
            found = self._resolved(env, name)
            if self._test_reads is not None:
                self._test_reads.append(found)
            return found
        if not frame.is_module and name in frame.scope.globals:
            self._last_read[(id(frame.scope), name)] = self._statements
            return self._resolved(frame.scope.globals, name)
        return unbound_name(name, frame.scope, self._cached)

    def _eval(self, node: cst.BaseExpression | None, frame: Frame) -> Value:
        if node is None:
            return UNKNOWN
        if isinstance(node, cst.Name):
            if node.value in {"True", "False", "None"}:
                return Const({"True": True, "False": False, "None": None}[node.value])
            return self._lookup(node.value, frame)
        if isinstance(node, cst.Attribute):
            return self._eval_attribute(node, frame)
        if isinstance(node, cst.Call):
            return self._eval_call(node, frame)
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            try:
                text = node.evaluated_value
            except Exception:  # noqa: BLE001 - exotic literals are simply unknown
                return UNKNOWN
            return Const(text) if isinstance(text, str) else UNKNOWN
        if isinstance(node, cst.Integer):
            return Const(_literal(node.value, int))
        if isinstance(node, cst.Float):
            return Const(_literal(node.value, float))
        if isinstance(node, (cst.List, cst.Tuple)):
            items = []
            for element in node.elements:
                item = self._eval(element.value, frame)
                if isinstance(element, cst.StarredElement):
                    if isinstance(item, Seq):
                        items.extend(item.items)
                        continue
                    return UNKNOWN
                items.append(item)
            return Seq(items)
        if isinstance(node, cst.Dict):
            return self._eval_dict(node, frame)
        if isinstance(node, cst.Subscript):
            return self._eval_subscript(node, frame)
        if isinstance(node, cst.UnaryOperation):
            operand = self._eval(node.expression, frame)
            if isinstance(node.operator, cst.Not) and _is_plain_const(operand):
                return Const(not operand.value)
            if isinstance(node.operator, cst.Minus) and isinstance(operand, Const):
                if isinstance(operand.value, (int, float)) and not isinstance(operand.value, bool):
                    return Const(-operand.value)
            return UNKNOWN
        if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            left = self._eval(node.left, frame)
            right = self._eval(node.comparisons[0].comparator, frame)
            operator = node.comparisons[0].operator
            if _is_plain_const(left) and _is_plain_const(right):
                equal = left.value == right.value
                if isinstance(operator, (cst.Equal, cst.Is)):
                    return Const(equal)
                if isinstance(operator, (cst.NotEqual, cst.IsNot)):
                    return Const(not equal)
            if isinstance(operator, cst.Equal):
                self.predictions.compared(node, "==", [left, right], frame.scope)
            return self.data.combine([left, right]) or UNKNOWN
        if isinstance(node, cst.FormattedString):
            return self._eval_fstring(node, frame)
        if isinstance(node, (cst.BinaryOperation, cst.BooleanOperation)):
            # long chains (``[0]*44 + [18] + ...``) are evaluated in a loop, not recursively
            operands: list[cst.BaseExpression] = []
            current: cst.BaseExpression = node
            while isinstance(current, (cst.BinaryOperation, cst.BooleanOperation)):
                operands.append(current.right)
                current = current.left
            operands.append(current)
            values = [self._eval(operand, frame) for operand in reversed(operands)]
            if isinstance(node, cst.BooleanOperation):
                return UNKNOWN
            string = _string_operation(node, values)
            if string is not None:
                return string
            return self.data.operation(node, values) or UNKNOWN
        if isinstance(node, cst.IfExp):
            test = self._eval(node.test, frame)
            chosen = join_values(self._eval(node.body, frame), self._eval(node.orelse, frame))
            return self.data.condition(test, chosen)
        if isinstance(node, cst.NamedExpr):
            value = self._eval(node.value, frame)
            self._assign(node.target, value, frame)
            return value
        if isinstance(node, (cst.Await, cst.Yield)):
            if isinstance(node, cst.Yield):
                frame.is_generator = True
            inner = node.expression if isinstance(node, cst.Await) else node.value
            if isinstance(inner, cst.BaseExpression):
                return self._eval(inner, frame)
            if isinstance(inner, cst.From):
                self._eval(inner.item, frame)
            return UNKNOWN
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            return self._eval_comprehension(node, frame)
        if isinstance(node, cst.Lambda):
            return UNKNOWN
        # Anything else (comparisons, boolean operations, f-strings...): its calls still count.
        for child in child_nodes(node):
            if isinstance(child, cst.BaseExpression):
                self._eval(child, frame)
            else:
                for grandchild in child_nodes(child):
                    if isinstance(grandchild, cst.BaseExpression):
                        self._eval(grandchild, frame)
        return UNKNOWN

    def _eval_dict(self, node: cst.Dict, frame: Frame) -> Value:
        items: dict[str, Value] = {}
        exact = True
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = self._eval(element.key, frame)
                value = self._eval(element.value, frame)
                if isinstance(key, Const) and isinstance(key.value, str):
                    items[key.value] = value
                else:
                    exact = False
            else:
                self._eval(element.value, frame)
                exact = False
        return Mapping(items) if exact else UNKNOWN

    def _eval_comprehension(
        self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp, frame: Frame
    ) -> Value:
        saved = frame.state
        frame.set_state(saved.copy())
        comp: cst.CompFor | None = node.for_in
        while comp is not None:
            iterated = self._eval(comp.iter, frame)
            self._assign(comp.target, self.data.iteration_element(iterated), frame)
            for condition in comp.ifs:
                self._eval(condition.test, frame)
            comp = comp.inner_for_in
        element: Value = UNKNOWN
        if isinstance(node, cst.DictComp):
            self._eval(node.key, frame)
            self._eval(node.value, frame)
        else:
            element = self._eval(node.elt, frame)
        compiled = frame.state.compiled
        frame.set_state(State(saved.env, compiled))
        return self.data.comprehension(element)

    def _eval_attribute(self, node: cst.Attribute, frame: Frame) -> Value:
        dotted = dotted_name(node)
        if dotted is not None and dotted in frame.state.env:
            return frame.state.env[dotted]
        owner = self._eval(node.value, frame)
        attr = node.attr.value
        return self._attribute_of(owner, attr)

    def _attribute_of(self, owner: Value, attr: str) -> Value:
        if isinstance(owner, Ref):
            ref = Ref(normalize(f"{owner.name}.{attr}"))
            return ref
        if isinstance(owner, ObjectValue):
            if attr in owner.attrs:
                return owner.attrs[attr]
            method = owner.cls.method(attr)
            if method is not None:
                return BoundMethod(method, owner)
            return owner.cls.attrs.get(attr, UNKNOWN)
        if isinstance(owner, Instance):
            return owner.attrs.get(attr, UNKNOWN)
        if isinstance(owner, ClassValue):
            return owner.attrs.get(attr, UNKNOWN)
        if isinstance(owner, ModelValue):
            if attr in {"output", "outputs"}:
                return model_output_tensor(owner)
            if attr == "layers":
                return LayersOf(owner.info)
            return UNKNOWN
        if isinstance(owner, Data):
            return UNKNOWN if attr in _METADATA_ATTRIBUTES else self.data.derive(owner)
        return UNKNOWN

    def _eval_subscript(self, node: cst.Subscript, frame: Frame) -> Value:
        container = self._eval(node.value, frame)
        keys = []
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                keys.append(self._eval(element.slice.value, frame))
            elif isinstance(element.slice, cst.Slice):
                for part in (element.slice.lower, element.slice.upper, element.slice.step):
                    if part is not None:
                        self._eval(part, frame)
                keys.append(Const(slice(None)))
        if isinstance(container, Seq) and len(keys) == 1 and isinstance(keys[0], Const):
            index = keys[0].value
            if (
                isinstance(index, int)
                and not isinstance(index, bool)
                and -len(container.items) <= index < len(container.items)
            ):
                return container.items[index]
            return UNKNOWN
        if isinstance(container, Mapping) and len(keys) == 1 and isinstance(keys[0], Const):
            key = keys[0].value
            return container.items.get(key, UNKNOWN) if isinstance(key, str) else UNKNOWN
        if isinstance(container, Data):
            return self.data.subscript(node, container, keys)
        if isinstance(container, LayersOf):
            return container  # a layer or a slice of layers of the same model
        return UNKNOWN


def _is_plain_const(value: Value) -> TypeGuard[Const]:
    """A literal whose truth and equality are those of the program (not a slice marker)."""
    return isinstance(value, Const) and isinstance(value.value, (bool, int, float, str, type(None)))


def _literal(text: str, kind: type) -> object:
    try:
        return kind(text.replace("_", ""), 0) if kind is int else kind(text.replace("_", ""))
    except ValueError:
        return None


def _is_str(value: Value) -> bool:
    return isinstance(value, Const) and isinstance(value.value, str)


#: a ``%`` conversion of printf-style formatting (``%d``, ``%(epoch)03d``, ``%.2f``)
_PRINTF_FIELD = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[a-zA-Z%]")


def _string_operation(node: cst.BinaryOperation, values: list[Value]) -> Value | None:
    """``a + ".h5"`` and ``"model_%d.h5" % epoch`` as strings; None when not about strings."""
    if isinstance(node.operator, cst.Add) and len(values) >= 2:
        last = text_ending(values[-1])
        if last is None:
            return None
        if all(_is_str(v) for v in values):
            return Const("".join(v.value for v in values))  # type: ignore[attr-defined]
        tail = [last]
        for value in reversed(values[:-1]):
            if not _is_str(value):
                break
            tail.append(value.value)  # type: ignore[attr-defined]
        return TextEnding("".join(reversed(tail)))
    if isinstance(node.operator, cst.Modulo) and len(values) == 2 and _is_str(values[0]):
        template = values[0].value  # type: ignore[attr-defined]
        fields = list(_PRINTF_FIELD.finditer(template))
        if not fields:
            return None
        tail = template[fields[-1].end() :]
        return TextEnding(tail) if tail and "%" not in tail else None
    return None


def format_template_ending(template: str) -> Value:
    """What ``template.format(...)`` ends with: the text after the last replacement field."""
    close = template.rfind("}")
    if close < 0:
        return Const(template)
    tail = template[close + 1 :]
    return TextEnding(tail) if tail and "{" not in tail and "}" not in tail else UNKNOWN
