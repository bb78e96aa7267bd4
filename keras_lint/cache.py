"""The result cache: each file's findings on disk, reused while nothing they depend on changes.

An entry belongs to one file as one run names it (the path as given and its absolute form, its
kind, whether it was named or met in a folder walk). It is reused only when all of these still
hold:

- the run's fingerprint is the same: keras-lint's version and a hash of its own code, the Python
  version and those of the libraries that read sources, the rules selected and the options that
  change what they report (``per-file-ignores`` are applied after the cache, so they are not
  part of it);
- the file's content hash is the same (not its modification time);
- every question its analysis asked of the rest of the tree gets the same answer now: which file
  an import means and that file's content hash, whether a module name exists, what a relative
  import resolves to, the Dockerfile ``ENV`` of its folders (``ProjectIndex.answers_unchanged``).

Entries are JSON files named by a hash, written to a temporary file and renamed into place, so
parallel workers and concurrent runs never see half an entry, and no path from the linted tree
takes part in where anything is written. A cache that cannot be read or written is passed over
with one warning; it never changes a result.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib.util
import json
import os
import re
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras_lint
from keras_lint.finding import FINDING_KEYS, Finding, SuggestedFix
from keras_lint.severity import SEVERITIES

#: the folder's name where no other is given: in the project root, like ``.ruff_cache``
CACHE_DIR_NAME = ".keras_lint_cache"
#: the layout of the entries; a new layout gets a new folder beside the old one
SCHEMA = "v2"

_CACHEDIR_TAG = """\
Signature: 8a477f597d28d172789f06886806bc55
# This file is a cache directory tag created by keras-lint.
# For information about cache directory tags, see https://bford.info/cachedir/
"""
_GITIGNORE = "# Created by keras-lint: the result cache is never committed.\n*\n"
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)


def code_digest() -> str:
    """A hash of keras-lint's own source: an edited checkout (same version) invalidates entries."""
    package = Path(keras_lint.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()


def runtime_versions() -> list[str]:
    """What besides keras-lint's own code decides findings: the Python whose parser checks the
    syntax (its messages are KER001's) and the libraries that read the sources, by the names of
    their installed metadata (importing them to ask would cost a run that reads no such file)."""
    return [
        sys.implementation.name,
        sys.version,
        _installed_as("libcst", "libcst"),
        _installed_as("yaml", "PyYAML"),
        _installed_as("dockerfile_parse", "dockerfile-parse"),
        _installed_as("nbformat", "nbformat"),
    ]


def _installed_as(module: str, distribution: str) -> str:
    """The name of the metadata folder (``pyyaml-6.0.3.dist-info``, or an ``.egg-info``) of the
    ``distribution`` installed beside ``module``, found without importing it; or ``?``."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return "?"
    folder = Path(spec.origin).parent.parent
    wanted = _normalized(distribution)
    try:
        names = os.listdir(folder)
    except OSError:
        return "?"
    # ``{name}-{version}.dist-info``: the name is all before the first ``-``
    found = sorted(
        name
        for name in names
        if name.endswith("info") and _normalized(name.partition("-")[0]) == wanted
    )
    return found[0] if found else "?"


def _normalized(name: str) -> str:
    """A distribution name as installers spell its folder (PEP 503: case and ``-_.`` folded)."""
    return re.sub(r"[-_.]+", "_", name.lower())


def fingerprint(parts: Iterable[Any]) -> str:
    """The hash of a run's settings that decide findings (``parts`` must be JSON data)."""
    return hashlib.sha256(json.dumps(list(parts), sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class EntryKey:
    """Which file an entry is for, as a run names it."""

    path: str
    kind: str
    #: False for a YAML file that a folder walk chose for its look (its problems are skipped)
    named: bool = True

    def fields(self) -> list[Any]:
        return [self.path, os.path.abspath(self.path), self.kind, self.named]

    def name(self) -> str:
        return hashlib.sha256(json.dumps(self.fields()).encode()).hexdigest()


@dataclass(frozen=True)
class CachedResult:
    """What linting one file gave, and what it depended on."""

    #: the content hash of the bytes that were linted
    digest: str
    #: ``ProjectIndex.end_file`` rows: the questions asked of the tree, with their answers
    asked: list[Any]
    findings: list[Finding]
    warnings: list[str]


class _Corrupt(Exception):
    pass


class ResultCache:
    """The entries of one cache folder for runs with one fingerprint."""

    def __init__(self, folder: Path, run_fingerprint: str) -> None:
        self.folder = Path(folder)
        self.fingerprint = run_fingerprint
        self._unreadable: list[str] = []
        self._unwritable: str | None = None
        self._made: set[Path] = set()

    # -- reading ----------------------------------------------------------------------------

    def load(self, key: EntryKey) -> CachedResult | None:
        """The entry for ``key`` if there is a usable one for this fingerprint."""
        target = self._entry_path(key)
        try:
            fd = os.open(target, os.O_RDONLY | _NO_FOLLOW)
            with os.fdopen(fd, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            return None
        except OSError as error:
            if error.errno == errno.ENOTDIR:  # a missing folder on the way: no entry
                return None
            self._unreadable.append(f"{target}: {_reason(error)}")
            return None
        try:
            entry = _parse_entry(data)
        except _Corrupt as error:
            self._unreadable.append(f"{target}: {error}")
            return None
        if entry["fingerprint"] != self.fingerprint or entry["key"] != key.fields():
            return None  # another run's settings or another file: stale, not broken
        return entry["result"]

    # -- writing ----------------------------------------------------------------------------

    def save(self, key: EntryKey, result: CachedResult) -> None:
        """Write the entry for ``key`` (atomically); a failure disables writing for this run."""
        if self._unwritable is not None:
            return
        document = {
            "fingerprint": self.fingerprint,
            "key": key.fields(),
            "digest": result.digest,
            "asked": result.asked,
            "findings": [finding.to_dict() for finding in result.findings],
            "warnings": result.warnings,
        }
        data = json.dumps(document, separators=(",", ":")).encode()
        target = self._entry_path(key)
        try:
            self._make_folders(target.parent)
            _write_atomically(target, data)
        except OSError as error:
            self._unwritable = f"cannot write to {self.folder}: {_reason(error)}"

    def _entry_path(self, key: EntryKey) -> Path:
        name = key.name()
        # one Path made from a string, not three joins: this runs for every file of every run
        return Path(f"{self.folder}{os.sep}{SCHEMA}{os.sep}{name[:2]}{os.sep}{name[2:]}.json")

    def _make_folders(self, shard: Path) -> None:
        """The cache folder (tagged and self-ignoring) and the entry's folders in it, each a real
        folder: a symbolic link there could send writes outside the cache."""
        if shard in self._made:
            return
        if self.folder not in self._made:
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, text in (("CACHEDIR.TAG", _CACHEDIR_TAG), (".gitignore", _GITIGNORE)):
                marker = self.folder / name
                if not os.path.lexists(marker):
                    _write_atomically(marker, text.encode())
            self._made.add(self.folder)
        for folder in (self.folder / SCHEMA, shard):
            with contextlib.suppress(FileExistsError):
                folder.mkdir()
            if not stat.S_ISDIR(os.lstat(folder).st_mode):
                raise OSError(errno.ENOTDIR, "not a folder (a symbolic link?)", str(folder))
        self._made.add(shard)

    # -- problems ---------------------------------------------------------------------------

    def warnings(self) -> list[str]:
        """At most one line per kind of problem met, for the user."""
        lines = []
        if self._unreadable:
            count = len(self._unreadable)
            what = "entry" if count == 1 else "entries"
            lines.append(f"cache: ignored {count} unreadable {what} (first: {self._unreadable[0]})")
        if self._unwritable is not None:
            lines.append(f"cache: {self._unwritable}; results were not cached")
        return lines


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to a new file beside ``target``, then rename it over ``target``: readers see
    the old entry or the new one, and a symbolic link at ``target`` is replaced, not followed."""
    temporary = target.with_name(f".{target.name}.{os.urandom(8).hex()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NO_FOLLOW
    fd = os.open(temporary, flags, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _parse_entry(data: bytes) -> dict[str, Any]:
    """An entry read back, every field checked: anything unexpected is corruption."""
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError) as error:
        raise _Corrupt(f"not JSON ({error})") from None
    if not isinstance(document, dict):
        raise _Corrupt("not a JSON object")
    try:
        findings = [_finding(item) for item in document["findings"]]
        digest, asked, warnings = document["digest"], document["asked"], document["warnings"]
        run_fingerprint, key = document["fingerprint"], document["key"]
    except (KeyError, TypeError) as error:
        raise _Corrupt(f"malformed entry ({type(error).__name__}: {error})") from None
    if not (
        isinstance(digest, str)
        and isinstance(asked, list)
        and isinstance(warnings, list)
        and all(isinstance(line, str) for line in warnings)
        and isinstance(run_fingerprint, str)
        and isinstance(key, list)
    ):
        raise _Corrupt("malformed entry")
    result = CachedResult(digest=digest, asked=asked, findings=findings, warnings=warnings)
    return {"fingerprint": run_fingerprint, "key": key, "result": result}


def _finding(item: Any) -> Finding:
    if not isinstance(item, dict) or tuple(item) != FINDING_KEYS:
        raise TypeError("a finding with other keys")
    fix = item["fix"]
    finding = Finding(**{**item, "fix": None if fix is None else SuggestedFix.from_dict(fix)})
    numbers = (finding.line, finding.column, finding.end_line, finding.end_column)
    texts = (finding.path, finding.code, finding.name, finding.severity, finding.message)
    if not (
        all(type(number) is int for number in numbers)
        and all(isinstance(text, str) for text in texts)
        and finding.severity in SEVERITIES
        and (finding.cell is None or type(finding.cell) is int)
    ):
        raise TypeError("a finding with values of the wrong type")
    return finding
