"""The linted tree as the analysis sees it: which module name lives in which file.

Helper summaries reach across files through this index; a file that is only needed for its helpers
is parsed lazily, once, when a linted file imports from it. Nothing here imports or runs user code.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from collections.abc import Mapping as MappingABC
from pathlib import Path
from typing import Any

import libcst as cst

from keras_lint.analysis.limits import parse_helper_module
from keras_lint.sources.python import decode_python
from keras_lint.sources.regular_file import read_regular_file

#: text that enables GPU memory growth somewhere (used for library modules, see KER301)
_GROWTH_TEXT = re.compile(
    r"set_memory_growth|TF_FORCE_GPU_ALLOW_GROWTH|allow_growth|set_logical_device_configuration"
    r"|set_virtual_device_configuration|per_process_gpu_memory_fraction"
)


class ProjectIndex:
    """Python files of the linted tree, addressable by dotted module name.

    Module names come from absolute paths, so they do not depend on how the tree was named
    (``keras-lint .`` from the project folder and ``keras-lint /path/to/project`` agree, and a
    project folder that is itself a package is importable by its name). Paths passed in are
    kept as given; comparisons between them are made on their absolute form.
    """

    def __init__(
        self,
        python_files: Iterable[Path],
        dockerfile_env: MappingABC[Path, MappingABC[str, str]] | None = None,
    ) -> None:
        self.files = [Path(p) for p in python_files]
        #: ENV values of the Dockerfiles of the tree, by the folder the Dockerfile is in
        #: (``TF_FORCE_GPU_ALLOW_GROWTH`` there satisfies KER301)
        self.dockerfile_env: dict[Path, dict[str, str]] = {
            Path(folder).resolve(): dict(env) for folder, env in (dockerfile_env or {}).items()
        }
        # every dotted suffix of a file's path is a name it may be imported by
        self._by_name: dict[str, list[Path]] = {}
        #: the module a folder or file stem is (for relative imports): its longest dotted name
        self._by_stem: dict[Path, str] = {}
        for path in self.files:
            stem = _absolute(path).with_suffix("")
            parts = list(stem.parts)
            if parts and parts[-1] == "__init__":
                parts = parts[:-1]
                stem = stem.parent
            name = None
            for start in reversed(range(len(parts))):
                if not parts[start].isidentifier():
                    break
                name = ".".join(parts[start:])
                self._by_name.setdefault(name, []).append(path)
            if name is not None:  # the longest
                self._by_stem.setdefault(stem, name)
        self._parsed: dict[Path, cst.Module | None] = {}
        self._growth_anywhere: bool | None = None
        #: modules of the tree interpreted for their helpers, by path: their scope and the events
        #: of their top level (owned by the interpreter, shared by every linted file of a run)
        self.scope_cache: dict[str, Any] = {}

    def knows(self, name: str, importer: str) -> bool:
        """Whether ``import name`` from ``importer`` means a file of the tree (nothing parsed)."""
        candidates = self._by_name.get(name, [])
        return any(_absolute(path) != _absolute(importer) for path in candidates)

    def locate(self, name: str, importer: str) -> tuple[Path, cst.Module] | None:
        """The file and parsed module that ``import name`` means from the file ``importer``."""
        candidates = self._by_name.get(name)
        if not candidates:
            return None
        here = Path(importer).parent
        # the candidate sharing the longest leading path with the importer (same folder first)
        best = max(candidates, key=lambda p: _common_length(p.parent, here))
        if _absolute(best) == _absolute(importer):
            return None
        module = self._parse(best)
        return (best, module) if module is not None else None

    def resolve_relative(self, importer: str, level: int, module: str) -> str | None:
        """The dotted name that ``from .. module import x`` in ``importer`` refers to."""
        base = _absolute(importer).parent
        for _ in range(level - 1):
            base = base.parent
        return self._by_stem.get(base / module.replace(".", "/") if module else base)

    def container_env(self, path: str) -> dict[str, str]:
        """ENV of the Dockerfiles whose build folder holds ``path`` (the nearest wins)."""
        merged: dict[str, str] = {}
        folder = Path(path).resolve().parent
        for ancestor in reversed([folder, *folder.parents]):
            merged.update(self.dockerfile_env.get(ancestor, {}))
        return merged

    def growth_enabled_anywhere(self) -> bool:
        """Whether any file of the tree (or its Dockerfile) mentions enabling GPU memory growth."""
        if self._growth_anywhere is None:
            found = any(
                env.get("TF_FORCE_GPU_ALLOW_GROWTH", "").lower() == "true"
                for env in self.dockerfile_env.values()
            )
            for path in self.files:
                if found:
                    break
                try:
                    text = read_regular_file(path).decode("utf-8", errors="replace")
                    found = bool(_GROWTH_TEXT.search(text))
                except OSError:
                    continue
            self._growth_anywhere = found
        return self._growth_anywhere

    def _parse(self, path: Path) -> cst.Module | None:
        if path not in self._parsed:
            try:
                text = decode_python(read_regular_file(path))
                self._parsed[path] = parse_helper_module(text)
            except Exception:  # noqa: BLE001 - an unreadable helper module is simply unknown
                self._parsed[path] = None
        return self._parsed[path]


def _absolute(path: str | Path) -> Path:
    """``path`` made absolute and normalised (``..`` folded), symlinks left as they are."""
    return Path(os.path.abspath(path))


def _common_length(a: Path, b: Path) -> int:
    count = 0
    for x, y in zip(a.resolve().parts, b.resolve().parts, strict=False):
        if x != y:
            break
        count += 1
    return count
