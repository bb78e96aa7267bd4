"""The size and nesting limits: measured as libcst nests a tree, and safe right up to them."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable

import pytest

from keras_lint.analysis.limits import (
    MAX_NESTING,
    MAX_PROGRAM_CHARS,
    nesting,
    parse_helper_module,
    too_large_message,
    unsafe_for_libcst,
)
from keras_lint.engine import lint_text


def depth(text: str) -> int:
    return nesting(ast.parse(text)).depth


def test_an_and_chain_is_one_level_per_operand_as_libcst_nests_it() -> None:
    assert depth("x = a and b and c and d\n") - depth("x = a and b\n") == 2
    assert depth("x = a < b < c < d\n") == depth("x = a < b\n")  # a flat Comparison in both


def test_a_statement_in_a_block_weighs_three_levels_and_an_elif_one() -> None:
    flat = depth("x = 1\n")
    assert depth("if a:\n    x = 1\n") == flat + 3
    assert depth("if a:\n    pass\nelif b:\n    x = 1\n") == flat + 4
    assert depth("if a:\n    pass\nelse:\n    if b:\n        x = 1\n") == flat + 6


def test_the_deepest_line_is_reported() -> None:
    assert nesting(ast.parse("x = 1\n\ny = " + "-" * 50 + "a\n")).line == 3


def test_size_limit_counts_characters() -> None:
    assert too_large_message("x" * MAX_PROGRAM_CHARS) is None
    message = too_large_message("x" * (MAX_PROGRAM_CHARS + 1))
    assert (
        message == "too large to analyse: 2.0 million characters of Python (the limit is 2 million)"
    )


@pytest.mark.parametrize(
    ("text", "unsafe"),
    [
        ("type X = int\nx = a + b\n", False),
        ("type X = int\nx = " + "a + " * (MAX_NESTING + 1) + "a\n", True),
        ("type X = int\nx = " + "(" * (MAX_NESTING + 1) + ")" * (MAX_NESTING + 1) + "\n", True),
        ("type X = int\nx = [\n" + "a,\n" * 5000 + "]\n", False),  # long, not deep
        ("x = '''never closed\n", True),  # the tokenizer gives up: unsafe
    ],
)
def test_text_cpython_rejects_is_unsafe_when_a_logical_line_could_nest_too_deep(
    text: str, unsafe: bool
) -> None:
    assert unsafe_for_libcst(text) is unsafe


def test_helper_modules_too_deep_or_too_large_are_unknown_not_parsed() -> None:
    assert parse_helper_module("def build():\n    pass\n") is not None
    assert parse_helper_module("x = " + "a and " * MAX_NESTING + "a\n") is None
    assert parse_helper_module("x = 1\n" * (MAX_PROGRAM_CHARS // 6 + 1)) is None
    assert parse_helper_module("def f(:\n") is None


def run_isolated(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter: libcst's native parser kills the process it
    overflows, which must not be the test run's."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)


def test_a_chain_that_overflows_libcst_natively_is_ker001_not_a_dead_process() -> None:
    done = run_isolated(
        "from keras_lint.engine import lint_text\n"
        "text = 'x = ' + 'a and ' * 10000 + 'a\\nmodel.fit(x)\\n'\n"
        "result = lint_text(text, 'deep.py', prefilter=False)\n"
        "print([(f.code, f.line, f.message) for f in result.findings], result.errors)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "[('KER001', 1, 'too deeply nested to analyse: 10004 levels at line 1"
        " (the limit is 200)')] []"
    )


def test_a_helper_module_that_overflows_libcst_natively_is_unknown_not_a_dead_process() -> None:
    done = run_isolated(
        "from keras_lint.analysis.limits import parse_helper_module\n"
        "print(parse_helper_module('x = ' + 'a and ' * 10000 + 'a\\n'))\n"
        "print(parse_helper_module('type X = int\\nx = ' + '(' * 5000 + ')' * 5000 + '\\n'))\n"
    )
    assert (done.returncode, done.stdout) == (0, "None\nNone\n"), done.stderr


TAIL = "import keras\nmodel = keras.Sequential()\nmodel.fit(x)\n"


def indented(statement: str, body: str) -> Callable[[int], str]:
    """``n`` nested blocks opened by ``statement`` around ``body``."""

    def make(n: int) -> str:
        return "".join(" " * i + statement + "\n" for i in range(n)) + " " * n + body + "\n"

    return make


#: text whose nesting grows with ``n``, in each way a tree can grow deep
GROWING: dict[str, Callable[[int], str]] = {
    "and": lambda n: "x = " + "a and " * n + "a\n",
    "plus": lambda n: "x = " + "a + " * n + "a\n",
    "attribute": lambda n: "x = a" + ".b" * n + "\n",
    "call chain": lambda n: "x = f" + "()" * n + "\n",
    "subscript": lambda n: "x = a" + "[0]" * n + "\n",
    "not": lambda n: "x = " + "not " * n + "a\n",
    "conditional": lambda n: "x = " + "a if b else " * n + "a\n",
    "lambda": lambda n: "x = " + "lambda: " * n + "a\n",
    "fit argument": lambda n: "model.fit(" + "a + " * n + "a)\n",
    "elif": lambda n: "if a:\n    pass\n" + "elif a:\n    x = 1\n" * n,
    "if": indented("if a:", "model.fit(x)"),
    "def": indented("def f():", "model.fit(x)"),
    "for": indented("for i in a:", "model.fit(x)"),
    "with": indented("with a:", "model.compile()"),
}


def within_the_limit(text: str) -> bool:
    try:
        return depth(text) <= MAX_NESTING
    except SyntaxError:  # more indentation than CPython allows
        return False


def largest_within_the_limit(make: Callable[[int], str]) -> int:
    low, high = 1, 1000
    while high - low > 1:
        middle = (low + high) // 2
        if within_the_limit(make(middle) + TAIL):
            low = middle
        else:
            high = middle
    return low


def at_stack_depth(frames: int, call: Callable[[], object]) -> object:
    return call() if frames == 0 else at_stack_depth(frames - 1, call)


@pytest.mark.parametrize("shape", sorted(GROWING))
def test_every_rule_runs_on_a_tree_at_the_limit_from_a_deep_caller(shape: str) -> None:
    make = GROWING[shape]
    n = largest_within_the_limit(make)
    assert depth(make(n) + TAIL) > MAX_NESTING - 5
    # flake8 under pytest calls the engine from about 100 frames deep; allow three times that
    result = at_stack_depth(300, lambda: lint_text(make(n) + TAIL, "t.py", prefilter=False))
    assert isinstance(result, type(lint_text("")))
    assert result.errors == []
    assert [f.code for f in result.findings if f.code == "KER001"] == []
    deeper = lint_text(make(n + 1) + TAIL, "t.py", prefilter=False)
    assert deeper.errors == []
    assert [f.code for f in deeper.findings] == ["KER001"]
    assert deeper.findings[0].message.startswith("too deeply nested to analyse: ")
