"""Facts shared by all Python rules, built once per file (DESIGN.md section 4).

The names are loaded on first use: they bring libcst, which a run whose files no rule needs to
parse (or whose results all come from the cache) never imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from keras_lint.analysis.facts import ModuleFacts, build_module_facts
    from keras_lint.analysis.project import ProjectIndex

__all__ = ["ModuleFacts", "ProjectIndex", "build_module_facts"]

_MODULES = {
    "ModuleFacts": "keras_lint.analysis.facts",
    "build_module_facts": "keras_lint.analysis.facts",
    "ProjectIndex": "keras_lint.analysis.project",
}


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return getattr(importlib.import_module(_MODULES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
