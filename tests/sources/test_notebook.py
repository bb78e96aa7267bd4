"""Notebooks: one program from the code cells, IPython syntax masked, positions per cell."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from keras_lint.analysis import ModuleFacts
from keras_lint.cli import main
from keras_lint.engine import lint_paths, lint_source
from keras_lint.finding import Finding
from keras_lint.rules.base import PythonRule, Report
from keras_lint.sources.notebook import mask_ipython, notebook_program, read_code_cells


class _Calls(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == self.name:
            self.calls.append(node)


class BoomRule(PythonRule):
    code = "KER901"
    name = "boom-call"
    summary = "boom is called"
    trigger = re.compile("boom")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        visitor = _Calls("boom")
        facts.module.visit(visitor)
        for call in visitor.calls:
            yield Report("boom is called", node=call)


class EnvRule(PythonRule):
    """Reports every ``os.environ[...] = ...`` subscript key it sees, to observe ``%env``."""

    code = "KER902"
    name = "env"
    summary = "environment set"
    trigger = re.compile("environ")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        for node in _walk(facts.module):
            if isinstance(node, cst.Assign) and isinstance(node.targets[0].target, cst.Subscript):
                target = node.targets[0].target
                key = facts.module.code_for_node(target.slice[0])
                value = facts.module.code_for_node(node.value)
                yield Report(f"{key}={value}", node=node)


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from _walk(child)


RULES = [BoomRule, EnvRule]


def write_notebook(tmp_path: Path, *cells: nbformat.NotebookNode) -> Path:
    path = tmp_path / "train.ipynb"
    path.write_text(nbformat.writes(new_notebook(cells=list(cells))), encoding="utf-8")
    return path


def lint_notebook(path: Path) -> list[Finding]:
    result = lint_paths([path], rules=RULES)
    assert result.errors == []
    return result.findings


def where(findings: list[Finding]) -> list[tuple[str, int | None, int, int]]:
    return [(f.code, f.cell, f.line, f.column) for f in findings]


def test_findings_carry_cell_among_all_cells_and_line_inside_it(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        new_markdown_cell("# Title\nsome text"),
        new_code_cell("import os\nx = 1"),
        new_markdown_cell("more"),
        new_code_cell("y = 2\nif y:\n    boom(y)"),
    )
    assert where(lint_notebook(path)) == [("KER901", 4, 3, 5)]


def test_cells_are_one_program(tmp_path: Path) -> None:
    # a name defined in one cell and used in a later one: the analysis sees both
    path = write_notebook(tmp_path, new_code_cell("def boom():\n    pass"), new_code_cell("boom()"))
    assert where(lint_notebook(path)) == [("KER901", 2, 1, 1)]


def test_line_magics_shell_escapes_and_help_are_masked(tmp_path: Path) -> None:
    source = "%matplotlib inline\n!pip install keras\nfiles = !ls\nout = %sx ls\nboom?\n?boom\n"
    source += "boom()"
    path = write_notebook(tmp_path, new_code_cell(source))
    assert where(lint_notebook(path)) == [("KER901", 1, 7, 1)]


def test_masking_keeps_line_count_columns_and_indentation() -> None:
    lines = [
        "%time x = 1",
        "files = !ls -la",
        "if x:",
        "    !echo hi \\",
        "       more",
        "    y = 1",
        "np.array??",
    ]
    assert mask_ipython(lines) == [
        "pass",
        "files = None",
        "if x:",
        "    pass",
        "    pass",
        "    y = 1",
        "pass",
    ]


def test_valid_python_is_never_masked() -> None:
    lines = ["s = ('%d items'", "     % 3)"]
    assert mask_ipython(lines) == lines


def test_time_cell_magic_masks_only_its_line(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, new_code_cell("%%time\nx = 1\nboom()"))
    assert where(lint_notebook(path)) == [("KER901", 1, 3, 1)]


def test_other_cell_magics_mask_the_whole_cell(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        new_code_cell("%%bash\nboom(\necho done"),
        new_code_cell("%%writefile x.py\nboom()"),
        new_code_cell("boom()"),
    )
    assert where(lint_notebook(path)) == [("KER901", 3, 1, 1)]


def test_env_magic_becomes_an_os_environ_assignment(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        new_code_cell("%env TF_FORCE_GPU_ALLOW_GROWTH=true\n%env KERAS_BACKEND jax"),
        new_code_cell("%set_env A = b c"),
    )
    found = [(f.cell, f.line, f.message) for f in lint_notebook(path)]
    assert found == [
        (1, 1, '"TF_FORCE_GPU_ALLOW_GROWTH"="true"'),
        (1, 2, '"KERAS_BACKEND"="jax"'),
        (2, 1, '"A"="b c"'),
    ]


def test_invalid_json_is_ker001_and_other_files_still_lint(tmp_path: Path) -> None:
    (tmp_path / "broken.ipynb").write_text("{not json", encoding="utf-8")
    (tmp_path / "not_notebook.ipynb").write_text('{"a": 1}', encoding="utf-8")
    (tmp_path / "a.py").write_text("boom()\n", encoding="utf-8")
    result = lint_paths([tmp_path], rules=RULES)
    found = sorted((Path(f.path).name, f.code, f.cell, f.line, f.column) for f in result.findings)
    assert found == [
        ("a.py", "KER901", None, 1, 1),
        ("broken.ipynb", "KER001", None, 1, 1),
        ("not_notebook.ipynb", "KER001", None, 1, 1),
    ]


def test_a_broken_cell_is_ker001_and_the_other_cells_are_still_linted(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        new_code_cell("boom()"),
        new_markdown_cell("text"),
        new_code_cell("x = 1\ndef f(:\n    pass"),
        new_code_cell("boom()"),
    )
    assert where(lint_notebook(path)) == [
        ("KER901", 1, 1, 1),
        ("KER001", 3, 2, 7),
        ("KER901", 4, 1, 1),
    ]


def test_noqa_is_read_from_the_cell_line(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, new_code_cell("boom()  # noqa: KER901\nboom()"))
    assert where(lint_notebook(path)) == [("KER901", 1, 2, 1)]


def test_lint_source_reads_a_notebook_by_its_suffix() -> None:
    text = nbformat.writes(new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("boom()")]))
    assert where(lint_source(text, "nb.ipynb", rules=RULES)) == [("KER901", 2, 1, 1)]


def test_program_maps_every_line_back_to_its_cell() -> None:
    text = nbformat.writes(
        new_notebook(
            cells=[new_code_cell("a = 1\nb = 2\n"), new_markdown_cell("m"), new_code_cell("")]
            + [new_code_cell("c = 3")]
        )
    )
    source = notebook_program(read_code_cells(text))
    assert source.text == "a = 1\nb = 2\nc = 3\n"
    assert [source.user_line(n) for n in (1, 2, 3)] == [(1, 1), (1, 2), (4, 1)]


def test_a_cell_indented_as_a_whole_is_dedented_like_ipython_does() -> None:
    masked = mask_ipython(["    for key in sums:", "        print(key)"])
    assert masked == ["for key in sums:", "    print(key)"]


def test_findings_in_a_dedented_cell_keep_the_users_columns() -> None:
    text = nbformat.writes(
        new_notebook(cells=[new_code_cell("    x = 1\n    boom(x)\n      # deeper comment")])
    )
    (finding,) = lint_source(text, "nb.ipynb", rules=[BoomRule])
    assert (finding.cell, finding.line, finding.column, finding.end_column) == (1, 2, 5, 12)


#: cells that do not parse; the first three end at a short line, past which CPython points
BROKEN_SOURCES = [
    "def broken(:",
    "y = [1, 2",
    "a = 1 +",
    "x = 1\n  y = 2",
    "import os\nprint(os.sep\nz = 3",
    "label = 'é😀' + )",
    "for item in items\n    pass",
    "class Model:\npass",
    "text = 'unterminated",
    "values = {'a': 1,, 'b': 2}",
    "if ready:\n    train(\n        epochs=3,\n        batch_size=)",
]


def write_layout(path: Path, cells: list[nbformat.NotebookNode], layout: str) -> None:
    notebook = new_notebook(cells=cells)
    if layout == "jupyter":  # indented, one JSON string per source line, the last without "\n"
        nbformat.write(notebook, str(path))
    else:
        text = json.dumps(json.loads(nbformat.writes(notebook)), separators=(",", ":"))
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("layout", ["jupyter", "minified"])
def test_ker001_in_a_cell_is_where_cpython_puts_it_in_the_same_text_as_a_py_file(
    tmp_path: Path, layout: str
) -> None:
    for number, broken in enumerate(BROKEN_SOURCES):
        script = tmp_path / f"script{number}.py"
        script.write_text(broken, encoding="utf-8")
        notebook = tmp_path / f"notebook{number}.ipynb"
        cells = [new_code_cell("import keras"), new_markdown_cell("# Model"), new_code_cell(broken)]
        write_layout(notebook, cells, layout)
        (in_script,) = lint_paths([script]).findings
        (in_cell,) = lint_paths([notebook]).findings
        assert in_script.code == in_cell.code == "KER001"
        assert in_cell.message == in_script.message
        assert (in_cell.cell, in_cell.line, in_cell.column) == (3, in_script.line, in_script.column)


def test_ker001_columns_are_the_cells_in_every_output_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    cells = [new_code_cell("x = 1"), new_code_cell("def broken(:")]
    write_layout(tmp_path / "nb.ipynb", cells, "jupyter")
    file_lines = (tmp_path / "nb.ipynb").read_text(encoding="utf-8").splitlines()
    # the file position of the ":" of cell 2: CPython's column 12 in the cell
    (file_line,) = [n for n, line in enumerate(file_lines, 1) if "def broken(:" in line]
    file_column = file_lines[file_line - 1].index(":") + 1

    def run(output_format: str) -> str:
        assert main(["--no-cache", "--format", output_format, "nb.ipynb"]) == 1
        return capsys.readouterr().out

    assert run("text").startswith("nb.ipynb:cell 2:1:12: KER001 ")
    (finding,) = json.loads(run("json"))
    assert (finding["cell"], finding["line"], finding["column"]) == (2, 1, 12)
    (result,) = json.loads(run("sarif"))["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (file_line, file_column)
    assert f"::error file=nb.ipynb,line={file_line},col={file_column}," in run("github")


def test_a_magic_indented_with_its_cell_is_masked_like_an_unindented_one(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        new_code_cell("  %%time\n  x = 1\n  boom(x)"),
        new_code_cell("  %matplotlib inline"),
        new_code_cell("  %%bash\n  echo boom(\n  ls"),
        new_code_cell("\n%%writefile train.py\nboom("),
        new_code_cell("  %matplotlib inline\n  boom()"),
        new_code_cell("\n    boom()"),
    )
    assert where(lint_notebook(path)) == [
        ("KER901", 1, 3, 3),
        ("KER901", 5, 2, 3),
        ("KER901", 6, 2, 5),
    ]


#: one-line cells that IPython runs as a line magic (automagic is on by default)
AUTOMAGIC_CELLS = [
    "ls ./dir",
    "pip install keras==3.3.3",
    "cd data",
    "conda install -y numpy",
    "matplotlib inline",
    "time boom()",
    "timeit -n 3 boom()",
    "run train.py --epochs 3",
    "load_ext autoreload",
    "env KERAS_BACKEND jax",
    "ls(1, 2",
    "  cd data",
    "\ncd data",
    "rm -rf checkpoints/",
    "less train.py",
]


def test_one_line_cells_that_ipython_runs_as_magics_are_masked(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        *[new_code_cell(source) for source in AUTOMAGIC_CELLS],
        new_code_cell("%%time\npip install keras"),
        new_code_cell("x = 1\n\nboom(x)"),
    )
    assert where(lint_notebook(path)) == [("KER901", len(AUTOMAGIC_CELLS) + 2, 3, 1)]
    for cell in read_code_cells(path.read_text(encoding="utf-8"))[: len(AUTOMAGIC_CELLS)]:
        assert cell.program_lines[-1] == "pass"
        assert len(cell.program_lines) == len(cell.lines)


def test_python_that_starts_with_a_magic_name_is_left_alone(tmp_path: Path) -> None:
    cells = ["cd = 3", "time.sleep(1)", "pwd = os.getcwd()", "pwd", "ls -l", "print(pwd)"]
    path = write_notebook(tmp_path, *[new_code_cell(source) for source in cells])
    assert lint_notebook(path) == []
    masked = [cell.program_lines for cell in read_code_cells(path.read_text(encoding="utf-8"))]
    assert masked == [[source] for source in cells]


def test_syntax_errors_that_start_with_a_magic_name_are_ker001(tmp_path: Path) -> None:
    cells = [
        ("ls = [1, 2", 1, 6),  # an assignment is Python for IPython, never a magic
        ("ls.append(", 1, 10),  # `ls.append` is no magic's name
        ("pip3 install keras", 1, 6),  # no magic of that name
        ("import os\ncd data", 2, 4),  # automagic is for a cell of one line only
        ("ls ./dir\n\n", 1, 5),  # ... a trailing blank line makes two
        ("# list the data\nls ./dir", 2, 5),
        ("if True:\n    pip install keras", 2, 9),
        ("time.sleep(1", 1, 11),
    ]
    path = write_notebook(tmp_path, *[new_code_cell(source) for source, _, _ in cells])
    expected = [
        ("KER001", number, line, column) for number, (_, line, column) in enumerate(cells, 1)
    ]
    assert where(lint_notebook(path)) == expected


def test_a_name_an_earlier_cell_binds_is_python_not_a_magic(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        new_code_cell("cd data"),  # before `cd = ...`: still the magic
        new_code_cell("cd = 3\nfrom shutil import rm\ndef ls(folder):\n    pwd = folder"),
        new_code_cell("cd data"),
        new_code_cell("rm -rf data"),
        new_code_cell("ls ./dir"),
        new_code_cell("pwd ./dir"),  # bound inside `ls` only: the magic
    )
    assert where(lint_notebook(path)) == [
        ("KER001", 3, 1, 4),
        ("KER001", 4, 1, 8),
        ("KER001", 5, 1, 5),
    ]
