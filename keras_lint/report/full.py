"""``--format full``: each finding's line, then the source around it with a caret under the span.

As ruff's ``full`` output::

    train.py:63:5: KER201 `sigmoid` output with `categorical_crossentropy`: ...
       |
    61 |     ])
    62 |     model.compile(
    63 |         loss="categorical_crossentropy",
       |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error: loss-activation-mismatch
    64 |     )
       |

The label under the caret names the severity and the rule. A notebook finding shows the lines of
its cell, numbered as in the cell. A span over several lines shows them all (the middle of a
long one is elided) with the caret from its start to the end of its first line. When the source
cannot be read (the file is gone or changed), the finding's line stands alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from keras_lint.finding import Finding
from keras_lint.report.style import BLUE, PLAIN, Style
from keras_lint.report.text import format_finding, summary
from keras_lint.sources.python import split_lines

#: lines shown before the span's first line and after its last
CONTEXT = 2
#: a span of more lines shows its first and last ones only
MAX_SPAN_LINES = 6
TAB_WIDTH = 4


class SourceLines:
    """The lines of the linted files (of notebook cells), each file read once.

    ``texts`` gives a path's text where the file on disk is not what was linted (standard input).
    """

    def __init__(self, texts: Mapping[str, str] | None = None) -> None:
        self._texts = dict(texts or {})
        self._lines: dict[tuple[str, int | None], list[str] | None] = {}

    def lines(self, path: str, cell: int | None) -> list[str] | None:
        key = (path, cell)
        if key not in self._lines:
            self._lines[key] = self._read(path, cell)
        return self._lines[key]

    def _text(self, path: str) -> str | None:
        if path in self._texts:
            return self._texts[path]
        try:
            return Path(path).read_bytes().decode("utf-8-sig", errors="replace")
        except OSError:
            return None

    def _read(self, path: str, cell: int | None) -> list[str] | None:
        text = self._text(path)
        if text is None:
            return None
        if cell is None:
            return split_lines(text)
        try:
            source = json.loads(text)["cells"][cell - 1]["source"]
        except (ValueError, KeyError, IndexError, TypeError):
            return None
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        return split_lines(source) if isinstance(source, str) else None


def _width(text: str) -> int:
    return len(text.expandtabs(TAB_WIDTH))


def excerpt(finding: Finding, lines: list[str], style: Style = PLAIN) -> list[str] | None:
    """The source lines around ``finding`` with its caret line; None if they are not there."""
    first, last = finding.line, max(finding.end_line, finding.line)
    if not 1 <= first <= len(lines):
        return None
    last = min(last, len(lines))
    shown = list(range(max(1, first - CONTEXT), first))
    span = list(range(first, last + 1))
    if len(span) > MAX_SPAN_LINES:
        span = span[: MAX_SPAN_LINES - 2] + [0] + span[-1:]  # 0 stands for the elided lines
    shown += span + list(range(last + 1, min(len(lines), last + CONTEXT) + 1))
    gutter = len(str(max(shown)))
    bar = style(f"{'':>{gutter}} |", BLUE)
    out = [bar]
    for number in shown:
        if number == 0:
            out.append(style(f"{'...':>{gutter}}", BLUE))
            continue
        source = lines[number - 1].expandtabs(TAB_WIDTH).rstrip()
        out.append(style(f"{number:>{gutter}} |", BLUE) + (f" {source}" if source else ""))
        if number == first:
            line = lines[first - 1]
            start = _width(line[: finding.column - 1])
            if finding.end_line == first:
                end = _width(line[: finding.end_column - 1])
            else:
                end = _width(line.rstrip())
            carets = "^" * max(end - start, 1)
            label = style.severity(f"{carets} {finding.severity}: {finding.name}", finding.severity)
            out.append(f"{bar} {' ' * start}{label}")
    out.append(bar)
    return out


def render_full(
    findings: Sequence[Finding],
    files_checked: int,
    errors: Sequence[str] = (),
    *,
    style: Style = PLAIN,
    quiet: bool = False,
    texts: Mapping[str, str] | None = None,
) -> str:
    """Every finding with its excerpt and a blank line after it, then the summary line."""
    sources = SourceLines(texts)
    blocks = []
    for finding in findings:
        block = [format_finding(finding, style)]
        lines = sources.lines(finding.path, finding.cell)
        shown = excerpt(finding, lines, style) if lines is not None else None
        block += shown or []
        blocks.append("".join(line + "\n" for line in block))
    if not quiet:
        blocks.append(summary(findings, files_checked) + "\n")
    return "\n".join(blocks)
