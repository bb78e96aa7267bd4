"""Positions resolved per top-level statement equal libcst's over the whole module.

Over the rules' test snippets, the fixtures, a generated corpus, hand-made edge cases and (given
``KERAS_LINT_POSITIONS_CORPUS``, a folder of real code) a sample of real files: every node's
range, and every reported node's and fix edit's range (and so every report) of every Python
rule, resolved per statement and with the whole module, are the same.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import os
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import CodeRange

from keras_lint.analysis import ProjectIndex, build_module_facts
from keras_lint.analysis.facts import ModuleFacts
from keras_lint.analysis.positions import StatementPositions, whole_module_positions
from keras_lint.engine.project_scan import project_index
from keras_lint.rules import ALL_RULES, PythonRule, Report
from keras_lint.sources.notebook import NotebookError, notebook_program, read_code_cells
from keras_lint.sources.python import PythonSource

ROOT = Path(__file__).resolve().parents[2]
RULES = [rule() for rule in ALL_RULES if isinstance(rule(), PythonRule)]


def parsed(text: str) -> cst.Module | None:
    try:
        return cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None


def program_text(path: Path) -> str | None:
    """The text the engine parses for a ``.py`` file or a notebook."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None
    if path.suffix != ".ipynb":
        return PythonSource(text).text
    try:
        return notebook_program(read_code_cells(text)).text
    except NotebookError:
        return None


def outcome(position: object, node: cst.CSTNode) -> CodeRange | str:
    try:
        return position(node)  # type: ignore[operator,no-any-return]
    except KeyError:
        return "KeyError"


def rule_output(facts: ModuleFacts) -> list[tuple[str, str, object, list[object]]]:
    """Every report of every Python rule with the positions of its node and fix edits."""
    found = []
    for rule in RULES:
        reports: list[Report] = list(rule.check(facts))
        for report in reports:
            edits = report.fix.edits if report.fix is not None else ()
            found.append(
                (
                    rule.code,
                    report.message,
                    report.node and outcome(facts.position, report.node),
                    [edit.node and outcome(facts.position, edit.node) for edit in edits],
                )
            )
    return found


def assert_same_positions(text: str, path: str, project: ProjectIndex | None = None) -> bool:
    """Compare both ways on ``text``; False when libcst cannot parse it."""
    module = parsed(text)
    if module is None:
        return False
    whole = whole_module_positions(module)
    per_statement = StatementPositions(module)
    for node, expected in whole.items():
        assert per_statement[node] == expected, (path, node)
    with pytest.raises(KeyError):
        per_statement[cst.Name("elsewhere")]

    facts = build_module_facts(module, path, project)
    # the same facts answering positions the old way: from the whole module's mapping
    old_facts = dataclasses.replace(facts, _positions=dict(whole))
    assert rule_output(facts) == rule_output(old_facts), path
    return True


def snippets(test_file: Path) -> list[str]:
    """The multi-line string constants of a test module that are Python programs."""
    found = []
    for node in ast.walk(ast.parse(test_file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value:
            text = textwrap.dedent(node.value)
            try:
                compile(text, "<snippet>", "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                continue
            found.append(text)
    return found


SNIPPET_FILES = [*sorted((ROOT / "tests/rules").glob("test_*.py")), ROOT / "tests/test_fixes.py"]


@pytest.mark.parametrize("test_file", SNIPPET_FILES, ids=lambda path: path.stem)
def test_the_rule_snippets_have_the_whole_modules_positions(test_file: Path) -> None:
    texts = snippets(test_file)
    assert texts
    assert all(assert_same_positions(text, "train.py") for text in texts)


def test_the_fixtures_have_the_whole_modules_positions() -> None:
    files = sorted((ROOT / "fixtures").rglob("*.py"))
    assert files
    for path in files:
        text = program_text(path)
        assert text is not None and assert_same_positions(text, str(path))


EDGE_CASES = {
    "no trailing newline": "import keras\nmodel = keras.Sequential()\nmodel.fit(x, y)",
    "crlf": "import keras\r\n\r\n# a comment\r\nmodel = keras.Sequential()\r\nmodel.fit(x)\r\n",
    "lone cr": "import keras\r\rmodel = keras.Sequential()\rmodel.fit(x)\r",
    "mixed newlines": "import keras\r\nx = '''a\rb\nc'''\nmodel = keras.Sequential()\r\n",
    "header and footer": (
        "#!/usr/bin/env python\n# header\n\nimport keras\n\nmodel = 1\n\n# footer\n\n"
    ),
    "only comments": "# one\n\n# two\n",
    "empty": "",
    "blank lines": "\n\n\n",
    "decorators": (
        "import functools\n\n\n# before\n@functools.cache\n\n# between\n"
        "@(\n    functools.wraps\n)\n"
        "# after\ndef f(\n    a,\n):\n    return a\n\n\nclass C:\n    @property\n    def p(self):\n"
        "        pass\n"
    ),
    "semicolons": "import keras; import numpy as np\nx = 1; y = 2;\nif x: y = 3; z = 4\n",
    "continuations": "x = 1 + \\\n    2\ny = (\n    3\n)\n\nz = '''\nline\n'''; w = f'{x}'\n",
    "tabs and form feeds": "\x0cimport keras\n\x0c\nif True:\n\tx = 1\n\tif x:\n\t\ty = 2\n",
    "compound statements": (
        "try:\n    import keras\nexcept ImportError:  # no keras\n    keras = None\nelse:\n"
        "    pass\nfinally:\n    pass\nwhile False:\n    break\nelse:\n    pass\n"
        "with open('f') as f, open('g') as g:\n    pass\nfor i in range(3):\n    continue\n"
        "match i:\n    case 1:\n        pass\n    case _:\n        pass\n"
    ),
    "indented comment lines": "x = 1\n    # indented comment\ny = 2\n  \t\n# last\n",
    "unicode": "café = 'ünïcödé 🎉'\nn = len(café)  # 🎉 comment\n",
}


@pytest.mark.parametrize("text", EDGE_CASES.values(), ids=EDGE_CASES.keys())
def test_edge_cases_have_the_whole_modules_positions(text: str) -> None:
    assert assert_same_positions(text, "edge.py")


def test_a_generated_corpus_with_its_project_has_the_whole_modules_positions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2]))
    corpus = importlib.import_module("benchmarks.corpus")
    corpus.generate_corpus(tmp_path, 40, seed=3)
    index = project_index(tmp_path)
    files = sorted(tmp_path.rglob("*.py"))
    assert files and all(
        assert_same_positions(program_text(path) or "", str(path), index) for path in files
    )


def test_a_node_of_a_helper_module_is_not_positioned_in_the_linted_module() -> None:
    helper = cst.parse_module("def build():\n    return 1\n")
    module = cst.parse_module("import helper\n\nhelper.build()\n")
    positions = StatementPositions(module)
    with pytest.raises(KeyError):
        positions[helper.body[0]]
    assert StatementPositions(helper)[helper.body[0]] == whole_module_positions(helper)[
        helper.body[0]
    ]


CORPUS = os.environ.get("KERAS_LINT_POSITIONS_CORPUS")
SAMPLE = int(os.environ.get("KERAS_LINT_POSITIONS_FILES", "150"))


@pytest.mark.skipif(not CORPUS, reason="KERAS_LINT_POSITIONS_CORPUS names no folder of real code")
def test_real_files_have_the_whole_modules_positions() -> None:
    """A sample of the folder's ``.py`` files and notebooks, each with the project index of its
    top-level folder (so that rules follow calls into its other files)."""
    root = Path(str(CORPUS))
    files = sorted(p for p in root.rglob("*") if p.suffix in (".py", ".ipynb") and p.is_file())
    sample = files[:: max(1, len(files) // SAMPLE)]
    indexes: dict[Path, ProjectIndex] = {}
    compared = 0
    for path in sample:
        text = program_text(path)
        if text is None:
            continue
        top = root / path.relative_to(root).parts[0]
        if top not in indexes:
            indexes[top] = project_index(top)
        compared += assert_same_positions(text, str(path), indexes[top])
    assert compared >= len(sample) // 2
