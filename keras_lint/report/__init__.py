"""Output formats: each turns findings into the text a front end prints."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from keras_lint.finding import Finding
from keras_lint.report.json import render_json
from keras_lint.report.paths import display_path
from keras_lint.report.text import render_text

#: name -> render(findings, files_checked); the findings are already sorted
FORMATS: dict[str, Callable[[Sequence[Finding], int], str]] = {
    "text": render_text,
    "json": render_json,
}

__all__ = ["FORMATS", "display_path", "render_json", "render_text"]
