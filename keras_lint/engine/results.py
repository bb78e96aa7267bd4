"""What a run works on and gives back, as plain data: a file to lint, what linting one file gave
(both travel between worker processes and the cache), and the result of a whole run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keras_lint.analysis.project import ProjectIndex
from keras_lint.cache import EntryKey
from keras_lint.finding import Finding
from keras_lint.sources import SourceKind

#: the project facts for a source, or a function that makes them: it is called only when a rule
#: runs on the source (most files of a tree never need them), at most once per source
ProjectFacts = ProjectIndex | Callable[[], ProjectIndex | None] | None


@dataclass
class LintResult:
    #: sorted by ``Finding.sort_key``
    findings: list[Finding]
    files_checked: int
    #: internal errors (a rule or the analysis crashed), one line each
    errors: list[str] = field(default_factory=list)
    #: notes for the user that are not findings (an unknown code in a noqa), one line each
    warnings: list[str] = field(default_factory=list)
    #: the files fixing changed (``fix=True``), in path order, for the caller to write or show
    fixed: list[FixedFile] = field(default_factory=list)


@dataclass(frozen=True)
class FileTask:
    """One file to lint, as plain data (it travels to worker processes)."""

    path: Path
    kind: SourceKind
    #: False for a YAML file that a folder walk chose for its look: if it cannot be read or
    #: parsed it was not a manifest after all, and nothing is reported
    named: bool = True

    def cache_key(self) -> EntryKey:
        return EntryKey(str(self.path), self.kind, self.named)


@dataclass
class FixedFile:
    """A file whose fixes changed it: the bytes read, the bytes to write, what was fixed."""

    path: str
    original: bytes
    fixed: bytes
    #: how many fixes of each code were applied
    applied: dict[str, int] = field(default_factory=dict)


@dataclass
class FileOutcome:
    """What linting one file gave, as plain data (sent back from workers, kept in the cache)."""

    findings: list[Finding]
    warnings: list[str] = field(default_factory=list)
    #: internal errors; an outcome with errors is not cached
    errors: list[str] = field(default_factory=list)
    #: the content hash of the bytes linted; None when the file could not be read
    digest: str | None = None
    #: the questions the analysis asked of the project, with their answers
    #: (``ProjectIndex.end_file`` rows)
    asked: list[Any] = field(default_factory=list)
    #: the file's new bytes when fixing changed it (``engine.fixing``); then ``digest`` is that
    #: of the bytes read, which the file must still hold when the new ones are written
    fixed: FixedFile | None = None
