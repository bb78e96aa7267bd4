"""A fix a rule proposes for its report, kept as data next to the report.

The shape follows section 7 of the design (a title, an applicability, edits that do not overlap):
``ProposedEdit`` replaces a CST ``node``'s text or inserts text just ``before``/``after`` it. The
engine does not apply these yet; a rule yields them beside its reports (``findings``) so that the
fixing machinery can take them over as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import libcst as cst

Applicability = Literal["safe", "unsafe", "display-only"]


@dataclass(frozen=True)
class ProposedEdit:
    text: str
    node: cst.CSTNode
    place: Literal["replace", "before", "after"] = "replace"


@dataclass(frozen=True)
class ProposedFix:
    title: str
    applicability: Applicability
    edits: tuple[ProposedEdit, ...] = ()
