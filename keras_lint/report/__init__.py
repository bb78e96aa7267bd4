"""Output formats: each turns findings into the text a front end prints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from keras_lint.finding import Finding
from keras_lint.report.concise import render_concise
from keras_lint.report.full import render_full
from keras_lint.report.github import render_github
from keras_lint.report.gitlab import render_gitlab
from keras_lint.report.json import render_json
from keras_lint.report.junit import render_junit
from keras_lint.report.paths import display_path
from keras_lint.report.sarif import render_sarif
from keras_lint.report.statistics import STATISTICS_FORMATS, render_statistics
from keras_lint.report.text import render_text


class Render(Protocol):
    def __call__(
        self, findings: Sequence[Finding], files_checked: int, errors: Sequence[str] = ()
    ) -> str:
        """The output for ``findings`` (already sorted); ``errors`` are the run's internal
        errors, which the front end also prints on stderr."""
        ...


#: name -> render(findings, files_checked, errors)
FORMATS: dict[str, Render] = {
    "text": render_text,
    "concise": render_concise,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "full": render_full,
    "gitlab": render_gitlab,
    "junit": render_junit,
}
#: the formats meant for people: they take ``style`` (colour) and ``quiet`` (no summary)
HUMAN_FORMATS = ("text", "concise", "full")

__all__ = [
    "FORMATS",
    "HUMAN_FORMATS",
    "STATISTICS_FORMATS",
    "Render",
    "display_path",
    "render_concise",
    "render_full",
    "render_github",
    "render_gitlab",
    "render_json",
    "render_junit",
    "render_sarif",
    "render_statistics",
    "render_text",
]
