"""Settings: ``[tool.keras-lint]`` in the nearest ``pyproject.toml``, then command-line overrides.

The nearest configuration is searched upward from the linted paths (or from the current folder);
a ``pyproject.toml`` without a ``[tool.keras-lint]`` table is passed over, so a package's own
``pyproject.toml`` inside a bigger project does not hide the project's settings. Patterns
(``exclude``, ``extend-exclude``, ``per-file-ignores``) use ``.gitignore`` syntax and are relative
to the folder of the file that declares them. Every mistake in a configuration is a
``ConfigError`` (exit status 2) that names the file and the key.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keras_lint.selection import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the 3.10 fallback
    import tomli as tomllib

TABLE = "keras-lint"
PYPROJECT = "pyproject.toml"
KEYS = ("select", "ignore", "exclude", "extend-exclude", "per-file-ignores")

#: folders never walked into unless ``exclude`` replaces this list
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".mypy_cache", ".ruff_cache",
    ".pytest_cache", "__pycache__", "__pypackages__", "node_modules", "build", "dist",
    ".eggs", ".ipynb_checkpoints", ".keras_lint_cache", "site-packages", "dist-packages",
)  # fmt: skip


class ConfigError(UsageError):
    """A configuration file that cannot be used as it is; exit status 2."""


@dataclass(frozen=True)
class Settings:
    """What to lint and which codes to report, from the configuration and the command line."""

    #: the folder patterns are relative to (the configuration's folder, else the current one)
    root: Path
    #: the file the settings came from; None when only defaults and options apply
    source: Path | None = None
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    extend_exclude: list[str] = field(default_factory=list)
    #: pattern -> codes, in the order written
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)

    @property
    def exclude_patterns(self) -> list[str]:
        return [*self.exclude, *self.extend_exclude]


def _where(path: Path, key: str | None = None) -> str:
    table = f"[tool.{TABLE}]" if path.name == PYPROJECT else "the configuration"
    return f"{path}: {table}" + (f" key {key!r}" if key else "")


def _string_list(value: Any, path: Path, key: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list):
        raise ConfigError(f"{_where(path, key)}: expected a list of strings, got {value!r}")
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise ConfigError(f"{_where(path, key)}: expected non-empty strings, got {value!r}")
    return [item.strip() for item in value]


def _per_file_ignores(value: Any, path: Path) -> dict[str, list[str]]:
    key = "per-file-ignores"
    if not isinstance(value, Mapping):
        raise ConfigError(f"{_where(path, key)}: expected a table of pattern = [codes]")
    return {
        pattern: _string_list(codes, path, f"{key}.{pattern}") for pattern, codes in value.items()
    }


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror or error}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error


def _table(document: Mapping[str, Any], path: Path) -> Mapping[str, Any] | None:
    tool = document.get("tool")
    table = tool.get(TABLE) if isinstance(tool, Mapping) else None
    if table is not None and not isinstance(table, Mapping):
        raise ConfigError(f"{path}: tool.{TABLE} must be a table")
    return table


def settings_from_table(table: Mapping[str, Any], path: Path) -> Settings:
    """Validate one ``[tool.keras-lint]`` table (codes are checked later, against the rules)."""
    unknown = [key for key in table if key not in KEYS]
    if unknown:
        raise ConfigError(f"{_where(path)}: unknown key {unknown[0]!r} (known: {', '.join(KEYS)})")
    values: dict[str, Any] = {}
    for key in ("select", "ignore", "exclude", "extend-exclude"):
        if key in table:
            values[key.replace("-", "_")] = _string_list(table[key], path, key)
    if "per-file-ignores" in table:
        values["per_file_ignores"] = _per_file_ignores(table["per-file-ignores"], path)
    return Settings(root=path.parent.resolve(), source=path, **values)


def load_config_file(path: Path) -> Settings:
    """Settings from a file named with ``--config``: a pyproject.toml's table, or a whole file."""
    if not path.is_file():
        raise ConfigError(f"--config: no such file: {path}")
    document = _read_toml(path)
    table = _table(document, path)
    if table is None:
        if path.name == PYPROJECT:
            raise ConfigError(f"{path}: has no [tool.{TABLE}] table")
        table = document  # a keras-lint.toml holds the keys at its top level
    return settings_from_table(table, path)


@dataclass
class Discovery:
    """The settings found, and pyproject files passed over because they are not valid TOML."""

    settings: Settings
    warnings: list[str] = field(default_factory=list)


def _start_folder(paths: Sequence[str | Path]) -> Path:
    folders = []
    for given in paths:
        path = Path(given).absolute()
        folders.append(path if path.is_dir() else path.parent)
    if not folders:
        return Path.cwd()
    return Path(os.path.commonpath([str(folder) for folder in folders]))


def _ancestors(folder: Path) -> Iterable[Path]:
    yield folder
    yield from folder.parents


def find_settings(paths: Sequence[str | Path]) -> Discovery:
    """The settings of the nearest pyproject.toml with a ``[tool.keras-lint]`` table.

    A pyproject.toml that is not valid TOML stops the search with a ConfigError when its text
    mentions ``tool.keras-lint`` (it is meant for us); otherwise it is passed over with a warning.
    """
    warnings = []
    for folder in _ancestors(_start_folder(paths)):
        candidate = folder / PYPROJECT
        if not candidate.is_file():
            continue
        try:
            document = _read_toml(candidate)
        except ConfigError as error:
            try:
                meant_for_us = f"tool.{TABLE}" in candidate.read_text("utf-8", errors="replace")
            except OSError:
                meant_for_us = False
            if meant_for_us:
                raise
            warnings.append(f"ignoring {error}")
            continue
        table = _table(document, candidate)
        if table is not None:
            return Discovery(settings_from_table(table, candidate.absolute()), warnings)
    return Discovery(Settings(root=Path.cwd()), warnings)


def with_overrides(
    settings: Settings,
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    exclude: list[str] | None = None,
    extend_exclude: list[str] | None = None,
) -> Settings:
    """Command-line options over the file: ``--select``/``--exclude`` replace the configured
    lists, ``--ignore``/``--extend-exclude`` add to them."""
    return Settings(
        root=settings.root,
        source=settings.source,
        select=settings.select if select is None else select,
        ignore=[*settings.ignore, *(ignore or [])],
        exclude=settings.exclude if exclude is None else exclude,
        extend_exclude=[*settings.extend_exclude, *(extend_exclude or [])],
        per_file_ignores=settings.per_file_ignores,
    )
