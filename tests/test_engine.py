"""The engine: decoding, the prefilter, KER001, selection, positions, rule crashes, lint_paths."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest

from conftest import notebook_json
from keras_lint.analysis import ModuleFacts, ProjectIndex
from keras_lint.analysis.limits import MAX_PROGRAM_CHARS
from keras_lint.engine import lint_paths, lint_source, lint_text, project_index, scan_project
from keras_lint.rules.base import DockerfileRule, PythonRule, Report
from keras_lint.selection import UsageError
from keras_lint.sources.dockerfile import DockerfileFacts


class _BoomCalls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "boom":
            self.calls.append(node)


class BoomRule(PythonRule):
    """Reports every call of ``boom``."""

    code = "KER901"
    name = "boom-call"
    summary = "boom is called"
    trigger = re.compile(r"\bboom\b")
    checked: list[str] = []

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        BoomRule.checked.append(facts.path)
        visitor = _BoomCalls()
        facts.module.visit(visitor)
        for call in visitor.calls:
            yield Report("boom is called", node=call)


class SpanRule(PythonRule):
    code = "KER902"
    name = "span"
    summary = "reports a fixed span"
    trigger = re.compile("span_here")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        yield Report("fixed span", span=(2, 3, 2, 7))


class CrashingRule(PythonRule):
    code = "KER903"
    name = "crash"
    summary = "always crashes"
    trigger = None

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        raise ValueError("rule bug\nsecond line")


class LatestRule(DockerfileRule):
    code = "KER905"
    name = "from-line"
    summary = "reports every FROM line"

    def check(self, facts: DockerfileFacts) -> Iterator[Report]:
        for instruction in facts.from_instructions:
            yield Report("from", span=(instruction.line, 1, instruction.line, 5))


RULES = [BoomRule, SpanRule]


def codes(findings: list) -> list[str]:
    return [finding.code for finding in findings]


# -- KER001 -------------------------------------------------------------------------------


def test_syntax_error_is_reported_as_ker001_at_its_position() -> None:
    findings = lint_source("x = 1\ny = boom(\n", "a.py", rules=RULES)
    assert [(f.code, f.name, f.line) for f in findings] == [("KER001", "parse-error", 2)]
    assert findings[0].message.startswith("cannot parse: ")
    assert "\n" not in findings[0].message


def test_syntax_error_is_reported_even_when_prefilter_skips_the_parse() -> None:
    BoomRule.checked.clear()
    findings = lint_source("def f(:\n    pass\n", "a.py", rules=RULES)
    assert codes(findings) == ["KER001"]
    assert (findings[0].line, findings[0].column) == (1, 7)
    assert BoomRule.checked == []


def test_ker001_is_the_same_with_and_without_the_prefilter() -> None:
    text = "x = (1,\ny = boom(2)\n"
    skipped = lint_source(text.replace("boom", "zoom"), "a.py", rules=RULES)
    parsed = lint_source(text, "a.py", rules=RULES)
    assert [(f.line, f.column, f.message) for f in skipped] == [
        (f.line, f.column, f.message) for f in parsed
    ]


def test_empty_source_has_no_finding() -> None:
    assert lint_source("", "a.py", rules=RULES) == []


def test_nul_character_is_ker001() -> None:
    findings = lint_source("x = 1\nab\x00c\n", "a.py", rules=RULES)
    assert [(f.code, f.line, f.column) for f in findings] == [("KER001", 2, 3)]


def test_ker001_reported_when_select_names_other_codes_and_dropped_when_ignored() -> None:
    assert codes(lint_source("x = (", "a.py", select=["KER901"], rules=RULES)) == ["KER001"]
    assert lint_source("x = (", "a.py", ignore=["KER001"], rules=RULES) == []
    assert lint_source("x = (", "a.py", ignore=["KER0"], rules=RULES) == []


def test_deep_nesting_is_ker001_not_a_crash() -> None:
    text = "x = " + "(" * 5000 + ")" * 5000 + "\nboom()\n"
    assert codes(lint_source(text, "a.py", rules=RULES)) == ["KER001"]


@pytest.mark.parametrize("chain", ["a+" * 100_000 + "a", "-" * 100_000 + "a", "a" + ".b" * 100_000])
def test_a_chain_too_deep_for_cpythons_parser_is_ker001_that_says_so(chain: str) -> None:
    (finding,) = lint_source(f"x = {chain}\nboom()\n", "a.py", rules=RULES)
    assert finding.code == "KER001"
    assert finding.message in (
        "cannot parse: too deeply nested",
        "cannot parse: out of memory (too deeply nested?)",
    )


def test_a_chain_valid_for_cpython_but_too_deep_to_analyse_is_ker001_at_its_line() -> None:
    text = "x = 1\ny = " + "a + " * 400 + "a\nboom()\n"
    result = lint_text(text, "a.py", rules=RULES)
    assert result.errors == []
    (finding,) = result.findings
    assert (finding.code, finding.line, finding.column) == ("KER001", 2, 1)
    assert (
        finding.message == "too deeply nested to analyse: 403 levels at line 2 (the limit is 200)"
    )


def test_newer_syntax_with_a_chain_too_deep_to_analyse_keeps_cpythons_message() -> None:
    # CPython of this version rejects the text, and libcst must not be handed its deep chain
    text = "match = 1\ndef f[T](x: T) -> T: ...\ny = " + "a + " * 400 + "a\nboom()\n"
    result = lint_text(text, "a.py", rules=RULES)
    assert result.errors == []
    assert codes(result.findings) == ["KER001"]


def test_python_longer_than_the_limit_is_ker001_not_parsed() -> None:
    BoomRule.checked.clear()
    text = "boom()\n" + "x = 1\n" * (MAX_PROGRAM_CHARS // 6)
    (finding,) = lint_source(text, "big.py", rules=RULES)
    assert (finding.code, finding.line) == ("KER001", 1)
    assert finding.message.startswith("too large to analyse: 2.0 million characters of Python")
    assert BoomRule.checked == []


def test_a_notebook_whose_code_is_longer_than_the_limit_is_ker001() -> None:
    code = "boom()\n" + "x = 1\n" * (MAX_PROGRAM_CHARS // 6)
    notebook = json.dumps(
        {
            "cells": [{"cell_type": "code", "source": code, "metadata": {}, "outputs": [],
                       "execution_count": None}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
        }
    )  # fmt: skip
    (finding,) = lint_source(notebook, "big.ipynb", rules=RULES)
    assert (finding.code, finding.cell) == ("KER001", None)
    assert finding.message.startswith("too large to analyse: ")


def test_a_large_notebook_of_outputs_is_linted() -> None:
    output = {"output_type": "stream", "name": "stdout", "text": "x" * MAX_PROGRAM_CHARS}
    notebook = json.dumps(
        {
            "cells": [{"cell_type": "code", "source": "boom()", "metadata": {},
                       "outputs": [output, output], "execution_count": 1}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
        }
    )  # fmt: skip
    assert codes(lint_source(notebook, "plots.ipynb", rules=RULES)) == ["KER901"]


def test_warnings_about_the_linted_code_are_not_shown() -> None:
    # Python 3.12 prints a SyntaxWarning for "\d" while parsing; 3.11 a DeprecationWarning
    text = 'import re\nPATTERN = "\\d+"\nx = 1 is 1\nboom()\n'
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        findings = lint_source(text, "a.py", rules=RULES)
        notebook = lint_source(notebook_json(text), "a.ipynb", rules=RULES)
    assert codes(findings) == codes(notebook) == ["KER901"]
    assert [str(warning.message) for warning in shown] == []


# -- rules and positions ------------------------------------------------------------------


def test_rule_node_position_is_one_based_with_exclusive_end() -> None:
    (finding,) = lint_source("x = 1\nif x:\n    y = boom(1)\n", "a.py", rules=RULES)
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (3, 9, 3, 16)
    assert (finding.code, finding.name) == ("KER901", "boom-call")
    assert finding.message == "boom is called"
    assert finding.cell is None and finding.path == "a.py"


def test_report_with_span_is_used_as_is() -> None:
    (finding,) = lint_source("span_here = 1\nabcdefgh\n", "a.py", rules=RULES)
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (2, 3, 2, 7)


def test_prefilter_skips_rules_whose_trigger_is_absent() -> None:
    BoomRule.checked.clear()
    assert lint_source("x = 1\n", "skip.py", rules=[BoomRule]) == []
    assert BoomRule.checked == []
    lint_source("boom\n", "run.py", rules=[BoomRule])
    assert BoomRule.checked == ["run.py"]


def test_bom_and_crlf_keep_positions() -> None:
    (finding,) = lint_source("\ufeffx = 1\r\n\r\n  # c\r\nboom()\r\n", "a.py", rules=RULES)
    assert (finding.line, finding.column) == (4, 1)


def test_crashing_rule_is_an_error_and_other_rules_still_run(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("boom()\n")
    result = lint_paths([tmp_path], rules=[CrashingRule, BoomRule])
    assert codes(result.findings) == ["KER901"]
    (error,) = result.errors
    assert "a.py" in error and "KER903" in error and "ValueError: rule bug second line" in error
    assert "\n" not in error


def test_a_crash_outside_the_rules_fails_that_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_reader(text: str) -> list:
        raise KeyError("cells")

    monkeypatch.setattr("keras_lint.engine.linter.read_code_cells", broken_reader)
    (tmp_path / "a.ipynb").write_text(notebook_json("boom()"))
    (tmp_path / "b.py").write_text("boom()\n")
    result = lint_paths([tmp_path], rules=RULES)
    assert [(Path(f.path).name, f.code) for f in result.findings] == [("b.py", "KER901")]
    (error,) = result.errors
    assert error == f"{tmp_path / 'a.ipynb'}: linting failed: KeyError: 'cells'"


def test_findings_are_sorted() -> None:
    findings = lint_source("boom()\nspan_here\nboom()\n", "a.py", rules=RULES)
    assert [(f.line, f.code) for f in findings] == [(1, "KER901"), (2, "KER902"), (3, "KER901")]


def test_noqa_suppresses_a_rule_finding() -> None:
    text = "boom()  # noqa: KER9\nboom()  # noqa: E501\nboom()  # NOQA\n"
    assert [f.line for f in lint_source(text, "a.py", rules=RULES)] == [2]


# -- selection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("select", "ignore", "expected"),
    [
        (None, None, ["KER901", "KER902"]),
        (["KER901"], None, ["KER901"]),
        (["KER9"], ["KER902"], ["KER901"]),
        (["ker"], None, ["KER901", "KER902"]),
        (None, ["KER"], []),
        (["KER901"], ["KER9"], ["KER901"]),
    ],
)
def test_select_and_ignore_take_codes_and_prefixes(select, ignore, expected) -> None:
    text = "boom()\nspan_here\n"
    assert codes(lint_source(text, "a.py", select=select, ignore=ignore, rules=RULES)) == expected


@pytest.mark.parametrize("option", ["select", "ignore"])
def test_unknown_code_or_prefix_is_a_usage_error(option: str) -> None:
    with pytest.raises(UsageError, match="KER77"):
        lint_source("x = 1\n", "a.py", rules=RULES, **{option: ["KER77"]})


# -- source kinds ---------------------------------------------------------------------------


def test_kind_comes_from_the_path() -> None:
    assert codes(lint_source("not json", "n.ipynb", rules=RULES)) == ["KER001"]
    assert lint_source("FROM python:3.11\n", "Dockerfile", rules=RULES) == []
    dockerfile = lint_source("FROM python:3.11\n", "Dockerfile", rules=[LatestRule])
    assert [(f.code, f.line) for f in dockerfile] == [("KER905", 1)]


def test_dockerfile_pragma_suppresses_the_next_instruction() -> None:
    text = "# keras-lint: ignore=KER905\nFROM a:1\nFROM b:2\n"
    findings = lint_source(text, "build.Dockerfile", rules=[LatestRule])
    assert [f.line for f in findings] == [3]


# -- lint_paths ---------------------------------------------------------------------------


def test_lint_paths_decodes_pep263_and_bom(tmp_path: Path) -> None:
    (tmp_path / "latin.py").write_bytes(b"# -*- coding: latin-1 -*-\ns = '\xe9'\nboom()\n")
    (tmp_path / "bom.py").write_bytes(b"\xef\xbb\xbfboom()\n")
    result = lint_paths([tmp_path], rules=RULES)
    assert sorted((Path(f.path).name, f.line, f.column) for f in result.findings) == [
        ("bom.py", 1, 1),
        ("latin.py", 3, 1),
    ]
    assert result.files_checked == 2 and result.errors == []


def test_undecodable_and_binary_files_are_ker001(tmp_path: Path) -> None:
    (tmp_path / "bad_utf8.py").write_bytes(b"x = 1\ns = '\xff'\n")
    (tmp_path / "binary.py").write_bytes(b"\x7fELF\x00\x01")
    (tmp_path / "cookie.py").write_bytes(b"# coding: no-such-codec\nx = 1\n")
    result = lint_paths([tmp_path], rules=RULES)
    found = {Path(f.path).name: (f.code, f.line) for f in result.findings}
    assert found == {
        "bad_utf8.py": ("KER001", 2),
        "binary.py": ("KER001", 1),
        "cookie.py": ("KER001", 1),
    }


def test_unreadable_file_is_ker001_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_bytes = Path.read_bytes

    def deny_locked(path: Path) -> bytes:
        if path.name == "locked.py":  # chmod 0 would not stop root, so deny it here
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", deny_locked)
    (tmp_path / "locked.py").write_text("x = 1\n")
    (tmp_path / "open.py").write_text("boom()\n")
    result = lint_paths([tmp_path], rules=RULES)
    assert sorted((Path(f.path).name, f.code, f.message) for f in result.findings) == [
        ("locked.py", "KER001", "cannot read: Permission denied"),
        ("open.py", "KER901", "boom is called"),
    ]


def test_lint_paths_passes_one_project_with_dockerfile_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, ProjectIndex | None]] = []

    def spy(module: cst.Module, path: str, project: ProjectIndex | None = None) -> ModuleFacts:
        seen.append((Path(path).name, project))
        return ModuleFacts(path=path, module=module)

    monkeypatch.setattr("keras_lint.analysis.facts.build_module_facts", spy)
    (tmp_path / "Dockerfile").write_text("FROM python:3.11\nENV TF_FORCE_GPU_ALLOW_GROWTH=true\n")
    (tmp_path / "a.py").write_text("boom()\n")
    (tmp_path / "b.py").write_text("boom()\n")
    (tmp_path / "nb.ipynb").write_text(
        '{"cells": [{"cell_type": "code", "source": "boom()", "metadata": {},'
        ' "outputs": [], "execution_count": null}],'
        ' "metadata": {}, "nbformat": 4, "nbformat_minor": 4}'
    )
    result = lint_paths([tmp_path], rules=RULES)
    assert result.files_checked == 4
    assert sorted(name for name, _ in seen) == ["a.py", "b.py", "nb.ipynb"]
    projects = {id(project) for _, project in seen}
    assert len(projects) == 1
    project = seen[0][1]
    assert project is not None
    assert project.container_env(str(tmp_path / "a.py")) == {"TF_FORCE_GPU_ALLOW_GROWTH": "true"}
    assert sorted(p.name for p in project.files) == ["a.py", "b.py"]


def test_lint_paths_findings_sorted_across_files(tmp_path: Path) -> None:
    (tmp_path / "b.py").write_text("boom()\n")
    (tmp_path / "a.py").write_text("x = 1\nboom()\n")
    result = lint_paths([tmp_path / "b.py", tmp_path], rules=RULES)
    assert [(Path(f.path).name, f.line) for f in result.findings] == [("a.py", 2), ("b.py", 1)]
    assert result.files_checked == 2


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="nowhere"):
        lint_paths([tmp_path / "nowhere"], rules=RULES)


def test_rules_are_instantiated_once_per_run(tmp_path: Path) -> None:
    created: list[int] = []

    class CountingRule(BoomRule):
        def __init__(self) -> None:
            created.append(1)

    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text("boom()\n")
    result = lint_paths([tmp_path], rules=[CountingRule])
    assert len(result.findings) == 3 and len(created) == 1


def resolved_modules(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The statement counts of the modules on which libcst's positions are resolved from now on."""
    import keras_lint.analysis.positions as positions

    resolved: list[int] = []
    real_wrapper = positions.MetadataWrapper

    def counting_wrapper(module: cst.Module, unsafe_skip_copy: bool = False) -> object:
        resolved.append(len(module.body))
        return real_wrapper(module, unsafe_skip_copy=unsafe_skip_copy)

    monkeypatch.setattr(positions, "MetadataWrapper", counting_wrapper)
    return resolved


def test_positions_are_resolved_only_for_files_with_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved = resolved_modules(monkeypatch)
    (tmp_path / "quiet.py").write_text("def boom_helper():\n    pass\n")  # parsed, no report
    (tmp_path / "loud.py").write_text("boom()\nboom()\n")
    result = lint_paths([tmp_path], rules=[BoomRule])
    assert len(result.findings) == 2
    assert resolved == [1, 1]  # each finding's statement, alone


def test_positions_are_resolved_only_for_the_statements_with_findings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolved = resolved_modules(monkeypatch)
    functions = [
        f"# helper {n}\n\n@decorate\ndef helper_{n}(x):\n    return x + {n}\n\n" for n in range(60)
    ]
    middle = "result = (\n    boom(1)\n)\n"
    text = "".join(functions[:40]) + middle + "".join(functions[40:]) + "boom(2)\n"
    findings = lint_source(text, "long.py", rules=[BoomRule])
    lines = text.splitlines()
    assert [(f.line, f.column) for f in findings] == [
        (lines.index("    boom(1)") + 1, 5),
        (len(lines), 1),
    ]
    assert resolved == [1, 1]


def test_indentation_mixing_tabs_and_spaces_that_cpython_accepts_is_linted() -> None:
    text = "if True:\n\ta = 1\n\tfor i in [1]:\n    \t\tboom()\n"
    compile(text, "t.py", "exec")  # valid Python
    findings = lint_source(text, "t.py", rules=RULES)
    assert [(f.code, f.line) for f in findings] == [("KER901", 4)]


# -- entry points for other front ends ------------------------------------------------------


def test_apply_noqa_false_keeps_what_noqa_silences() -> None:
    text = "boom()  # noqa: KER9\nboom()  # noqa\ndef f(:  # noqa\n"
    assert codes(lint_source(text, "a.py", rules=RULES)) == []
    kept = lint_source(text, "a.py", rules=RULES, apply_noqa=False)
    assert [(f.code, f.line) for f in kept] == [("KER001", 3)]
    text = "boom()  # noqa: KER9\nboom()  # noqa\n"
    kept = lint_source(text, "a.py", rules=RULES, apply_noqa=False)
    assert [(f.code, f.line) for f in kept] == [("KER901", 1), ("KER901", 2)]


def test_lint_text_returns_the_internal_errors_and_takes_a_kind() -> None:
    result = lint_text("boom()\n", "model.ipynb", kind="python", rules=[CrashingRule, BoomRule])
    assert codes(result.findings) == ["KER901"]  # read as Python, not as notebook JSON
    (error,) = result.errors
    assert "KER903" in error and "rule bug" in error
    assert result.files_checked == 1


def test_project_index_is_the_project_lint_paths_gives_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[ProjectIndex | None] = []

    def spy(module: cst.Module, path: str, project: ProjectIndex | None = None) -> ModuleFacts:
        seen.append(project)
        return ModuleFacts(path=path, module=module)

    monkeypatch.setattr("keras_lint.analysis.facts.build_module_facts", spy)
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_text("FROM python:3.11\nENV A=1 B=2\n")
    (tmp_path / "svc" / "a.py").write_text("boom()\n")
    (tmp_path / "broken.Dockerfile").write_bytes(b"FROM \xff\n")
    (tmp_path / "b.py").write_text("x = 1\n")
    lint_paths([tmp_path], rules=RULES)
    (from_cli,) = seen
    alone = project_index(tmp_path)
    assert from_cli is not None
    assert sorted(alone.files) == sorted(from_cli.files)
    assert sorted(alone.files) == [tmp_path / "b.py", tmp_path / "svc" / "a.py"]
    assert (
        alone.dockerfile_env
        == from_cli.dockerfile_env
        == {(tmp_path / "svc").resolve(): {"A": "1", "B": "2"}}
    )


def test_scan_project_reports_unreadable_dockerfiles(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(b"FROM \xff\n")
    (tmp_path / "ok.Dockerfile").write_text("FROM python:3.11\nENV X=1\n")
    scan = scan_project([tmp_path / "Dockerfile", tmp_path / "ok.Dockerfile"])
    assert [(Path(f.path).name, f.code) for f in scan.problems] == [("Dockerfile", "KER001")]
    assert [d.path.name for d in scan.dockerfiles] == ["ok.Dockerfile"]
    assert scan.index.files == []


def test_project_given_as_a_function_is_called_only_when_a_rule_runs() -> None:
    calls: list[int] = []
    index = ProjectIndex([])

    def make() -> ProjectIndex:
        calls.append(1)
        return index

    assert lint_text("x = 1\n", "a.py", project=make, rules=RULES).findings == []
    assert lint_text("def f(:\n", "a.py", project=make, rules=RULES).findings != []
    assert calls == []  # no rule's trigger, or no tree: the facts are never needed
    seen: list[ProjectIndex | None] = []

    class ProjectRule(BoomRule):
        def check(self, facts: ModuleFacts) -> Iterator[Report]:
            seen.append(facts.project)
            return iter(())

    lint_text("boom()\n", "a.py", project=make, rules=[ProjectRule])
    assert calls == [1] and seen == [index]
