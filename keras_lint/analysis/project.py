"""The linted tree as the analysis sees it: which module name lives in which file.

Helper summaries reach across files through this index; a file that is only needed for its
helpers is parsed lazily, once, when a linted file imports from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path


class ProjectIndex:
    """Python files of the linted tree, addressable by dotted module name."""

    def __init__(
        self,
        python_files: Iterable[Path],
        dockerfile_env: Mapping[str, str] | None = None,
    ) -> None:
        self.files = [Path(p) for p in python_files]
        #: ENV values of the project's Dockerfiles (``TF_FORCE_GPU_ALLOW_GROWTH`` satisfies KER301)
        self.dockerfile_env: dict[str, str] = dict(dockerfile_env or {})
