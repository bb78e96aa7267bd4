"""``--format concise``: one line per finding and nothing else."""

from __future__ import annotations

from keras_lint.finding import Finding
from keras_lint.report import render_concise, render_text


def finding(path: str, line: int = 3, cell: int | None = None) -> Finding:
    return Finding(path, line, 5, line, 9, "KER201", "loss-activation-mismatch", "bad loss", cell)


def test_exactly_one_line_per_finding_without_a_summary() -> None:
    findings = [finding("a.py"), finding("nb.ipynb", 2, cell=4), finding("b.py", 7)]
    assert render_concise(findings, 40).splitlines() == [
        "a.py:3:5: KER201 bad loss",
        "nb.ipynb:cell 4:2:5: KER201 bad loss",
        "b.py:7:5: KER201 bad loss",
    ]


def test_the_lines_are_the_text_format_without_its_summary_line() -> None:
    findings = [finding("a.py"), finding("nb.ipynb", 2, cell=4)]
    assert render_concise(findings, 3) == "".join(render_text(findings, 3).splitlines(True)[:-1])


def test_nothing_at_all_when_there_is_nothing_to_report() -> None:
    assert render_concise([], 40) == ""
