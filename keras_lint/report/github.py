"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::error`` for a finding of severity error, ``::warning`` for a warning:
``::error file=PATH,line=L,col=C,endLine=L2,endColumn=C2,title=CODE (name)::message``, escaped as
actions/toolkit escapes commands. ``col`` and ``endColumn`` are left out when a span covers
several lines (GitHub rejects them there). A notebook finding points at the line of the
``.ipynb`` file that holds its cell line, and its message names the cell and the line in it.
"""

from __future__ import annotations

from collections.abc import Sequence

from keras_lint.finding import Finding
from keras_lint.report.locations import StoredSpans, message_with_cell
from keras_lint.report.paths import relative_to_cwd


def escape_data(text: str) -> str:
    """A command's message: ``%``, carriage returns and newlines are percent-encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value: as the message, and ``:`` and ``,`` too (they delimit properties)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(properties: list[tuple[str, object]], message: str, level: str = "error") -> str:
    listed = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{level} {listed}::{escape_data(message)}"


def format_annotation(finding: Finding, spans: StoredSpans) -> str:
    properties: list[tuple[str, object]] = [("file", relative_to_cwd(finding.path) or finding.path)]
    span = spans.span(finding)
    if span is not None:
        properties.append(("line", span.line))
        if not span.multiline:
            properties.append(("col", span.column))
        properties.append(("endLine", span.end_line))
        if not span.multiline:
            properties.append(("endColumn", span.end_column))
    properties.append(("title", f"{finding.code} ({finding.name})"))
    level = "warning" if finding.severity == "warning" else "error"
    return _command(properties, message_with_cell(finding), level)


def render_github(
    findings: Sequence[Finding], files_checked: int = 0, errors: Sequence[str] = ()
) -> str:
    """One annotation per finding, then one per internal error (also printed on stderr)."""
    spans = StoredSpans()
    lines = [format_annotation(finding, spans) for finding in findings]
    lines += [_command([("title", "keras-lint internal error")], error) for error in errors]
    return "".join(line + "\n" for line in lines)
