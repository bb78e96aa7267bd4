"""Placeholder, replaced by the real analysis."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from keras_lint.analysis.project import ProjectIndex


@dataclass
class ModuleFacts:
    path: str
    module: cst.Module


def build_module_facts(
    module: cst.Module, path: str, project: ProjectIndex | None = None
) -> ModuleFacts:
    return ModuleFacts(path=path, module=module)
