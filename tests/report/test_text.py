"""The default text output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keras_lint.finding import Finding
from keras_lint.report import render_text
from keras_lint.report.paths import display_path


def finding(path: str, line: int = 3, cell: int | None = None, code: str = "KER201") -> Finding:
    return Finding(path, line, 5, line, 9, code, "loss-activation-mismatch", "bad loss", cell)


def test_one_line_per_finding_then_a_summary() -> None:
    text = render_text([finding("a.py"), finding("b.py", 7), finding("a.py", 9)], 40)
    assert text.splitlines() == [
        "a.py:3:5: KER201 bad loss",
        "b.py:7:5: KER201 bad loss",
        "a.py:9:5: KER201 bad loss",
        "Found 3 findings in 2 files (checked 40 files).",
    ]


def test_notebook_findings_name_the_cell() -> None:
    assert render_text([finding("nb.ipynb", 2, cell=4)], 1).splitlines() == [
        "nb.ipynb:cell 4:2:5: KER201 bad loss",
        "Found 1 finding in 1 file (checked 1 file).",
    ]


def test_clean_run_says_all_checks_passed() -> None:
    assert render_text([], 40) == "All checks passed (checked 40 files).\n"


def test_paths_under_the_current_folder_are_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    inside = os.path.join(os.getcwd(), "pkg", "a.py")
    outside = str(tmp_path.parent / "elsewhere.py")
    assert display_path(inside) == "pkg/a.py"
    assert display_path(outside) == outside
    assert display_path("rel/b.py") == "rel/b.py"
    assert render_text([finding(inside)], 1).startswith("pkg/a.py:3:5: ")
