"""``--format gitlab`` (GitLab Code Quality) and ``--format junit`` (JUnit XML)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sample_notebook import TRAINING_CELL_INDEX, write_notebook

from keras_lint.cli import main
from keras_lint.finding import Finding
from keras_lint.report import render_gitlab, render_junit


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def finding(line: int, code: str = "KER201", severity: str = "error", **extra: object) -> Finding:
    return Finding("src/train.py", line, 5, line, 9, code, "name", f"bad {code}",
                   severity=severity, **extra)  # type: ignore[arg-type]  # fmt: skip


def test_gitlab_issues_have_the_fields_code_quality_reads(cwd: Path) -> None:
    issues = json.loads(render_gitlab([finding(3), finding(8, "KER301", "warning")]))
    assert issues[0] == {
        "description": "KER201 bad KER201",
        "check_name": "KER201",
        "fingerprint": issues[0]["fingerprint"],
        "severity": "major",
        "location": {"path": "src/train.py", "lines": {"begin": 3}},
    }
    assert (issues[1]["severity"], issues[1]["location"]["lines"]["begin"]) == ("minor", 8)
    assert len(issues[0]["fingerprint"]) == 64


def test_gitlab_fingerprints_are_unique_and_survive_moved_lines(cwd: Path) -> None:
    before = json.loads(render_gitlab([finding(3), finding(9)]))
    after = json.loads(render_gitlab([finding(13), finding(19)]))  # code was added above
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert len({issue["fingerprint"] for issue in before}) == 2
    other = json.loads(render_gitlab([finding(3, "KER301", "warning")]))
    assert other[0]["fingerprint"] != before[0]["fingerprint"]


def test_gitlab_notebook_issues_point_at_the_ipynb_line(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = write_notebook(cwd / "nb.ipynb")
    assert main(["--no-cache", "--format", "gitlab", "--select", "KER601", "nb.ipynb"]) == 1
    issues = json.loads(capsys.readouterr().out)
    stored = text.splitlines()
    for issue in issues:
        assert issue["location"]["path"] == "nb.ipynb"
        assert "EarlyStopping" in stored[issue["location"]["lines"]["begin"] - 1]
        assert issue["description"].startswith(f"KER601 cell {TRAINING_CELL_INDEX}, line ")
    assert main(["--no-cache", "--format", "gitlab", "--select", "KER2", "nb.ipynb"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_junit_has_a_suite_per_file_and_a_failure_per_finding(cwd: Path) -> None:
    findings = [finding(3), finding(8, "KER301", "warning"), Finding(
        "b.py", 1, 1, 1, 1, "KER001", "parse-error", "a <bad> & \"quoted\" message")]  # fmt: skip
    root = ET.fromstring(render_junit(sorted(findings, key=Finding.sort_key), 5))
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == (
        "testsuites", "3", "3", "0",
    )  # fmt: skip
    suites = {suite.get("name"): suite for suite in root}
    assert list(suites) == ["b.py", "src/train.py"]
    cases = suites["src/train.py"].findall("testcase")
    assert [(c.get("name"), c.get("line"), c.get("column")) for c in cases] == [
        ("keras-lint.KER201", "3", "5"), ("keras-lint.KER301", "8", "5"),
    ]  # fmt: skip
    failure = cases[1].find("failure")
    assert failure is not None
    assert (failure.get("message"), failure.get("type")) == ("bad KER301", "warning")
    assert failure.text == "line 8, col 5, KER301 bad KER301"
    escaped = suites["b.py"].find("testcase/failure")
    assert escaped is not None and escaped.get("message") == 'a <bad> & "quoted" message'


def test_junit_clean_run_and_internal_errors(cwd: Path) -> None:
    clean = ET.fromstring(render_junit([], 4))
    assert (clean.get("tests"), clean.get("failures")) == ("1", "0")
    assert clean.find("testsuite/testcase").get("name") == "No findings"  # type: ignore[union-attr]
    broken = ET.fromstring(render_junit([], 4, ["a.py: rule KER903 failed"]))
    assert broken.get("errors") == "1"
    error = broken.find("testsuite/testcase/error")
    assert error is not None and error.get("message") == "a.py: rule KER903 failed"


def test_junit_from_the_command_line(cwd: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fixture = Path(__file__).parents[2] / "fixtures/loss-activation-mismatch/bad.py"
    (cwd / "train.py").write_text(fixture.read_text())
    assert main(["--no-cache", "--format", "junit", "-o", "report.xml"]) == 1
    assert capsys.readouterr().out == ""
    root = ET.parse(cwd / "report.xml").getroot()
    assert [case.get("name") for case in root.iter("testcase")] == ["keras-lint.KER201"]
