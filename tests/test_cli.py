"""The ``keras-lint`` command: output, commands and exit statuses."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest

from keras_lint import __version__
from keras_lint.analysis import ModuleFacts
from keras_lint.cli import main
from keras_lint.rules import ALL_RULES
from keras_lint.rules.base import PythonRule, Report

VENV_BIN = Path(sys.executable).parent


class BoomRule(PythonRule):
    """
    ## What it does
    Reports calls of `boom`.
    """

    code = "KER901"
    name = "boom-call"
    summary = "boom is called"
    trigger = re.compile("boom")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        for statement in facts.module.body:
            if isinstance(statement, cst.SimpleStatementLine):
                expression = statement.body[0]
                if isinstance(expression, cst.Expr) and isinstance(expression.value, cst.Call):
                    yield Report("boom is called", node=expression.value)


class CrashingRule(PythonRule):
    code = "KER903"
    name = "crash"
    summary = "always crashes"

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        raise RuntimeError("rule bug")


@pytest.fixture
def registered() -> Iterator[list]:
    """Registers test rules in the real registry for the duration of a test."""
    added: list = []
    yield added
    for rule in added:
        ALL_RULES.remove(rule)


def register(registered: list, *rules: type[PythonRule]) -> None:
    for rule in rules:
        ALL_RULES.append(rule)
        registered.append(rule)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.py").write_text("x = 1\n")
    return tmp_path


def test_clean_tree_exits_0(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out == "All checks passed (checked 1 file).\n"


def test_findings_exit_1_and_print_relative_paths(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pkg").mkdir()
    (project / "pkg" / "bad.py").write_text("x = (\n")
    assert main([str(project)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("pkg/bad.py:1:5: KER001 cannot parse: ")
    assert out[-1] == "Found 1 finding in 1 file (checked 2 files)."


def test_rule_findings_respect_select_and_ignore(
    project: Path, registered: list, capsys: pytest.CaptureFixture[str]
) -> None:
    register(registered, BoomRule)
    (project / "b.py").write_text("boom()\n")
    assert main(["b.py"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == "b.py:1:1: KER901 boom is called"
    assert main(["b.py", "--ignore", "KER9"]) == 0
    assert main(["b.py", "--select", "KER0,KER901"]) == 1
    assert main(["b.py", "--select=KER001"]) == 0


def test_json_format_prints_an_array_with_the_contract_keys(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "bad.py").write_text("def f(:\n")
    assert main(["--format", "json"]) == 1
    (record,) = json.loads(capsys.readouterr().out)
    assert set(record) == {
        "path", "line", "column", "end_line", "end_column", "code", "name", "message", "cell", "fix"
    }  # fmt: skip
    assert (record["path"], record["code"], record["name"]) == ("bad.py", "KER001", "parse-error")


def test_missing_path_exits_2_with_one_line_on_stderr(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ok.py", "nowhere.py"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == ["keras-lint: error: no such file or directory: nowhere.py"]


@pytest.mark.parametrize(
    "argv",
    [["--bogus"], ["--format", "xml"], ["--select", "KER999"], ["--ignore", "NOPE"], ["--select"]],
)
def test_bad_options_exit_2_with_one_line_on_stderr(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("keras-lint: error: ")


def test_internal_error_exits_2_and_findings_are_still_printed(
    project: Path, registered: list, capsys: pytest.CaptureFixture[str]
) -> None:
    register(registered, CrashingRule, BoomRule)
    (project / "b.py").write_text("boom()\n")
    assert main(["b.py"]) == 2
    captured = capsys.readouterr()
    assert "b.py:1:1: KER901 boom is called" in captured.out
    (line,) = captured.err.splitlines()
    assert "b.py" in line and "KER903" in line and "RuntimeError: rule bug" in line


def test_rules_lists_every_rule_and_ker001(
    registered: list, capsys: pytest.CaptureFixture[str]
) -> None:
    register(registered, BoomRule)
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["KER001", "parse-error"]
    assert ["KER901", "boom-call", "boom is called"] in [line.split(None, 2) for line in lines]
    assert len(lines) == len(ALL_RULES) + 1


def test_rule_prints_its_documentation(
    registered: list, capsys: pytest.CaptureFixture[str]
) -> None:
    register(registered, BoomRule)
    assert main(["rule", "ker901"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("KER901 boom-call\n") and "Reports calls of `boom`." in out
    assert main(["rule", "KER001"]) == 0
    assert "parse-error" in capsys.readouterr().out


def test_unknown_rule_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "KER999"]) == 2
    assert "KER999" in capsys.readouterr().err


def test_a_folder_named_rules_is_linted_as_dot_slash_rules(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "rules").mkdir()
    (project / "rules" / "bad.py").write_text("x = (\n")
    assert main(["./rules"]) == 1
    assert capsys.readouterr().out.startswith("rules/bad.py:1:5: KER001")


def test_version_and_help_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"keras-lint {__version__}"
    assert main(["--help"]) == 0
    assert "./rules" in capsys.readouterr().out


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_python_dash_m_runs_the_same_command(project: Path) -> None:
    (project / "bad.py").write_text("x = (\n")
    done = run([sys.executable, "-m", "keras_lint", "."], project)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0].startswith("bad.py:1:5: KER001 ")
    assert done.stdout.splitlines()[-1] == "Found 1 finding in 1 file (checked 2 files)."


def test_console_script_exit_statuses(project: Path) -> None:
    script = VENV_BIN / "keras-lint"
    if not script.exists():
        pytest.skip("the console script is not installed next to this interpreter")
    assert run([str(script), "ok.py"], project).returncode == 0
    missing = run([str(script), "nowhere"], project)
    assert missing.returncode == 2
    assert missing.stderr.strip() == "keras-lint: error: no such file or directory: nowhere"
    (project / "bad.py").write_text("x = (\n")
    assert run([str(script)], project).returncode == 1


@pytest.mark.parametrize(
    "arguments",
    [["rules"], ["rule", "KER201"], ["--no-cache", "fixtures"],
     ["--no-cache", "--format", "json", "fixtures"], ["--no-cache", "--statistics", "fixtures"]],
)  # fmt: skip
def test_a_reader_that_went_away_ends_the_run_quietly_with_141(arguments: list[str]) -> None:
    root = Path(__file__).resolve().parents[1]
    reading, writing = os.pipe()
    os.close(reading)  # the reader is gone before keras-lint writes a byte: `| head -0`
    try:
        done = subprocess.run(
            [sys.executable, "-m", "keras_lint", *arguments],
            cwd=root, stdout=writing, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    finally:
        os.close(writing)
    assert (done.returncode, done.stderr) == (141, "")

