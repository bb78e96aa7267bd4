"""Fixing, the stage after linting: apply the findings' fixes to a file's bytes, lint again,
and repeat until no fix applies.

A pass applies every fix that applies (safe ones; unsafe ones too with ``unsafe``) and does not
overlap a fix chosen before it in the pass; the others wait for the next pass, which lints the
new text first. A pass that would leave the file unparsable is dropped: the file stays as it
was read and the run reports an internal error for it. Nothing is written here: the outcome
carries the new bytes, for the caller (the parent process of a parallel run) to write or show.
"""

from __future__ import annotations

import codecs
import io
import tokenize
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from keras_lint.engine.reading import decode_file
from keras_lint.engine.results import FileOutcome, FileTask, FixedFile, ProjectFacts
from keras_lint.engine.syntax_checks import SyntaxProblem, compile_check, libcst_parse
from keras_lint.finding import Finding, TextEdit
from keras_lint.patterns import PerFileIgnores
from keras_lint.sources import SourceDecodeError, SourceKind
from keras_lint.sources.notebook import NotebookError, cell_program, read_code_cells
from keras_lint.sources.regular_file import read_regular_file
from keras_lint.sources.text_edits import (
    EditError,
    apply_edits,
    cell_source,
    replace_cell_sources,
)

if TYPE_CHECKING:
    from keras_lint.engine.linter import Linter

#: passes over one file before fixing stops, whatever still applies
MAX_PASSES = 10


class _Unparsable(Exception):
    pass


@dataclass(frozen=True)
class Fixing:
    """What a fixing run does to each file, as plain data (it travels to worker processes)."""

    #: apply unsafe fixes too (``--unsafe-fixes``)
    unsafe: bool
    #: the findings a pass must not fix are those the run does not report
    per_file: PerFileIgnores

    def run(
        self, linter: Linter, task: FileTask, project: ProjectFacts, data: bytes | None = None
    ) -> FileOutcome:
        def lint(task: FileTask, project: ProjectFacts, data: bytes | None) -> FileOutcome:
            outcome = linter.lint_file(task, project, data)
            outcome.findings = self.per_file.keep(linter.keep(outcome.findings))
            return outcome

        return fix_file(lint, task, project, unsafe=self.unsafe, data=data)


def fix_file(
    lint: Callable[[FileTask, ProjectFacts, bytes | None], FileOutcome],
    task: FileTask,
    project: ProjectFacts,
    *,
    unsafe: bool = False,
    data: bytes | None = None,
) -> FileOutcome:
    """Lint ``task`` with ``lint`` (``Linter.lint_file``), fix it and lint it again until no fix
    applies; the outcome's findings are those that remain, its ``fixed`` the new bytes."""
    if data is None:
        try:
            data = read_regular_file(task.path)
        except OSError:
            return lint(task, project, None)  # the outcome says why it cannot be read
    original = data
    outcome = lint(task, project, data)
    first = outcome
    applied: Counter[str] = Counter()
    for _ in range(MAX_PASSES):
        chosen = choose_fixes(outcome.findings, unsafe)
        if not chosen or outcome.errors:
            break
        try:
            data = apply_fixes(data, task.kind, chosen)
        except (_Unparsable, EditError, NotebookError, SourceDecodeError, UnicodeError) as error:
            codes = ", ".join(sorted({finding.code for finding in chosen}))
            first.errors.append(
                f"{task.path}: fixing {codes} would leave the file unparsable ({error}):"
                " the file was left as it was"
            )
            return first
        applied.update(finding.code for finding in chosen)
        outcome = lint(task, project, data)
    if data != original:
        outcome.fixed = FixedFile(str(task.path), original, data, dict(applied))
        outcome.digest = first.digest  # the content the file must still have when written
    return outcome


def choose_fixes(findings: Sequence[Finding], unsafe: bool) -> list[Finding]:
    """The findings whose fixes one pass applies: those that apply, in order, each unless it
    overlaps (or touches) a fix chosen before it."""
    chosen: list[Finding] = []
    taken: list[tuple[tuple[int, int, int], tuple[int, int, int]]] = []
    for finding in findings:
        if finding.fix is None or not finding.fix.applies(unsafe):
            continue
        cell = finding.cell or 0
        spans = [((cell, *e.start()), (cell, *e.end())) for e in finding.fix.edits]
        if any(start <= other_end and other_start <= end
               for start, end in spans for other_start, other_end in taken):  # fmt: skip
            continue
        chosen.append(finding)
        taken.extend(spans)
    return chosen


def apply_fixes(data: bytes, kind: SourceKind, findings: Sequence[Finding]) -> bytes:
    """``data`` with the fixes of ``findings`` applied; raises _Unparsable when the result would
    not parse where ``data`` did, EditError for edits that do not fit."""
    text = decode_file(data, kind)
    edits = [
        (finding.cell, edit) for finding in findings if finding.fix for edit in finding.fix.edits
    ]
    if kind == "notebook":
        by_cell: dict[int, list[TextEdit]] = {}
        for cell, edit in edits:
            if cell is None:
                raise EditError("an edit of a notebook outside its cells")
            by_cell.setdefault(cell, []).append(edit)
        sources = {cell: apply_edits(cell_source(text, cell), cell_edits)
                   for cell, cell_edits in by_cell.items()}  # fmt: skip
        new = replace_cell_sources(text, sources)
    else:
        new = apply_edits(text, [edit for _, edit in edits])
    if _broken(new, kind) - _broken(text, kind):
        raise _Unparsable("a syntax error")
    return encode_like(new, data, kind)


def _broken(text: str, kind: SourceKind) -> set[int]:
    """The parts of a source that do not parse: {0} for a Python file, the cell numbers of a
    notebook ({-1}: not a notebook at all); other kinds are not checked."""
    if kind == "python":
        return set() if _parses(text) else {0}
    if kind == "notebook":
        try:
            cells = read_code_cells(text)
        except NotebookError:
            return {-1}
        return {cell.index for cell in cells if not _parses(cell_program(cell))}
    return set()


def _parses(text: str) -> bool:
    if compile_check(text) is not None and isinstance(libcst_parse(text), SyntaxProblem):
        return False  # libcst accepts syntax newer than the running Python
    return True


def encode_like(text: str, original: bytes, kind: SourceKind) -> bytes:
    """``text`` in the encoding ``original`` was read in, with its byte order mark if it had one."""
    if kind == "python":
        encoding, _ = tokenize.detect_encoding(io.BytesIO(original).readline)
    else:
        encoding = "utf-8-sig" if original.startswith(codecs.BOM_UTF8) else "utf-8"
    return text.encode(encoding)
