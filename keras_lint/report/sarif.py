"""``--format sarif``: a SARIF 2.1.0 log for GitHub code scanning and other SARIF viewers.

One run. ``tool.driver.rules`` describes every known code (KER001 and all rules, in code order),
whatever was selected or found, so a rule's index is the same in every log of a version.
Result paths under the current folder are relative URIs against ``%SRCROOT%`` (the current
folder, given in ``originalUriBaseIds``), which is what code scanning expects when keras-lint runs
at the repository root; other paths are absolute ``file://`` URIs. Columns count Unicode code
points and ``endColumn`` is exclusive, as in findings. A notebook finding points at the line of
the ``.ipynb`` file that holds its cell line (code scanning shows the raw file), and its message
names the cell and the line in it.

A result whose finding has a fix carries it as a SARIF ``fix`` (its title as the description,
its applicability in the property bag, display-only ones included); a notebook finding does
not, since its edits count lines in its cell, not in the ``.ipynb`` file.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from keras_lint import __version__
from keras_lint.finding import Finding, SuggestedFix
from keras_lint.parse_error import (
    PARSE_ERROR_CODE,
    PARSE_ERROR_DOCUMENTATION,
    PARSE_ERROR_NAME,
    PARSE_ERROR_SUMMARY,
)
from keras_lint.report.locations import Span, StoredSpans, message_with_cell
from keras_lint.report.paths import relative_to_cwd
from keras_lint.rules import ALL_RULES
from keras_lint.severity import family_severity

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
#: where a notebook finding is put when its cell is not found in the file: its first line
_FILE_START = Span(1, 1, 1, 1)


@dataclass(frozen=True)
class RuleDescription:
    code: str
    name: str
    summary: str
    #: Markdown with ``## What it does``, ``## Why is this bad?`` ... sections
    documentation: str
    tags: tuple[str, ...]
    precision: str
    #: the rule's default severity, "error" or "warning" (SARIF levels of the same names)
    severity: str = "error"


def known_rules() -> list[RuleDescription]:
    """KER001 and every registered rule, in code order."""
    rules = [
        RuleDescription(
            PARSE_ERROR_CODE,
            PARSE_ERROR_NAME,
            PARSE_ERROR_SUMMARY,
            PARSE_ERROR_DOCUMENTATION.strip(),
            ("parse-error",),
            "very-high",
            family_severity(PARSE_ERROR_CODE),
        )
    ]
    for rule in ALL_RULES:
        tags = ("docker",) if rule.source_kind == "dockerfile" else ("keras", "python")
        rules.append(
            RuleDescription(
                rule.code, rule.name, rule.summary, rule.documentation(), tags, "high",
                rule.severity,
            )  # fmt: skip
        )
    return sorted(rules, key=lambda rule: rule.code)


# -- rule documentation as plain text -------------------------------------------------------------

_SECTION = re.compile(r"^##\s+(.*)$")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
_INLINE_MARKUP = re.compile(r"`([^`]*)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*")


def sections(documentation: str) -> dict[str, str]:
    """The ``## Heading`` sections of a rule's documentation, by heading."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in documentation.splitlines():
        heading = _SECTION.match(line)
        if heading:
            current = found.setdefault(heading.group(1).strip(), [])
        elif current is not None:
            current.append(line)
    return {heading: "\n".join(lines).strip() for heading, lines in found.items()}


def plain_text(markdown: str) -> str:
    """Markdown as plain text: inline markup dropped, wrapped lines joined into paragraphs,
    headings and list items on lines of their own, code blocks indented by four spaces."""
    lines: list[str] = []
    joinable = False  # whether the last line is paragraph text the next line continues
    in_code = False
    for raw in markdown.splitlines():
        if raw.lstrip().startswith("```"):
            in_code, joinable = not in_code, False
            continue
        if in_code:
            lines.append("    " + raw if raw.strip() else "")
            continue
        line = _INLINE_MARKUP.sub(lambda m: next(g for g in m.groups() if g is not None), raw)
        heading = _HEADING.match(line)
        if not line.strip():
            if lines and lines[-1] != "":
                lines.append("")
            joinable = False
        elif heading:
            if lines and lines[-1] != "":
                lines.append("")
            lines.append(heading.group(1).strip())
            joinable = False
        elif joinable and not _LIST_ITEM.match(line):
            lines[-1] += " " + line.strip()
        else:
            lines.append(line.rstrip())
            joinable = True
    return "\n".join(lines).strip()


def _full_description(rule: RuleDescription) -> str:
    parts = sections(rule.documentation)
    wanted = [parts[key] for key in ("What it does", "Why is this bad?") if parts.get(key)]
    return plain_text("\n\n".join(wanted)) if wanted else rule.summary


def reporting_descriptor(rule: RuleDescription) -> dict[str, Any]:
    documentation = rule.documentation or rule.summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _full_description(rule)},
        "help": {"text": plain_text(documentation), "markdown": documentation},
        "defaultConfiguration": {"level": rule.severity},
        "properties": {
            "tags": list(rule.tags),
            "precision": rule.precision,
            "problem.severity": rule.severity,
        },
    }


# -- results ------------------------------------------------------------------------------------


def _directory_uri(path: str) -> str:
    uri = Path(path).absolute().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def artifact_location(path: str, cwd: str) -> dict[str, str]:
    relative = relative_to_cwd(path, cwd)
    if relative is None:
        return {"uri": Path(os.path.normpath(os.path.join(cwd, path))).as_uri()}
    return {"uri": quote(relative, safe="/"), "uriBaseId": SRCROOT}


def _region(span: Span) -> dict[str, int]:
    return {
        "startLine": span.line,
        "startColumn": span.column,
        "endLine": span.end_line,
        "endColumn": span.end_column,
    }


def _fix(fix: SuggestedFix, path: str, cwd: str) -> dict[str, Any]:
    """A finding's fix as a SARIF ``fix`` object: one change to the finding's file."""
    replacements = [
        {
            "deletedRegion": _region(Span(edit.line, edit.column, edit.end_line, edit.end_column)),
            "insertedContent": {"text": edit.text},
        }
        for edit in fix.edits
    ]
    return {
        "description": {"text": fix.title},
        "artifactChanges": [
            {"artifactLocation": artifact_location(path, cwd), "replacements": replacements}
        ],
        "properties": {"applicability": fix.applicability},
    }


def _result(finding: Finding, rule_index: int, spans: StoredSpans, cwd: str) -> dict[str, Any]:
    span = spans.span(finding) or _FILE_START
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": finding.severity,
        "message": {"text": message_with_cell(finding)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(finding.path, cwd),
                    "region": _region(span),
                }
            }
        ],
    }
    if finding.fix is not None and finding.cell is None:
        result["fixes"] = [_fix(finding.fix, finding.path, cwd)]
    return result


def _information_uri() -> str | None:
    """The project's home page as the installed package's metadata declares it, if it does."""
    from importlib import metadata  # slow to import, and only SARIF output needs it

    try:
        declared = metadata.metadata("keras-lint")
    except metadata.PackageNotFoundError:
        return None
    urls = [entry.partition(",")[2].strip() for entry in declared.get_all("Project-URL") or []]
    urls += declared.get_all("Home-page") or []
    return next((url for url in urls if url.startswith(("https://", "http://"))), None)


def sarif_log(
    findings: Sequence[Finding], errors: Sequence[str] = (), cwd: str | None = None
) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict; ``errors`` are internal errors of the run."""
    cwd = cwd or os.getcwd()
    rules = known_rules()
    codes = {rule.code for rule in rules}
    for finding in findings:  # a code no registry knows still gets a descriptor
        if finding.code not in codes:
            codes.add(finding.code)
            rules.append(
                RuleDescription(
                    finding.code, finding.name, finding.name, "", (), "high", finding.severity
                )
            )
    index = {rule.code: position for position, rule in enumerate(rules)}
    driver: dict[str, Any] = {
        "name": "keras-lint",
        "version": __version__,
        "semanticVersion": __version__,
    }
    information_uri = _information_uri()
    if information_uri:
        driver["informationUri"] = information_uri
    driver["rules"] = [reporting_descriptor(rule) for rule in rules]
    invocation: dict[str, Any] = {
        "executionSuccessful": not errors,
        "workingDirectory": {"uri": _directory_uri(cwd)},
    }
    if errors:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": error}} for error in errors
        ]
    spans = StoredSpans()
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(cwd)}},
        "columnKind": "unicodeCodePoints",
        "invocations": [invocation],
        "results": [_result(finding, index[finding.code], spans, cwd) for finding in findings],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(
    findings: Sequence[Finding], files_checked: int = 0, errors: Sequence[str] = ()
) -> str:
    return json.dumps(sarif_log(findings, errors), indent=2, ensure_ascii=False) + "\n"
