"""Severities: each rule's default, the configuration's overrides, every output, --exit-zero."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import write_tree
from keras_lint.cache import SCHEMA
from keras_lint.cli import main
from keras_lint.parse_error import PARSE_ERROR_CODE
from keras_lint.rules import ALL_RULES, PythonRule
from keras_lint.severity import family_severity

ROOT = Path(__file__).resolve().parents[1]
MISMATCH = (ROOT / "fixtures/loss-activation-mismatch/bad.py").read_text()  # KER201: error
NO_GROWTH = (ROOT / "fixtures/missing-gpu-memory-growth/bad.py").read_text()  # KER301: warning
LATEST = (ROOT / "fixtures/docker-latest-tag/bad.Dockerfile").read_text()  # KER401: warning


def expected_default(code: str) -> str:
    """DESIGN.md section 5, written out: error unless environment or reproducibility."""
    if code.startswith(("KER3", "KER4")) or code == "KER703":
        return "warning"
    return "error"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_every_rule_declares_the_severity_of_its_family(rule: type) -> None:
    assert rule.severity == expected_default(rule.code)


def test_family_defaults_and_a_rule_that_declares_none() -> None:
    codes = ["KER001", "KER102", "KER202", "KER303", "KER402", "KER504", "KER604", "KER702"]
    assert [family_severity(code) for code in codes + ["KER703"]] == [
        expected_default(code) for code in codes + ["KER703"]
    ]
    assert family_severity(PARSE_ERROR_CODE) == "error"

    class Undeclared(PythonRule):
        code = "KER399"
        name = "undeclared"
        summary = "a rule that sets no severity"

    assert Undeclared.severity == "warning"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_tree(
        tmp_path, {"train.py": MISMATCH, "gpu.py": NO_GROWTH, "docker/Dockerfile": LATEST}
    )
    (tmp_path / "broken.py").write_text("def f(:\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def severities(capsys: pytest.CaptureFixture[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for record in json.loads(capsys.readouterr().out):
        found.setdefault(record["code"], set()).add(record["severity"])
    return found


def test_json_findings_carry_each_rules_severity(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--no-cache", "--format", "json"]) == 1
    assert severities(capsys) == {
        "KER001": {"error"}, "KER201": {"error"}, "KER301": {"warning"}, "KER401": {"warning"},
    }  # fmt: skip


def test_the_configuration_overrides_by_code_and_prefix_most_specific_first(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.keras-lint]\nseverity = { KER3 = "error", KER2 = "warning", ker201 = "error",'
        ' KER401 = "warning" }\n'
    )
    assert main(["--no-cache", "--format", "json"]) == 1
    assert severities(capsys) == {
        "KER001": {"error"}, "KER201": {"error"}, "KER301": {"error"}, "KER401": {"warning"},
    }  # fmt: skip
    assert main(["--no-cache", "--format", "github", "gpu.py"]) == 1
    assert capsys.readouterr().out.startswith("::error file=gpu.py,")


def test_overrides_apply_to_cached_findings_too(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--format", "json", "gpu.py"]) == 1  # fills the cache
    assert severities(capsys) == {"KER301": {"warning"}}
    entries = list((project / ".keras_lint_cache" / SCHEMA).rglob("*.json"))
    (entry,) = [json.loads(path.read_text()) for path in entries]
    assert [finding["severity"] for finding in entry["findings"]] == ["warning"]
    (project / "pyproject.toml").write_text('[tool.keras-lint]\nseverity = { KER301 = "error" }\n')
    assert main(["--format", "json", "gpu.py"]) == 1
    assert severities(capsys) == {"KER301": {"error"}}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('severity = { KER999 = "error" }', "key 'severity.KER999': unknown rule code or prefix"),
        ('severity = { KER301 = "fatal" }', "key 'severity.KER301': expected \"error\" or"),
        ('severity = { KER301 = 1 }', "key 'severity.KER301': expected \"error\" or"),
        ('severity = "error"', "key 'severity': expected a table"),
    ],
)
def test_an_unknown_code_or_value_is_a_configuration_error_that_names_it(
    project: Path, capsys: pytest.CaptureFixture[str], table: str, message: str
) -> None:
    (project / "pyproject.toml").write_text(f"[tool.keras-lint]\n{table}\n")
    assert main(["--no-cache"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
    assert "pyproject.toml" in captured.err


def test_sarif_levels_follow_the_severities(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.keras-lint]\nseverity = { KER401 = "error" }\n')
    assert main(["--no-cache", "--format", "sarif"]) == 1
    (run,) = json.loads(capsys.readouterr().out)["runs"]
    levels = {result["ruleId"]: result["level"] for result in run["results"]}
    assert levels == {"KER001": "error", "KER201": "error", "KER301": "warning", "KER401": "error"}
    defaults = {
        rule["id"]: rule["defaultConfiguration"]["level"] for rule in run["tool"]["driver"]["rules"]
    }
    assert defaults["KER401"] == defaults["KER301"] == "warning"
    assert defaults["KER201"] == defaults["KER001"] == "error"


def test_github_annotations_are_errors_or_warnings(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--no-cache", "--format", "github"]) == 1
    levels = {
        re.search(r"title=(KER\d+)", line)[1]: line.split(" ", 1)[0]  # type: ignore[index]
        for line in capsys.readouterr().out.splitlines()
    }
    assert levels == {
        "KER001": "::error", "KER201": "::error", "KER301": "::warning", "KER401": "::warning",
    }  # fmt: skip


def test_exit_zero_exits_0_with_findings_and_2_on_errors(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--no-cache", "--exit-zero"]) == 0
    assert "Found 4 findings" in capsys.readouterr().out
    assert main(["--no-cache", "--exit-zero", "missing.py"]) == 2
    assert main(["--no-cache", "--exit-zero", "--select", "KER999"]) == 2
    (project / "pyproject.toml").write_text("[tool.keras-lint]\nselekt = []\n")
    assert main(["--no-cache", "--exit-zero"]) == 2
