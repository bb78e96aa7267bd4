"""Jupyter notebooks: the code cells as one Python program, with IPython syntax masked.

A notebook runs its cells in one namespace, so the analysis sees them as one module. IPython
syntax (magics, shell escapes, help, a one-line cell that runs a magic without its ``%``) is not
Python: each such line is replaced by ``pass`` at the same indentation, so blocks stay valid and
every other line keeps its number and columns.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import json
import keyword
import re
import textwrap
import warnings
from collections.abc import Callable, Collection, Container
from dataclasses import dataclass, field
from functools import cached_property

from keras_lint.sources.ipython_magics import LINE_MAGICS
from keras_lint.sources.python import LINE_BREAK, CellMap, PythonSource, split_lines

#: cell magics that run their body as Python; every other cell magic runs another language
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})

# `x = !ls`, `files, err = %sx ls`: the assignment stays, its value becomes None
MAGIC_ASSIGNMENT = re.compile(r"^(\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*)[!%]")
# `obj?`, `obj??`, `?obj`, `np.*load*?`
HELP_LINE = re.compile(r"^\s*(?:\?{1,2}\s*[\w.*]+|[\w.*\[\]()]+\?{1,2})\s*$")
ENV_MAGIC = re.compile(r"^%(?:env|set_env)\s+(\S.*)$")
# the word IPython looks up as a magic (``LineInfo.ifun``), and the rest of the line
_FIRST_WORD = re.compile(r"([\w.*]*)(.*)", re.DOTALL)
#: names that are never a magic's, whatever the notebook defines (IPython's ``is_shadowed``)
BUILTIN_NAMES = frozenset(dir(builtins)) | frozenset(keyword.kwlist)


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
        with warnings.catch_warnings():  # a cell's "\\d" is not keras-lint's to warn about
            warnings.simplefilter("ignore")
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


def mask_ipython(lines: list[str], bound: Container[str] = BUILTIN_NAMES) -> list[str]:
    """A cell's lines with IPython syntax replaced by Python of the same shape.

    The cell is read as IPython reads it: blank lines before its first line do not count, and
    the indentation of that line is removed from the lines that have it. A cell of one line that
    is not Python and starts with the name of a line magic runs as that magic (automagic, as in
    ``pip install keras``), unless ``bound`` holds the name (``cd = 3`` earlier makes ``cd`` a
    variable); IPython does this for a cell of one line only.
    """
    first = next((number for number, line in enumerate(lines) if line.strip()), len(lines))
    if first == len(lines):
        return list(lines)
    head = lines[first]
    indent = head[: len(head) - len(head.lstrip())]
    if head.lstrip().startswith("%%"):
        words = head.lstrip()[2:].split()
        if words and words[0] in PYTHON_BODY_CELL_MAGICS:
            # the body is a cell of its own (these magics transform it as IPython does a cell)
            body = [line.removeprefix(indent) for line in lines[first + 1 :]]
            return [*lines[:first], "pass", *mask_ipython(body, bound)]
        return ["pass"] * len(lines)  # %%bash, %%writefile, %%html...: not Python
    if first == len(lines) - 1 and _automagic(head.strip(), bound):
        return [*lines[:first], "pass"]
    masked = _mask_lines(lines)
    if indent and not _compiles(_joined(masked)):
        # IPython 9 removes the indentation all lines share; earlier versions remove the first
        # line's indentation from every line that starts with it
        candidates = (
            textwrap.dedent(_joined(masked)).splitlines(),
            [line.removeprefix(indent) for line in masked],
        )
        for candidate in candidates:
            if len(candidate) == len(masked) and _compiles(_joined(candidate)):
                return candidate
    return masked


def _automagic(line: str, bound: Container[str]) -> bool:
    """Whether IPython runs ``line``, a cell on its own, as a line magic written without ``%``."""
    match = _FIRST_WORD.match(line)
    if match is None or match.group(1) not in LINE_MAGICS:
        return False
    if match.group(2).lstrip()[:1] in ("=", ","):  # `ls = ...`, `ls, x = ...` stay Python
        return False
    return not _compiles(line) and match.group(1) not in bound


def _module_bindings(program: str) -> set[str]:
    """The global names a cell's program binds (defines, assigns, imports)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(program)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    names: set[str] = set()
    nodes: list[ast.AST] = list(tree.body)
    while nodes:
        node = nodes.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue  # what they bind inside is local to them
        if isinstance(
            node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
        ):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        nodes.extend(ast.iter_child_nodes(node))
    return names


class _BoundNames(Container[str]):
    """The names that shadow a line magic in a cell: builtins, keywords and the global names
    of the cells before it (IPython's ``is_shadowed``), read only when a cell asks."""

    def __init__(self) -> None:
        self._names = set(BUILTIN_NAMES)
        self._unread: list[str] = []

    def add_cell(self, program: str) -> None:
        self._unread.append(program)

    def __contains__(self, name: object) -> bool:
        for program in self._unread:
            self._names |= _module_bindings(program)
        self._unread.clear()
        return name in self._names


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
    bound = _BoundNames()
    for index, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        lines = split_lines(str(source))
        code_cell = CodeCell(index, lines, mask_ipython(lines, bound))
        bound.add_cell(cell_program(code_cell))
        code_cells.append(code_cell)
    return code_cells


def cell_program(cell: CodeCell) -> str:
    """One cell on its own, as the program text that is parsed to check it."""
    return "".join(line + "\n" for line in cell.program_lines)


def notebook_program(cells: list[CodeCell], blank: Collection[int] = ()) -> PythonSource:
    """All code cells as one program; the cells in ``blank`` become ``pass`` lines."""
    program: list[str] = []
    origins: list[tuple[int, int]] = []
    shifts: list[int] = []
    for cell in cells:
        lines = ["pass"] * len(cell.lines) if cell.index in blank else cell.program_lines
        program.extend(lines)
        origins.extend((cell.index, number) for number in range(1, len(lines) + 1))
        # a line IPython dedented is the user's line without its leading indentation
        shifts.extend(
            len(user) - len(line) if line and user.endswith(line) else 0
            for user, line in zip(cell.lines, lines, strict=True)
        )
    text = "".join(line + "\n" for line in program)
    cell_lines = {cell.index: cell.lines for cell in cells}
    return PythonSource(text, CellMap(origins, cell_lines, shifts))


# -- positions in the notebook file as stored ---------------------------------------------------

_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_PLAIN_RUN = re.compile(r'[^"\\]+')
_JSON_ESCAPES = {
    '"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"
}  # fmt: skip
_DECODER = json.JSONDecoder()


@dataclass
class _StoredSource:
    """A cell's source as decoded, and where in the file each decoded character is written."""

    #: the file offset just past the source's last character (its closing quote)
    end: int
    parts: list[str] = field(default_factory=list)
    #: for decoded character i, the file offsets where its (possibly escaped) text starts and ends
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    @cached_property
    def text(self) -> str:
        return "".join(self.parts)

    @cached_property
    def line_starts(self) -> list[int]:
        return [0] + [match.end() for match in LINE_BREAK.finditer(self.text)]

    def add_string(self, text: str, quote: int) -> int:
        """Decode the JSON string whose opening quote is ``text[quote]``; returns its end."""
        i = quote + 1
        while text[i] != '"':
            run = _PLAIN_RUN.match(text, i)
            if run is not None:
                self.parts.append(run.group())
                self.starts.extend(range(i, run.end()))
                self.ends.extend(range(i + 1, run.end() + 1))
                i = run.end()
                continue
            escape = text[i + 1]
            if escape == "u":
                unit, width = int(text[i + 2 : i + 6], 16), 6
                if 0xD800 <= unit < 0xDC00 and text.startswith("\\u", i + 6):
                    low = int(text[i + 8 : i + 12], 16)
                    if 0xDC00 <= low < 0xE000:  # a surrogate pair is one character
                        unit, width = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), 12
                decoded = chr(unit)
            else:
                decoded, width = _JSON_ESCAPES[escape], 2
            self.parts.append(decoded)
            self.starts.append(i)
            self.ends.append(i + width)
            i += width
        self.end = i
        return i + 1

    def offset(self, line: int, column: int, *, exclusive_end: bool = False) -> int | None:
        """The file offset of a 1-based position in the source (a column past the end of its
        line is clamped to the line's end); None for a line the source does not have."""
        if not 1 <= line <= len(self.line_starts):
            return None
        start = self.line_starts[line - 1]
        line_break = LINE_BREAK.search(self.text, start)
        stop = len(self.text) if line_break is None else line_break.start()
        index = min(start + max(column, 1) - 1, stop)
        if exclusive_end and index > start:
            return self.ends[index - 1]
        return self.starts[index] if index < len(self.text) else self.end


def _skip_space(text: str, i: int) -> int:
    match = _JSON_SPACE.match(text, i)
    return i if match is None else match.end()


def _value_end(text: str, i: int) -> int:
    return _DECODER.raw_decode(text, i)[1]


def _read_object(text: str, i: int, read_member: Callable[[str, int], int]) -> int:
    """Walk the JSON object at ``text[i]``: ``read_member(key, value offset)`` returns the
    offset just past the value. Returns the offset just past the object."""
    if text[i] != "{":
        raise ValueError(f"expected an object at offset {i}")
    i = _skip_space(text, i + 1)
    if text[i] == "}":
        return i + 1
    while True:
        key, i = _DECODER.raw_decode(text, i)
        i = _skip_space(text, i)
        if not isinstance(key, str) or text[i] != ":":
            raise ValueError(f"expected a member at offset {i}")
        i = _skip_space(text, read_member(key, _skip_space(text, i + 1)))
        if text[i] == "}":
            return i + 1
        if text[i] != ",":
            raise ValueError(f"expected , or }} at offset {i}")
        i = _skip_space(text, i + 1)


def _read_array(text: str, i: int, read_element: Callable[[int], int]) -> int:
    """Walk the JSON array at ``text[i]`` like ``_read_object``."""
    if text[i] != "[":
        raise ValueError(f"expected an array at offset {i}")
    i = _skip_space(text, i + 1)
    if text[i] == "]":
        return i + 1
    while True:
        i = _skip_space(text, read_element(i))
        if text[i] == "]":
            return i + 1
        if text[i] != ",":
            raise ValueError(f"expected , or ] at offset {i}")
        i = _skip_space(text, i + 1)


def _read_source(text: str, i: int) -> tuple[_StoredSource, int]:
    """A cell's ``source``: one string, or a list of strings that are joined."""
    source = _StoredSource(end=i)
    if text[i] == '"':
        return source, source.add_string(text, i)

    def read_string(start: int) -> int:
        if text[start] != '"':
            raise ValueError(f"a source line is not a string at offset {start}")
        return source.add_string(text, start)

    return source, _read_array(text, i, read_string)


def _stored_sources(text: str) -> dict[int, _StoredSource]:
    """Each cell's source by 1-based index among all cells (as ``CodeCell.index`` counts)."""
    sources: dict[int, _StoredSource] = {}
    count = 0

    def read_cell(start: int) -> int:
        nonlocal count
        count += 1
        if text[start] != "{":
            return _value_end(text, start)

        def read_member(key: str, value: int) -> int:
            if key != "source":
                return _value_end(text, value)
            sources[count], end = _read_source(text, value)
            return end

        return _read_object(text, start, read_member)

    def read_top(key: str, value: int) -> int:
        nonlocal count
        if key != "cells":
            return _value_end(text, value)
        sources.clear()  # a repeated key: the last one counts, as for json.loads
        count = 0
        return _read_array(text, value, read_cell)

    _read_object(text, _skip_space(text, 0), read_top)
    return sources


class StoredNotebook:
    """Where the cells' source lines are written in a notebook file's JSON text.

    Findings in notebooks count lines inside a cell; tools that show the ``.ipynb`` file itself
    (code scanning, annotations) need the line of the file. nbformat writes each source line as
    one JSON string on a line of its own; a minified notebook has every cell on line 1. Scanning
    the JSON for the ``source`` strings of the ``cells`` array places both layouts, escaped
    characters and sources written as one string to the character.
    """

    def __init__(self, text: str) -> None:
        """Raises NotebookError when the text is not a JSON object (cells or not)."""
        try:
            self._sources = _stored_sources(text)
        except (ValueError, IndexError, KeyError) as error:
            raise NotebookError(f"not a notebook file: {error}") from error
        self._line_starts = [0] + [match.end() for match in LINE_BREAK.finditer(text)]

    def span(
        self, cell: int, line: int, column: int, end_line: int, end_column: int
    ) -> tuple[int, int, int, int] | None:
        """``(line, column, end_line, end_column)`` in the file (1-based, end column exclusive)
        of a span given in lines of ``cell``; None when the file has no such cell or line."""
        source = self._sources.get(cell)
        if source is None:
            return None
        start = source.offset(line, column)
        if start is None:
            return None
        end = source.offset(end_line, end_column, exclusive_end=True)
        if end is None or end < start:
            end = start
        return (*self._line_column(start), *self._line_column(end))

    def _line_column(self, offset: int) -> tuple[int, int]:
        row = bisect.bisect_right(self._line_starts, offset) - 1
        return row + 1, offset - self._line_starts[row] + 1
