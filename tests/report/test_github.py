"""``--format github``: workflow-command annotations, escaped as actions/toolkit escapes them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sample_notebook import (
    MULTI_LINE_CALL,
    ONE_LINE_CALL,
    TRAINING_CELL_INDEX,
    stored_text,
    write_notebook,
)

from keras_lint.engine import lint_paths
from keras_lint.finding import Finding
from keras_lint.report import render_github
from keras_lint.report.github import escape_data, escape_property

COMMAND = re.compile(r"::error (?P<properties>[^:]*)::(?P<message>.*)")


def finding(
    path: str = "train.py",
    span: tuple[int, int, int, int] = (3, 5, 3, 9),
    message: str = "bad loss",
    cell: int | None = None,
) -> Finding:
    return Finding(path, *span, "KER201", "loss-activation-mismatch", message, cell)


def parsed(line: str) -> tuple[dict[str, str], str]:
    """Properties and message of one command, still escaped (as the runner splits them)."""
    match = COMMAND.fullmatch(line)
    assert match, line
    properties = dict(item.split("=", 1) for item in match["properties"].split(","))
    return properties, match["message"]


def unescape(text: str) -> str:
    for escaped, character in [("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r")]:
        text = text.replace(escaped, character)
    return text.replace("%25", "%")


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_one_error_command_per_finding(cwd: Path) -> None:
    output = render_github([finding(), finding("pkg/b.py", (7, 1, 7, 30))], 2)
    assert output.splitlines() == [
        "::error file=train.py,line=3,col=5,endLine=3,endColumn=9,"
        "title=KER201 (loss-activation-mismatch)::bad loss",
        "::error file=pkg/b.py,line=7,col=1,endLine=7,endColumn=30,"
        "title=KER201 (loss-activation-mismatch)::bad loss",
    ]
    assert render_github([], 5) == ""


def test_the_message_escapes_percent_and_line_breaks_but_not_separators(cwd: Path) -> None:
    message = "100% sure:\r\nsoftmax, then sigmoid"
    (line,) = render_github([finding(message=message)], 1).splitlines()
    _, escaped = parsed(line)
    assert escaped == "100%25 sure:%0D%0Asoftmax, then sigmoid"
    assert unescape(escaped) == message


def test_property_values_also_escape_colons_and_commas(cwd: Path) -> None:
    path = "data,v2/run:1/100%/a.py"
    (line,) = render_github([finding(path)], 1).splitlines()
    properties, _ = parsed(line)
    assert properties["file"] == "data%2Cv2/run%3A1/100%25/a.py"
    assert unescape(properties["file"]) == path
    assert escape_property("a\nb\rc") == "a%0Ab%0Dc"
    assert escape_data("a:b,c%") == "a:b,c%25"


def test_paths_are_relative_to_the_current_folder_with_forward_slashes(cwd: Path) -> None:
    findings = [finding(str(cwd / "pkg" / "a.py")), finding("./pkg/../b.py")]
    files = [parsed(line)[0]["file"] for line in render_github(findings, 2).splitlines()]
    assert files == ["pkg/a.py", "b.py"]


def test_a_span_over_several_lines_has_no_columns(cwd: Path) -> None:
    (line,) = render_github([finding(span=(3, 5, 6, 2))], 1).splitlines()
    properties, _ = parsed(line)
    assert properties == {
        "file": "train.py",
        "line": "3",
        "endLine": "6",
        "title": "KER201 (loss-activation-mismatch)",
    }


def test_internal_errors_become_annotations_too(cwd: Path) -> None:
    output = render_github([finding()], 1, ["a.py: rule KER903 (crash) failed: RuntimeError: x"])
    assert output.splitlines()[-1] == (
        "::error title=keras-lint internal error::a.py: rule KER903 (crash) failed: RuntimeError: x"
    )


@pytest.mark.parametrize("minified", [False, True], ids=["pretty", "minified"])
def test_notebook_findings_point_at_the_line_of_the_ipynb_file(cwd: Path, minified: bool) -> None:
    text = write_notebook(cwd / "nb.ipynb", minified=minified)
    findings = lint_paths(["nb.ipynb"], select=["KER601"]).findings
    lines = render_github(findings, 1).splitlines()
    assert len(lines) == 2
    for line, (cell_line, code) in zip(lines, [ONE_LINE_CALL, MULTI_LINE_CALL], strict=True):
        properties, message = parsed(line)
        assert properties["file"] == "nb.ipynb"
        assert unescape(message).startswith(f"cell {TRAINING_CELL_INDEX}, line {cell_line}: ")
        start, end = int(properties["line"]), int(properties["endLine"])
        if "col" in properties:
            span = (start, int(properties["col"]), end, int(properties["endColumn"]))
            assert stored_text(text, *span) == code
        else:  # several lines of the file: the code starts on the first, ends on the last
            assert not minified and end - start == code.count("\n")
            first_line = code.splitlines()[0]
            assert first_line.replace('"', '\\"') in text.splitlines()[start - 1]


def test_a_notebook_position_that_cannot_be_found_gives_the_file_alone(cwd: Path) -> None:
    (line,) = render_github([finding("gone.ipynb", (2, 1, 2, 5), cell=3)], 1).splitlines()
    properties, message = parsed(line)
    assert properties == {"file": "gone.ipynb", "title": "KER201 (loss-activation-mismatch)"}
    assert message == "cell 3, line 2: bad loss"
