"""How serious a finding is: ``error`` or ``warning``, by rule, with per-code overrides.

``error``: training silently produces a wrong or lost result (KER1xx, KER2xx, KER5xx, KER6xx,
KER702, and KER001: a file no rule could check). ``warning``: the environment and reproducibility
(KER3xx, KER4xx, KER703). A configuration's ``severity`` table changes it per code or prefix; the
most specific key wins. Severity changes how a finding is shown, never whether the command fails:
any finding gives exit status 1 (``--exit-zero`` gives 0).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from keras_lint.finding import Finding

ERROR, WARNING = "error", "warning"
SEVERITIES = (ERROR, WARNING)

#: code prefix -> severity, by the family a rule belongs to; the longest matching prefix wins
_FAMILIES = {
    "KER0": ERROR,
    "KER1": ERROR,
    "KER2": ERROR,
    "KER3": WARNING,
    "KER4": WARNING,
    "KER5": ERROR,
    "KER6": ERROR,
    "KER7": ERROR,
    "KER703": WARNING,
}


def _most_specific(code: str, table: Mapping[str, str]) -> str | None:
    matches = [prefix for prefix in table if code.upper().startswith(prefix.upper())]
    return table[max(matches, key=len)] if matches else None


def family_severity(code: str) -> str:
    """The default severity of a code's family (DESIGN section 5); unknown families are errors."""
    return _most_specific(code, _FAMILIES) or ERROR


def with_severities(findings: Sequence[Finding], overrides: Mapping[str, str]) -> list[Finding]:
    """``findings`` with the configured severity of their code (the most specific key wins)."""
    if not overrides:
        return list(findings)
    changed = []
    for finding in findings:
        severity = _most_specific(finding.code, overrides)
        if severity is not None and severity != finding.severity:
            finding = dataclasses.replace(finding, severity=severity)
        changed.append(finding)
    return changed


def count_by_severity(findings: Sequence[Finding]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    return counts
