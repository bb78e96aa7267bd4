"""Colour in terminal output: when to use it, and the few styles the text formats use.

As CPython's own tracebacks decide (3.13): ``NO_COLOR`` (any non-empty value) turns colour off,
else ``FORCE_COLOR`` (non-empty) turns it on, else it is on only for a terminal whose ``TERM`` is
not ``dumb``. Output written to a file (``--output-file``) never has colour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

RESET = "\033[0m"
BOLD = "\033[1m"
RED = "\033[1;31m"
YELLOW = "\033[1;33m"
CYAN = "\033[36m"
BLUE = "\033[1;34m"
GREEN = "\033[1;32m"


def wants_color(stream: TextIO, environ: Mapping[str, str]) -> bool:
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed stream, or an object without one
        return False


class Style:
    """Wraps text in ANSI styles, or leaves it alone when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{RESET}" if self.enabled and text else text

    def severity(self, text: str, severity: str) -> str:
        """``text`` in the colour of a severity: red for an error, yellow for a warning."""
        return self(text, YELLOW if severity == "warning" else RED)


PLAIN = Style(False)
