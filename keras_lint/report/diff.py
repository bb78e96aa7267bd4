"""``--diff``: what fixing would change, as a unified diff ``git apply`` accepts byte for byte.

The diff is of the files' bytes: lines end at ``\\n`` (a ``\\r`` before it is part of the line,
as git sees it), a last line without a line break is followed by ``\\ No newline at end of
file``, and bytes in any encoding (a BOM, a coding cookie, a notebook's JSON) pass unchanged.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

NO_NEWLINE = b"\\ No newline at end of file\n"


def _split(data: bytes) -> list[bytes]:
    """Lines up to and including each ``\\n`` (``bytes.splitlines`` also splits at ``\\r``)."""
    lines = [line + b"\n" for line in data.split(b"\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _range(start: int, count: int) -> str:
    # the unified format: an empty range names the line before it
    return f"{start + 1 if count else start},{count}"


def _emit(prefix: bytes, line: bytes) -> bytes:
    return prefix + line if line.endswith(b"\n") else prefix + line + b"\n" + NO_NEWLINE


def diff_path(path: str) -> str:
    """The path a diff names: relative to the current folder where it is under it, with ``/``."""
    relative = os.path.relpath(path) if os.path.isabs(path) else path
    if relative.startswith(".."):
        relative = path
    return Path(relative).as_posix()


def unified_diff(path: str, original: bytes, fixed: bytes, context: int = 3) -> bytes:
    """The diff from ``original`` to ``fixed`` of the file ``path`` (``a/`` and ``b/`` prefixed,
    as ``git diff`` writes it); empty when they are equal."""
    before, after = _split(original), _split(fixed)
    if before == after:
        return b""
    name = diff_path(path).encode("utf-8", "surrogateescape")
    out = [b"--- a/" + name + b"\n", b"+++ b/" + name + b"\n"]
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        old = _range(first[1], last[2] - first[1])
        new = _range(first[3], last[4] - first[3])
        out.append(f"@@ -{old} +{new} @@\n".encode())
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [_emit(b" ", line) for line in before[i1:i2]]
                continue
            out += [_emit(b"-", line) for line in before[i1:i2]]
            out += [_emit(b"+", line) for line in after[j1:j2]]
    return b"".join(out)
