"""Linting one source: the selected rules, instantiated once, run over one file's text.

Per Python source: check the syntax with CPython's fast parser, parse with libcst once (only when
a selected rule's trigger occurs in the text), build the shared facts, run the rules whose trigger
occurs, and compute positions only for files where a rule reported something. Notebooks are
linted as one program of their code cells, Dockerfiles and YAML manifests by their own rules.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from keras_lint import __version__
from keras_lint.analysis.limits import unsafe_for_libcst
from keras_lint.analysis.project import ProjectIndex, content_digest
from keras_lint.cache import code_digest, fingerprint, runtime_versions
from keras_lint.engine.reading import decode_file
from keras_lint.engine.results import FileOutcome, FileTask, ProjectFacts
from keras_lint.engine.syntax_checks import (
    SyntaxProblem,
    compile_check,
    expand_indentation_tabs,
    libcst_parse,
    nul_problem,
    size_problem,
    too_deep_problem,
)
from keras_lint.finding import Finding, SuggestedFix, TextEdit
from keras_lint.parse_error import PARSE_ERROR_CODE, parse_error
from keras_lint.rules import ALL_RULES
from keras_lint.rules.base import (
    ContainerYamlRule,
    DockerfileRule,
    Fix,
    PythonRule,
    Report,
    Rule,
)
from keras_lint.selection import select_rules
from keras_lint.sources import PythonSource, SourceDecodeError, SourceKind
from keras_lint.sources.notebook import (
    NotebookError,
    cell_program,
    notebook_program,
    read_code_cells,
)
from keras_lint.sources.python import LINE_BREAK, split_lines
from keras_lint.sources.regular_file import read_regular_file
from keras_lint.suppression import (
    NoqaLines,
    comment_lines,
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


def one_line(text: str) -> str:
    return " ".join(text.split())


class FileProject:
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


class Linter:
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
            text = decode_file(data, task.kind)
        except OSError as error:
            problem = parse_error(path, 1, 1, f"cannot read: {error.strerror or error}")
            outcome.findings = [problem] if task.named else []
        except SourceDecodeError as error:
            problem = parse_error(path, error.line, error.column, error.message)
            outcome.findings = [problem] if task.named else []
        else:
            seen = FileProject(project)
            try:
                outcome.findings = self.lint_text(text, path, task.kind, seen, named=task.named)
            except Exception as error:  # a bug met outside the rules: this file's problem only
                self.errors.append(one_line(f"{path}: linting failed: {describe(error)}"))
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
            self.errors.append(one_line(f"{path}: linting failed: {describe(error)}"))
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
        problem = nul_problem(text) or size_problem(text)
        if problem is not None:
            return [parse_error(path, problem.line, problem.column, problem.message)]
        source = PythonSource(text)
        self.check_noqa_codes(source, path)
        module = self.parse(source.text, syntax_tree=syntax_tree)
        if isinstance(module, SyntaxProblem):
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
        too_large = size_problem(source.text)
        if too_large is not None:
            return [parse_error(path, 1, 1, too_large.message)]
        self.check_noqa_codes(source, path)
        full = self.needs_libcst(source.text)
        module = self.parse(source.text, full=full)
        findings: list[Finding] = []
        if isinstance(module, SyntaxProblem):
            # Report each cell that is broken on its own; lint the others as one program.
            broken: dict[int, SyntaxProblem] = {}
            for cell in cells:
                problem = self.parse(cell_program(cell), full=full)
                if isinstance(problem, SyntaxProblem):
                    broken[cell.index] = problem
            findings = [
                parse_error(path, problem.line, problem.column, problem.message, cell=index)
                for index, problem in broken.items()
            ]
            source = notebook_program(cells, blank=broken)
            module = self.parse(source.text, full=full)
            if isinstance(module, SyntaxProblem):  # cells that parse alone but not together
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
    ) -> cst.Module | SyntaxProblem | None:
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
            problem = too_deep_problem(syntax_tree) if full else None
        else:
            problem = compile_check(text, measure=full)
        if problem is None:
            if not full:
                return None
            module = libcst_parse(text)
            if isinstance(module, SyntaxProblem) and "\t" in text:
                # CPython accepts indentation that mixes tabs and spaces which libcst's tokenizer
                # rejects; the same code with tabs expanded as CPython reads them parses.
                expanded = libcst_parse(expand_indentation_tabs(text))
                if not isinstance(expanded, SyntaxProblem):
                    return expanded
            return module
        if problem.too_deep or unsafe_for_libcst(text):
            return problem
        # Syntax newer than the running Python (3.12 f-strings, type parameters) is still
        # valid code: libcst's grammar decides.
        module = libcst_parse(text)
        if isinstance(module, SyntaxProblem):
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
            self.errors.append(one_line(f"{path}: analysis failed: {describe(error)}"))
            return []
        findings: list[Finding] = []
        for rule in rules:
            try:
                for report in rule.check(facts):
                    findings.append(self.python_finding(rule, report, facts, source, path))
            except Exception as error:
                self.errors.append(rule_error(path, rule, error))
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
        fix = None
        if report.fix is not None:
            fix = self.python_fix(rule, report.fix, facts, source, cell, path)
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
            severity=rule.severity,
            fix=fix,
        )

    def python_fix(
        self,
        rule: Rule,
        fix: Fix,
        facts: ModuleFacts,
        source: PythonSource,
        cell: int | None,
        path: str,
    ) -> SuggestedFix | None:
        """A rule's fix in the finding's coordinates; None when an edit leaves the finding's
        cell or names a node of another file (a helper's)."""
        newline = _newline_of(source.text) if source.cell_map is None else "\n"
        edits = []
        for edit in fix.edits:
            if edit.span is not None:
                line, column, end_line, end_column = edit.span
            elif edit.node is not None:
                try:
                    found = facts.position(edit.node)
                except KeyError:
                    return None
                line, column = found.start.line, found.start.column + 1
                end_line, end_column = found.end.line, found.end.column + 1
                if edit.place == "before":
                    end_line, end_column = line, column
                elif edit.place == "after":
                    line, column = end_line, end_column
            else:
                return None
            edit_cell, user_line = source.user_line(line)
            end_cell, user_end_line = source.user_line(end_line)
            if edit_cell != cell or end_cell != cell:
                return None
            edits.append(
                TextEdit(
                    user_line,
                    column + source.column_shift(line),
                    user_end_line,
                    end_column + source.column_shift(end_line),
                    edit.text.replace("\n", newline),
                )
            )
        return _checked_fix(rule, fix, edits, path, self.errors)

    def suppressed(self, findings: list[Finding], source: PythonSource) -> list[Finding]:
        """``findings`` without those a ``# noqa`` comment on one of their lines silences."""
        if not self.apply_noqa or not findings:
            return findings
        noqa = self.noqa(source)
        if not noqa:
            return findings
        # a line that ends inside a multi-line string takes its comment on the string's last line
        moved = comment_lines(source.lines) if source.cell_map is None else {}
        return [
            finding
            for finding in findings
            if not noqa_suppresses_span(
                noqa,
                finding.cell,
                finding.line,
                max(moved.get(n, n) for n in range(finding.line, finding.end_line + 1)),
                finding.code,
            )
        ]

    # -- Dockerfiles ------------------------------------------------------------------------

    def run_dockerfile_rules(self, facts: DockerfileFacts, text: str, path: str) -> list[Finding]:
        checks = [(rule, partial(rule.check, facts)) for rule in self.dockerfile_rules]
        findings = self.run_span_checks(checks, split_lines(text), text, path)
        if self.report_parse_errors and any(
            rule.reads_build_context for rule in self.dockerfile_rules
        ):
            findings += [
                parse_error(problem.path, problem.line, problem.column, problem.message)
                for problem in facts.context_problems
            ]
        return findings

    # -- Compose files and Kubernetes manifests -----------------------------------------------

    def run_container_yaml_rules(self, facts: ContainerYamlFacts, path: str) -> list[Finding]:
        checks = [
            (rule, partial(rule.check_container_yaml, facts)) for rule in self.container_yaml_rules
        ]
        return self.run_span_checks(checks, facts.lines, facts.text, path)

    def run_span_checks(
        self,
        checks: Sequence[tuple[Rule, Callable[[], Iterator[Report]]]],
        lines: list[str],
        text: str,
        path: str,
    ) -> list[Finding]:
        """Findings of rules that report spans in a file where a comment line
        ``# keras-lint: ignore=CODE`` directly above a reported line silences it."""
        findings: list[Finding] = []
        newline = _newline_of(text)
        for rule, check in checks:
            try:
                for report in check():
                    line, column, end_line, end_column = report.span or (1, 1, 1, 1)
                    if report.path is None and dockerfile_pragma_suppresses(lines, line, rule.code):
                        continue
                    fix = None
                    if report.fix is not None and report.path is None:
                        edits = [
                            TextEdit(*edit.span, edit.text.replace("\n", newline))
                            for edit in report.fix.edits
                            if edit.span is not None
                        ]
                        fix = _checked_fix(rule, report.fix, edits, path, self.errors)
                    findings.append(
                        Finding(report.path or path, line, column, end_line, end_column,
                                rule.code, rule.name, report.message, severity=rule.severity,
                                fix=fix)
                    )  # fmt: skip
            except Exception as error:
                self.errors.append(rule_error(path, rule, error))
        return findings


def _newline_of(text: str) -> str:
    """The line break a text writes (its first one), "\\n" for a text of one line."""
    found = LINE_BREAK.search(text)
    return found.group() if found is not None else "\n"


def _checked_fix(
    rule: Rule, fix: Fix, edits: list[TextEdit], path: str, errors: list[str]
) -> SuggestedFix | None:
    """The fix, unless its edits overlap (a rule's bug: an internal error) or it has none."""
    ordered = sorted(edits, key=TextEdit.start)
    if len(ordered) != len(fix.edits) or not ordered:
        return None
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start() < before.end() or after.start() == before.start():
            errors.append(f"{path}: rule {rule.code} ({rule.name}) gave overlapping edits")
            return None
    return SuggestedFix(fix.title, fix.applicability, tuple(ordered))


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def rule_error(path: str, rule: Rule, error: Exception) -> str:
    return one_line(f"{path}: rule {rule.code} ({rule.name}) failed: {describe(error)}")
