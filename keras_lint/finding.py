"""The one record every front end prints: a finding at a position in a file."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: the keys of a finding in JSON output and in the result cache, in this order (DESIGN section 5)
FINDING_KEYS = (
    "path", "line", "column", "end_line", "end_column", "code", "name", "severity", "message",
    "cell", "fix",
)  # fmt: skip


@dataclass(frozen=True)
class Finding:
    """A rule violation. Positions are 1-based; in notebooks ``line`` counts inside ``cell``."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    name: str
    message: str
    cell: int | None = None
    fix: str | None = None
    #: "error" or "warning" (``keras_lint.severity``): the rule's, or the configuration's
    severity: str = "error"

    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.line, self.column, self.code)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of DESIGN.md section 5: exactly these keys."""
        record = asdict(self)
        return {key: record[key] for key in FINDING_KEYS}
