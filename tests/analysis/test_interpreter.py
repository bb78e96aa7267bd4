"""The interpreter on inputs that stress it: it stays fast and never raises."""

from __future__ import annotations

import time

import libcst as cst

from keras_lint.analysis import build_module_facts


def facts_of(src: str):
    return build_module_facts(cst.parse_module(src), "t.py")


def test_a_long_operator_chain_is_not_a_recursion_error() -> None:
    src = "import numpy as np\nx = np.array([0]*44" + "+[1]" * 1700 + ")\n"
    assert facts_of(src).training == []


def test_mutually_recursive_helpers_terminate() -> None:
    src = """\
from tensorflow import keras

def a(n):
    return b(n)

def b(n):
    m = a(n)
    m.fit(1, 2)
    return m

a(1)
"""
    facts_of(src)  # must return


def test_deeply_nested_helper_calls_stay_within_budget() -> None:
    # every helper calls the next three times: unbounded inlining would be exponential
    lines = ["from tensorflow import keras"]
    for level in range(12):
        lines.append(f"def f{level}(x):")
        lines.append(f"    return f{level + 1}(x) + f{level + 1}(x) + f{level + 1}(x)")
    lines.append("def f12(x):\n    return x")
    lines.append("model = keras.Sequential([keras.layers.Dense(1)])")
    lines.append("f0(model)\nmodel.fit(1, 2)")
    facts = facts_of("\n".join(lines) + "\n")
    assert len(facts.training) == 1


def test_deeply_nested_loops_stay_linear() -> None:
    # two passes over every loop body at every level would cost 2**30 passes
    lines = ["from tensorflow import keras", "model = keras.Sequential([keras.layers.Dense(1)])"]
    lines += [" " * level + "for i in range(2):" for level in range(30)]
    lines.append(" " * 30 + "model.fit(1, 2)")
    started = time.perf_counter()
    facts = facts_of("\n".join(lines) + "\n")
    assert len(facts.training) == 1
    assert time.perf_counter() - started < 10


def test_objects_that_refer_to_themselves_can_be_handed_to_unknown_code() -> None:
    # found in setuptools, mypy and pytest: an object reachable from its own attributes
    src = """\
import keras
from somewhere import register

class Node:
    def __init__(self):
        self.owner = self
        self.model = keras.Sequential([keras.layers.Dense(1)])

a = Node()
b = Node()
a.peer, b.peer = b, a
register(a)
a.model.fit(1, 2)
"""
    (call,) = facts_of(src).training
    assert call.compiled.value == "unknown"  # register may have compiled it


def test_names_that_modules_import_from_each_other_are_unknown(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # found in site-packages: a name re-exported around a cycle of modules (``from b import f``
    # in a, ``from a import f`` in b) once recursed until Python's limit
    from conftest import write_tree
    from keras_lint.engine import lint_paths

    root = write_tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import build\n",
            "pkg/b.py": "from pkg.a import build\n",
            "pkg/c.py": "from pkg.a import build as build\nfrom pkg.c import build as again\n",
            "train.py": (
                "import keras\nfrom pkg.a import build\nfrom pkg.c import again\n"
                "model = build()\nmodel.fit(x, y)\nagain().fit(x, y)\n"
                "bare = keras.Sequential()\nbare.fit(x, y)\n"
            ),
        },
    )
    result = lint_paths([root], select=["KER101"])
    assert result.errors == []
    # what build() returns is unknown: only the model made here is reported
    assert [
        (finding.path.rsplit("/", 1)[-1], finding.line, finding.code) for finding in result.findings
    ] == [("train.py", 8, "KER101")]
