"""Facts shared by all Python rules, built once per file (DESIGN.md section 4)."""

from keras_lint.analysis.facts import ModuleFacts, build_module_facts
from keras_lint.analysis.project import ProjectIndex

__all__ = ["ModuleFacts", "ProjectIndex", "build_module_facts"]
