"""Whether a project pins Keras 2: ``keras<3`` or ``tensorflow<2.16`` in the files that declare
its dependencies, or a notebook's own ``!pip install keras==2.*``.

Read by ``ProjectIndex`` (so that a cached result notices when these files change); the files
are found in the folder of the linted file and the folders above it, up to the project's root
(the first folder holding ``.git``, ``pyproject.toml``, ``setup.cfg`` or ``setup.py``).
"""

from __future__ import annotations

import configparser
import glob
import json
import os
from collections.abc import Iterator
from pathlib import Path

from packaging.requirements import InvalidRequirement
from packaging.specifiers import SpecifierSet

from keras_lint.sources.regular_file import read_regular_file
from keras_lint.sources.requirements import (
    PackageSpec,
    install_command,
    pip_spec,
    read_environment_file,
    read_requirement_file,
    shell_commands,
)

#: releases that are Keras 3: a specifier that admits none of them keeps the project on Keras 2
_KERAS_3 = ("3.0.0", "3.3.3", "3.6.0", "3.10.0", "3.15.0", "4.0.0")
#: TensorFlow releases whose ``tf.keras`` is Keras 3
_TENSORFLOW_KERAS_3 = (
    "2.16.0",
    "2.16.1",
    "2.17.0",
    "2.18.0",
    "2.19.0",
    "2.20.0",
    "2.21.0",
    "3.0.0",
)
_TENSORFLOW_NAMES = frozenset(
    {"tensorflow", "tensorflow-gpu", "tensorflow-cpu", "tensorflow-macos"}
)
_ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git")
_MAX_LEVELS = 8


def keras2_pin(path: str) -> str | None:
    """``"requirements.txt: keras<3"`` when the project of ``path`` pins Keras 2, else None."""
    if path.endswith(".ipynb"):
        found = _notebook_pin(path)
        if found is not None:
            return found
    folder = Path(path).resolve().parent
    for _ in range(_MAX_LEVELS):
        for file, spec in _declared(folder):
            if _keeps_keras_2(spec):
                return f"{file.name}: {spec.text}"
        if any((folder / marker).exists() for marker in _ROOT_MARKERS) or folder.parent == folder:
            break
        folder = folder.parent
    return None


def _keeps_keras_2(spec: PackageSpec) -> bool:
    if spec.specifier is None or not len(spec.specifier):
        return False
    if spec.name == "keras":
        return not any(_admits(spec.specifier, v) for v in _KERAS_3)
    if spec.name in _TENSORFLOW_NAMES:
        return not any(_admits(spec.specifier, v) for v in _TENSORFLOW_KERAS_3)
    return False


def _admits(specifier: SpecifierSet, version: str) -> bool:
    return specifier.contains(version, prereleases=True)


def _read(path: str) -> str | None:
    if not os.path.lexists(path):
        return None
    return read_regular_file(Path(path)).decode("utf-8-sig")


def _declared(folder: Path) -> Iterator[tuple[Path, PackageSpec]]:
    """The packages the dependency files of one folder declare (files that cannot be read or
    parsed declare nothing)."""
    names = sorted(glob.glob(str(folder / "requirements*.txt")))
    names += sorted(glob.glob(str(folder / "requirements" / "*.txt")))
    for name in names:
        try:
            read = read_requirement_file(name, _read)
        except (OSError, UnicodeDecodeError):
            continue
        for line in read.lines if read is not None else ():
            yield Path(name), line.spec
    for name in ("environment.yml", "environment.yaml"):
        try:
            environment = read_environment_file(str(folder / name), _read)
        except (OSError, UnicodeDecodeError):
            continue
        for line in environment.lines if environment is not None else ():
            yield folder / name, line.spec
    yield from _pyproject(folder / "pyproject.toml")
    yield from _setup_cfg(folder / "setup.cfg")


def _specs(path: Path, texts: object) -> Iterator[tuple[Path, PackageSpec]]:
    for text in texts if isinstance(texts, list) else []:
        try:
            spec = pip_spec(str(text))
        except InvalidRequirement:
            continue
        if spec is not None:
            yield path, spec


def _pyproject(path: Path) -> Iterator[tuple[Path, PackageSpec]]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        data = tomllib.loads(_read(str(path)) or "")
    except (OSError, UnicodeDecodeError, ValueError):
        return
    project = data.get("project", {}) if isinstance(data.get("project"), dict) else {}
    yield from _specs(path, project.get("dependencies"))
    extras = project.get("optional-dependencies")
    for texts in extras.values() if isinstance(extras, dict) else ():
        yield from _specs(path, texts)
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    dependencies = poetry.get("dependencies") if isinstance(poetry, dict) else None
    for name, constraint in dependencies.items() if isinstance(dependencies, dict) else ():
        version = constraint.get("version") if isinstance(constraint, dict) else constraint
        if isinstance(version, str):
            yield from _specs(path, [f"{name}{_poetry_specifier(version)}"])


def _poetry_specifier(version: str) -> str:
    """Poetry's ``^2.12`` / ``~2.12`` / ``2.12.0`` as a PEP 440 specifier."""
    version = version.strip()
    if version.startswith("^"):
        major = version[1:].split(".")[0]
        return f">={version[1:]},<{int(major) + 1}" if major.isdigit() else ""
    if version.startswith("~") and not version.startswith("~="):
        parts = version[1:].split(".")
        if len(parts) >= 2 and parts[1].isdigit():
            return f">={version[1:]},<{parts[0]}.{int(parts[1]) + 1}"
        return ""
    if version[:1].isdigit():
        return f"=={version}"
    return "" if version == "*" else version


def _setup_cfg(path: Path) -> Iterator[tuple[Path, PackageSpec]]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(_read(str(path)) or "")
    except (OSError, UnicodeDecodeError, configparser.Error):
        return
    if parser.has_option("options", "install_requires"):
        lines = parser.get("options", "install_requires").splitlines()
        yield from _specs(path, [line.split("#", 1)[0].strip() for line in lines if line.strip()])


def _notebook_pin(path: str) -> str | None:
    """A notebook's own ``!pip install keras==2.*`` (or ``%pip``) that keeps it on Keras 2."""
    try:
        notebook = json.loads(_read(path) or "{}")
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped.startswith(("!", "%pip", "%conda")):
                continue
            for words in shell_commands(stripped.lstrip("!%")):
                command = install_command(words, {})
                for spec in command.packages if command is not None else ():
                    if _keeps_keras_2(spec):
                        return f"{os.path.basename(path)}: {stripped}"
    return None
