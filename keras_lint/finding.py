"""The one record every front end prints: a finding at a position in a file."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


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

    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.line, self.column, self.code)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of DESIGN.md section 5: exactly these keys."""
        return asdict(self)
