"""Source positions of a module's nodes, resolved one top-level statement at a time.

libcst's ``PositionProvider`` generates the code of the whole module to number every node,
the largest cost of a lint that reports anything. A top-level statement starts on a fresh line
at column 0 with no indentation in effect, so its nodes' positions within the module are
those it gets alone in a module of the same settings, moved down by the lines of the code
before it. ``StatementPositions`` finds the statement that holds a node, resolves that
statement alone, and counts the lines before it by plain code generation (no position
bookkeeping): the same tokens and the same line counting as libcst's own, so the same ranges.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider
from libcst.metadata.position_provider import NEWLINE_RE

#: the owner of the nodes outside every statement (the module, its header and footer)
_MODULE = -1


def whole_module_positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """Every node's range from one ``PositionProvider`` pass over the whole module."""
    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


class _OwnerRecorder(CodegenState):
    """Plain code generation that notes which statement each generated node belongs to."""

    def __init__(self, module: cst.Module, owners: dict[int, int]) -> None:
        super().__init__(module.default_indent, module.default_newline)
        self.owners = owners
        self.owner = _MODULE

    def before_codegen(self, node: cst.CSTNode) -> None:
        self.owners[id(node)] = self.owner

    def lines(self) -> int:
        """The line breaks generated since the last call, counted as ``PositionProvider``
        counts them (token by token), and forgets the tokens."""
        count = 0
        for token in self.tokens:
            if "\r" in token:
                count += len(NEWLINE_RE.findall(token))
            else:
                count += token.count("\n")
        self.tokens.clear()
        return count


class StatementPositions:
    """``PositionProvider``'s ranges of a module's nodes, each top-level statement resolved
    only when one of its nodes is asked for.

    A node outside every statement (the module itself, its header or footer comments) is
    resolved with the whole module. A node that is not the module's raises ``KeyError``, as
    ``PositionProvider``'s mapping does. The module is a parsed one: each node occurs once in
    it (a tree built by hand may share a node between statements, which this does not handle).
    """

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._owners: dict[int, int] = {id(module): _MODULE}
        self._recorder = _OwnerRecorder(module, self._owners)
        #: lines before each statement scanned so far
        self._lines_before: list[int] = []
        self._line = 0
        self._scanned = -1  # the header comes first
        self._statements: dict[int, Mapping[cst.CSTNode, CodeRange]] = {}
        self._whole: Mapping[cst.CSTNode, CodeRange] | None = None

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        owner = self._owner(node)
        if owner == _MODULE:
            if self._whole is None:
                self._whole = whole_module_positions(self.module)
            return self._whole[node]
        found = self._statement(owner)[node]
        lines = self._lines_before[owner]
        if not lines:
            return found
        return CodeRange(
            CodePosition(found.start.line + lines, found.start.column),
            CodePosition(found.end.line + lines, found.end.column),
        )

    def _owner(self, node: cst.CSTNode) -> int:
        owners = self._owners
        while id(node) not in owners and self._scanned <= len(self.module.body):
            self._scan_next()
        owner = owners.get(id(node))
        if owner is None:
            raise KeyError(node)
        return owner

    def _scan_next(self) -> None:
        """Generate the next part of the module: the header, each statement, the footer."""
        recorder = self._recorder
        body = self.module.body
        part = self._scanned
        nodes: Sequence[cst.CSTNode]
        if part == -1:
            recorder.owner, nodes = _MODULE, self.module.header
        elif part < len(body):
            recorder.owner, nodes = part, (body[part],)
            self._lines_before.append(self._line)
        else:
            recorder.owner, nodes = _MODULE, self.module.footer
        for node in nodes:
            node._codegen(recorder)
        self._line += recorder.lines()
        self._scanned += 1

    def _statement(self, index: int) -> Mapping[cst.CSTNode, CodeRange]:
        found = self._statements.get(index)
        if found is None:
            alone = self.module.with_changes(body=[self.module.body[index]], header=[], footer=[])
            found = self._statements[index] = whole_module_positions(alone)
        return found
