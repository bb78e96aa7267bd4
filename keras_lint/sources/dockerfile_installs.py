"""What a Dockerfile's ``RUN`` instructions install, with the files they install from.

Each ``RUN`` is split into simple shell commands; ``pip``/``uv pip``/``conda``/``mamba``/
``micromamba`` installs are read by ``requirements.py``. A requirements or environment file an
install names by its path in the image is traced back through the stage's ``COPY``/``ADD`` and
``WORKDIR`` instructions to a file of the build context (the Dockerfile's folder, or the
repository folder above it that holds the file), and read from there. What cannot be traced (a
``COPY --from`` another stage or image, a path held in a variable, a file missing from the
context) is unknown and says nothing.
"""

from __future__ import annotations

import fnmatch
import json
import os
import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dockerfile_parse.util import WordSplitter

from keras_lint.sources.regular_file import read_regular_file
from keras_lint.sources.requirements import (
    FileProblem,
    PackageSpec,
    RequirementFile,
    RequirementLine,
    conda_spec,
    install_command,
    read_environment_file,
    read_requirement_file,
    shell_commands,
)

if TYPE_CHECKING:
    from keras_lint.sources.dockerfile import BuildStep

#: how many folders above the Dockerfile's own may hold the build context (``docker/Dockerfile``
#: built from the repository root)
_MAX_CONTEXT_LEVELS = 3
_GLOB_CHARS = frozenset("*?[")


@dataclass
class Install:
    """One install of one ``RUN`` instruction (1-based position of its first line)."""

    tool: str
    line: int
    column: int
    end_column: int
    #: packages named on the command line
    packages: list[PackageSpec] = field(default_factory=list)
    #: packages named in the requirement and environment files it installs
    file_lines: list[RequirementLine] = field(default_factory=list)
    #: constraints, hashes or ``PIP_CONSTRAINT``: pip installs what they say
    constrained: bool = False


@dataclass
class _Stage:
    workdir: str = "/"
    #: (path in the image, path in the context, kind: "file" | "dir" | "glob"), in order
    copies: list[tuple[str, str, str]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)


def find_installs(
    dockerfile_path: str, steps: list[BuildStep]
) -> tuple[list[Install], list[FileProblem]]:
    """The installs of ``steps`` and the problems met reading the files they install from."""
    context = _Context(os.path.dirname(dockerfile_path) or ".")
    stages: dict[str, _Stage] = {}
    stage = _Stage()
    installs: list[Install] = []
    problems: list[FileProblem] = []
    for step in steps:
        variables = dict(step.variables)
        if step.keyword == "FROM":
            words = step.value.split()
            words = [w for w in words if not w.startswith("--")]
            base = stages.get(words[0].lower()) if words else None
            stage = (
                _Stage(base.workdir, list(base.copies), dict(base.env))
                if base is not None
                else _Stage()
            )
            if len(words) >= 3 and words[1].lower() == "as":
                stages[words[2].lower()] = stage
        elif step.keyword == "WORKDIR":
            path = _expanded(step.value.strip(), variables)
            if path is not None:
                stage.workdir = posixpath.normpath(posixpath.join(stage.workdir, path))
        elif step.keyword == "ENV":
            for name, value in variables.items():
                if value is not None:
                    stage.env[name] = value
        elif step.keyword in {"COPY", "ADD"}:
            _copy(step, variables, stage, context)
        elif step.keyword == "RUN":
            for install in _run_installs(step, stage, context, problems):
                installs.append(install)
    return installs, problems


def _expanded(word: str, variables: dict[str, str | None]) -> str | None:
    from keras_lint.sources.dockerfile import _expand

    value, unresolved = _expand(word, variables)
    return None if unresolved else value


def _copy(
    step: BuildStep, variables: dict[str, str | None], stage: _Stage, context: _Context
) -> None:
    value = step.value.strip()
    if value.startswith("["):
        try:
            words = [str(w) for w in json.loads(value)]
        except (ValueError, TypeError):
            return
    else:
        words = list(WordSplitter(value).split(dequote=False))
    flags = [w for w in words if w.startswith("--")]
    words = [w for w in words if not w.startswith("--")]
    if any(f.startswith("--from") for f in flags) or len(words) < 2:
        return  # from another stage or image: its content is not in the context
    expanded = [_expanded(w, variables) for w in words]
    if any(w is None for w in expanded):
        return
    *sources, destination = [w for w in expanded if w is not None]
    target = posixpath.normpath(posixpath.join(stage.workdir, destination))
    into_folder = (
        destination.endswith(("/", "/.")) or destination in {".", "./"} or len(sources) > 1
    )
    for source in sources:
        if "://" in source:
            continue  # ADD of a URL
        source = posixpath.normpath(source)
        if source == "." or context.is_dir(source):
            stage.copies.append((target, source, "dir"))
        elif _GLOB_CHARS & set(source):
            stage.copies.append((target, source, "glob"))
        elif into_folder:
            stage.copies.append(
                (posixpath.join(target, posixpath.basename(source)), source, "file")
            )
        else:
            # ``COPY requirements.txt /app`` copies into /app when that is a folder
            stage.copies.append((target, source, "file"))
            stage.copies.append(
                (posixpath.join(target, posixpath.basename(source)), source, "file")
            )


def _traced(path_in_image: str, stage: _Stage) -> str | None:
    """The context path of the file at ``path_in_image``, or None when it is not known."""
    for target, source, kind in reversed(stage.copies):
        if kind == "file" and path_in_image == target:
            return source
        if kind == "dir" and (target == "/" or path_in_image.startswith(target.rstrip("/") + "/")):
            rest = (
                path_in_image[len(target.rstrip("/")) + 1 :] if target != "/" else path_in_image[1:]
            )
            return posixpath.normpath(posixpath.join(source, rest))
        if kind == "glob" and posixpath.dirname(path_in_image) == target:
            name = posixpath.basename(path_in_image)
            if fnmatch.fnmatch(name, posixpath.basename(source)):
                return posixpath.normpath(posixpath.join(posixpath.dirname(source), name))
    return None


def _run_installs(
    step: BuildStep, stage: _Stage, context: _Context, problems: list[FileProblem]
) -> list[Install]:
    value = step.value.strip()
    if value.startswith("["):
        try:
            script = " ".join(str(w) for w in json.loads(value))
        except (ValueError, TypeError):
            return []
    else:
        words = value.split()
        while words and words[0].startswith("--"):  # --mount=..., --network=...
            value = value.split(None, 1)[1] if len(value.split(None, 1)) > 1 else ""
            words = words[1:]
        script = value
    installs = []
    for words in shell_commands(script):
        command = install_command(words, stage.env)
        if command is None:
            continue
        install = Install(
            command.tool, step.line, step.column, step.end_column, list(command.packages),
            constrained=command.constrained,
        )  # fmt: skip
        files: list[tuple[str, str]] = [(f, "requirements") for f in command.requirement_files]
        files += [(f, "environment") for f in command.environment_files]
        files += [(f, "conda") for f in command.spec_files]
        for written, kind in files:
            if "$" in written:
                continue
            source = _traced(posixpath.normpath(posixpath.join(stage.workdir, written)), stage)
            if source is None:
                continue
            read = context.read_file(source, kind)
            if read is None:
                continue
            install.file_lines.extend(read.lines)
            install.constrained |= read.constrained
            problems.extend(p for p in read.problems if p not in problems)
        installs.append(install)
    return installs


class _Context:
    """The build context: the Dockerfile's folder, or a folder above it that holds a file."""

    def __init__(self, folder: str) -> None:
        self.roots = [folder]
        current = os.path.abspath(folder)
        for _ in range(_MAX_CONTEXT_LEVELS):
            if os.path.isdir(os.path.join(current, ".git")):
                break
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
            self.roots.append(os.path.relpath(current) if not os.path.isabs(folder) else current)

    def is_dir(self, source: str) -> bool:
        return os.path.isdir(os.path.join(self.roots[0], source))

    def read_file(self, source: str, kind: str) -> RequirementFile | None:
        for root in self.roots:
            path = os.path.normpath(os.path.join(root, source))
            if os.path.lexists(path):
                if kind == "requirements":
                    return read_requirement_file(path, _read_text)
                if kind == "environment":
                    return read_environment_file(path, _read_text)
                return _read_conda_spec_file(path)
        return None


def _read_text(path: str) -> str | None:
    """A file's text; None when it does not exist (OSError/UnicodeDecodeError when unreadable)."""
    if not os.path.lexists(path):
        return None
    from pathlib import Path

    return read_regular_file(Path(path)).decode("utf-8-sig")


def _read_conda_spec_file(path: str) -> RequirementFile:
    """A ``conda install --file`` list: one match spec per line (``@EXPLICIT`` lock files pin)."""
    result = RequirementFile()
    try:
        text = _read_text(path) or ""
    except (OSError, UnicodeDecodeError) as error:
        result.problems.append(FileProblem(path, 1, 1, f"cannot read: {error}"))
        return result
    if "@EXPLICIT" in text:
        result.constrained = True  # a conda lock file: exact package URLs
        return result
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.split("#", 1)[0].strip()
        if not stripped:
            continue
        spec = conda_spec(stripped)
        if spec is not None:
            column = len(raw) - len(raw.lstrip()) + 1
            result.lines.append(RequirementLine(spec, path, number, column, column + len(stripped)))
    return result
