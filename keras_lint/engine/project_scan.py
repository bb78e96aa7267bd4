"""The project scan, before any file is linted: what a linted tree tells about each of its files
(the Python modules by name, the Dockerfiles' ENV by folder), built once per run."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from keras_lint.analysis.project import ProjectIndex
from keras_lint.discovery import discover, project_root
from keras_lint.engine.reading import kind_of, read_text
from keras_lint.engine.results import ProjectFacts
from keras_lint.finding import Finding
from keras_lint.parse_error import parse_error
from keras_lint.patterns import PathPatterns

if TYPE_CHECKING:
    from keras_lint.sources.dockerfile import DockerfileFacts


@dataclass(frozen=True)
class LoadedDockerfile:
    path: Path
    text: str
    facts: DockerfileFacts


@dataclass
class ProjectScan:
    """What a linted tree tells about each of its files, built before any file is linted."""

    #: the Python files by module name, and the Dockerfiles' ENV by folder
    index: ProjectIndex
    #: the Dockerfiles that were read and parsed
    dockerfiles: list[LoadedDockerfile]
    #: KER001 findings for the Dockerfiles that could not be read or parsed
    problems: list[Finding]


def scan_project(files: Sequence[Path]) -> ProjectScan:
    """The project facts of a set of discovered files: the one implementation every front end
    uses, so that a file's findings depend on its tree in the same way everywhere."""
    # Dockerfiles first: their ENV values are facts about the Python files of their folder.
    dockerfile_env: dict[Path, dict[str, str]] = {}
    dockerfiles: list[LoadedDockerfile] = []
    problems: list[Finding] = []
    python_files: list[Path] = []
    notebooks: list[Path] = []
    for path in files:
        kind = kind_of(path)
        if kind == "python":
            python_files.append(path)
        elif kind == "notebook":
            notebooks.append(path)
        if kind != "dockerfile":
            continue
        text = read_text(path, kind)
        if isinstance(text, Finding):
            problems.append(text)
            continue
        # dockerfile-parse is imported only by a run that reads a Dockerfile
        from keras_lint.sources.dockerfile import DockerfileError, load_dockerfile

        try:
            facts = load_dockerfile(str(path), text)
        except DockerfileError as error:
            problems.append(parse_error(str(path), error.line, 1, error.message))
            continue
        dockerfile_env.setdefault(path.parent, {}).update(facts.env)
        dockerfiles.append(LoadedDockerfile(path, text, facts))
    index = ProjectIndex(python_files, dockerfile_env=dockerfile_env, notebooks=notebooks)
    return ProjectScan(index=index, dockerfiles=dockerfiles, problems=problems)


def project_index(root: str | Path) -> ProjectIndex:
    """The project facts ``lint_paths([root])`` gives each file it lints under ``root``."""
    return scan_project(discover([root]).files).index


def _unique(paths: Sequence[Path]) -> list[Path]:
    seen: dict[str, Path] = {}
    for path in paths:
        seen.setdefault(os.path.realpath(path), path)
    return list(seen.values())


class ProjectOfNamedFiles:
    """The facts of ``files`` and of the projects the ``named`` files belong to, made on the
    first call (plain data until then, so that it can travel to worker processes).

    pre-commit and editors name single files: the Dockerfile ``ENV`` and the helper modules
    beside such a file count as they do when its whole project is linted.
    """

    def __init__(self, named: Sequence[Path], files: Sequence[Path], exclude: PathPatterns) -> None:
        self.named = list(named)
        self.files = list(files)
        self.exclude = exclude
        self._index: ProjectIndex | None = None

    def __call__(self) -> ProjectIndex:
        if self._index is None:
            found = list(self.files)
            for root in sorted({project_root(path) for path in self.named}):
                if root.is_dir():  # an editor's buffer may name a file of no folder yet
                    found.extend(discover([root], exclude=self.exclude).files)
            self._index = scan_project(_unique(found)).index
        return self._index


def projects_of(
    named: Sequence[Path], files: Sequence[Path], exclude: PathPatterns
) -> ProjectFacts:
    """The facts of ``files`` and of the projects the ``named`` files belong to, made on demand."""
    return ProjectOfNamedFiles(named, files, exclude)
