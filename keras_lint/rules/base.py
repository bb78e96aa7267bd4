"""What a rule is: a code, a name, a summary, its user documentation, and a check over facts.

A rule never reads a file, never walks the syntax tree and never prints: the engine hands it the
facts of one source (``ModuleFacts`` for Python and notebooks, ``DockerfileFacts`` for Dockerfiles,
``ContainerYamlFacts`` for Compose files and Kubernetes manifests) and turns the ``Report`` objects
it yields into findings. A report may carry a ``Fix``: edits of the source's text, which the
engine turns into positions and applies (``keras-lint --fix``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol

from keras_lint.finding import Applicability
from keras_lint.severity import family_severity

if TYPE_CHECKING:
    import libcst as cst

    from keras_lint.analysis.facts import ModuleFacts
    from keras_lint.sources.container_yaml import ContainerYamlFacts
    from keras_lint.sources.dockerfile import DockerfileFacts


class Trigger(Protocol):
    """What a rule's ``trigger`` is: a compiled pattern, or any object searching text like one."""

    def search(self, text: str, /) -> object:
        """Something true when the text could hold a finding of the rule."""
        ...


@dataclass(frozen=True)
class Edit:
    """Text that replaces a CST ``node`` (the engine computes its span), or a 1-based ``span``
    ``(line, column, end_line, end_column)``, end exclusive: an empty span inserts.

    ``place`` says where the text goes relative to the node: over it (``"replace"``), or just
    ``"before"`` or ``"after"`` it. Line breaks are written ``\\n``; the engine writes the
    file's own.
    """

    text: str
    node: cst.CSTNode | None = None
    span: tuple[int, int, int, int] | None = None
    place: Literal["replace", "before", "after"] = "replace"


@dataclass(frozen=True)
class Fix:
    """How to fix a report: edits that do not overlap each other, a title saying what they do,
    and their applicability (see ``keras_lint.finding.Applicability``)."""

    title: str
    applicability: Applicability
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class Report:
    """One violation as a rule sees it.

    Python rules give the CST ``node`` (the engine computes its position only when reported);
    other sources give an explicit 1-based ``span`` ``(line, column, end_line, end_column)``.
    A Dockerfile rule may report in another file the build reads (a requirements file): its
    ``path``, with the span in that file.
    """

    message: str
    node: cst.CSTNode | None = None
    span: tuple[int, int, int, int] | None = None
    fix: Fix | None = None
    #: a Dockerfile rule's finding in another file of the build context (a requirements file)
    path: str | None = None


class Rule:
    """Base of all rules. Subclasses set the class attributes and implement ``check``."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    #: "error" (training silently gives a wrong or lost result) or "warning" (environment and
    #: reproducibility); a rule that does not set it gets its code family's (DESIGN section 5)
    severity: ClassVar[str]
    #: which source kind the rule reads: "python" (also notebooks), "dockerfile" or
    #: "container-yaml"; a rule that reads several kinds derives from several bases
    source_kind: ClassVar[str] = "python"
    #: text that must occur in a source for the rule to be able to report anything in it. The
    #: engine skips parsing a file that no selected rule's trigger matches, so a trigger must be
    #: conservative: a superset of every file the rule can report in. It is searched in every
    #: Python source of a run, so a pattern that fails fast pays: one with a literal first
    #: character (not ``\b`` or ``(?i)``, which make the regex engine try every position).
    trigger: ClassVar[Trigger | None] = None
    #: a Dockerfile rule that reads the files of the build context a Dockerfile installs from:
    #: the engine then reports those that cannot be read or parsed (KER001)
    reads_build_context: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__ and "severity" not in cls.__dict__:
            cls.severity = family_severity(cls.code)

    @classmethod
    def documentation(cls) -> str:
        """The rule's user documentation (its docstring, dedented)."""
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")


class PythonRule(Rule):
    source_kind = "python"

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        raise NotImplementedError


class DockerfileRule(Rule):
    source_kind = "dockerfile"

    def check(self, facts: DockerfileFacts) -> Iterator[Report]:
        raise NotImplementedError


class ContainerYamlRule(Rule):
    """A rule over the image references of Compose files and Kubernetes manifests.

    Its check has its own name so that one rule can also be a ``DockerfileRule``.
    """

    source_kind = "container-yaml"

    def check_container_yaml(self, facts: ContainerYamlFacts) -> Iterator[Report]:
        raise NotImplementedError
