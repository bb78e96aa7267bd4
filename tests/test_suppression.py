"""Inline suppression comments."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from keras_lint.suppression import dockerfile_pragma_suppresses, noqa_suppresses


@pytest.mark.parametrize(
    "line",
    [
        "fit()  # noqa",
        "fit()  # NOQA",
        "fit()  #noqa",
        "fit()  # noqa: KER201",
        "fit()  # noqa:KER201",
        "fit()  # noqa: E501,KER201",
        "fit()  # noqa: E501 KER201",
        "fit()  # noqa: ker2",
        "fit()  # noqa: KER",
        "fit()  # type: ignore  # noqa: KER201",
    ],
)
def test_noqa_silences(line: str) -> None:
    assert noqa_suppresses(line, "KER201")


@pytest.mark.parametrize(
    "line",
    [
        "fit()",
        "fit()  # noqa: KER101",
        "fit()  # noqa: E501",
        "fit()  # noqa: KER2011",
        "fit()  # no qa",
    ],
)
def test_noqa_for_other_codes_does_not_silence(line: str) -> None:
    assert not noqa_suppresses(line, "KER201")


def test_dockerfile_pragma_applies_to_the_line_directly_below() -> None:
    lines = ["# keras-lint: ignore=KER401", "FROM python", "", "FROM ubuntu"]
    assert dockerfile_pragma_suppresses(lines, 2, "KER401")
    assert not dockerfile_pragma_suppresses(lines, 4, "KER401")
    assert not dockerfile_pragma_suppresses(lines, 1, "KER401")


def test_dockerfile_pragma_takes_a_code_list_and_prefixes() -> None:
    lines = ["  # keras-lint: ignore=KER101, KER4", "FROM python"]
    assert dockerfile_pragma_suppresses(lines, 2, "KER401")
    assert not dockerfile_pragma_suppresses(["# keras-lint: ignore=KER101", "FROM x"], 2, "KER401")


# -- in the command, on real sources --------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
MISMATCH = (ROOT / "fixtures/loss-activation-mismatch/bad.py").read_text()
COMPILE_LINE = MISMATCH.splitlines().index("    model.compile(") + 1


def lint(tmp_path: Path, name: str, text: str) -> tuple[list[str], str]:
    """The findings' ``line:code`` and what is printed on stderr, from the real command."""
    (tmp_path / name).write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "keras_lint", "--isolated", "--no-cache", "--format", "json", name],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    findings = json.loads(done.stdout)
    return [f"{f['line']}:{f['code']}" for f in findings], done.stderr


def with_line(text: str, line: int, suffix: str) -> str:
    lines = text.splitlines()
    lines[line - 1] += suffix
    return "\n".join(lines) + "\n"


def test_noqa_on_any_line_of_the_reported_call_silences_it(tmp_path: Path) -> None:
    assert lint(tmp_path, "a.py", MISMATCH) == ([f"{COMPILE_LINE}:KER201"], "")
    loss_line = COMPILE_LINE + 2  # `loss="categorical_crossentropy",` where black puts it
    assert MISMATCH.splitlines()[loss_line - 1].strip().startswith("loss=")
    assert lint(tmp_path, "a.py", with_line(MISMATCH, loss_line, "  # noqa: KER201")) == ([], "")
    closing = MISMATCH.splitlines().index("    )", COMPILE_LINE) + 1
    assert lint(tmp_path, "a.py", with_line(MISMATCH, closing, "  # noqa")) == ([], "")
    after = with_line(MISMATCH, closing + 1, "  # noqa: KER201")  # a line past the call
    assert lint(tmp_path, "a.py", after) == ([f"{COMPILE_LINE}:KER201"], "")
    other = with_line(MISMATCH, loss_line, "  # noqa: KER101")
    assert lint(tmp_path, "a.py", other) == ([f"{COMPILE_LINE}:KER201"], "")


def test_noqa_inside_a_string_is_text_not_a_comment(tmp_path: Path) -> None:
    text = (
        '"""Train it.\n\nSilence a finding with `# noqa: KER999` on its line.\n"""\n'
        'HELP = "append  # noqa: KER201  to the line"\n' + MISMATCH
    )
    compile_line = COMPILE_LINE + 5
    assert lint(tmp_path, "a.py", text) == ([f"{compile_line}:KER201"], "")
    # a string on a line of the reported call does not silence it either
    quoted = text.replace('metrics=["accuracy"],', 'metrics=["accuracy", "# noqa: KER201"],')
    assert quoted != text
    assert lint(tmp_path, "a.py", quoted) == ([f"{compile_line}:KER201"], "")
    real = with_line(text, compile_line, "  # noqa: KER999")
    assert lint(tmp_path, "a.py", real) == (
        [f"{compile_line}:KER201"],
        f"keras-lint: warning: a.py:{compile_line}: unknown code KER999 in '# noqa'\n",
    )


def test_a_source_the_tokenizer_cannot_read_falls_back_to_whole_lines(tmp_path: Path) -> None:
    # an unterminated string: KER001, which a noqa before the string still silences
    assert lint(tmp_path, "a.py", 'x = 1  # noqa: KER001\ny = """\n# noqa: KER9\n') == (
        ["2:KER001"],
        "keras-lint: warning: a.py:3: unknown code KER9 in '# noqa'\n",
    )
    assert lint(tmp_path, "a.py", 'x = 1\ny = """  # noqa: KER001\n') == ([], "")
    assert lint(tmp_path, "a.py", "if x:\n  y = 1\n    z = (  # noqa\n") == ([], "")


def test_notebooks_read_noqa_from_comments_masked_lines_and_broken_cells(tmp_path: Path) -> None:
    cells = [
        '"""In a notebook, `# noqa: KER999` in a string is text too."""',
        MISMATCH.replace('"categorical_crossentropy",', '"categorical_crossentropy",  # noqa'),
        "%time history = x  # noqa: KER998",
        "def f(:  # noqa: KER001",
        "def g(:",
    ]
    notebook = json.dumps(
        {
            "cells": [{"cell_type": "code", "metadata": {}, "source": cell, "outputs": [],
                       "execution_count": None} for cell in cells],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
        }
    )  # fmt: skip
    (tmp_path / "nb.ipynb").write_text(notebook)
    done = subprocess.run(
        [sys.executable, "-m", "keras_lint", "--isolated", "--no-cache", "--format", "json",
         "nb.ipynb"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert [(f["cell"], f["code"]) for f in json.loads(done.stdout)] == [(5, "KER001")]
    warning = "keras-lint: warning: nb.ipynb:cell 3:1: unknown code KER998 in '# noqa'\n"
    assert done.stderr == warning
