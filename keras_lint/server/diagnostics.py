"""Findings as LSP diagnostics."""

from __future__ import annotations

from lsprotocol import types

from keras_lint.finding import Finding
from keras_lint.server.positions import Lines

__all__ = ["SOURCE", "diagnostic", "severity_of"]

#: the name clients show beside each diagnostic
SOURCE = "keras-lint"

_SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
    "note": types.DiagnosticSeverity.Information,
}


def severity_of(finding: Finding) -> types.DiagnosticSeverity:
    """The finding's severity as LSP's; a finding without one is an error (DESIGN section 5:
    silent training bugs are errors)."""
    severity = str(getattr(finding, "severity", "error"))
    return _SEVERITIES.get(severity, types.DiagnosticSeverity.Error)


def diagnostic(finding: Finding, lines: Lines) -> types.Diagnostic:
    return types.Diagnostic(
        range=lines.span(finding.line, finding.column, finding.end_line, finding.end_column),
        message=finding.message,
        severity=severity_of(finding),
        code=finding.code,
        source=SOURCE,
    )
