"""``--statistics``: how many findings each code has, instead of the findings themselves.

As ``ruff check --statistics``: one row per code with at least one finding, most frequent first
(ties in code order). ``text`` prints ``count<TAB>code<TAB>name`` rows and the usual summary line,
``concise`` the rows alone, ``json`` an array of ``{"code", "name", "count"}`` objects. SARIF and
workflow annotations have no place for counts, so those formats do not combine with it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from keras_lint.finding import Finding
from keras_lint.report.text import summary

STATISTICS_FORMATS = ("text", "concise", "json")


@dataclass(frozen=True)
class Statistic:
    code: str
    name: str
    count: int


def count_by_code(findings: Sequence[Finding]) -> list[Statistic]:
    counts = Counter(finding.code for finding in findings)
    names = {finding.code: finding.name for finding in findings}
    rows = [Statistic(code, names[code], count) for code, count in counts.items()]
    return sorted(rows, key=lambda row: (-row.count, row.code))


def render_statistics(format_name: str, findings: Sequence[Finding], files_checked: int) -> str:
    """The statistics in ``format_name``, one of ``STATISTICS_FORMATS``."""
    rows = count_by_code(findings)
    if format_name == "json":
        return json.dumps([asdict(row) for row in rows], indent=2, ensure_ascii=False) + "\n"
    if format_name not in STATISTICS_FORMATS:
        raise ValueError(f"no statistics in the {format_name} format")
    width = max((len(str(row.count)) for row in rows), default=1)
    lines = [f"{row.count:>{width}}\t{row.code}\t{row.name}" for row in rows]
    if format_name == "text":
        lines.append(summary(findings, files_checked))
    return "".join(line + "\n" for line in lines)
