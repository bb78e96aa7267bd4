"""``--statistics``: findings counted per code, most frequent first."""

from __future__ import annotations

import json

import pytest

from keras_lint.finding import Finding
from keras_lint.report import STATISTICS_FORMATS, render_statistics
from keras_lint.report.statistics import Statistic, count_by_code

NAMES = {
    "KER001": "parse-error",
    "KER101": "compile-before-fit",
    "KER201": "loss-activation-mismatch",
    "KER601": "early-stopping-without-restore",
}


def findings(*codes: str) -> list[Finding]:
    return [
        Finding(f"f{i}.py", i + 1, 1, i + 1, 2, code, NAMES[code], "m")
        for i, code in enumerate(codes)
    ]


SAMPLE = findings("KER601", "KER201", "KER601", "KER101", "KER201", "KER601", "KER001")


def test_counts_sort_by_count_then_code() -> None:
    assert count_by_code(SAMPLE) == [
        Statistic("KER601", "early-stopping-without-restore", 3),
        Statistic("KER201", "loss-activation-mismatch", 2),
        Statistic("KER001", "parse-error", 1),
        Statistic("KER101", "compile-before-fit", 1),
    ]
    assert count_by_code([]) == []


def test_text_prints_tab_separated_rows_then_the_summary() -> None:
    many = SAMPLE + findings(*["KER101"] * 9)
    assert render_statistics("text", many, 30).splitlines() == [
        "10\tKER101\tcompile-before-fit",
        " 3\tKER601\tearly-stopping-without-restore",
        " 2\tKER201\tloss-activation-mismatch",
        " 1\tKER001\tparse-error",
        "Found 16 findings in 9 files (checked 30 files).",
    ]


def test_concise_prints_the_rows_alone() -> None:
    assert render_statistics("concise", SAMPLE, 30).splitlines() == [
        "3\tKER601\tearly-stopping-without-restore",
        "2\tKER201\tloss-activation-mismatch",
        "1\tKER001\tparse-error",
        "1\tKER101\tcompile-before-fit",
    ]
    assert render_statistics("concise", [], 30) == ""


def test_json_is_an_array_of_code_name_count_objects() -> None:
    assert json.loads(render_statistics("json", SAMPLE, 30)) == [
        {"code": "KER601", "name": "early-stopping-without-restore", "count": 3},
        {"code": "KER201", "name": "loss-activation-mismatch", "count": 2},
        {"code": "KER001", "name": "parse-error", "count": 1},
        {"code": "KER101", "name": "compile-before-fit", "count": 1},
    ]
    assert json.loads(render_statistics("json", [], 30)) == []


def test_a_clean_run_in_text_still_says_so() -> None:
    assert render_statistics("text", [], 4) == "All checks passed (checked 4 files).\n"


@pytest.mark.parametrize("format_name", ["sarif", "github"])
def test_formats_without_room_for_counts_are_refused(format_name: str) -> None:
    assert format_name not in STATISTICS_FORMATS
    with pytest.raises(ValueError, match=format_name):
        render_statistics(format_name, SAMPLE, 1)
