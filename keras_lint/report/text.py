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


def format_finding(
    finding: Finding,
    style: Style = PLAIN,
    *,
    mark_fixes: bool = False,
    unsafe_fixes: bool = False,
) -> str:
    """One finding; with ``mark_fixes``, ``[*]`` after the code when ``--fix`` (with
    ``unsafe_fixes``) fixes it (``concise``, which editors parse, marks nothing)."""
    where = style(display_path(finding.path), BOLD)
    colon = style(":", CYAN)
    if finding.cell is not None:
        where += f"{colon}cell {finding.cell}"
    code = style.severity(finding.code, finding.severity)
    fixable = mark_fixes and finding.fix is not None and finding.fix.applies(unsafe_fixes)
    mark = " [*]" if fixable else ""
    return (
        f"{where}{colon}{finding.line}{colon}{finding.column}{colon} {code}{mark} "
        f"{finding.message}"
    )


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
    unsafe_fixes: bool = False,
) -> str:
    """``errors`` are accepted for a uniform signature: the command prints them on stderr.
    ``quiet`` leaves the summary out; ``unsafe_fixes``: unsafe fixes count as fixable
    (``--unsafe-fixes``)."""
    lines = [
        format_finding(finding, style, mark_fixes=True, unsafe_fixes=unsafe_fixes)
        for finding in findings
    ]
    if not quiet:
        lines.append(summary(findings, files_checked))
        hint = fixable_hint(findings, unsafe_fixes)
        if hint is not None:
            lines.append(hint)
    return "".join(line + "\n" for line in lines)


def fixable_hint(findings: Sequence[Finding], unsafe: bool) -> str | None:
    """The summary's note on fixes: how many findings ``--fix`` would fix, and how many more
    ``--unsafe-fixes`` would; None when neither would fix any."""
    fixable = sum(1 for f in findings if f.fix is not None and f.fix.applies(unsafe))
    hidden = sum(1 for f in findings if f.fix is not None and f.fix.applicability == "unsafe")
    hidden = 0 if unsafe else hidden
    if not fixable and not hidden:
        return None
    if not fixable:
        return f"No findings fixable with `--fix` ({hidden} with `--fix --unsafe-fixes`)."
    option = "`--fix --unsafe-fixes`" if unsafe else "`--fix`"
    hint = f"[*] {fixable} fixable with {option}"
    if hidden:
        hint += f" ({hidden} more with `--unsafe-fixes`)"
    return hint + "."
