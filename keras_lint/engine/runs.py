"""Runs: one text, one buffer, or every file under some paths, linted with the selected rules.

``lint_paths`` lints each file on its own (``Linter.lint_file``): the result depends only on the
file, the settings and the answers the project gives it, which is what lets files run in worker
processes (``keras_lint.parallel``) and results be reused from disk (``keras_lint.cache``) with
exactly the findings of a serial run.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from keras_lint.analysis.project import ProjectIndex, content_digest
from keras_lint.cache import CachedResult, ResultCache
from keras_lint.config import Settings
from keras_lint.discovery import discover
from keras_lint.engine.fixing import Fixing
from keras_lint.engine.linter import Linter, one_line
from keras_lint.engine.project_scan import projects_of, scan_project
from keras_lint.engine.reading import decode_file, kind_of
from keras_lint.engine.results import FileOutcome, FileTask, LintResult, ProjectFacts
from keras_lint.finding import Finding
from keras_lint.parallel import Failed, available_cpus, run_parallel, start_method
from keras_lint.parse_error import parse_error
from keras_lint.patterns import PathPatterns, PerFileIgnores
from keras_lint.rules.base import Rule
from keras_lint.selection import UsageError
from keras_lint.sources import SourceDecodeError, SourceKind
from keras_lint.sources.regular_file import read_regular_file

#: files per worker process below which a pool costs more than it saves: a forked worker starts
#: in milliseconds, a spawned one imports keras-lint and libcst first (about half a second)
MIN_FILES_PER_WORKER = 4
MIN_FILES_PER_SPAWNED_WORKER = 32


def lint_text(
    text: str,
    path: str = "<string>",
    *,
    kind: SourceKind | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    project: ProjectFacts = None,
    rules: Sequence[type[Rule]] | None = None,
    prefilter: bool = True,
    apply_noqa: bool = True,
    syntax_tree: ast.Module | None = None,
) -> LintResult:
    """Lint one source given as text: its findings and the internal errors met on the way.

    ``kind`` defaults to the kind ``path`` names (Python, notebook, Dockerfile); ``project``
    may be a function that returns the project facts, called only if a rule runs.
    ``apply_noqa=False`` keeps the findings a ``# noqa`` comment would silence, for a caller
    that applies its own noqa rules (flake8). ``syntax_tree`` is CPython's tree of a Python
    ``text`` when the caller has one (flake8): the syntax is then not checked again.
    Raises UsageError for unknown codes.
    """
    linter = Linter(rules, select, ignore, prefilter, apply_noqa)
    findings = linter.lint_text(text, path, kind or kind_of(path), project, syntax_tree=syntax_tree)
    return LintResult(
        findings=sorted(findings, key=Finding.sort_key), files_checked=1, errors=linter.errors
    )


def lint_source(
    text: str,
    path: str = "<string>",
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    project: ProjectIndex | None = None,
    rules: Sequence[type[Rule]] | None = None,
    prefilter: bool = True,
    apply_noqa: bool = True,
) -> list[Finding]:
    """Lint one source given as text; its kind (Python, notebook, Dockerfile, Compose file,
    Kubernetes manifest) comes from ``path``.

    ``rules`` replaces the registry (tests pass their own); ``prefilter=False`` parses and
    analyses the source even when no rule's trigger occurs in it (the prefilter's equivalence
    test compares both); ``apply_noqa=False`` keeps findings that ``# noqa`` comments silence.
    Internal errors are dropped (``lint_text`` returns them). Raises UsageError for unknown codes.
    """
    return lint_text(
        text,
        path,
        select=select,
        ignore=ignore,
        project=project,
        rules=rules,
        prefilter=prefilter,
        apply_noqa=apply_noqa,
    ).findings


def lint_content(
    data: bytes,
    path: str,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    settings: Settings | None = None,
    fix: bool = False,
    unsafe_fixes: bool = False,
) -> LintResult:
    """Lint ``data`` as if it were the file ``path`` (an editor's unsaved buffer on stdin).

    The file's kind, per-file ignores and findings' paths all come from ``path``; positions are
    those of ``data``. ``fix``: fix it as ``lint_paths`` does (the new bytes in ``fixed``).
    Raises UsageError for an unknown code.
    """
    linter = Linter(None, select, ignore)
    settings = settings or Settings(root=Path.cwd())
    kind = kind_of(path)
    if fix:
        per_file = PerFileIgnores(settings.root, settings.per_file_ignores)
        exclude = PathPatterns(settings.root, settings.exclude_patterns)
        project = projects_of([Path(path)], [], exclude)
        outcome = Fixing(unsafe_fixes, per_file).run(
            linter, FileTask(Path(path), kind), project, data
        )
        return LintResult(
            findings=sorted(outcome.findings, key=Finding.sort_key),
            files_checked=1,
            errors=linter.errors + outcome.errors,
            warnings=linter.warnings + outcome.warnings,
            fixed=[] if outcome.fixed is None else [outcome.fixed],
        )
    try:
        text = decode_file(data, kind)
    except SourceDecodeError as error:
        findings = [parse_error(path, error.line, error.column, error.message)]
    else:
        exclude = PathPatterns(settings.root, settings.exclude_patterns)
        project = projects_of([Path(path)], [], exclude)
        findings = linter.lint_text(text, path, kind, project)
    per_file = PerFileIgnores(settings.root, settings.per_file_ignores)
    return LintResult(
        findings=sorted(per_file.keep(linter.keep(findings)), key=Finding.sort_key),
        files_checked=1,
        errors=linter.errors,
        warnings=linter.warnings,
    )


def lint_paths(
    paths: Sequence[str | Path] = (".",),
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    rules: Sequence[type[Rule]] | None = None,
    prefilter: bool = True,
    settings: Settings | None = None,
    force_exclude: bool = False,
    jobs: int | None = 1,
    cache_dir: str | Path | None = None,
    fix: bool = False,
    unsafe_fixes: bool = False,
) -> LintResult:
    """Lint every Python file, notebook, Dockerfile, Compose file and manifest under ``paths``.

    ``settings`` gives the exclude patterns and per-file ignores (its ``select``/``ignore`` are
    the caller's to pass, merged with options). ``jobs`` is the number of worker processes
    (None: one per available CPU; a run with few files stays in this process). ``cache_dir``
    keeps each file's result there and reuses it while the file, the settings and what the
    file's analysis read of the project are unchanged (None: no cache). Whatever ``jobs`` and
    the cache, the result is that of a serial run without a cache.

    ``fix``: fix each file (``engine.fixing``; unsafe fixes too with ``unsafe_fixes``), without
    the cache; the findings are those that remain, the new bytes are in ``fixed``, unwritten.

    Raises UsageError for a missing path, an unknown code or ``jobs`` below 1; every other
    problem is either a KER001 finding (an unreadable or unparsable file) or an entry in
    ``errors`` (cache problems: in ``warnings``).
    """
    if jobs is not None and jobs < 1:
        raise UsageError(f"jobs must be at least 1, not {jobs}")
    linter = Linter(rules, select, ignore, prefilter)
    settings = settings or Settings(root=Path.cwd())
    exclude = PathPatterns(settings.root, settings.exclude_patterns)
    discovered = discover(paths, exclude=exclude, force_exclude=force_exclude)
    findings = [
        parse_error(str(folder), 1, 1, f"cannot read folder: {reason}")
        for folder, reason in discovered.unreadable
    ]
    scan = scan_project(discovered.files)
    findings.extend(scan.problems)
    # Dockerfiles were read and parsed by the scan (their ENV is a fact about other files);
    # their rules are cheap, so they run here, uncached
    for dockerfile in scan.dockerfiles:
        findings.extend(
            linter.run_dockerfile_rules(dockerfile.facts, dockerfile.text, str(dockerfile.path))
        )
    named = {os.path.realpath(given) for given in paths}
    named_files = [Path(given) for given in paths if not os.path.isdir(given)]
    project = projects_of(named_files, discovered.files, exclude) if named_files else scan.index
    tasks = []
    for path in discovered.files:
        kind = kind_of(path)
        if kind != "dockerfile":
            # a YAML file a folder walk chose for its look: a failure to read it is no finding
            walked_manifest = kind == "kubernetes" and os.path.realpath(path) not in named
            tasks.append(FileTask(path, kind, named=not walked_manifest))
    per_file = PerFileIgnores(settings.root, settings.per_file_ignores)
    fixing = Fixing(unsafe_fixes, per_file) if fix else None
    if cache_dir is not None and fixing is None:
        cache = ResultCache(Path(cache_dir), linter.fingerprint())
    else:
        cache = None
    outcomes = _lint_tasks(tasks, linter, project, jobs, cache, fixing)
    errors, warnings = list(linter.errors), list(linter.warnings)
    for outcome in outcomes:
        findings.extend(outcome.findings)
        errors.extend(outcome.errors)
        warnings.extend(outcome.warnings)
    if cache is not None:
        warnings.extend(cache.warnings())
    return LintResult(
        findings=sorted(per_file.keep(linter.keep(findings)), key=Finding.sort_key),
        files_checked=len(discovered.files),
        errors=errors,
        warnings=warnings,
        fixed=[outcome.fixed for outcome in outcomes if outcome.fixed is not None],
    )


def _lint_tasks(
    tasks: Sequence[FileTask],
    linter: Linter,
    project: ProjectFacts,
    jobs: int | None,
    cache: ResultCache | None,
    fixing: Fixing | None = None,
) -> list[FileOutcome]:
    """The outcome of each task, in order: from the cache where it holds, else computed here or
    by worker processes (and then cached); with ``fixing``, each file fixed, uncached."""
    wanted = available_cpus() if jobs is None else jobs
    enough = MIN_FILES_PER_WORKER if start_method() == "fork" else MIN_FILES_PER_SPAWNED_WORKER
    if min(wanted, len(tasks) // enough) <= 1:  # serial: each file checked, then linted
        if fixing is not None:
            return [fixing.run(linter, task, project) for task in tasks]
        return [_lint_here(task, linter, project, cache) for task in tasks]
    outcomes = [None if cache is None else _from_cache(cache, task, project)[0] for task in tasks]
    todo = [index for index, outcome in enumerate(outcomes) if outcome is None]
    workers = min(wanted, len(todo) // enough)
    if workers > 1:
        results = run_parallel(
            _lint_in_worker,
            [tasks[index] for index in todo],
            workers=workers,
            initializer=_start_worker,
            initargs=(linter.arguments, project, fixing),
            weights=[_size(tasks[index].path) for index in todo],
        )
        computed = [
            _outcome(tasks[index], result) for index, result in zip(todo, results, strict=True)
        ]
    elif fixing is not None:
        computed = [fixing.run(linter, tasks[index], project) for index in todo]
    else:  # most files were cached: the few others are linted here
        computed = [linter.lint_file(tasks[index], project) for index in todo]
    for index, outcome in zip(todo, computed, strict=True):
        outcomes[index] = outcome
        _save(cache, tasks[index], outcome)
    return [outcome for outcome in outcomes if outcome is not None]


def _lint_here(
    task: FileTask, linter: Linter, project: ProjectFacts, cache: ResultCache | None
) -> FileOutcome:
    data = None
    if cache is not None:
        outcome, data = _from_cache(cache, task, project)
        if outcome is not None:
            return outcome
    outcome = linter.lint_file(task, project, data)
    _save(cache, task, outcome)
    return outcome


def _save(cache: ResultCache | None, task: FileTask, outcome: FileOutcome) -> None:
    """Keep ``outcome`` unless it depends on more than the file and the project: a file that
    could not be read has no content to key it by, and an internal error is not a result."""
    if cache is not None and outcome.digest is not None and not outcome.errors:
        cache.save(
            task.cache_key(),
            CachedResult(outcome.digest, outcome.asked, outcome.findings, outcome.warnings),
        )


def _from_cache(
    cache: ResultCache, task: FileTask, project: ProjectFacts
) -> tuple[FileOutcome | None, bytes | None]:
    """The cached outcome of ``task`` if it still holds, and the bytes read to check it."""
    try:
        data = read_regular_file(task.path)
    except OSError:
        return None, None  # linting the file reports why
    entry = cache.load(task.cache_key())
    if entry is None or entry.digest != content_digest(data):
        return None, data
    if entry.asked:
        index = project() if callable(project) else project
        if index is None or not index.answers_unchanged(entry.asked):
            return None, data
    outcome = FileOutcome(
        findings=entry.findings, warnings=entry.warnings, digest=entry.digest, asked=entry.asked
    )
    return outcome, data


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _outcome(task: FileTask, result: FileOutcome | Failed) -> FileOutcome:
    if isinstance(result, Failed):
        error = one_line(f"{task.path}: linting failed in a worker process: {result.reason}")
        return FileOutcome(findings=[], errors=[error])
    return result


#: the linter, project facts and fixing of a worker process, made once by ``_start_worker``
_WORKER: tuple[Linter, ProjectFacts, Fixing | None] | None = None


def _start_worker(
    linter_arguments: tuple[Any, ...], project: ProjectFacts, fixing: Fixing | None = None
) -> None:
    global _WORKER
    _WORKER = (Linter(*linter_arguments), project, fixing)


def _lint_in_worker(task: FileTask) -> FileOutcome:
    """Lint (or fix: the parent writes what a worker computed) one file in a worker process."""
    assert _WORKER is not None, "a worker process lints only after _start_worker"
    linter, project, fixing = _WORKER
    if fixing is not None:
        return fixing.run(linter, task, project)
    return linter.lint_file(task, project)
