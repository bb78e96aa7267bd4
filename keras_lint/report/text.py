"""The default output: one ``path:line:col: CODE message`` line per finding, then a summary.

With colour (a terminal, see ``style``) the path is bold, the separators cyan and the code red
for an error and yellow for a warning; the characters are the same either way.
"""

from __future__ import annotations

from collections.abc import Sequence

from keras_lint.finding import Finding
from keras_lint.report.paths import display_path
from keras_lint.report.style import BOLD, CYAN, PLAIN, Style


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def format_finding(finding: Finding, style: Style = PLAIN) -> str:
    where = style(display_path(finding.path), BOLD)
    colon = style(":", CYAN)
    if finding.cell is not None:
        where += f"{colon}cell {finding.cell}"
    code = style.severity(finding.code, finding.severity)
    return f"{where}{colon}{finding.line}{colon}{finding.column}{colon} {code} {finding.message}"


def summary(findings: Sequence[Finding], files_checked: int) -> str:
    checked = f"(checked {_plural(files_checked, 'file')})"
    if not findings:
        return f"All checks passed {checked}."
    files = len({finding.path for finding in findings})
    return f"Found {_plural(len(findings), 'finding')} in {_plural(files, 'file')} {checked}."


def render_text(
    findings: Sequence[Finding],
    files_checked: int,
    errors: Sequence[str] = (),
    *,
    style: Style = PLAIN,
    quiet: bool = False,
) -> str:
    """``errors`` are accepted for a uniform signature: the command prints them on stderr.
    ``quiet`` leaves the summary out."""
    lines = [format_finding(finding, style) for finding in findings]
    if not quiet:
        lines.append(summary(findings, files_checked))
    return "".join(line + "\n" for line in lines)
