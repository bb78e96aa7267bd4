"""``--format sarif``: SARIF 2.1.0 that the official schema and GitHub code scanning accept."""

from __future__ import annotations

import email.message
import importlib.metadata
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sample_notebook import (
    MULTI_LINE_CALL,
    ONE_LINE_CALL,
    TRAINING_CELL_INDEX,
    stored_text,
    write_notebook,
)
from sarif_schema import sarif_validator

from keras_lint import __version__
from keras_lint.engine import lint_paths
from keras_lint.finding import Finding
from keras_lint.parse_error import PARSE_ERROR_CODE, PARSE_ERROR_SUMMARY
from keras_lint.report import render_sarif
from keras_lint.report.sarif import plain_text
from keras_lint.rules import ALL_RULES, rule_by_code

KNOWN_CODES = sorted([PARSE_ERROR_CODE, *(rule.code for rule in ALL_RULES)])


def finding(
    path: str = "train.py",
    span: tuple[int, int, int, int] = (3, 5, 3, 9),
    code: str = "KER201",
    message: str = "bad loss",
    cell: int | None = None,
) -> Finding:
    rule = rule_by_code(code)
    name = rule.name if rule else "parse-error" if code == PARSE_ERROR_CODE else "unknown-rule"
    return Finding(path, *span, code, name, message, cell)


def log_of(findings: list[Finding], errors: tuple[str, ...] = ()) -> dict[str, Any]:
    return json.loads(render_sarif(findings, len(findings), errors))


def only_run(log: dict[str, Any]) -> dict[str, Any]:
    (run,) = log["runs"]
    return run


def physical(result: dict[str, Any]) -> dict[str, Any]:
    return result["locations"][0]["physicalLocation"]


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def every_kind_of_finding(root: Path) -> list[Finding]:
    write_notebook(root / "nb.ipynb")
    return [
        finding("train.py"),
        finding("in dir/50%#1é.py", (2, 1, 4, 3), "KER101"),
        finding("Dockerfile", (1, 1, 1, 20), "KER401"),
        finding("broken.py", (1, 5, 1, 5), PARSE_ERROR_CODE, "cannot parse: '(' was never closed"),
        finding("nb.ipynb", (5, 8, 5, 69), "KER601", cell=TRAINING_CELL_INDEX),
        finding("gone.ipynb", (1, 1, 1, 2), "KER601", cell=2),
        finding(str(root.parent / "elsewhere.py"), code="KER301"),
        finding("x.py", code="KER999"),
    ]


def test_every_kind_of_finding_gives_a_log_the_official_schema_accepts(cwd: Path) -> None:
    validator = sarif_validator()
    validator.assert_valid(log_of(every_kind_of_finding(cwd)))
    validator.assert_valid(log_of([]))
    validator.assert_valid(log_of([finding()], errors=("train.py: analysis failed: boom",)))


def test_the_schema_check_catches_broken_logs(cwd: Path) -> None:
    validator = sarif_validator()
    wrong_version = log_of([finding()])
    wrong_version["version"] = "2.0.0"
    bad_uri = log_of([finding()])
    physical(only_run(bad_uri)["results"][0])["artifactLocation"]["uri"] = "a b.py"
    bad_region = log_of([finding()])
    physical(only_run(bad_region)["results"][0])["region"]["startLine"] = 0
    for log in (wrong_version, bad_uri, bad_region):
        assert validator.errors(log)


def test_the_log_has_the_properties_github_code_scanning_requires(cwd: Path) -> None:
    log = log_of(every_kind_of_finding(cwd))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    run = only_run(log)
    driver = run["tool"]["driver"]
    assert driver["name"] == "keras-lint"
    assert driver["version"] == driver["semanticVersion"] == __version__
    for rule in driver["rules"]:
        assert re.fullmatch(r"KER\d{3}", rule["id"])
        assert 0 < len(rule["shortDescription"]["text"]) <= 1024
        assert rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["help"]["markdown"]
        assert 0 < len(rule["name"]) <= 255
        assert rule["defaultConfiguration"]["level"] in {"note", "warning", "error"}
        assert rule["properties"]["precision"] in {"very-high", "high", "medium", "low"}
        assert isinstance(rule["properties"]["tags"], list)
    assert len(run["results"]) == 8
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"note", "warning", "error"}
        assert result["message"]["text"]
        assert 1 <= len(result["locations"]) <= 10
        location = physical(result)
        uri = location["artifactLocation"]["uri"]
        if "uriBaseId" in location["artifactLocation"]:  # relative to the repository root
            assert not re.match(r"[a-z][a-z0-9+.-]*:", uri) and not uri.startswith("/")
            assert "\\" not in uri
        region = location["region"]
        assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
        assert all(isinstance(value, int) and value >= 1 for value in region.values())
        assert (region["endLine"], region["endColumn"]) >= (
            region["startLine"], region["startColumn"]
        )  # fmt: skip
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == cwd.as_uri() + "/"


def test_rules_describe_every_known_code_in_code_order_whatever_was_found(cwd: Path) -> None:
    clean = only_run(log_of([]))["tool"]["driver"]["rules"]
    busy = only_run(log_of([finding(code="KER401"), finding()]))["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in clean] == KNOWN_CODES
    assert busy == clean


def test_a_code_no_registry_knows_still_gets_a_descriptor(cwd: Path) -> None:
    run = only_run(log_of([finding(code="KER999")]))
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [*KNOWN_CODES, "KER999"]
    assert run["results"][0]["ruleIndex"] == len(KNOWN_CODES)


def test_rule_texts_come_from_the_rule_documentation(cwd: Path) -> None:
    rules = {rule["id"]: rule for rule in only_run(log_of([]))["tool"]["driver"]["rules"]}
    rule = rule_by_code("KER201")
    assert rule is not None
    described = rules["KER201"]
    assert described["name"] == "loss-activation-mismatch"
    assert described["shortDescription"]["text"] == rule.summary
    full = described["fullDescription"]["text"]
    assert full.startswith("Reads each compiled model's output layer (a Dense/Conv activation")
    assert "Keras raises no error for any of these" in full  # Why is this bad?
    assert "Use instead" not in full and "`" not in full and "#" not in full
    assert described["help"]["markdown"] == rule.documentation()
    help_text = described["help"]["text"]
    assert "```" not in help_text and "## " not in help_text
    assert "\nUse instead\n" in help_text
    assert '\n    model.compile(optimizer="adam", loss="categorical_crossentropy"' in help_text
    parse_error = rules[PARSE_ERROR_CODE]
    assert parse_error["shortDescription"]["text"] == PARSE_ERROR_SUMMARY
    assert parse_error["fullDescription"]["text"].startswith("Reports a file that keras-lint")
    assert "No rule ran on that file" in parse_error["fullDescription"]["text"]


def test_plain_text_drops_markup_and_joins_wrapped_lines() -> None:
    markdown = (
        "## What it does\nFinds `fit` calls that are\n**never** *compiled*.\n\n"
        "- one item\n  wrapped\n- two\n\n```python\nmodel.fit(x)\n\n```\nAfter."
    )
    assert plain_text(markdown) == (
        "What it does\nFinds fit calls that are never compiled.\n\n"
        "- one item wrapped\n- two\n\n    model.fit(x)\n\nAfter."
    )


def test_results_carry_code_level_and_message(cwd: Path) -> None:
    (result,) = only_run(log_of([finding(message='`softmax` with 100% "binary"')]))["results"]
    assert result["ruleId"] == "KER201"
    assert result["level"] == "error"
    assert result["message"] == {"text": '`softmax` with 100% "binary"'}


def test_paths_under_the_current_folder_are_percent_encoded_relative_uris(cwd: Path) -> None:
    paths = [
        "in dir/50%#1é.py",
        str(cwd / "pkg" / "a.py"),
        "./pkg/../b.py",
        "c:d.py",
    ]
    locations = [
        physical(result)["artifactLocation"]
        for result in only_run(log_of([finding(path) for path in paths]))["results"]
    ]
    assert locations == [
        {"uri": "in%20dir/50%25%231%C3%A9.py", "uriBaseId": "%SRCROOT%"},
        {"uri": "pkg/a.py", "uriBaseId": "%SRCROOT%"},
        {"uri": "b.py", "uriBaseId": "%SRCROOT%"},
        {"uri": "c%3Ad.py", "uriBaseId": "%SRCROOT%"},  # not the scheme "c:"
    ]


def test_paths_outside_the_current_folder_are_absolute_file_uris(cwd: Path) -> None:
    outside = cwd.parent / "other project" / "x.py"
    (result,) = only_run(log_of([finding(str(outside))]))["results"]
    assert physical(result)["artifactLocation"] == {"uri": outside.as_uri()}
    (result,) = only_run(log_of([finding("../other project/x.py")]))["results"]
    assert physical(result)["artifactLocation"] == {"uri": outside.as_uri()}


def test_the_invocation_names_the_working_directory(cwd: Path) -> None:
    (invocation,) = only_run(log_of([finding()]))["invocations"]
    assert invocation == {
        "executionSuccessful": True,
        "workingDirectory": {"uri": cwd.as_uri() + "/"},
    }


def test_internal_errors_make_the_execution_unsuccessful(cwd: Path) -> None:
    errors = ("a.py: rule KER903 (crash) failed: RuntimeError: rule bug", "b.py: analysis failed")
    (invocation,) = only_run(log_of([finding()], errors))["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"] == [
        {"level": "error", "message": {"text": error}} for error in errors
    ]


def test_regions_select_exactly_the_reported_code(cwd: Path) -> None:
    source = (
        "import keras\n"
        "model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, 'sigmoid')])\n"
        "model.compile(optimizer='adam', loss='binary_crossentropy')\n"
        "stop = keras.callbacks.EarlyStopping(monitor='val_loss', patience=5)\n"
        "model.fit(x, y, validation_split=0.2, callbacks=[stop])\n"
    )
    (cwd / "train.py").write_text(source, encoding="utf-8")
    result = lint_paths(["train.py"], select=["KER601"])
    (described,) = only_run(log_of(result.findings))["results"]
    region = physical(described)["region"]
    assert region["startLine"] == region["endLine"] == 4
    line = source.splitlines()[3]
    selected = line[region["startColumn"] - 1 : region["endColumn"] - 1]
    assert selected == "keras.callbacks.EarlyStopping(monitor='val_loss', patience=5)"


@pytest.mark.parametrize("minified", [False, True], ids=["pretty", "minified"])
def test_notebook_findings_point_at_the_line_of_the_ipynb_file(cwd: Path, minified: bool) -> None:
    text = write_notebook(cwd / "nb.ipynb", minified=minified)
    result = lint_paths(["nb.ipynb"], select=["KER601"])
    results = only_run(log_of(result.findings))["results"]
    assert len(results) == 2
    for described, (line, code) in zip(results, [ONE_LINE_CALL, MULTI_LINE_CALL], strict=True):
        assert described["message"]["text"].startswith(f"cell {TRAINING_CELL_INDEX}, line {line}: ")
        location = physical(described)
        assert location["artifactLocation"] == {"uri": "nb.ipynb", "uriBaseId": "%SRCROOT%"}
        region = location["region"]
        span = (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"])
        assert stored_text(text, *span) == code
        if minified:
            assert region["startLine"] == region["endLine"] == 1
        else:
            assert region["endLine"] - region["startLine"] == code.count("\n")
            assert text.splitlines()[region["startLine"] - 1].lstrip().startswith('"')


def test_a_notebook_position_that_cannot_be_found_falls_back_to_the_file_start(
    cwd: Path,
) -> None:
    write_notebook(cwd / "nb.ipynb")
    (cwd / "broken.ipynb").write_text("{not json", encoding="utf-8")
    findings = [
        finding("gone.ipynb", (2, 1, 2, 5), "KER601", cell=3),
        finding("broken.ipynb", (2, 1, 2, 5), "KER601", cell=3),
        finding("nb.ipynb", (2, 1, 2, 5), "KER601", cell=7),  # the file has no cell 7
    ]
    results = only_run(log_of(findings))["results"]
    assert [described["message"]["text"] for described in results] == [
        "cell 3, line 2: bad loss",
        "cell 3, line 2: bad loss",
        "cell 7, line 2: bad loss",
    ]
    for described in results:
        region = physical(described)["region"]
        assert region == {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}


def test_the_information_uri_is_the_declared_home_page(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    declared = email.message.Message()
    declared["Project-URL"] = "Source, https://example.org/keras-lint"
    monkeypatch.setattr(importlib.metadata, "metadata", lambda name: declared)
    driver = only_run(log_of([]))["tool"]["driver"]
    assert driver["informationUri"] == "https://example.org/keras-lint"
    monkeypatch.setattr(importlib.metadata, "metadata", lambda name: email.message.Message())
    assert "informationUri" not in only_run(log_of([]))["tool"]["driver"]


FIXABLE = """\
import keras
import tensorflow as tf

model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, "softmax")])
model.compile(optimizer="adam", loss="binary_crossentropy")
stop = keras.callbacks.EarlyStopping(
    monitor="val_loss",
    patience=5,
)
model.fit(x, y, validation_split=0.2, callbacks=[stop])
"""


def apply_sarif_fix(text: str, fix: dict[str, Any]) -> str:
    """Apply a SARIF fix's replacements to ``text`` (columns count code points, end exclusive)."""
    lines = text.splitlines(keepends=True)

    def offset(line: int, column: int) -> int:
        return sum(len(before) for before in lines[: line - 1]) + column - 1

    (change,) = fix["artifactChanges"]
    replacements = sorted(
        change["replacements"], key=lambda r: offset(r["deletedRegion"]["startLine"],
                                                     r["deletedRegion"]["startColumn"]),
        reverse=True,
    )  # fmt: skip
    for replacement in replacements:
        region = replacement["deletedRegion"]
        start = offset(region["startLine"], region["startColumn"])
        end = offset(region["endLine"], region["endColumn"])
        text = text[:start] + replacement["insertedContent"]["text"] + text[end:]
    return text


def test_fixes_of_a_file_are_sarif_fixes_that_reproduce_what_fix_writes(cwd: Path) -> None:
    (cwd / "train.py").write_text(FIXABLE, encoding="utf-8")
    write_notebook(cwd / "nb.ipynb")
    result = lint_paths(["train.py", "nb.ipynb"])
    log = log_of(result.findings)
    sarif_validator().assert_valid(log)
    by_code: dict[tuple[str, str], dict[str, Any]] = {}
    for described in only_run(log)["results"]:
        uri = physical(described)["artifactLocation"]["uri"]
        by_code[(uri, described["ruleId"])] = described
    assert {key for key, value in by_code.items() if "fixes" in value} == {
        ("train.py", "KER201"), ("train.py", "KER301"), ("train.py", "KER601"),
    }  # fmt: skip
    assert all("fixes" not in value for (uri, _), value in by_code.items() if uri == "nb.ipynb")
    (stop_fix,) = by_code[("train.py", "KER601")]["fixes"]
    assert stop_fix["description"] == {"text": "Add `restore_best_weights=True`"}
    assert stop_fix["properties"] == {"applicability": "unsafe"}
    assert stop_fix["artifactChanges"][0]["artifactLocation"] == {
        "uri": "train.py", "uriBaseId": "%SRCROOT%",
    }  # fmt: skip
    (growth_fix,) = by_code[("train.py", "KER301")]["fixes"]
    assert growth_fix["properties"] == {"applicability": "display-only"}
    text = FIXABLE
    for code in ("KER601", "KER201"):  # later in the file first: positions stay valid
        (fix,) = by_code[("train.py", code)]["fixes"]
        text = apply_sarif_fix(text, fix)
    fixed = lint_paths(["train.py"], select=["KER201", "KER601"], fix=True, unsafe_fixes=True)
    assert text == fixed.fixed[0].fixed.decode()
