"""The default output: one ``path:line:col: CODE message`` line per finding, then a summary."""

from __future__ import annotations

from collections.abc import Sequence

from keras_lint.finding import Finding
from keras_lint.report.paths import display_path


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def format_finding(finding: Finding) -> str:
    where = display_path(finding.path)
    if finding.cell is not None:
        where += f":cell {finding.cell}"
    return f"{where}:{finding.line}:{finding.column}: {finding.code} {finding.message}"


def summary(findings: Sequence[Finding], files_checked: int) -> str:
    checked = f"(checked {_plural(files_checked, 'file')})"
    if not findings:
        return f"All checks passed {checked}."
    files = len({finding.path for finding in findings})
    return f"Found {_plural(len(findings), 'finding')} in {_plural(files, 'file')} {checked}."


def render_text(findings: Sequence[Finding], files_checked: int, errors: Sequence[str] = ()) -> str:
    """``errors`` are accepted for a uniform signature: the command prints them on stderr."""
    lines = [format_finding(finding) for finding in findings]
    lines.append(summary(findings, files_checked))
    return "\n".join(lines) + "\n"
