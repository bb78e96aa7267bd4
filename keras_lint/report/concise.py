"""``--format concise``: exactly one ``path:line:col: CODE message`` line per finding.

The default text format without its summary line: nothing is printed when there is nothing to
report, so editors, ``grep`` and ``wc -l`` read it as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

from keras_lint.finding import Finding
from keras_lint.report.style import PLAIN, Style
from keras_lint.report.text import format_finding


def render_concise(
    findings: Sequence[Finding],
    files_checked: int = 0,
    errors: Sequence[str] = (),
    *,
    style: Style = PLAIN,
    quiet: bool = False,
) -> str:
    return "".join(format_finding(finding, style) + "\n" for finding in findings)
