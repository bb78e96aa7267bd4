"""The one record every front end prints: a finding at a position in a file."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

#: ruff's meaning: "safe" removes the bug's mechanism and leaves the author no choice, "unsafe"
#: may change behaviour or needs review (``--unsafe-fixes``), "display-only" is never applied
Applicability = Literal["safe", "unsafe", "display-only"]
APPLICABILITIES: tuple[Applicability, ...] = ("safe", "unsafe", "display-only")


@dataclass(frozen=True)
class TextEdit:
    """Replace the text from (line, column) to (end_line, end_column), 1-based, end exclusive,
    with ``text``; the same coordinates as a finding's (in a notebook, lines of its cell)."""

    line: int
    column: int
    end_line: int
    end_column: int
    text: str

    def start(self) -> tuple[int, int]:
        return (self.line, self.column)

    def end(self) -> tuple[int, int]:
        return (self.end_line, self.end_column)


@dataclass(frozen=True)
class SuggestedFix:
    """A finding's fix: edits that never overlap one another."""

    title: str
    applicability: Applicability
    edits: tuple[TextEdit, ...]

    def applies(self, unsafe: bool) -> bool:
        """Whether ``--fix`` applies it (with ``--unsafe-fixes`` when ``unsafe``)."""
        return self.applicability == "safe" or (unsafe and self.applicability == "unsafe")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SuggestedFix:
        """The fix of a JSON finding; raises TypeError or KeyError for anything else."""
        if data["applicability"] not in APPLICABILITIES or not isinstance(data["title"], str):
            raise TypeError("a fix with a wrong title or applicability")
        edits = tuple(TextEdit(**edit) for edit in data["edits"])
        for edit in edits:
            numbers = (edit.line, edit.column, edit.end_line, edit.end_column)
            if not all(type(n) is int for n in numbers) or not isinstance(edit.text, str):
                raise TypeError("an edit with values of the wrong type")
        return cls(data["title"], data["applicability"], edits)

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
    fix: SuggestedFix | None = None
    #: "error" or "warning" (``keras_lint.severity``): the rule's, or the configuration's
    severity: str = "error"

    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.line, self.column, self.code)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of DESIGN.md section 5: exactly these keys."""
        record = asdict(self)
        return {key: record[key] for key in FINDING_KEYS}
