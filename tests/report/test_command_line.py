"""The output formats and ``--statistics`` through the ``keras-lint`` command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sample_notebook import TRAINING_CELL_INDEX, stored_text, write_notebook
from sarif_schema import REPOSITORY_ROOT, sarif_validator

from keras_lint.analysis import ModuleFacts
from keras_lint.cli import main
from keras_lint.rules import ALL_RULES, rule_by_code
from keras_lint.rules.base import PythonRule, Report

CONSOLE_SCRIPT = Path(sys.executable).parent / "keras-lint"


class CrashingRule(PythonRule):
    code = "KER903"
    name = "crash"
    summary = "always crashes"

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        raise RuntimeError("rule bug")


@pytest.fixture
def in_repository(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPOSITORY_ROOT)
    return REPOSITORY_ROOT


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fixture_findings(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    assert main(["--no-cache", "--format", "json", "fixtures/"]) == 1
    return json.loads(capsys.readouterr().out)


def test_sarif_for_the_fixtures_is_valid_and_has_every_finding(
    in_repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    validator = sarif_validator()
    expected = fixture_findings(capsys)
    assert main(["--no-cache", "--format", "sarif", "fixtures/"]) == 1
    captured = capsys.readouterr()
    assert captured.err == ""
    log = json.loads(captured.out)
    validator.assert_valid(log)
    (run,) = log["runs"]
    assert run["invocations"][0]["executionSuccessful"] is True
    located = [
        (
            result["ruleId"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            result["locations"][0]["physicalLocation"]["region"]["startColumn"],
        )
        for result in run["results"]
    ]
    assert located == [
        (record["code"], record["path"], record["line"], record["column"]) for record in expected
    ]
    assert all(uri.startswith("fixtures/") for _, uri, _, _ in located)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == in_repository.as_uri() + "/"


def test_the_installed_command_writes_valid_sarif(in_repository: Path) -> None:
    validator = sarif_validator()
    done = subprocess.run(
        [str(CONSOLE_SCRIPT), "--no-cache", "--format", "sarif", "fixtures/"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    log = json.loads(done.stdout)
    validator.assert_valid(log)
    assert {result["ruleId"] for result in log["runs"][0]["results"]} == {
        rule.code for rule in ALL_RULES
    }  # the fixtures show every rule


def test_github_annotates_every_fixture_finding(
    in_repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = fixture_findings(capsys)
    assert main(["--no-cache", "--format", "github", "fixtures/"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(expected)
    for line, record in zip(lines, expected, strict=True):
        level = record["severity"]
        assert level == rule_by_code(record["code"]).severity  # type: ignore[union-attr]
        assert line.startswith(f"::{level} file={record['path']},line={record['line']},")
        assert f"title={record['code']} ({record['name']})::" in line


def test_concise_prints_the_text_lines_without_the_summary_or_fix_marks(
    in_repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--no-cache", "fixtures/"]) == 1
    text = capsys.readouterr().out.splitlines()
    assert main(["--no-cache", "--format", "concise", "fixtures/"]) == 1
    concise = capsys.readouterr().out.splitlines()
    assert any(" [*] " in line for line in text[:-2]) or "unsafe" in text[-1]
    assert concise == [line.replace(" [*] ", " ") for line in text[:-2]]
    assert not any("[*]" in line for line in concise)
    assert re.fullmatch(r"Found \d+ findings in \d+ files \(checked \d+ files\)\.", text[-2])
    assert "fixable with `--fix`" in text[-1]


@pytest.mark.parametrize("format_name", ["text", "concise", "json"])
def test_statistics_replace_the_findings_and_keep_the_exit_status(
    in_repository: Path, capsys: pytest.CaptureFixture[str], format_name: str
) -> None:
    expected = fixture_findings(capsys)
    assert main(["--no-cache", "--statistics", "--format", format_name, "fixtures/"]) == 1
    out = capsys.readouterr().out
    if format_name == "json":
        rows = [(row["code"], row["name"], row["count"]) for row in json.loads(out)]
    else:
        lines = out.splitlines()
        if format_name == "text":
            assert lines.pop().startswith(f"Found {len(expected)} findings in ")
        rows = [
            (code, name, int(count)) for count, code, name in (line.split("\t") for line in lines)
        ]
    counts: dict[tuple[str, str], int] = {}
    for record in expected:
        counts[record["code"], record["name"]] = counts.get((record["code"], record["name"]), 0) + 1
    assert rows == sorted(
        ((code, name, count) for (code, name), count in counts.items()),
        key=lambda row: (-row[2], row[0]),
    )


def test_statistics_of_a_clean_tree_exit_0(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "ok.py").write_text("x = 1\n")
    assert main(["--statistics"]) == 0
    assert capsys.readouterr().out == "All checks passed (checked 1 file).\n"
    assert main(["--statistics", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


@pytest.mark.parametrize("format_name", ["sarif", "github"])
def test_statistics_with_a_format_that_has_no_room_for_them_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], format_name: str
) -> None:
    (project / "bad.py").write_text("x = (\n")
    assert main(["--statistics", "--format", format_name]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    refusal = f"--statistics works with --format text, concise, json, not {format_name}"
    assert captured.err.splitlines() == [f"keras-lint: error: {refusal}"]


def test_sarif_and_github_place_notebook_findings_in_the_ipynb_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = write_notebook(project / "train.ipynb")
    assert main(["--format", "sarif", "--select", "KER601"]) == 1
    log = json.loads(capsys.readouterr().out)
    sarif_validator().assert_valid(log)
    first = log["runs"][0]["results"][0]
    assert first["message"]["text"].startswith(f"cell {TRAINING_CELL_INDEX}, line 5: ")
    region = first["locations"][0]["physicalLocation"]["region"]
    span = (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"])
    assert stored_text(text, *span).startswith("keras.callbacks.EarlyStopping(")
    assert main(["--format", "github", "--select", "KER601"]) == 1
    annotation = capsys.readouterr().out.splitlines()[0]
    assert annotation.startswith(f"::error file=train.ipynb,line={region['startLine']},")
    assert f"::cell {TRAINING_CELL_INDEX}, line 5: " in annotation


def test_internal_errors_reach_the_sarif_log_and_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "train.py").write_text("x = (\n")
    (project / "ok.py").write_text("x = 1\n")
    ALL_RULES.append(CrashingRule)
    try:
        assert main(["--format", "sarif"]) == 2
    finally:
        ALL_RULES.remove(CrashingRule)
    captured = capsys.readouterr()
    log = json.loads(captured.out)
    sarif_validator().assert_valid(log)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    (notification,) = invocation["toolExecutionNotifications"]
    assert "KER903 (crash) failed: RuntimeError: rule bug" in notification["message"]["text"]
    assert "KER903" in captured.err
    assert [result["ruleId"] for result in log["runs"][0]["results"]] == ["KER001"]
    assert "KER903" in [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
