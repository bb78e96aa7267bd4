"""``--add-noqa``: the comments that silence a file's findings, written into its text.

Python: ``# noqa: CODE`` at the end of the line that holds the finding, or of the first line
after it where a comment can stand (the last line of a multi-line string, the end of lines
joined by backslashes), merged into a ``# noqa:`` list already there; one comment per line.
Dockerfiles, Compose files and manifests: ``# keras-lint: ignore=CODE`` on a line of its own
above the reported line, merged into such a line already there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from keras_lint.finding import Finding
from keras_lint.sources import SourceKind
from keras_lint.sources.python import LINE_BREAK
from keras_lint.suppression import DOCKERFILE_IGNORE, NOQA, comment_lines, noqa_comments

_PLACE = re.compile(r"[ \t]*$")


def _split_keeping_breaks(text: str) -> list[str]:
    lines: list[str] = []
    start = 0
    for match in LINE_BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def _body_and_break(line: str) -> tuple[str, str]:
    found = LINE_BREAK.search(line)
    return (line, "") if found is None else (line[: found.start()], found.group())


def _merged(existing: str | None, codes: Sequence[str]) -> str:
    listed = [code for code in re.split(r"[,\s]+", existing or "") if code]
    return ", ".join(dict.fromkeys([*listed, *codes]))


def add_noqa(text: str, kind: SourceKind, findings: Sequence[Finding]) -> tuple[str, int]:
    """``text`` with a suppression comment for each of ``findings`` (of this file, not of a
    notebook), and how many lines got one."""
    lines = _split_keeping_breaks(text)
    codes_by_line: dict[int, list[str]] = {}
    if kind == "python":
        plain = [_body_and_break(line)[0] for line in lines]
        moved = comment_lines(plain)
        for finding in findings:
            line = moved.get(finding.line, finding.line)
            codes_by_line.setdefault(line, []).append(finding.code)
        comments = noqa_comments(plain)
        for number, codes in codes_by_line.items():
            if not 1 <= number <= len(lines):
                continue
            body, line_break = _body_and_break(lines[number - 1])
            lines[number - 1] = _with_noqa(body, comments.get(number), codes) + line_break
        return "".join(lines), len(codes_by_line)
    for finding in findings:
        codes_by_line.setdefault(finding.line, []).append(finding.code)
    newline = LINE_BREAK.search(text)
    line_break = newline.group() if newline is not None else "\n"
    for number in sorted(codes_by_line, reverse=True):
        if not 1 <= number <= len(lines):
            continue
        body = _body_and_break(lines[number - 1])[0]
        indent = body[: len(body) - len(body.lstrip())]
        above = _body_and_break(lines[number - 2])[0] if number > 1 else ""
        pragma = DOCKERFILE_IGNORE.match(above) if number > 1 else None
        if pragma is not None:
            merged = _merged(pragma.group("codes"), codes_by_line[number])
            lines[number - 2] = (
                above[: pragma.start("codes")] + merged + above[pragma.end("codes") :]
                + _body_and_break(lines[number - 2])[1]
            )  # fmt: skip
        else:
            pragma_line = (
                f"{indent}# keras-lint: ignore={','.join(dict.fromkeys(codes_by_line[number]))}"
            )
            lines.insert(number - 1, pragma_line + line_break)
    return "".join(lines), len(codes_by_line)


def _with_noqa(body: str, comment: str | None, codes: Sequence[str]) -> str:
    """A line with ``codes`` in its ``# noqa:`` comment (added, or merged into the one there)."""
    if comment is not None:
        match = NOQA.search(comment)
        at = body.rfind(comment)
        if match is not None and at >= 0:
            if match.group("codes") is None:
                return body  # a bare noqa silences every code already
            merged = f"# noqa: {_merged(match.group('codes'), codes)}"
            new_comment = comment[: match.start()] + merged + comment[match.end() :]
            return body[:at] + new_comment + body[at + len(comment) :]
    trimmed = body[: _PLACE.search(body).start()]  # type: ignore[union-attr]
    return f"{trimmed}  # noqa: {', '.join(dict.fromkeys(codes))}"
