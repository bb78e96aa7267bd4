"""``--format json``: an array of findings, each with exactly the keys of ``Finding.to_dict``.

The package ships the output's JSON Schema (``findings_schema``); the repository keeps a copy
at ``schemas/findings.schema.json``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from keras_lint.finding import Finding
from keras_lint.report.paths import display_path


def render_json(
    findings: Sequence[Finding], files_checked: int = 0, errors: Sequence[str] = ()
) -> str:
    """``files_checked`` and ``errors`` are accepted for a uniform signature; the array has no
    room for them (the command prints errors on stderr)."""
    records = []
    for finding in findings:
        record = finding.to_dict()
        record["path"] = display_path(finding.path)
        records.append(record)
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def findings_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every ``--format json`` output validates against."""
    schema_file = resources.files("keras_lint").joinpath("schemas").joinpath("findings.schema.json")
    loaded: dict[str, Any] = json.loads(schema_file.read_text(encoding="utf-8"))
    return loaded
