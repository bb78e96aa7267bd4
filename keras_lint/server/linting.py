"""The server's one door into the engine: lint an editor's buffer as the file it names.

Everything the server needs from the rest of keras-lint goes through here (the engine's
``lint_text`` and ``scan_project``, the settings, the project facts), so that the server does
not depend on how the engine is laid out inside.

Open buffers are the truth for the files they show: a helper module being edited is read from
its buffer, not from the disk, when a file that imports it is linted.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keras_lint.analysis.limits import parse_helper_module
from keras_lint.analysis.project import ProjectIndex, content_digest
from keras_lint.config import ConfigError, Settings, find_settings
from keras_lint.discovery import discover, project_root
from keras_lint.engine import lint_text, scan_project
from keras_lint.finding import Finding
from keras_lint.patterns import PathPatterns, PerFileIgnores
from keras_lint.rules import ALL_RULES
from keras_lint.selection import UsageError, select_rules
from keras_lint.sources import SourceKind, source_kind
from keras_lint.sources.kinds import looks_like_manifest

__all__ = [
    "ConfigProblem",
    "DocumentLint",
    "ProjectState",
    "document_kind",
]

#: the language identifiers editors give the kinds keras-lint reads
_LANGUAGE_KINDS: dict[str, SourceKind] = {
    "python": "python",
    "dockerfile": "dockerfile",
    "jupyter": "notebook",
}


def document_kind(path: str, language_id: str | None, text: str) -> SourceKind | None:
    """The kind of source an open document is: from its name, else from its language; None
    for documents keras-lint has nothing to say about (a YAML file that is no manifest)."""
    kind = source_kind(path)
    if kind == "kubernetes":
        return kind if looks_like_manifest(text.encode("utf-8", "surrogatepass")) else None
    if kind is None and language_id is not None:
        return _LANGUAGE_KINDS.get(language_id)
    return kind


@dataclass(frozen=True)
class ConfigProblem:
    """A configuration file that cannot be used: where, and why (one line)."""

    path: Path
    message: str
    line: int = 1


@dataclass
class DocumentLint:
    """What linting one document gave."""

    findings: list[Finding]
    errors: list[str] = field(default_factory=list)
    #: absolute paths of the other files of the project whose content the findings depend on
    depends_on: frozenset[str] = frozenset()
    #: whether the findings depend on every Python file of the project (KER301's library test)
    depends_on_all: bool = False


class _OpenFilesIndex(ProjectIndex):
    """The project's Python files, with the open buffers read instead of the disk."""

    def __init__(
        self,
        python_files: Iterable[Path],
        dockerfile_env: Mapping[Path, Mapping[str, str]],
        buffers: Mapping[str, str],
    ) -> None:
        super().__init__(python_files, dockerfile_env)
        self._buffers = buffers

    def forget(self, path: str) -> None:
        """Drop what was parsed of ``path``: its buffer or its file changed."""
        for known in [p for p in self._parsed if os.path.abspath(p) == path]:
            self._parsed.pop(known, None)
            self._digests.pop(known, None)
        self._growth_anywhere = None

    def _buffer(self, path: Path) -> str | None:
        return self._buffers.get(os.path.abspath(path))

    def _digest(self, path: Path) -> str | None:
        text = self._buffer(path)
        if text is None:
            return super()._digest(path)
        return content_digest(text.encode("utf-8", "surrogatepass"))

    def _parse(self, path: Path) -> Any:
        text = self._buffer(path)
        if text is None:
            return super()._parse(path)
        if path not in self._parsed:
            self._digests[path] = self._digest(path)
            try:
                self._parsed[path] = parse_helper_module(text)
            except Exception:  # noqa: BLE001 - an unparsable helper module is simply unknown
                self._parsed[path] = None
        return self._parsed[path]


def _checked(settings: Settings) -> Settings:
    """``settings`` once every code they name is known; a ConfigError names the key if not."""
    tables = [("select", settings.select), ("ignore", settings.ignore)]
    tables += [(f"per-file-ignores.{k}", v) for k, v in settings.per_file_ignores.items()]
    for key, codes in tables:
        try:
            select_rules(ALL_RULES, None, codes)
        except UsageError as error:
            raise ConfigError(f"{settings.source}: key {key!r}: {error}") from error
    return settings


def _config_line(message: str) -> int:
    """The line a TOML error message names ("... (at line 3, column 7)"), else 1."""
    marker = "at line "
    at = message.rfind(marker)
    if at < 0:
        return 1
    digits = message[at + len(marker) :].split(",")[0].split(")")[0].strip()
    return int(digits) if digits.isdigit() else 1


def _config_path(message: str) -> Path | None:
    """The configuration file a ConfigError message starts with."""
    head = message.split(": ", 1)[0]
    return Path(head) if head.endswith(".toml") else None


class ProjectState:
    """Settings and project facts for the documents of an editor session, kept between lints.

    Settings are found once per folder and the project's files listed once per project root;
    ``configuration_changed`` and ``files_changed`` say when they must be found again.
    """

    def __init__(self) -> None:
        #: open buffers by absolute path (Python files only: they are what helpers are)
        self.buffers: dict[str, str] = {}
        self._settings: dict[Path, Settings | ConfigProblem] = {}
        #: the last settings that could be read, by folder: used while a file is broken
        self._last_good: dict[Path, Settings] = {}
        self._indexes: dict[Path, _OpenFilesIndex] = {}

    # -- what changed -------------------------------------------------------------------------

    def buffer_changed(self, path: str, text: str | None) -> None:
        """A Python buffer opened, changed (``text``) or closed (None: the disk holds it)."""
        path = os.path.abspath(path)
        if text is None:
            self.buffers.pop(path, None)
        else:
            self.buffers[path] = text
        for index in self._indexes.values():
            index.forget(path)

    def configuration_changed(self) -> None:
        self._settings.clear()
        self._indexes.clear()  # the exclude patterns may have changed

    def files_changed(self, created_or_deleted: bool, paths: Iterable[str]) -> None:
        """Files changed on disk: forget what was read of them (and the file lists if files
        came or went)."""
        if created_or_deleted:
            self._indexes.clear()
            return
        for path in paths:
            for index in self._indexes.values():
                index.forget(os.path.abspath(path))

    # -- settings -----------------------------------------------------------------------------

    def settings_for(self, path: str) -> Settings | ConfigProblem:
        """The settings that apply to ``path``, or the problem of its configuration file."""
        folder = Path(os.path.abspath(path)).parent
        if folder not in self._settings:
            try:
                found = _checked(find_settings([folder]).settings)
            except ConfigError as error:
                message = " ".join(str(error).split())
                where = _config_path(message) or folder / "pyproject.toml"
                self._settings[folder] = ConfigProblem(where, message, _config_line(message))
            else:
                self._settings[folder] = self._last_good[folder] = found
        return self._settings[folder]

    def usable_settings(self, path: str) -> Settings:
        """The settings to lint ``path`` with: while its configuration is broken, the last
        ones that could be read (else the defaults)."""
        found = self.settings_for(path)
        if isinstance(found, Settings):
            return found
        folder = Path(os.path.abspath(path)).parent
        return self._last_good.get(folder) or Settings(root=found.path.parent)

    # -- linting ------------------------------------------------------------------------------

    def _index(self, path: str, settings: Settings) -> _OpenFilesIndex:
        root = project_root(path)
        if root not in self._indexes:
            files: list[Path] = []
            if root.is_dir():
                exclude = PathPatterns(settings.root, settings.exclude_patterns)
                files = discover([root], exclude=exclude).files
            scan = scan_project(files)
            listed = {os.path.abspath(file) for file in scan.index.files}
            # an open buffer not saved yet is a module of its project all the same
            extra = [Path(p) for p in self.buffers if p not in listed and project_root(p) == root]
            self._indexes[root] = _OpenFilesIndex(
                [*scan.index.files, *extra], scan.index.dockerfile_env, self.buffers
            )
        return self._indexes[root]

    def lint(self, text: str, path: str, kind: SourceKind) -> DocumentLint:
        """Lint ``text`` as the file ``path``, with its project's settings and facts."""
        settings = self.usable_settings(path)
        index = self._index(path, settings)
        index.begin_file()
        try:
            result = lint_text(
                text,
                path,
                kind=kind,
                select=settings.select,
                ignore=settings.ignore,
                project=index,
            )
        finally:
            asked = index.end_file()
        depends_on: set[str] = set()
        depends_on_all = False
        for question, _arguments, answer in asked:
            if question == "locate" and answer:
                depends_on.add(os.path.abspath(answer[0]))
            elif question == "growth-anywhere":
                depends_on_all = True
        per_file = PerFileIgnores(settings.root, settings.per_file_ignores)
        return DocumentLint(
            findings=per_file.keep(result.findings),
            errors=result.errors,
            depends_on=frozenset(depends_on),
            depends_on_all=depends_on_all,
        )
