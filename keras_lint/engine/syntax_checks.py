"""Syntax checks before any rule runs: NUL bytes, size, CPython's fast parser, nesting too deep
for libcst, and libcst's own parse (with the tab expansion CPython accepts and libcst does not)."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from keras_lint.analysis.limits import (
    too_deep,
    too_deep_message,
    too_large_message,
)

if TYPE_CHECKING:
    import libcst as cst


@dataclass(frozen=True)
class SyntaxProblem:
    line: int
    column: int
    message: str
    #: nesting too deep for a parser's stack: libcst's native parser must not see this text
    too_deep: bool = False


def libcst_parse(text: str) -> cst.Module | SyntaxProblem:
    import libcst as cst  # here: a run that parses nothing never loads it

    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        return SyntaxProblem(error.raw_line, error.raw_column + 1, f"cannot parse: {error.message}")
    except RecursionError:
        return SyntaxProblem(1, 1, "cannot parse: too deeply nested")
    except Exception as error:  # the native parser has raised other errors on odd input
        return SyntaxProblem(1, 1, f"cannot parse: {type(error).__name__}: {error}")


def compile_check(text: str, *, measure: bool = False) -> SyntaxProblem | None:
    """CPython's own parser: far faster than libcst when only syntax errors are wanted.

    ``measure``: the tree is for libcst to parse next, so one nested too deeply for libcst is
    a problem too.
    """
    try:
        with warnings.catch_warnings():  # "\\d" is the user's to hear about, not keras-lint's
            warnings.simplefilter("ignore")
            # The name is no file's: given an existing file, CPython counts an error's column
            # in that file's line instead of the text's (a notebook's line 1 is "{").
            tree = compile(text, "<source>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        deep = any(word in error.msg for word in ("too many nested", "too complex", "nested too"))
        return SyntaxProblem(
            error.lineno or 1, error.offset or 1, f"cannot parse: {error.msg}", too_deep=deep
        )
    except RecursionError:
        return SyntaxProblem(1, 1, "cannot parse: too deeply nested", too_deep=True)
    except MemoryError:
        return SyntaxProblem(
            1, 1, "cannot parse: out of memory (too deeply nested?)", too_deep=True
        )
    except ValueError as error:
        return SyntaxProblem(1, 1, f"cannot parse: {error}", too_deep=True)
    return too_deep_problem(tree) if measure else None


def too_deep_problem(tree: ast.AST) -> SyntaxProblem | None:
    """A CPython tree nested too deeply for libcst, as a problem; None when it is not."""
    nesting = too_deep(tree)
    if nesting is not None:
        return SyntaxProblem(nesting.line, 1, too_deep_message(nesting), too_deep=True)
    return None


def expand_indentation_tabs(text: str) -> str:
    """Tabs in leading whitespace expanded to CPython's tab stops (every 8 columns)."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        stripped = line.lstrip(" \t\f")
        indent = line[: len(line) - len(stripped)]
        if "\t" in indent:
            lines[index] = indent.expandtabs(8) + stripped
    return "".join(lines)


def nul_problem(text: str) -> SyntaxProblem | None:
    offset = text.find("\x00")
    if offset < 0:
        return None
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return SyntaxProblem(line, column, "source contains NUL bytes (binary file?)")


def size_problem(text: str) -> SyntaxProblem | None:
    message = too_large_message(text)
    return None if message is None else SyntaxProblem(1, 1, message)
