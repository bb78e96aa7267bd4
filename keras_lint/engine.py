"""Lint sources with the selected rules: the one entry point every front end calls.

Per Python source: decode, check the syntax with CPython's fast parser, parse with libcst once
(only when a selected rule's trigger occurs in the text), build the shared facts, run the rules
whose trigger occurs, and compute positions only for files where a rule reported something.
The engine prints nothing: internal errors are returned, one line each, in ``LintResult.errors``.

``lint_paths`` lints each file on its own (``_Linter.lint_file``): the result depends only on the
file, the settings and the answers the project gives it, which is what lets files run in worker
processes (``keras_lint.parallel``) and results be reused from disk (``keras_lint.cache``) with
exactly the findings of a serial run.
"""

from __future__ import annotations

import ast
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keras_lint import __version__
from keras_lint.analysis.limits import (
    too_deep,
    too_deep_message,
    too_large_message,
    unsafe_for_libcst,
)
from keras_lint.analysis.project import ProjectIndex, content_digest
from keras_lint.cache import (
    CachedResult,
    EntryKey,
    ResultCache,
    code_digest,
    fingerprint,
    runtime_versions,
)
from keras_lint.config import Settings
from keras_lint.discovery import discover, project_root
from keras_lint.finding import Finding
from keras_lint.parallel import Failed, available_cpus, run_parallel, start_method
from keras_lint.parse_error import PARSE_ERROR_CODE, parse_error
from keras_lint.patterns import PathPatterns, PerFileIgnores
from keras_lint.rules import ALL_RULES
from keras_lint.rules.base import ContainerYamlRule, DockerfileRule, PythonRule, Report, Rule
from keras_lint.selection import UsageError, select_rules
from keras_lint.sources import PythonSource, SourceDecodeError, SourceKind, source_kind
from keras_lint.sources.notebook import (
    NotebookError,
    cell_program,
    notebook_program,
    read_code_cells,
)
from keras_lint.sources.python import decode_python, split_lines
from keras_lint.sources.regular_file import read_regular_file
from keras_lint.suppression import (
    NoqaLines,
    dockerfile_pragma_suppresses,
    noqa_lines,
    noqa_suppresses_span,
    unknown_noqa_codes,
)

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis.facts import ModuleFacts
    from keras_lint.sources.container_yaml import ContainerYamlFacts, ContainerYamlKind
    from keras_lint.sources.dockerfile import DockerfileFacts

__all__ = [
    "LintResult",
    "ProjectScan",
    "lint_content",
    "lint_paths",
    "lint_source",
    "lint_text",
    "project_index",
    "scan_project",
]


#: the project facts for a source, or a function that makes them: it is called only when a rule
#: runs on the source (most files of a tree never need them), at most once per source
ProjectFacts = ProjectIndex | Callable[[], ProjectIndex | None] | None

#: files per worker process below which a pool costs more than it saves: a forked worker starts
#: in milliseconds, a spawned one imports keras-lint and libcst first (about half a second)
MIN_FILES_PER_WORKER = 4
MIN_FILES_PER_SPAWNED_WORKER = 32


@dataclass
class LintResult:
    #: sorted by ``Finding.sort_key``
    findings: list[Finding]
    files_checked: int
    #: internal errors (a rule or the analysis crashed), one line each
    errors: list[str] = field(default_factory=list)
    #: notes for the user that are not findings (an unknown code in a noqa), one line each
    warnings: list[str] = field(default_factory=list)


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


class _FileProject:
    """The project facts as the analysis of one file sees them: made on first use, then every
    question asked of them recorded (``ProjectIndex.begin_file``)."""

    def __init__(self, project: ProjectFacts) -> None:
        self._project = project
        self._index: ProjectIndex | None = None

    def __call__(self) -> ProjectIndex | None:
        if self._index is None:
            project = self._project() if callable(self._project) else self._project
            if project is not None:
                project.begin_file()
                self._index = project
        return self._index

    def finish(self) -> list[Any]:
        return self._index.end_file() if self._index is not None else []


@dataclass(frozen=True)
class _SyntaxProblem:
    line: int
    column: int
    message: str
    #: nesting too deep for a parser's stack: libcst's native parser must not see this text
    too_deep: bool = False


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _libcst_parse(text: str) -> cst.Module | _SyntaxProblem:
    import libcst as cst  # here: a run that parses nothing never loads it

    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        return _SyntaxProblem(
            error.raw_line, error.raw_column + 1, f"cannot parse: {error.message}"
        )
    except RecursionError:
        return _SyntaxProblem(1, 1, "cannot parse: too deeply nested")
    except Exception as error:  # the native parser has raised other errors on odd input
        return _SyntaxProblem(1, 1, f"cannot parse: {type(error).__name__}: {error}")


def _compile_check(text: str, *, measure: bool = False) -> _SyntaxProblem | None:
    """CPython's own parser: far faster than libcst when only syntax errors are wanted.

    ``measure``: the tree is for libcst to parse next, so one nested too deeply for libcst is
    a problem too.
    """
    try:
        with warnings.catch_warnings():  # "\\d" is the user's to hear about, not keras-lint's
            warnings.simplefilter("ignore")
            # The name is no file's: given an existing file, CPython counts an error's column
            # in that file's line instead of the text's (a notebook's line 1 is "{").
            tree = compile(text, "<source>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        deep = any(word in error.msg for word in ("too many nested", "too complex", "nested too"))
        return _SyntaxProblem(
            error.lineno or 1, error.offset or 1, f"cannot parse: {error.msg}", too_deep=deep
        )
    except RecursionError:
        return _SyntaxProblem(1, 1, "cannot parse: too deeply nested", too_deep=True)
    except MemoryError:
        return _SyntaxProblem(
            1, 1, "cannot parse: out of memory (too deeply nested?)", too_deep=True
        )
    except ValueError as error:
        return _SyntaxProblem(1, 1, f"cannot parse: {error}", too_deep=True)
    return _too_deep_problem(tree) if measure else None


def _too_deep_problem(tree: ast.AST) -> _SyntaxProblem | None:
    """A CPython tree nested too deeply for libcst, as a problem; None when it is not."""
    nesting = too_deep(tree)
    if nesting is not None:
        return _SyntaxProblem(nesting.line, 1, too_deep_message(nesting), too_deep=True)
    return None


def _expand_indentation_tabs(text: str) -> str:
    """Tabs in leading whitespace expanded to CPython's tab stops (every 8 columns)."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        stripped = line.lstrip(" \t\f")
        indent = line[: len(line) - len(stripped)]
        if "\t" in indent:
            lines[index] = indent.expandtabs(8) + stripped
    return "".join(lines)


def _nul_problem(text: str) -> _SyntaxProblem | None:
    offset = text.find("\x00")
    if offset < 0:
        return None
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return _SyntaxProblem(line, column, "source contains NUL bytes (binary file?)")


def _size_problem(text: str) -> _SyntaxProblem | None:
    message = too_large_message(text)
    return None if message is None else _SyntaxProblem(1, 1, message)


class _Linter:
    """The selected rules, instantiated once, and the errors met while running them."""

    def __init__(
        self,
        rules: Sequence[type[Rule]] | None,
        select: Sequence[str] | None,
        ignore: Sequence[str] | None,
        prefilter: bool = True,
        apply_noqa: bool = True,
    ) -> None:
        #: what makes the same linter in a worker process
        self.arguments = (rules, select, ignore, prefilter, apply_noqa)
        self.prefilter = prefilter
        self.apply_noqa = apply_noqa
        selection = select_rules(ALL_RULES if rules is None else rules, select, ignore)
        self.report_parse_errors = selection.report_parse_errors
        self.python_rules = [rule() for rule in selection.rules if issubclass(rule, PythonRule)]
        self.dockerfile_rules = [
            rule() for rule in selection.rules if issubclass(rule, DockerfileRule)
        ]
        self.container_yaml_rules = [
            rule() for rule in selection.rules if issubclass(rule, ContainerYamlRule)
        ]
        self.errors: list[str] = []
        #: problems worth telling the user that are not findings (an unknown code in a noqa)
        self.warnings: list[str] = []
        self.known_codes = (PARSE_ERROR_CODE, *(rule.code for rule in ALL_RULES))
        self._triggered_text: str | None = None
        self._triggered: list[PythonRule] = []
        self._noqa_source: PythonSource | None = None
        self._noqa: NoqaLines = {}

    def fingerprint(self) -> str:
        """What decides this linter's findings besides the files: the result cache's key."""
        rules = [
            [rule.code, f"{type(rule).__module__}.{type(rule).__qualname__}"]
            for rule in (*self.python_rules, *self.dockerfile_rules, *self.container_yaml_rules)
        ]
        return fingerprint(
            [
                __version__,
                code_digest(),
                runtime_versions(),
                sorted(rules),
                self.report_parse_errors,
                self.prefilter,
                self.apply_noqa,
            ]
        )

    # -- entry points ---------------------------------------------------------------------

    def lint_file(
        self, task: FileTask, project: ProjectFacts, data: bytes | None = None
    ) -> FileOutcome:
        """Lint one file of a tree (its bytes are read unless given): what the findings, the
        warnings and the errors are, and what they depended on."""
        path = str(task.path)
        saved = self.errors, self.warnings
        self.errors, self.warnings = [], []
        outcome = FileOutcome(findings=[])
        try:
            if data is None:
                data = read_regular_file(task.path)
            outcome.digest = content_digest(data)
            text = _decode(data, task.kind)
        except OSError as error:
            problem = parse_error(path, 1, 1, f"cannot read: {error.strerror or error}")
            outcome.findings = [problem] if task.named else []
        except SourceDecodeError as error:
            problem = parse_error(path, error.line, error.column, error.message)
            outcome.findings = [problem] if task.named else []
        else:
            seen = _FileProject(project)
            try:
                outcome.findings = self.lint_text(text, path, task.kind, seen, named=task.named)
            except Exception as error:  # a bug met outside the rules: this file's problem only
                self.errors.append(_one_line(f"{path}: linting failed: {_describe(error)}"))
            finally:
                outcome.asked = seen.finish()
        finally:
            outcome.errors, outcome.warnings = self.errors, self.warnings
            self.errors, self.warnings = saved
        return outcome

    def lint_text(
        self,
        text: str,
        path: str,
        kind: SourceKind,
        project: ProjectFacts,
        *,
        named: bool = True,
        syntax_tree: ast.Module | None = None,
    ) -> list[Finding]:
        try:
            if kind == "notebook":
                findings = self.lint_notebook(text, path, project)
            elif kind == "dockerfile":
                findings = self.lint_dockerfile_text(text, path)
            elif kind == "compose" or kind == "kubernetes":
                findings = self.lint_container_yaml(text, path, kind, named=named)
            else:
                findings = self.lint_python(
                    text.removeprefix("\ufeff"), path, project, syntax_tree=syntax_tree
                )
        except Exception as error:  # a bug outside the rules: this file fails, the run goes on
            self.errors.append(_one_line(f"{path}: linting failed: {_describe(error)}"))
            return []
        return self.keep(findings)

    def keep(self, findings: list[Finding]) -> list[Finding]:
        if self.report_parse_errors:
            return findings
        return [finding for finding in findings if finding.code != PARSE_ERROR_CODE]

    def lint_python(
        self,
        text: str,
        path: str,
        project: ProjectFacts,
        *,
        syntax_tree: ast.Module | None = None,
    ) -> list[Finding]:
        problem = _nul_problem(text) or _size_problem(text)
        if problem is not None:
            return [parse_error(path, problem.line, problem.column, problem.message)]
        source = PythonSource(text)
        self.check_noqa_codes(source, path)
        module = self.parse(source.text, syntax_tree=syntax_tree)
        if isinstance(module, _SyntaxProblem):
            return self.suppressed(
                [parse_error(path, module.line, module.column, module.message)], source
            )
        return self.run_python_rules(module, source, path, project)

    def lint_notebook(self, text: str, path: str, project: ProjectFacts) -> list[Finding]:
        try:
            cells = read_code_cells(text)
        except NotebookError as error:
            return [parse_error(path, 1, 1, error.message)]
        source = notebook_program(cells)
        too_large = _size_problem(source.text)
        if too_large is not None:
            return [parse_error(path, 1, 1, too_large.message)]
        self.check_noqa_codes(source, path)
        full = self.needs_libcst(source.text)
        module = self.parse(source.text, full=full)
        findings: list[Finding] = []
        if isinstance(module, _SyntaxProblem):
            # Report each cell that is broken on its own; lint the others as one program.
            broken: dict[int, _SyntaxProblem] = {}
            for cell in cells:
                problem = self.parse(cell_program(cell), full=full)
                if isinstance(problem, _SyntaxProblem):
                    broken[cell.index] = problem
            findings = [
                parse_error(path, problem.line, problem.column, problem.message, cell=index)
                for index, problem in broken.items()
            ]
            source = notebook_program(cells, blank=broken)
            module = self.parse(source.text, full=full)
            if isinstance(module, _SyntaxProblem):  # cells that parse alone but not together
                cell_index, line = source.user_line(module.line)
                findings.append(
                    parse_error(path, line, module.column, module.message, cell=cell_index)
                )
                return self.suppressed(findings, source)
        return self.suppressed(findings, source) + self.run_python_rules(
            module, source, path, project
        )

    def check_noqa_codes(self, source: PythonSource, path: str) -> None:
        for (cell, line), comment in sorted(
            self.noqa(source).items(), key=lambda item: (item[0][0] or 0, item[0][1])
        ):
            for code in unknown_noqa_codes(comment, self.known_codes):
                where = f"{path}:cell {cell}:{line}" if cell else f"{path}:{line}"
                self.warnings.append(f"{where}: unknown code {code} in '# noqa'")

    def noqa(self, source: PythonSource) -> NoqaLines:
        """The ``# noqa`` comments of ``source``, found once per source."""
        if self._noqa_source is not source:
            self._noqa_source, self._noqa = source, noqa_lines(source)
        return self._noqa

    def lint_dockerfile_text(self, text: str, path: str) -> list[Finding]:
        # dockerfile-parse is imported only by a run that reads a Dockerfile
        from keras_lint.sources.dockerfile import DockerfileError, load_dockerfile

        try:
            facts = load_dockerfile(path, text)
        except DockerfileError as error:
            return [parse_error(path, error.line, 1, error.message)]
        return self.run_dockerfile_rules(facts, text, path)

    def lint_container_yaml(
        self, text: str, path: str, kind: ContainerYamlKind, *, named: bool = True
    ) -> list[Finding]:
        """A Compose file or Kubernetes manifests. Text that is not YAML is KER001, unless the
        file was not ``named`` but met in a folder walk: then only its look made it a candidate
        (a Helm template, say) and it is skipped."""
        # PyYAML is imported only by a run that reads YAML
        from keras_lint.sources.container_yaml import ContainerYamlError, load_container_yaml

        try:
            facts = load_container_yaml(path, text, kind)
        except ContainerYamlError as error:
            return [parse_error(path, error.line, error.column, error.message)] if named else []
        return self.run_container_yaml_rules(facts, path)

    # -- Python -----------------------------------------------------------------------------

    def triggered(self, text: str) -> list[PythonRule]:
        """The selected rules that could report in ``text``: their trigger occurs there.

        Asked before the parse and again before the rules run: the answer for the last text
        is kept, since searching every trigger through a large file is not free.
        """
        if text is not self._triggered_text:
            self._triggered_text = text
            self._triggered = [
                rule
                for rule in self.python_rules
                if not self.prefilter or rule.trigger is None or rule.trigger.search(text)
            ]
        return self._triggered

    def needs_libcst(self, text: str) -> bool:
        return bool(self.triggered(text))

    def parse(
        self,
        text: str,
        *,
        full: bool | None = None,
        syntax_tree: ast.Module | None = None,
    ) -> cst.Module | _SyntaxProblem | None:
        """The libcst module, a syntax problem, or None when no rule needs the tree.

        CPython's parser runs first, on every source: it is fast, its messages and positions
        are the clearer ones (and so do not depend on which rules are selected), and it rejects
        the pathologically nested code on which libcst's native parser overflows its stack.
        Its tree is measured only when libcst is to parse the text next: a tree too deep for
        libcst (``analysis.limits``) is reported only when a rule needs it.

        ``syntax_tree``: CPython's tree of ``text``, when the caller has parsed it already
        (flake8 runs plugins only on text its own parse accepted); it is measured, not redone.
        """
        if full is None:
            full = self.needs_libcst(text)
        if syntax_tree is not None:
            problem = _too_deep_problem(syntax_tree) if full else None
        else:
            problem = _compile_check(text, measure=full)
        if problem is None:
            if not full:
                return None
            module = _libcst_parse(text)
            if isinstance(module, _SyntaxProblem) and "\t" in text:
                # CPython accepts indentation that mixes tabs and spaces which libcst's tokenizer
                # rejects; the same code with tabs expanded as CPython reads them parses.
                expanded = _libcst_parse(_expand_indentation_tabs(text))
                if not isinstance(expanded, _SyntaxProblem):
                    return expanded
            return module
        if problem.too_deep or unsafe_for_libcst(text):
            return problem
        # Syntax newer than the running Python (3.12 f-strings, type parameters) is still
        # valid code: libcst's grammar decides.
        module = _libcst_parse(text)
        if isinstance(module, _SyntaxProblem):
            return problem
        return module if full else None

    def run_python_rules(
        self,
        module: cst.Module | None,
        source: PythonSource,
        path: str,
        project: ProjectFacts,
    ) -> list[Finding]:
        rules = self.triggered(source.text)
        if module is None or not rules:
            return []
        if callable(project):
            project = project()
        from keras_lint.analysis.facts import build_module_facts  # brings libcst

        try:
            facts = build_module_facts(module, path, project)
        except Exception as error:
            self.errors.append(_one_line(f"{path}: analysis failed: {_describe(error)}"))
            return []
        findings: list[Finding] = []
        for rule in rules:
            try:
                for report in rule.check(facts):
                    findings.append(self.python_finding(rule, report, facts, source, path))
            except Exception as error:
                self.errors.append(_rule_error(path, rule, error))
        return self.suppressed(findings, source)

    def python_finding(
        self,
        rule: Rule,
        report: Report,
        facts: ModuleFacts,
        source: PythonSource,
        path: str,
    ) -> Finding:
        if report.span is not None:
            line, column, end_line, end_column = report.span
        elif report.node is not None:
            found = facts.position(report.node)
            line, column = found.start.line, found.start.column + 1
            end_line, end_column = found.end.line, found.end.column + 1
        else:
            line, column, end_line, end_column = 1, 1, 1, 1
        column += source.column_shift(line)
        end_column += source.column_shift(end_line)
        cell, user_line = source.user_line(line)
        end_cell, user_end_line = source.user_line(end_line)
        if end_cell != cell:  # a span cannot leave its cell; keep its start
            user_end_line, end_column = user_line, column
        return Finding(
            path=path,
            line=user_line,
            column=column,
            end_line=user_end_line,
            end_column=end_column,
            code=rule.code,
            name=rule.name,
            message=report.message,
            cell=cell,
        )

    def suppressed(self, findings: list[Finding], source: PythonSource) -> list[Finding]:
        """``findings`` without those a ``# noqa`` comment on one of their lines silences."""
        if not self.apply_noqa or not findings:
            return findings
        noqa = self.noqa(source)
        if not noqa:
            return findings
        return [
            finding
            for finding in findings
            if not noqa_suppresses_span(
                noqa, finding.cell, finding.line, finding.end_line, finding.code
            )
        ]

    # -- Dockerfiles ------------------------------------------------------------------------

    def run_dockerfile_rules(self, facts: DockerfileFacts, text: str, path: str) -> list[Finding]:
        checks = [(rule, partial(rule.check, facts)) for rule in self.dockerfile_rules]
        return self.run_span_checks(checks, split_lines(text), path)

    # -- Compose files and Kubernetes manifests -----------------------------------------------

    def run_container_yaml_rules(self, facts: ContainerYamlFacts, path: str) -> list[Finding]:
        checks = [
            (rule, partial(rule.check_container_yaml, facts)) for rule in self.container_yaml_rules
        ]
        return self.run_span_checks(checks, facts.lines, path)

    def run_span_checks(
        self,
        checks: Sequence[tuple[Rule, Callable[[], Iterator[Report]]]],
        lines: list[str],
        path: str,
    ) -> list[Finding]:
        """Findings of rules that report spans in a file where a comment line
        ``# keras-lint: ignore=CODE`` directly above a reported line silences it."""
        findings: list[Finding] = []
        for rule, check in checks:
            try:
                for report in check():
                    line, column, end_line, end_column = report.span or (1, 1, 1, 1)
                    if dockerfile_pragma_suppresses(lines, line, rule.code):
                        continue
                    findings.append(
                        Finding(path, line, column, end_line, end_column, rule.code, rule.name,
                                report.message)
                    )  # fmt: skip
            except Exception as error:
                self.errors.append(_rule_error(path, rule, error))
        return findings


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _rule_error(path: str, rule: Rule, error: Exception) -> str:
    return _one_line(f"{path}: rule {rule.code} ({rule.name}) failed: {_describe(error)}")


def _kind_of(path: str | Path) -> SourceKind:
    return source_kind(path) or "python"


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
    linter = _Linter(rules, select, ignore, prefilter, apply_noqa)
    findings = linter.lint_text(
        text, path, kind or _kind_of(path), project, syntax_tree=syntax_tree
    )
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


def _decode(data: bytes, kind: SourceKind) -> str:
    if kind == "python":
        return decode_python(data)
    try:
        return data.decode("utf-8-sig")  # notebooks are JSON and Docker reads UTF-8
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise SourceDecodeError(f"cannot decode as utf-8: {error.reason}", line, column) from error


def _read(path: Path, kind: SourceKind) -> str | Finding:
    """The decoded text of a file, or the KER001 finding that says why there is none."""
    try:
        data = read_regular_file(path)
    except OSError as error:
        return parse_error(str(path), 1, 1, f"cannot read: {error.strerror or error}")
    try:
        return _decode(data, kind)
    except SourceDecodeError as error:
        return parse_error(str(path), error.line, error.column, error.message)


@dataclass(frozen=True)
class LoadedDockerfile:
    path: Path
    text: str
    facts: DockerfileFacts


@dataclass
class ProjectScan:
    """What a linted tree tells about each of its files, built before any file is linted."""

    #: the Python files by module name, and the Dockerfiles' ENV by folder
    index: ProjectIndex
    #: the Dockerfiles that were read and parsed
    dockerfiles: list[LoadedDockerfile]
    #: KER001 findings for the Dockerfiles that could not be read or parsed
    problems: list[Finding]


def scan_project(files: Sequence[Path]) -> ProjectScan:
    """The project facts of a set of discovered files: the one implementation every front end
    uses, so that a file's findings depend on its tree in the same way everywhere."""
    # Dockerfiles first: their ENV values are facts about the Python files of their folder.
    dockerfile_env: dict[Path, dict[str, str]] = {}
    dockerfiles: list[LoadedDockerfile] = []
    problems: list[Finding] = []
    python_files: list[Path] = []
    notebooks: list[Path] = []
    for path in files:
        kind = _kind_of(path)
        if kind == "python":
            python_files.append(path)
        elif kind == "notebook":
            notebooks.append(path)
        if kind != "dockerfile":
            continue
        text = _read(path, kind)
        if isinstance(text, Finding):
            problems.append(text)
            continue
        # dockerfile-parse is imported only by a run that reads a Dockerfile
        from keras_lint.sources.dockerfile import DockerfileError, load_dockerfile

        try:
            facts = load_dockerfile(str(path), text)
        except DockerfileError as error:
            problems.append(parse_error(str(path), error.line, 1, error.message))
            continue
        dockerfile_env.setdefault(path.parent, {}).update(facts.env)
        dockerfiles.append(LoadedDockerfile(path, text, facts))
    index = ProjectIndex(python_files, dockerfile_env=dockerfile_env, notebooks=notebooks)
    return ProjectScan(index=index, dockerfiles=dockerfiles, problems=problems)


def project_index(root: str | Path) -> ProjectIndex:
    """The project facts ``lint_paths([root])`` gives each file it lints under ``root``."""
    return scan_project(discover([root]).files).index


def _unique(paths: Sequence[Path]) -> list[Path]:
    seen: dict[str, Path] = {}
    for path in paths:
        seen.setdefault(os.path.realpath(path), path)
    return list(seen.values())


class ProjectOfNamedFiles:
    """The facts of ``files`` and of the projects the ``named`` files belong to, made on the
    first call (plain data until then, so that it can travel to worker processes).

    pre-commit and editors name single files: the Dockerfile ``ENV`` and the helper modules
    beside such a file count as they do when its whole project is linted.
    """

    def __init__(self, named: Sequence[Path], files: Sequence[Path], exclude: PathPatterns) -> None:
        self.named = list(named)
        self.files = list(files)
        self.exclude = exclude
        self._index: ProjectIndex | None = None

    def __call__(self) -> ProjectIndex:
        if self._index is None:
            found = list(self.files)
            for root in sorted({project_root(path) for path in self.named}):
                if root.is_dir():  # an editor's buffer may name a file of no folder yet
                    found.extend(discover([root], exclude=self.exclude).files)
            self._index = scan_project(_unique(found)).index
        return self._index


def projects_of(
    named: Sequence[Path], files: Sequence[Path], exclude: PathPatterns
) -> ProjectFacts:
    """The facts of ``files`` and of the projects the ``named`` files belong to, made on demand."""
    return ProjectOfNamedFiles(named, files, exclude)


def lint_content(
    data: bytes,
    path: str,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    settings: Settings | None = None,
) -> LintResult:
    """Lint ``data`` as if it were the file ``path`` (an editor's unsaved buffer on stdin).

    The file's kind, per-file ignores and findings' paths all come from ``path``; positions are
    those of ``data``. Raises UsageError for an unknown code.
    """
    linter = _Linter(None, select, ignore)
    settings = settings or Settings(root=Path.cwd())
    kind = _kind_of(path)
    try:
        text = _decode(data, kind)
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
) -> LintResult:
    """Lint every Python file, notebook, Dockerfile, Compose file and manifest under ``paths``.

    ``settings`` gives the exclude patterns and per-file ignores (its ``select``/``ignore`` are
    the caller's to pass, merged with options). ``jobs`` is the number of worker processes
    (None: one per available CPU; a run with few files stays in this process). ``cache_dir``
    keeps each file's result there and reuses it while the file, the settings and what the
    file's analysis read of the project are unchanged (None: no cache). Whatever ``jobs`` and
    the cache, the result is that of a serial run without a cache.

    Raises UsageError for a missing path, an unknown code or ``jobs`` below 1; every other
    problem is either a KER001 finding (an unreadable or unparsable file) or an entry in
    ``errors`` (cache problems: in ``warnings``).
    """
    if jobs is not None and jobs < 1:
        raise UsageError(f"jobs must be at least 1, not {jobs}")
    linter = _Linter(rules, select, ignore, prefilter)
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
        kind = _kind_of(path)
        if kind != "dockerfile":
            # a YAML file a folder walk chose for its look: a failure to read it is no finding
            walked_manifest = kind == "kubernetes" and os.path.realpath(path) not in named
            tasks.append(FileTask(path, kind, named=not walked_manifest))
    cache = ResultCache(Path(cache_dir), linter.fingerprint()) if cache_dir is not None else None
    outcomes = _lint_tasks(tasks, linter, project, jobs, cache)
    errors, warnings = list(linter.errors), list(linter.warnings)
    for outcome in outcomes:
        findings.extend(outcome.findings)
        errors.extend(outcome.errors)
        warnings.extend(outcome.warnings)
    if cache is not None:
        warnings.extend(cache.warnings())
    per_file = PerFileIgnores(settings.root, settings.per_file_ignores)
    return LintResult(
        findings=sorted(per_file.keep(linter.keep(findings)), key=Finding.sort_key),
        files_checked=len(discovered.files),
        errors=errors,
        warnings=warnings,
    )


def _lint_tasks(
    tasks: Sequence[FileTask],
    linter: _Linter,
    project: ProjectFacts,
    jobs: int | None,
    cache: ResultCache | None,
) -> list[FileOutcome]:
    """The outcome of each task, in order: from the cache where it holds, else computed here or
    by worker processes (and then cached)."""
    wanted = available_cpus() if jobs is None else jobs
    enough = MIN_FILES_PER_WORKER if start_method() == "fork" else MIN_FILES_PER_SPAWNED_WORKER
    if min(wanted, len(tasks) // enough) <= 1:  # serial: each file checked, then linted
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
            initargs=(linter.arguments, project),
            weights=[_size(tasks[index].path) for index in todo],
        )
        computed = [
            _outcome(tasks[index], result) for index, result in zip(todo, results, strict=True)
        ]
    else:  # most files were cached: the few others are linted here
        computed = [linter.lint_file(tasks[index], project) for index in todo]
    for index, outcome in zip(todo, computed, strict=True):
        outcomes[index] = outcome
        _save(cache, tasks[index], outcome)
    return [outcome for outcome in outcomes if outcome is not None]


def _lint_here(
    task: FileTask, linter: _Linter, project: ProjectFacts, cache: ResultCache | None
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
        error = _one_line(f"{task.path}: linting failed in a worker process: {result.reason}")
        return FileOutcome(findings=[], errors=[error])
    return result


#: the linter and project facts of a worker process, made once by ``_start_worker``
_WORKER: tuple[_Linter, ProjectFacts] | None = None


def _start_worker(linter_arguments: tuple[Any, ...], project: ProjectFacts) -> None:
    global _WORKER
    _WORKER = (_Linter(*linter_arguments), project)


def _lint_in_worker(task: FileTask) -> FileOutcome:
    assert _WORKER is not None, "a worker process lints only after _start_worker"
    linter, project = _WORKER
    return linter.lint_file(task, project)
