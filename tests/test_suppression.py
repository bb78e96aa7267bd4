"""Inline suppression comments."""

from __future__ import annotations

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
