"""A real LSP client (pytest-lsp) driving ``python -m keras_lint server`` over stdio."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from keras_lint.finding import Finding

SERVER = [sys.executable, "-m", "keras_lint", "server"]
#: how long a test waits for the server's answer (the machine may be busy)
PATIENCE = 30.0


def recording_client() -> LanguageClient:
    """pytest-lsp's client, that also keeps every diagnostics notification in order."""
    client = LanguageClient()
    published: list[types.PublishDiagnosticsParams] = []

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        published.append(params)
        client.diagnostics[params.uri] = params.diagnostics

    def register(client: LanguageClient, params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    register_lsp_features(
        client,
        {
            **DEFAULT_CLIENT_FEATURES,
            types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
            types.CLIENT_REGISTER_CAPABILITY: register,
        },
    )
    client.registrations = []  # type: ignore[attr-defined]
    client.published = published  # type: ignore[attr-defined]
    return client


def capabilities(encodings: Sequence[str] | None = None) -> types.ClientCapabilities:
    """A client that can show notebooks, watch files and take quick fixes."""
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=list(encodings))
        if encodings
        else None,
        workspace=types.WorkspaceClientCapabilities(
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                dynamic_registration=True
            )
        ),
        notebook_document=types.NotebookDocumentClientCapabilities(
            synchronization=types.NotebookDocumentSyncClientCapabilities()
        ),
    )


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=recording_client)


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


async def until(condition: Callable[[], Any], timeout: float = PATIENCE) -> Any:
    """Wait until ``condition()`` is true (the server answers by notifications); its value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = condition()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {condition}")
        await asyncio.sleep(0.01)


def published(client: LanguageClient, uri: str) -> list[types.PublishDiagnosticsParams]:
    return [params for params in client.published if params.uri == uri]  # type: ignore[attr-defined]


async def diagnostics_after(
    client: LanguageClient, uri: str, seen: int, timeout: float = PATIENCE
) -> types.PublishDiagnosticsParams:
    """The first diagnostics published for ``uri`` after the ``seen`` first ones."""
    return (await until(lambda: published(client, uri)[seen:], timeout))[0]


def codes(params: types.PublishDiagnosticsParams) -> list[str]:
    return sorted(str(diagnostic.code) for diagnostic in params.diagnostics)


def open_text(
    client: LanguageClient, path: Path, text: str, language: str = "python", version: int = 1
) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, language, version, text))
    )
    return uri


def utf16_column(line: str, code_points: int) -> int:
    return len(line[:code_points].encode("utf-16-le")) // 2


def apply_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """``text`` with LSP edits (UTF-16 columns) applied, last first."""
    lines = text.split("\n")

    def offset(position: types.Position) -> int:
        line = lines[position.line]
        units = 0
        column = 0
        while column < len(line) and units < position.character:
            units += 2 if ord(line[column]) > 0xFFFF else 1
            column += 1
        return sum(len(before) + 1 for before in lines[: position.line]) + column

    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
    for edit in reversed(ordered):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def fix_of(finding: Finding) -> Any:
    """The fix the engine attached to a finding, if it attaches fixes at all."""
    return getattr(finding, "fix", None)
