"""Jupyter notebooks: the code cells as one Python program, with IPython syntax masked.

A notebook runs its cells in one namespace, so the analysis sees them as one module. IPython
syntax (magics, shell escapes, help) is not Python: each such line is replaced by ``pass`` at the
same indentation, so blocks stay valid and every other line keeps its number and columns.
"""

from __future__ import annotations

import ast
import json
import re
import textwrap
import warnings
from collections.abc import Collection
from dataclasses import dataclass

from keras_lint.sources.python import CellMap, PythonSource, split_lines

#: cell magics that run their body as Python; every other cell magic runs another language
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})

# `x = !ls`, `files, err = %sx ls`: the assignment stays, its value becomes None
MAGIC_ASSIGNMENT = re.compile(r"^(\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*)[!%]")
# `obj?`, `obj??`, `?obj`, `np.*load*?`
HELP_LINE = re.compile(r"^\s*(?:\?{1,2}\s*[\w.*]+|[\w.*\[\]()]+\?{1,2})\s*$")
ENV_MAGIC = re.compile(r"^%(?:env|set_env)\s+(\S.*)$")


class NotebookError(Exception):
    """Text that is not a notebook nbformat can read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CodeCell:
    #: 1-based position among all cells, markdown and raw cells included
    index: int
    #: the lines as written
    lines: list[str]
    #: the same number of lines, IPython syntax masked
    program_lines: list[str]


def _compiles(text: str) -> bool:
    try:
        compile(text, "<cell>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _env_assignment(argument: str) -> str | None:
    """``%env NAME=VALUE`` as Python, split the way IPython's ``%set_env`` splits it."""
    separator = "=" if "=" in argument else " "
    name, found, value = argument.partition(separator)
    name, value = name.strip(), value.strip()
    if not name or not found or any(ch.isspace() for ch in name):
        return None
    return f"import os; os.environ[{json.dumps(name)}] = {json.dumps(value)}"


def _mask_line(line: str) -> str | None:
    """The replacement for one line of IPython syntax, or None for a Python line."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if not stripped or stripped.startswith("#"):
        return None
    env = ENV_MAGIC.match(stripped)
    if env:
        assignment = _env_assignment(env.group(1))
        if assignment is not None:
            return indent + assignment
    if stripped.startswith(("%", "!")) or HELP_LINE.match(line):
        return indent + "pass"
    assigned = MAGIC_ASSIGNMENT.match(line)
    if assigned:
        return assigned.group(1) + "None"
    return None


def _mask_lines(lines: list[str]) -> list[str]:
    # Valid Python is left alone: a line starting with `%` may be a modulo inside brackets.
    if _compiles("".join(line + "\n" for line in lines)):
        return list(lines)
    masked: list[str] = []
    continued_indent: str | None = None  # indentation of a masked line ending in a backslash
    for line in lines:
        if continued_indent is not None:
            masked.append(continued_indent + "pass")
        else:
            replacement = _mask_line(line)
            masked.append(line if replacement is None else replacement)
            if replacement is None:
                continue
            continued_indent = line[: len(line) - len(line.lstrip())]
        if not line.rstrip().endswith("\\"):
            continued_indent = None
    return masked


def mask_ipython(lines: list[str]) -> list[str]:
    """A cell's lines with IPython syntax replaced by Python of the same shape."""
    if lines and lines[0].startswith("%%"):
        words = lines[0][2:].split()
        if words and words[0] in PYTHON_BODY_CELL_MAGICS:
            return ["pass", *_mask_lines(lines[1:])]
        return ["pass"] * len(lines)  # %%bash, %%writefile, %%html...: not Python
    masked = _mask_lines(lines)
    if masked and masked[0][:1].isspace() and not _compiles(_joined(masked)):
        # IPython removes the indentation a cell's first line shares with the others
        dedented = textwrap.dedent(_joined(masked)).splitlines()
        if len(dedented) == len(masked) and _compiles(_joined(dedented)):
            return dedented
    return masked


def _joined(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def read_code_cells(text: str) -> list[CodeCell]:
    """The code cells of a notebook; raises NotebookError when the text is not a notebook."""
    import nbformat  # imported here: it is slow to import and only notebooks need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat warns about cosmetic schema issues
            notebook = nbformat.reads(text, as_version=4)
        cells = list(notebook.cells)
    except Exception as error:  # nbformat raises JSON, schema, type and attribute errors alike
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise NotebookError(f"not a valid notebook: {first_line}") from error
    code_cells = []
    for index, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        lines = split_lines(str(source))
        code_cells.append(CodeCell(index, lines, mask_ipython(lines)))
    return code_cells


def cell_program(cell: CodeCell) -> str:
    """One cell on its own, as the program text that is parsed to check it."""
    return "".join(line + "\n" for line in cell.program_lines)


def notebook_program(cells: list[CodeCell], blank: Collection[int] = ()) -> PythonSource:
    """All code cells as one program; the cells in ``blank`` become ``pass`` lines."""
    program: list[str] = []
    origins: list[tuple[int, int]] = []
    for cell in cells:
        lines = ["pass"] * len(cell.lines) if cell.index in blank else cell.program_lines
        program.extend(lines)
        origins.extend((cell.index, number) for number in range(1, len(lines) + 1))
    text = "".join(line + "\n" for line in program)
    return PythonSource(text, CellMap(origins, {cell.index: cell.lines for cell in cells}))
