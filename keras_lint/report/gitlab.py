"""``--format gitlab``: a GitLab Code Quality report (a JSON array of issues).

Each issue has ``description`` (the code and message), ``check_name`` (the code), ``fingerprint``,
``severity`` and ``location.path``/``location.lines.begin``, the fields GitLab reads. Severities
map to GitLab's levels: an error is ``major``, a warning ``minor``. The fingerprint hashes the
path, code and message (and a counter among identical ones), not the line, so a finding keeps
its identity when code above it moves, as GitLab compares reports by fingerprint. Paths are
relative to the current folder (run keras-lint at the repository root); a notebook finding
points at the line of the ``.ipynb`` file that holds its cell line.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from keras_lint.finding import Finding
from keras_lint.report.locations import StoredSpans, message_with_cell
from keras_lint.report.paths import relative_to_cwd

#: keras-lint's severity -> GitLab Code Quality's (info, minor, major, critical, blocker)
GITLAB_SEVERITY = {"error": "major", "warning": "minor"}


def _issue(finding: Finding, occurrence: int, spans: StoredSpans) -> dict[str, Any]:
    path = relative_to_cwd(finding.path) or finding.path
    span = spans.span(finding)
    identity = json.dumps([path, finding.code, finding.cell, finding.message, occurrence])
    return {
        "description": f"{finding.code} {message_with_cell(finding)}",
        "check_name": finding.code,
        "fingerprint": hashlib.sha256(identity.encode()).hexdigest(),
        "severity": GITLAB_SEVERITY.get(finding.severity, "major"),
        "location": {"path": path, "lines": {"begin": span.line if span else 1}},
    }


def render_gitlab(
    findings: Sequence[Finding], files_checked: int = 0, errors: Sequence[str] = ()
) -> str:
    """The report; internal errors go to stderr only (Code Quality has no place for them)."""
    spans = StoredSpans()
    seen: Counter[tuple[str, str, int | None, str]] = Counter()
    issues = []
    for finding in findings:
        identity = (finding.path, finding.code, finding.cell, finding.message)
        issues.append(_issue(finding, seen[identity], spans))
        seen[identity] += 1
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
