"""``--format json``, and the JSON Schema it validates against."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from sample_notebook import write_notebook

from keras_lint.finding import Finding, SuggestedFix, TextEdit
from keras_lint.report import render_json
from keras_lint.report.json import findings_schema

KEYS = [
    "path", "line", "column", "end_line", "end_column", "code", "name", "severity", "message",
    "cell", "fix",
]  # fmt: skip


def test_an_array_of_findings_with_exactly_the_contract_keys() -> None:
    findings = [
        Finding("a.py", 3, 5, 3, 9, "KER201", "loss-activation-mismatch", "bad loss"),
        Finding(
            "nb.ipynb",
            2,
            1,
            2,
            4,
            "KER301",
            "missing-gpu-memory-growth",
            "m",
            cell=4,
            severity="warning",
        ),
    ]
    records = json.loads(render_json(findings, 2))
    assert [list(record) for record in records] == [KEYS, KEYS]  # in the order of DESIGN.md
    assert records[0] == {
        "path": "a.py", "line": 3, "column": 5, "end_line": 3, "end_column": 9,
        "code": "KER201", "name": "loss-activation-mismatch", "severity": "error",
        "message": "bad loss",
        "cell": None, "fix": None,
    }  # fmt: skip
    assert (records[1]["cell"], records[1]["severity"]) == (4, "warning")


def test_no_findings_is_an_empty_array() -> None:
    assert json.loads(render_json([], 3)) == []


def test_paths_are_relative_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    finding = Finding(str(tmp_path / "src" / "a.py"), 1, 1, 1, 2, "KER001", "parse-error", "x")
    assert json.loads(render_json([finding], 1))[0]["path"] == "src/a.py"


# -- the published JSON Schema ------------------------------------------------------------------

REPOSITORY = Path(__file__).resolve().parents[2]
PROGRAM = """\
import keras
from keras import layers

model = keras.Sequential([layers.Dense(8), layers.Dense(1, activation="softmax")])
model.compile(optimizer="adam", loss="binary_crossentropy")
stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3)
model.fit([[1.0]], [1.0], epochs=2, callbacks=[stop])
"""


def schema_validator() -> Draft202012Validator:
    schema = findings_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_the_repository_schema_is_the_one_the_package_ships() -> None:
    shipped = REPOSITORY / "keras_lint" / "schemas" / "findings.schema.json"
    copy = REPOSITORY / "schemas" / "findings.schema.json"
    assert copy.read_bytes() == shipped.read_bytes()
    assert json.loads(copy.read_text(encoding="utf-8")) == findings_schema()


def test_real_output_with_fixes_notebooks_and_both_severities_validates(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(PROGRAM, encoding="utf-8")
    write_notebook(tmp_path / "nb.ipynb")
    (tmp_path / "Dockerfile").write_text("FROM python:latest\n", encoding="utf-8")
    (tmp_path / "broken.py").write_text("def f(:\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "keras_lint", "--no-cache", "--format", "json", "."],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    records = json.loads(result.stdout)
    errors = [error.message for error in schema_validator().iter_errors(records)]
    assert errors == []
    assert {record["severity"] for record in records} == {"error", "warning"}
    assert any(record["cell"] is not None for record in records)
    applicabilities = {record["fix"]["applicability"] for record in records if record["fix"]}
    assert applicabilities == {"unsafe", "display-only"}
    assert {record["code"] for record in records} >= {"KER001", "KER201", "KER301", "KER401"}


@pytest.mark.parametrize(
    "change",
    [
        lambda r: r.update(extra=1),
        lambda r: r.pop("cell"),
        lambda r: r.update(severity="info"),
        lambda r: r.update(line=0),
        lambda r: r["fix"].update(applicability="maybe"),
        lambda r: r["fix"]["edits"][0].pop("text"),
        lambda r: r["fix"].update(edits=[]),
    ],
)
def test_the_schema_rejects_what_the_contract_excludes(change) -> None:  # type: ignore[no-untyped-def]
    fix = SuggestedFix("Add it", "safe", (TextEdit(1, 2, 1, 2, "x"),))
    finding = Finding("a.py", 1, 1, 1, 2, "KER601", "early-stopping-without-restore", "m", fix=fix)
    record = json.loads(render_json([finding]))[0]
    assert list(schema_validator().iter_errors([record])) == []
    change(record)
    assert list(schema_validator().iter_errors([record])) != []
