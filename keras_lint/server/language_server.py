"""``keras-lint server``: the Language Server, over standard input and output.

Each open document (a text document, or a notebook with its cells) is linted in one worker
thread, newest text first: a change that arrives while the document is being linted makes
that lint's result stale, and it is dropped; the document is linted again at once. Results are
published with the version they were computed for.

A message the server cannot apply (a change for a closed document, an old version, a range that
ends before it starts) is logged, one line, and changes nothing; no message stops the server.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.uris import from_fs_path

from keras_lint import __version__
from keras_lint.finding import Finding
from keras_lint.server.code_actions import code_actions
from keras_lint.server.diagnostics import SOURCE, diagnostic
from keras_lint.server.documents import DocumentProblem, OpenDocuments, TextDocument, path_of
from keras_lint.server.hover import code_at, rule_documentation
from keras_lint.server.linting import ConfigProblem, ProjectState, document_kind
from keras_lint.server.notebooks import notebook_json
from keras_lint.server.positions import Lines, code_point_column

__all__ = ["KerasLintServer", "create_server", "serve"]

LOG = logging.getLogger("keras_lint.server")

#: the files whose change on disk changes findings: configuration, and modules other files import
_WATCHED = ("**/pyproject.toml", "**/*.py")
_CONFIGURATION_NAME = "pyproject.toml"


@dataclass
class Published:
    """The findings last published for a document (or a notebook), and what they were for."""

    #: the text document version, or the notebook version
    version: int
    findings: list[Finding]
    depends_on: frozenset[str] = frozenset()
    depends_on_all: bool = False
    #: cell URI -> its text when linted (notebooks)
    cells: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Snapshot:
    key: str
    version: int
    path: str
    text: str
    kind: Any
    #: for a notebook: (cell URI, is code, text) in order
    cells: tuple[tuple[str, bool, str], ...] = ()


class _ReportedError(JsonRpcInvalidParams):
    """A message that could not be read, already logged and answered."""


class _Protocol(LanguageServerProtocol):
    """pygls' protocol, with document synchronisation left to the server (pygls' own copy of
    the documents would raise on a change for a closed document and apply stale versions), and
    an error response for a request whose parameters cannot be read (pygls sends none)."""

    def structure_message(self, data: Any) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            method = data.get("method", "") if isinstance(data, dict) else ""
            self._server.log(  # type: ignore[attr-defined]
                logging.ERROR, f"cannot read a {method or 'message'} message: {error}"
            )
            if isinstance(data, dict) and "id" in data and method:
                self._send_response(data["id"], None, error.to_response_error())
            raise _ReportedError() from error

    def _user(self, method: str, params: Any) -> Any:
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams) -> Any:
        yield from self._user(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        yield from self._user(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams) -> Any:
        yield from self._user(types.TEXT_DOCUMENT_DID_CLOSE, params)

    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def lsp_notebook_document__did_open(self, params: types.DidOpenNotebookDocumentParams) -> Any:
        yield from self._user(types.NOTEBOOK_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def lsp_notebook_document__did_change(
        self, params: types.DidChangeNotebookDocumentParams
    ) -> Any:
        yield from self._user(types.NOTEBOOK_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def lsp_notebook_document__did_close(self, params: types.DidCloseNotebookDocumentParams) -> Any:
        yield from self._user(types.NOTEBOOK_DOCUMENT_DID_CLOSE, params)


class KerasLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "keras-lint",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=types.NotebookDocumentSyncOptions(
                notebook_selector=[
                    types.NotebookDocumentFilterWithCells(
                        cells=[types.NotebookCellLanguage(language="python")],
                        notebook="jupyter-notebook",
                    )
                ],
                save=True,
            ),
            protocol_cls=_Protocol,
        )
        self.documents = OpenDocuments()
        self.project = ProjectState()
        #: one thread lints, one document at a time: the project facts are shared
        self.linter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="keras-lint")
        self.published: dict[str, Published] = {}
        #: documents (or notebooks) whose text changed since their lint started
        self.dirty: set[str] = set()
        self.running: dict[str, asyncio.Task[None]] = {}
        #: configuration files with a problem published for them
        self.config_problems: dict[str, ConfigProblem] = {}
        #: whether the client asked for ``shutdown`` (``exit`` then means success)
        self.shut_down = False

    # -- helpers ------------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        try:
            return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)
        except RuntimeError:  # not initialised yet
            return types.PositionEncodingKind.Utf16

    def log(self, level: int, message: str) -> None:
        """One line in the server's log (standard error) and in the client's output panel."""
        line = " ".join(message.split())
        LOG.log(level, "%s", line)
        kind = types.MessageType.Error if level >= logging.ERROR else types.MessageType.Warning
        if level < logging.WARNING:
            kind = types.MessageType.Log
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=line))
        except Exception:  # noqa: BLE001 - the client is gone: the stderr line is all there is
            pass

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls' errors (a handler that raised): one line. A request's error also goes back in
        its response."""
        if isinstance(error, _ReportedError):
            return
        self.log(logging.ERROR, f"{type(error).__name__}: {error}")

    def publish(self, uri: str, diagnostics: list[types.Diagnostic], version: int | None) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    # -- scheduling ---------------------------------------------------------------------------

    def schedule(self, key: str) -> None:
        """Lint the document (or notebook) ``key`` as soon as the linter is free."""
        self.dirty.add(key)
        if key not in self.running:
            self.running[key] = asyncio.ensure_future(self._lint_until_current(key))

    def schedule_all(self) -> None:
        for key in [*self._standalone_texts(), *self.documents.notebooks]:
            self.schedule(key)

    def _standalone_texts(self) -> list[str]:
        return [uri for uri, doc in self.documents.texts.items() if doc.notebook is None]

    def schedule_dependents(self, path: str, *, saved: bool = False) -> None:
        """Lint again the open documents whose findings depended on the file ``path``."""
        path = os.path.abspath(path)
        for key, published in list(self.published.items()):
            if path in published.depends_on or (saved and published.depends_on_all):
                self.schedule(key)

    async def _lint_until_current(self, key: str) -> None:
        try:
            loop = asyncio.get_running_loop()
            while key in self.dirty:
                self.dirty.discard(key)
                snapshot = self._snapshot(key)
                if snapshot is None:
                    return
                try:
                    result = await loop.run_in_executor(
                        self.linter, self.project.lint, snapshot.text, snapshot.path, snapshot.kind
                    )
                except Exception as error:  # noqa: BLE001 - one document fails, the server lives
                    self.log(logging.ERROR, f"{snapshot.path}: linting failed: "
                             f"{type(error).__name__}: {error}")  # fmt: skip
                    continue
                for message in result.errors:
                    self.log(logging.ERROR, f"internal error: {message}")
                current = self._snapshot_version(key)
                if key in self.dirty or current != snapshot.version:
                    continue  # stale: a newer text is waiting
                self._publish_result(snapshot, result)
                self._publish_config_problem(snapshot.path)
        finally:
            self.running.pop(key, None)

    def _snapshot_version(self, key: str) -> int | None:
        if key in self.documents.notebooks:
            return self.documents.notebooks[key].version
        document = self.documents.texts.get(key)
        return None if document is None else document.version

    def _snapshot(self, key: str) -> _Snapshot | None:
        notebook = self.documents.notebooks.get(key)
        if notebook is not None:
            cells = tuple(
                (cell.document, cell.is_code, text)
                for cell, text in self.documents.cell_texts(notebook)
            )
            text = notebook_json([(is_code, text) for _, is_code, text in cells])
            return _Snapshot(key, notebook.version, notebook.path, text, "notebook", cells)
        document = self.documents.texts.get(key)
        if document is None:
            return None
        kind = document_kind(document.path, document.language_id, document.text)
        if kind is None:
            return None
        return _Snapshot(key, document.version, document.path, document.text, kind)

    def _publish_result(self, snapshot: _Snapshot, result: Any) -> None:
        findings = [f for f in result.findings if os.path.abspath(f.path) == snapshot.path]
        published = Published(snapshot.version, findings, result.depends_on, result.depends_on_all)
        if not snapshot.cells:
            lines = Lines(snapshot.text, self.encoding)
            self.publish(snapshot.key, [diagnostic(f, lines) for f in findings], snapshot.version)
            self.published[snapshot.key] = published
            return
        by_cell: dict[str, list[types.Diagnostic]] = {uri: [] for uri, _, _ in snapshot.cells}
        for finding in findings:
            index = (finding.cell or 1) - 1
            if 0 <= index < len(snapshot.cells):
                uri, _, text = snapshot.cells[index]
                by_cell[uri].append(diagnostic(finding, Lines(text, self.encoding)))
        published.cells = {uri: text for uri, _, text in snapshot.cells}
        previous = self.published.get(snapshot.key)
        for uri in previous.cells if previous else ():
            by_cell.setdefault(uri, [])  # a cell removed since: clear what it showed
        self.published[snapshot.key] = published
        for uri, diagnostics in by_cell.items():
            cell = self.documents.texts.get(uri)
            self.publish(uri, diagnostics, cell.version if cell else None)

    def _publish_config_problem(self, path: str) -> None:
        """Show a configuration file's problem on that file, once (and clear it once fixed)."""
        found = self.project.settings_for(path)
        if isinstance(found, ConfigProblem):
            uri = from_fs_path(str(found.path)) or str(found.path)
            if self.config_problems.get(uri) != found:
                self.config_problems[uri] = found
                self.log(logging.WARNING, f"{found.message} (the last settings that could be "
                         "read are used)")  # fmt: skip
                line = max(found.line - 1, 0)
                self.publish(
                    uri,
                    [
                        types.Diagnostic(
                            range=types.Range(types.Position(line, 0), types.Position(line + 1, 0)),
                            message=found.message,
                            severity=types.DiagnosticSeverity.Error,
                            source=SOURCE,
                        )
                    ],
                    None,
                )

    def _clear_config_problems(self) -> None:
        for uri in list(self.config_problems):
            self.publish(uri, [], None)
        self.config_problems.clear()

    # -- synchronisation ----------------------------------------------------------------------

    def did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        document = self.documents.open_text(params.text_document)
        self._buffer_changed(document)
        self.schedule(document.uri)

    def did_change(self, params: types.DidChangeTextDocumentParams) -> None:
        try:
            document = self.documents.change_text(
                params.text_document, params.content_changes, self.encoding
            )
        except DocumentProblem as problem:
            self.log(logging.WARNING, str(problem))
            return
        if document.notebook is not None:  # a cell changed outside a notebook change
            self.schedule(document.notebook)
            return
        self._buffer_changed(document)
        self.schedule(document.uri)

    def did_save(self, params: types.DidSaveTextDocumentParams) -> None:
        path = os.path.abspath(path_of(params.text_document.uri))
        if os.path.basename(path) == _CONFIGURATION_NAME:
            self.configuration_changed()
            return
        self.project.files_changed(False, [path])
        if params.text_document.uri in self.documents.texts:
            self.schedule(params.text_document.uri)
        self.schedule_dependents(path, saved=True)

    def did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        document = self.documents.close_text(uri)
        self.dirty.discard(uri)
        self.published.pop(uri, None)
        self.publish(uri, [], None)
        if document is not None:
            if document.path.endswith(".py"):
                self.project.buffer_changed(document.path, None)  # the disk holds it again
                self.schedule_dependents(document.path)

    def _buffer_changed(self, document: TextDocument) -> None:
        if (
            document.notebook is None
            and document_kind(document.path, document.language_id, "") == "python"
        ):
            self.project.buffer_changed(document.path, document.text)
            self.schedule_dependents(document.path)

    def notebook_did_open(self, params: types.DidOpenNotebookDocumentParams) -> None:
        notebook = self.documents.open_notebook(params)
        self.schedule(notebook.uri)

    def notebook_did_change(self, params: types.DidChangeNotebookDocumentParams) -> None:
        try:
            notebook = self.documents.change_notebook(params, self.encoding)
        except DocumentProblem as problem:
            self.log(logging.WARNING, str(problem))
            return
        self.schedule(notebook.uri)

    def notebook_did_save(self, params: types.DidSaveNotebookDocumentParams) -> None:
        if params.notebook_document.uri in self.documents.notebooks:
            self.schedule(params.notebook_document.uri)

    def notebook_did_close(self, params: types.DidCloseNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        notebook = self.documents.close_notebook(uri)
        self.dirty.discard(uri)
        published = self.published.pop(uri, None)
        cells = {cell.uri for cell in params.cell_text_documents}
        cells.update(cell.document for cell in (notebook.cells if notebook else []))
        cells.update(published.cells if published else ())
        for cell in sorted(cells):
            self.publish(cell, [], None)

    def configuration_changed(self) -> None:
        self.project.configuration_changed()
        self._clear_config_problems()
        self.schedule_all()

    def watched_files_changed(self, params: types.DidChangeWatchedFilesParams) -> None:
        paths = [path_of(change.uri) for change in params.changes]
        if any(os.path.basename(path) == _CONFIGURATION_NAME for path in paths):
            self.configuration_changed()
            return
        came_or_went = any(change.type != types.FileChangeType.Changed for change in params.changes)
        self.project.files_changed(came_or_went, paths)
        if came_or_went:
            self.schedule_all()
            return
        for path in paths:
            self.schedule_dependents(path, saved=True)

    async def register_watchers(self) -> None:
        """Ask the client to tell the server about configuration and module files that change
        on disk (when it can register capabilities at run time)."""
        dynamic = self.client_capabilities.workspace
        watched = dynamic.did_change_watched_files if dynamic else None
        if not (watched and watched.dynamic_registration):
            return
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in _WATCHED]
        )
        registration = types.Registration(
            id="keras-lint-watched-files",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=options,
        )
        try:
            await self.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            )
        except Exception as error:  # noqa: BLE001 - saves still re-lint
            self.log(logging.WARNING, f"cannot watch files: {type(error).__name__}: {error}")

    # -- requests -----------------------------------------------------------------------------

    def _findings_of(self, uri: str) -> tuple[list[Finding], str, str] | None:
        """The findings published for a document or a cell, with the text they are for and
        their kind; None when they are stale (the text changed since)."""
        document = self.documents.texts.get(uri)
        if document is None:
            return None
        if document.notebook is not None:
            notebook = self.documents.notebooks.get(document.notebook)
            published = self.published.get(document.notebook)
            if notebook is None or published is None or published.version != notebook.version:
                return None
            index = next((i for i, cell in enumerate(notebook.cells) if cell.document == uri), None)
            if index is None:
                return None
            findings = [f for f in published.findings if f.cell == index + 1]
            return findings, document.text, "notebook"
        published = self.published.get(uri)
        if published is None or published.version != document.version:
            return None
        kind = document_kind(document.path, document.language_id, document.text)
        return published.findings, document.text, str(kind)

    def code_action(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        found = self._findings_of(params.text_document.uri)
        if found is None:
            return []
        findings, text, kind = found
        return list(
            code_actions(
                findings,
                params.text_document.uri,
                text,
                self.encoding,
                params.range,
                python=kind in ("python", "notebook"),
            )
        )

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        document = self.documents.texts.get(params.text_document.uri)
        if document is None:
            return None
        lines = Lines(document.text, self.encoding)
        line = lines.line(params.position.line)
        column = code_point_column(line, params.position.character, self.encoding)
        found = code_at(line, column)
        if found is None:
            return None
        code, start, end = found
        documentation = rule_documentation(code)
        if documentation is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=documentation),
            range=types.Range(
                lines.to_client(params.position.line, start),
                lines.to_client(params.position.line, end),
            ),
        )


def create_server() -> KerasLintServer:
    """The server with its features registered."""
    server = KerasLintServer()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: KerasLintServer, params: types.InitializedParams) -> None:
        await ls.register_watchers()

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: KerasLintServer, params: None) -> None:
        ls.shut_down = True

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KerasLintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.did_open(params)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: KerasLintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.did_change(params)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: KerasLintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.did_save(params)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KerasLintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.did_close(params)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_did_open(ls: KerasLintServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls.notebook_did_open(params)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_did_change(
        ls: KerasLintServer, params: types.DidChangeNotebookDocumentParams
    ) -> None:
        ls.notebook_did_change(params)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_did_save(ls: KerasLintServer, params: types.DidSaveNotebookDocumentParams) -> None:
        ls.notebook_did_save(params)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_did_close(
        ls: KerasLintServer, params: types.DidCloseNotebookDocumentParams
    ) -> None:
        ls.notebook_did_close(params)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: KerasLintServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.watched_files_changed(params)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: KerasLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return ls.code_action(params)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: KerasLintServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params)

    return server


class _OneLineFormatter(logging.Formatter):
    """Log records on one line each: an exception is its type and message, no traceback."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message = f"{message}: {type(error).__name__}: {error}"
        return f"keras-lint server: {record.levelname.lower()}: {' '.join(message.split())}"


def _configure_logging(level: int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLineFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # pygls logs each failure (with its traceback) before the server reports it in one line
    logging.getLogger("pygls").setLevel(level if level < logging.WARNING else logging.CRITICAL)


def _protocol_streams() -> tuple[BinaryIO, BinaryIO]:
    """Private copies of standard input and output for the protocol; file descriptor 1 then
    points at standard error, so that a stray ``print`` (of a library, say) cannot corrupt the
    message stream."""
    sys.stdout.flush()
    output = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return sys.stdin.buffer, output


def serve(arguments: Iterable[str] = ()) -> int:
    """Run the server on standard input and output until the client says ``exit``; the exit
    status is 0 when ``shutdown`` came first, else 1 (as the specification asks)."""
    verbose = any(given in ("-v", "--verbose") for given in arguments)
    _configure_logging(logging.INFO if verbose else logging.WARNING)
    streams = _protocol_streams()
    server = create_server()
    try:
        server.start_io(*streams)
    finally:
        server.linter.shutdown(wait=False, cancel_futures=True)
    return 0 if server.shut_down else 1
