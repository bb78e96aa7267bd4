"""Which Python sources libcst may be given: not too large, not too deeply nested.

libcst's native parser and its visitors recurse once per level of the syntax tree. A chain such as
``a + a + ... + a`` or ``x and x and ... and x`` is flat text but a deep tree: a few hundred
levels exhaust Python's recursion limit in the visitors, a few thousand overflow the native
parser's stack and kill the process. CPython's parser runs first on every source and builds its
tree without that risk, so the nesting is measured on CPython's tree before libcst sees the
text. Real code stays far below the limit: the deepest of some 9,000 files of TensorFlow, Keras
and their dependencies measures 87 levels.

Size is limited for memory: parsing costs CPython's parser about 0.4 GB and libcst about 1 GB
per MB of dense code, and no real training program comes near the limit.
"""

from __future__ import annotations

import ast
import io
import tokenize
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst

#: Python program text (a file, or a notebook's code cells) longer than this is not analysed
MAX_PROGRAM_CHARS = 2_000_000
#: deeper trees (levels counted as libcst nests them, see ``nesting``) are not analysed
MAX_NESTING = 200

#: a statement in a block costs libcst's visitors about three times an expression level
_BLOCK_WEIGHT = 3
_BLOCK_FIELDS = frozenset({"body", "orelse", "finalbody", "handlers", "cases"})
#: in text CPython cannot parse: the operators and keywords that may each open a tree level
_CHAIN_KEYWORDS = frozenset({"and", "or", "not", "if", "lambda", "await"})
_OPENING_BRACKETS = frozenset("([{")
_CLOSING_BRACKETS = frozenset(")]}")


@dataclass(frozen=True)
class Nesting:
    #: the deepest level, counted as libcst nests the tree
    depth: int
    #: the 1-based line of the deepest node
    line: int


def too_large_message(text: str) -> str | None:
    """Why ``text`` is too large to analyse, or None."""
    if len(text) <= MAX_PROGRAM_CHARS:
        return None
    return (
        f"too large to analyse: {len(text) / 1e6:.1f} million characters of Python"
        f" (the limit is {MAX_PROGRAM_CHARS / 1e6:g} million)"
    )


def too_deep_message(found: Nesting) -> str:
    return (
        f"too deeply nested to analyse: {found.depth} levels at line {found.line}"
        f" (the limit is {MAX_NESTING})"
    )


def nesting(tree: ast.AST) -> Nesting:
    """The deepest level of CPython's ``tree`` counted as libcst nests it, without recursion.

    libcst nests ``a and b and c`` one level per operand (CPython keeps the operands in one
    list), and a statement of a block sits below an extra block node; an ``elif`` is one level
    below its ``if`` in both trees.
    """
    deepest, deepest_line = 0, 1
    pending: list[tuple[ast.AST, int, int]] = [(tree, 0, 1)]
    pop, push, extend = pending.pop, pending.append, pending.extend
    node_type, list_type = ast.AST, list
    while pending:
        node, depth, line = pop()
        line = getattr(node, "lineno", line)
        if depth > deepest:
            deepest, deepest_line = depth, line
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, node_type):
                if value._fields:
                    push((value, depth + 1, line))
                elif depth + 1 > deepest:  # a leaf such as ``Load`` or ``Add``: no need to visit
                    deepest, deepest_line = depth + 1, line
            elif type(value) is list_type and value:
                step = _step(node, name, value)
                extend(
                    (child, depth + step, line) for child in value if isinstance(child, node_type)
                )
    return Nesting(deepest, deepest_line)


def _step(node: ast.AST, name: str, children: list[object]) -> int:
    if isinstance(node, ast.BoolOp):
        return len(children)
    if name not in _BLOCK_FIELDS or isinstance(node, ast.Module):
        return 1
    if isinstance(node, ast.If) and name == "orelse" and len(children) == 1:
        (child,) = children
        if isinstance(child, ast.If) and child.col_offset == node.col_offset:
            return 1  # ``elif``
    return _BLOCK_WEIGHT


def too_deep(tree: ast.AST) -> Nesting | None:
    found = nesting(tree)
    return found if found.depth > MAX_NESTING else None


def unsafe_for_libcst(text: str) -> bool:
    """For text CPython cannot parse (syntax newer than the running Python, or an error):
    whether a logical line could nest deeper than ``MAX_NESTING``, counting the brackets
    open and the operators that may each open a level. Text the tokenizer rejects is unsafe."""
    try:
        depth = operators = 0
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                operators = 0
            elif token.type == tokenize.OP:
                if token.string in _OPENING_BRACKETS:
                    depth += 1
                elif token.string in _CLOSING_BRACKETS:
                    depth -= 1
                elif token.string not in (",", ":", ";", "="):
                    operators += 1
            elif token.type == tokenize.NAME and token.string in _CHAIN_KEYWORDS:
                operators += 1
            if depth + operators > MAX_NESTING:
                return True
    except (tokenize.TokenError, SyntaxError):
        return True
    return False


def cpython_tree(text: str) -> ast.Module | SyntaxError:
    """CPython's tree of ``text``, or the error it raises (nesting too deep for CPython's own
    parser included); warnings about the code (``"\\d"``) are not shown."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = compile(text, "<source>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        return error
    except (ValueError, RecursionError, MemoryError) as error:
        return SyntaxError(f"{type(error).__name__}: {error}")
    assert isinstance(tree, ast.Module)
    return tree


def parse_helper_module(text: str) -> cst.Module | None:
    """libcst's tree of a module read only for its helpers; None when it is too large, too
    deeply nested or not Python (the helpers of such a module are unknown)."""
    if too_large_message(text) is not None:
        return None
    tree = cpython_tree(text)
    if isinstance(tree, ast.Module) and too_deep(tree) is not None:
        return None
    if not isinstance(tree, ast.Module) and unsafe_for_libcst(text):
        return None
    import libcst  # here: a run that parses nothing never loads it

    try:
        return libcst.parse_module(text)
    except Exception:  # noqa: BLE001 - what libcst cannot parse is simply unknown
        return None
