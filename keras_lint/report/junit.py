"""``--format junit``: JUnit XML, as ruff writes it, for CI systems that show test reports.

One ``testsuite`` per file with findings (its ``name`` the path), one ``testcase`` per finding
with a ``failure`` (``name`` ``keras-lint.CODE``, ``classname`` the path, ``line`` and
``column``). A clean run has one passing test case, so the report is never empty; internal
errors form a ``keras-lint`` suite of ``error`` test cases.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from keras_lint.finding import Finding
from keras_lint.report.locations import message_with_cell
from keras_lint.report.paths import display_path


def _suite(parent: ET.Element, name: str, cases: int, failures: int, errors: int) -> ET.Element:
    return ET.SubElement(
        parent,
        "testsuite",
        name=name,
        tests=str(cases),
        disabled="0",
        errors=str(errors),
        failures=str(failures),
        package="keras-lint",
    )


def render_junit(
    findings: Sequence[Finding], files_checked: int = 0, errors: Sequence[str] = ()
) -> str:
    root = ET.Element("testsuites", name="keras-lint")
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(display_path(finding.path), []).append(finding)
    for path, found in by_path.items():
        suite = _suite(root, path, len(found), len(found), 0)
        for finding in found:
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"keras-lint.{finding.code}",
                classname=path,
                line=str(finding.line),
                column=str(finding.column),
            )
            where = f"line {finding.line}, col {finding.column}"
            failure = ET.SubElement(case, "failure", message=message_with_cell(finding))
            failure.set("type", finding.severity)
            failure.text = f"{where}, {finding.code} {message_with_cell(finding)}"
    if errors:
        suite = _suite(root, "keras-lint", len(errors), 0, len(errors))
        for number, error in enumerate(errors, 1):
            case = ET.SubElement(suite, "testcase", name=f"internal-error-{number}")
            ET.SubElement(case, "error", message=error).text = error
    if not findings and not errors:
        suite = _suite(root, "keras-lint", 1, 0, 0)
        ET.SubElement(suite, "testcase", name="No findings", classname="keras-lint")
    root.set("tests", str(len(findings) + len(errors) or 1))
    root.set("failures", str(len(findings)))
    root.set("errors", str(len(errors)))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
