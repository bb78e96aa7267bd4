"""KER001: the finding for a source that cannot be read, decoded or parsed.

It is not a rule class (no rule can run on such a source); the engine reports it itself, and
``keras-lint rules`` lists it beside the rules.
"""

from __future__ import annotations

from keras_lint.finding import Finding

PARSE_ERROR_CODE = "KER001"
PARSE_ERROR_NAME = "parse-error"
PARSE_ERROR_SUMMARY = "A file cannot be read, decoded or parsed, so no rule could check it"
#: the sections every rule's documentation has (``Rule.documentation``), less the examples
PARSE_ERROR_DOCUMENTATION = """\
## What it does
Reports a file that keras-lint could not check: a Python syntax error, bytes that do not decode
in the file's declared encoding, NUL bytes (a binary file), a notebook that is not valid
notebook JSON, a notebook cell that does not parse, a Dockerfile that cannot be read, a file
without read permission, or something that is not a regular file (a named pipe, a device).
Python that a rule needs to analyse is also reported when it is longer than 2 million
characters or nests more than 200 levels deep (a chain such as `a + a + ... + a` of hundreds of
terms): the parser keras-lint builds on cannot take it safely.

## Why is this bad?
No rule ran on that file (or cell), so its bugs are silently missed. The other files are still
linted.

## Fix
Fix the syntax or the encoding at the reported position, or exclude the file. It is reported
even when `--select` names other codes; `--ignore KER001` turns it off.
"""


def parse_error(
    path: str, line: int, column: int, message: str, cell: int | None = None
) -> Finding:
    """A KER001 finding at one position (1-based); the message is folded to one line."""
    one_line = " ".join(message.split())
    return Finding(
        path=path,
        line=max(line, 1),
        column=max(column, 1),
        end_line=max(line, 1),
        end_column=max(column, 1),
        code=PARSE_ERROR_CODE,
        name=PARSE_ERROR_NAME,
        message=one_line,
        cell=cell,
        severity="error",
    )
