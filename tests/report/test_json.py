"""``--format json``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keras_lint.finding import Finding
from keras_lint.report import render_json

KEYS = [
    "path", "line", "column", "end_line", "end_column", "code", "name", "severity", "message",
    "cell", "fix",
]  # fmt: skip


def test_an_array_of_findings_with_exactly_the_contract_keys() -> None:
    findings = [
        Finding("a.py", 3, 5, 3, 9, "KER201", "loss-activation-mismatch", "bad loss"),
        Finding("nb.ipynb", 2, 1, 2, 4, "KER301", "missing-gpu-memory-growth", "m", cell=4,
                severity="warning"),
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
