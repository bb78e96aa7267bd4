"""The documents the client has open: text documents, notebooks and their cells.

The client owns the text; the server keeps a copy in step through the synchronisation
notifications. A change for a document that is not open, or one whose version is not newer than
the copy's, is refused (``DocumentProblem``) and the copy stays as it was: a late change would
otherwise be applied on top of text it was not computed for.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pygls.uris import to_fs_path

from keras_lint.server.positions import Lines

__all__ = [
    "DocumentProblem",
    "Notebook",
    "OpenDocuments",
    "TextDocument",
    "path_of",
]


class DocumentProblem(Exception):
    """A synchronisation message the server cannot apply (one line, for the log)."""


def path_of(uri: str, language_id: str | None = None) -> str:
    """The file a document URI names; a document with no file (``untitled:``) is a file of the
    current folder named after the URI's last component."""
    if uri.startswith("file:"):
        path = to_fs_path(uri)
        if path:
            return os.path.abspath(path)
    name = os.path.basename(unquote(urlparse(uri).path)) or "untitled"
    if language_id == "python" and not name.endswith(".py"):
        name += ".py"
    return str(Path.cwd() / name)


@dataclass
class TextDocument:
    uri: str
    path: str
    language_id: str | None
    version: int
    text: str
    #: the notebook this document is a cell of
    notebook: str | None = None


@dataclass
class NotebookCell:
    #: the URI of the cell's text document
    document: str
    is_code: bool


@dataclass
class Notebook:
    uri: str
    path: str
    version: int
    cells: list[NotebookCell] = field(default_factory=list)


def _check(position: types.Position) -> None:
    if position.line < 0 or position.character < 0:
        raise DocumentProblem(f"negative position {position.line}:{position.character}")


def apply_changes(
    text: str, changes: Sequence[types.TextDocumentContentChangeEvent], encoding: str
) -> str:
    """``text`` after the client's changes, in order. Positions past the end of a line or of
    the text are clamped, as the specification says; a range that ends before it starts or a
    negative position is a DocumentProblem."""
    for change in changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            _check(change.range.start)
            _check(change.range.end)
            lines = Lines(text, encoding)
            start = lines.offset(change.range.start)
            end = lines.offset(change.range.end)
            if end < start:
                raise DocumentProblem(
                    f"change range ends before it starts: {change.range.start.line}:"
                    f"{change.range.start.character}-{change.range.end.line}:"
                    f"{change.range.end.character}"
                )
            text = text[:start] + change.text + text[end:]
        else:
            text = change.text
    return text


class OpenDocuments:
    """The text documents and notebooks the client has open, by URI."""

    def __init__(self) -> None:
        self.texts: dict[str, TextDocument] = {}
        self.notebooks: dict[str, Notebook] = {}

    # -- text documents -----------------------------------------------------------------------

    def open_text(self, item: types.TextDocumentItem, notebook: str | None = None) -> TextDocument:
        document = TextDocument(
            uri=item.uri,
            path=path_of(item.uri, item.language_id),
            language_id=item.language_id,
            version=item.version,
            text=item.text,
            notebook=notebook,
        )
        self.texts[item.uri] = document
        return document

    def change_text(
        self,
        identifier: types.VersionedTextDocumentIdentifier,
        changes: Sequence[types.TextDocumentContentChangeEvent],
        encoding: str,
    ) -> TextDocument:
        document = self.texts.get(identifier.uri)
        if document is None:
            raise DocumentProblem(f"change for a document that is not open: {identifier.uri}")
        if identifier.version <= document.version:
            raise DocumentProblem(
                f"change to version {identifier.version} of {identifier.uri} ignored: "
                f"version {document.version} is already applied"
            )
        document.text = apply_changes(document.text, changes, encoding)
        document.version = identifier.version
        return document

    def close_text(self, uri: str) -> TextDocument | None:
        return self.texts.pop(uri, None)

    # -- notebooks ----------------------------------------------------------------------------

    def open_notebook(self, params: types.DidOpenNotebookDocumentParams) -> Notebook:
        given = params.notebook_document
        notebook = Notebook(
            uri=given.uri,
            path=path_of(given.uri),
            version=given.version,
            cells=[
                NotebookCell(cell.document, cell.kind == types.NotebookCellKind.Code)
                for cell in given.cells
            ],
        )
        self.notebooks[given.uri] = notebook
        for item in params.cell_text_documents:
            self.open_text(item, notebook=given.uri)
        return notebook

    def change_notebook(
        self, params: types.DidChangeNotebookDocumentParams, encoding: str
    ) -> Notebook:
        uri = params.notebook_document.uri
        notebook = self.notebooks.get(uri)
        if notebook is None:
            raise DocumentProblem(f"change for a notebook that is not open: {uri}")
        version = params.notebook_document.version
        if version <= notebook.version:
            raise DocumentProblem(
                f"change to version {version} of {uri} ignored: "
                f"version {notebook.version} is already applied"
            )
        cells = params.change.cells
        if cells is not None:
            # checked before anything changes: a refused message leaves the notebook as it was
            texts = {
                change.document.uri: apply_changes(
                    self._cell(uri, change.document.uri).text, change.changes, encoding
                )
                for change in cells.text_content or []
            }
            if cells.structure is not None:
                array = cells.structure.array
                if not 0 <= array.start <= len(notebook.cells) or array.delete_count < 0:
                    raise DocumentProblem(
                        f"cell change {array.start}+{array.delete_count} outside the "
                        f"{len(notebook.cells)} cells of {uri}"
                    )
                added = [
                    NotebookCell(cell.document, cell.kind == types.NotebookCellKind.Code)
                    for cell in array.cells or []
                ]
                end = array.start + array.delete_count
                notebook.cells[array.start : end] = added
                for item in cells.structure.did_open or []:
                    self.open_text(item, notebook=uri)
                for closed in cells.structure.did_close or []:
                    self.texts.pop(closed.uri, None)
            for cell in cells.data or []:
                for known in notebook.cells:
                    if known.document == cell.document:
                        known.is_code = cell.kind == types.NotebookCellKind.Code
            for change in cells.text_content or []:
                document = self._cell(uri, change.document.uri)
                document.text = texts[change.document.uri]
                document.version = change.document.version
        notebook.version = version
        return notebook

    def _cell(self, notebook: str, uri: str) -> TextDocument:
        document = self.texts.get(uri)
        if document is None or document.notebook != notebook:
            raise DocumentProblem(f"change for a cell that is not in {notebook}: {uri}")
        return document

    def close_notebook(self, uri: str) -> Notebook | None:
        notebook = self.notebooks.pop(uri, None)
        if notebook is not None:
            for cell in notebook.cells:
                self.texts.pop(cell.document, None)
        return notebook

    def cell_texts(self, notebook: Notebook) -> list[tuple[NotebookCell, str]]:
        """Each cell of ``notebook`` with its text (a cell whose text is unknown is empty)."""
        return [
            (cell, self.texts[cell.document].text if cell.document in self.texts else "")
            for cell in notebook.cells
        ]
