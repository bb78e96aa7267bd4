"""``keras-lint server`` end to end: a real LSP client talks to the real server over stdio."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsp_session import (
    CONFIG,
    SERVER,
    apply_edits,
    capabilities,
    codes,
    dedent,
    diagnostics_after,
    fix_of,
    open_text,
    published,
    until,
    utf16_column,
)
from lsprotocol import types
from pytest_lsp import LanguageClient

from keras_lint.engine import lint_text
from keras_lint.rules import rule_by_code


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient, tmp_path: Path) -> Any:
    """A session with the server, started in a project folder ``tmp_path``."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=capabilities(), root_uri=tmp_path.as_uri())
    )
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG)
async def utf8_client(lsp_client: LanguageClient, tmp_path: Path) -> Any:
    """A session whose client counts columns in UTF-8 bytes."""
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=capabilities(["utf-8"]), root_uri=tmp_path.as_uri())
    )
    yield
    await lsp_client.shutdown_session()


SCRIPT = dedent(
    """
    import keras
    import numpy as np
    import tensorflow as tf

    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)

    x = np.random.rand(64, 4)
    y = np.random.rand(64, 1)
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2)
    model.fit(x, y, validation_split=0.2, epochs=3, callbacks=[stop])
    """
)
EARLY_STOPPING_LINE = 11  # 0-based


def change(uri: str, version: int, start: tuple[int, int], end: tuple[int, int], text: str):
    return types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[
            types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(*start), types.Position(*end)), text=text
            )
        ],
    )


def whole(uri: str, version: int, text: str) -> types.DidChangeTextDocumentParams:
    return types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
    )


async def actions_for(
    client: LanguageClient, uri: str, diagnostic: types.Diagnostic
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    return [action for action in result or [] if isinstance(action, types.CodeAction)]


@pytest.mark.asyncio
async def test_open_quick_fix_edit_and_close(client: LanguageClient, tmp_path: Path) -> None:
    path = tmp_path / "train.py"
    path.write_text(SCRIPT, encoding="utf-8")
    uri = open_text(client, path, SCRIPT)
    first = await diagnostics_after(client, uri, 0)
    assert codes(first) == ["KER601"] and first.version == 1
    (problem,) = first.diagnostics
    assert problem.range.start.line == EARLY_STOPPING_LINE
    assert problem.source == "keras-lint"
    expected = getattr(rule_by_code("KER601"), "severity", "error")
    assert problem.severity == (
        types.DiagnosticSeverity.Warning
        if expected == "warning"
        else types.DiagnosticSeverity.Error
    )

    actions = await actions_for(client, uri, problem)
    titles = [action.title for action in actions]
    assert "Ignore KER601 for this line" in titles
    assert all(action.kind == types.CodeActionKind.QuickFix for action in actions)
    (engine_finding,) = lint_text(SCRIPT, str(path)).findings
    assert fix_of(engine_finding) is not None  # KER601 carries its fix: the first action
    assert len(actions) == 2
    assert actions[0].title.startswith("Add `restore_best_weights=True`")
    assert "unsafe" in actions[0].title and not actions[0].is_preferred
    fixed = apply_edits(SCRIPT, actions[0].edit.changes[uri])
    assert "restore_best_weights=True" in fixed
    assert lint_text(fixed, str(path)).findings == []
    ignore = next(action for action in actions if action.title.startswith("Ignore"))
    silenced = apply_edits(SCRIPT, ignore.edit.changes[uri])
    assert "patience=2)  # noqa: KER601\n" in silenced

    # the edit a user makes: restore the best weights; KER601 is gone within half a second
    line = SCRIPT.splitlines()[EARLY_STOPPING_LINE]
    at = line.index("patience=2")
    started = time.monotonic()
    client.text_document_did_change(
        change(uri, 2, (EARLY_STOPPING_LINE, at), (EARLY_STOPPING_LINE, at),
               "restore_best_weights=True, ")
    )  # fmt: skip
    second = await diagnostics_after(client, uri, 1)
    assert time.monotonic() - started < 0.5 * 10  # generous here: the benchmark measures it
    assert second.version == 2 and codes(second) == []

    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
    )
    closed = await diagnostics_after(client, uri, 2)
    assert not closed.diagnostics


@pytest.mark.asyncio
async def test_ignore_action_extends_an_existing_noqa_list(
    client: LanguageClient, tmp_path: Path
) -> None:
    text = SCRIPT.replace("patience=2)\n", "patience=2)  # noqa: E501\n")
    uri = open_text(client, tmp_path / "train.py", text)
    first = await diagnostics_after(client, uri, 0)
    (action,) = [
        a for a in await actions_for(client, uri, first.diagnostics[0]) if "Ignore" in a.title
    ]
    silenced = apply_edits(text, action.edit.changes[uri])
    assert "patience=2)  # noqa: E501, KER601\n" in silenced
    client.text_document_did_change(whole(uri, 2, silenced))
    assert codes(await diagnostics_after(client, uri, 1)) == []


@pytest.mark.asyncio
async def test_columns_count_utf16_units_after_an_emoji(
    client: LanguageClient, tmp_path: Path
) -> None:
    line = 'print("🎉 go"); stop = keras.callbacks.EarlyStopping(patience=2)'
    text = SCRIPT.replace("stop = keras.callbacks.EarlyStopping(monitor=\"val_loss\", patience=2)",
                          line)  # fmt: skip
    uri = open_text(client, tmp_path / "train.py", text)
    (problem,) = (await diagnostics_after(client, uri, 0)).diagnostics
    start = line.index("keras.callbacks.EarlyStopping")
    assert problem.range.start.character == utf16_column(line, start) == start + 1
    assert problem.range.end.character == utf16_column(line, len(line))
    # the ignore comment lands at the end of the line, in the same units
    (action,) = [a for a in await actions_for(client, uri, problem) if "Ignore" in a.title]
    assert apply_edits(text, action.edit.changes[uri]).count("patience=2)  # noqa: KER601") == 1


@pytest.mark.asyncio
async def test_columns_count_utf8_bytes_when_the_client_asks(
    utf8_client: LanguageClient, tmp_path: Path
) -> None:
    line = 'print("🎉"); stop = keras.callbacks.EarlyStopping(patience=2)'
    text = SCRIPT.replace("stop = keras.callbacks.EarlyStopping(monitor=\"val_loss\", patience=2)",
                          line)  # fmt: skip
    uri = open_text(utf8_client, tmp_path / "train.py", text)
    (problem,) = (await diagnostics_after(utf8_client, uri, 0)).diagnostics
    start = line.index("keras.callbacks.EarlyStopping")
    assert problem.range.start.character == len(line[:start].encode("utf-8")) == start + 3


@pytest.mark.asyncio
async def test_stale_results_are_dropped(client: LanguageClient, tmp_path: Path) -> None:
    uri = open_text(client, tmp_path / "train.py", SCRIPT)
    await diagnostics_after(client, uri, 0)
    fixed = SCRIPT.replace("patience=2)", "patience=2, restore_best_weights=True)")
    for version in range(2, 6):  # edits in a row, faster than one lint
        client.text_document_did_change(whole(uri, version, fixed + f"# edit {version}\n"))
    client.text_document_did_change(whole(uri, 6, SCRIPT))
    last = await until(lambda: [p for p in published(client, uri) if p.version == 6])
    assert codes(last[0]) == ["KER601"]
    versions = [params.version for params in published(client, uri)]
    assert versions == sorted(versions)
    assert versions[-1] == 6  # a result computed for an older text never follows a newer one


@pytest.mark.asyncio
async def test_hover_on_a_noqa_code_shows_the_rule(client: LanguageClient, tmp_path: Path) -> None:
    text = 'model.compile(loss="mse")  # noqa: E501, KER201\n'
    uri = open_text(client, tmp_path / "train.py", text)
    column = text.index("KER201") + 2
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(0, column))
    )
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value.startswith("**KER201 loss-activation-mismatch**")
    assert "Why" in hover.contents.value
    assert hover.range.start.character == text.index("KER201")
    outside = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(0, 2))
    )
    assert outside is None


@pytest.mark.asyncio
async def test_dockerfile_findings_and_the_pragma_fix(
    client: LanguageClient, tmp_path: Path
) -> None:
    text = "FROM python:3.11 AS build\nRUN echo hi\n\nFROM tensorflow/tensorflow:latest\n"
    uri = open_text(client, tmp_path / "Dockerfile", text, language="dockerfile")
    first = await diagnostics_after(client, uri, 0)
    assert codes(first) == ["KER401"]
    (problem,) = first.diagnostics
    assert problem.range.start.line == 3
    (action,) = [a for a in await actions_for(client, uri, problem) if "Ignore" in a.title]
    fixed = apply_edits(text, action.edit.changes[uri])
    assert "\n# keras-lint: ignore=KER401\nFROM tensorflow/tensorflow:latest\n" in fixed
    client.text_document_did_change(whole(uri, 2, fixed))
    assert codes(await diagnostics_after(client, uri, 1)) == []


@pytest.mark.asyncio
async def test_compose_file(client: LanguageClient, tmp_path: Path) -> None:
    text = "services:\n  train:\n    image: tensorflow/tensorflow:latest-gpu\n"
    uri = open_text(client, tmp_path / "compose.yaml", text, language="yaml")
    first = await diagnostics_after(client, uri, 0)
    assert codes(first) == ["KER401"] and first.diagnostics[0].range.start.line == 2


def _notebook_cells(uri: str, sources: list[tuple[bool, str]]):
    cells, items = [], []
    for index, (is_code, source) in enumerate(sources):
        cell_uri = f"vscode-notebook-cell:{uri[len('file:') :]}#cell{index}"
        kind = types.NotebookCellKind.Code if is_code else types.NotebookCellKind.Markup
        cells.append(types.NotebookCell(kind=kind, document=cell_uri))
        language = "python" if is_code else "markdown"
        items.append(types.TextDocumentItem(cell_uri, language, 1, source))
    return cells, items


@pytest.mark.asyncio
async def test_notebook_cells_are_one_program_with_diagnostics_per_cell(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "explore.ipynb").as_uri()
    cells, items = _notebook_cells(
        uri,
        [
            (True, "import keras\nimport numpy as np\nx = np.zeros((8, 4))\n"),
            (False, "# Training\nwith early stopping"),
            (
                True,
                "model = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(loss='mse')\n",
            ),  # fmt: skip
            (
                True,
                "stop = keras.callbacks.EarlyStopping(patience=2)\n"
                "model.fit(x, x, validation_split=0.5, callbacks=[stop])\n",
            ),  # fmt: skip
        ],
    )
    client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=uri, notebook_type="jupyter-notebook", version=1, cells=cells
            ),
            cell_text_documents=items,
        )
    )
    last_cell = items[3].uri
    found = await until(lambda: [p for p in published(client, last_cell) if p.diagnostics])
    (problem,) = [d for d in found[0].diagnostics if d.code == "KER601"]
    assert problem.range.start.line == 0 and problem.range.start.character == 7
    assert not published(client, items[0].uri)[-1].diagnostics

    # a cell of invalid Python: KER001 in that cell, the other cells still linted together
    seen = len(published(client, last_cell))
    broken = types.TextDocumentItem(f"{uri}#broken", "python", 1, "def broken(:\n")
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(uri=uri, version=2),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    structure=types.NotebookDocumentCellChangeStructure(
                        array=types.NotebookCellArrayChange(
                            start=1,
                            delete_count=0,
                            cells=[
                                types.NotebookCell(
                                    kind=types.NotebookCellKind.Code, document=broken.uri
                                )
                            ],
                        ),
                        did_open=[broken],
                    )
                )
            ),
        )
    )
    broken_diagnostics = await diagnostics_after(client, broken.uri, 0)
    assert codes(broken_diagnostics) == ["KER001"]
    assert "KER601" in codes(await diagnostics_after(client, last_cell, seen))

    client.notebook_document_did_close(
        types.DidCloseNotebookDocumentParams(
            notebook_document=types.NotebookDocumentIdentifier(uri=uri),
            cell_text_documents=[types.TextDocumentIdentifier(item.uri) for item in items],
        )
    )
    await until(lambda: not published(client, last_cell)[-1].diagnostics)
    await until(lambda: not published(client, broken.uri)[-1].diagnostics)


HELPER = dedent(
    """
    import keras


    def make_model():
        model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        return model
    """
)
TRAIN = dedent(
    """
    import numpy as np
    import tensorflow as tf

    from helpers import make_model

    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)
    model = make_model()
    model.fit(np.zeros((8, 4)), np.zeros(8), epochs=1)
    """
)


@pytest.mark.asyncio
async def test_an_edit_in_a_helper_module_relints_its_importers(
    client: LanguageClient, tmp_path: Path
) -> None:
    (tmp_path / "helpers.py").write_text(HELPER, encoding="utf-8")
    (tmp_path / "train.py").write_text(TRAIN, encoding="utf-8")
    train = open_text(client, tmp_path / "train.py", TRAIN)
    assert codes(await diagnostics_after(client, train, 0)) == []
    helpers = open_text(client, tmp_path / "helpers.py", HELPER)
    await diagnostics_after(client, helpers, 0)
    seen = len(published(client, train))
    # the unsaved buffer of the helper counts, not the file on disk
    uncompiled = HELPER.replace("    model.compile", "    # model.compile")
    client.text_document_did_change(whole(helpers, 2, uncompiled))
    assert codes(await diagnostics_after(client, train, seen)) == ["KER101"]
    client.text_document_did_change(whole(helpers, 3, HELPER))
    assert codes(await diagnostics_after(client, train, seen + 1)) == []


@pytest.mark.asyncio
async def test_pyproject_changes_relint_open_documents(
    client: LanguageClient, tmp_path: Path
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    uri = open_text(client, tmp_path / "train.py", SCRIPT)
    assert codes(await diagnostics_after(client, uri, 0)) == ["KER601"]

    pyproject.write_text('[tool.keras-lint]\nignore = ["KER601"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(pyproject.as_uri(), types.FileChangeType.Changed)]
        )
    )
    assert codes(await diagnostics_after(client, uri, 1)) == []

    # a pyproject.toml that stops parsing: a diagnostic on it, one log line, the last good
    # settings still apply, and the server goes on
    logged = len(client.log_messages)
    pyproject.write_text('[tool.keras-lint]\nignore = ["KER601"\n', encoding="utf-8")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(pyproject.as_uri()))
    )
    problem = await diagnostics_after(client, pyproject.as_uri(), 0)
    assert "not valid TOML" in problem.diagnostics[0].message
    assert codes(await diagnostics_after(client, uri, 2)) == []
    await until(lambda: len(client.log_messages) > logged)
    assert "\n" not in client.log_messages[logged].message

    pyproject.write_text("[tool.keras-lint]\n", encoding="utf-8")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(pyproject.as_uri()))
    )
    assert codes(await diagnostics_after(client, uri, 3)) == ["KER601"]
    assert not published(client, pyproject.as_uri())[-1].diagnostics


@pytest.mark.asyncio
async def test_bad_messages_are_logged_and_never_stop_the_server(
    client: LanguageClient, tmp_path: Path
) -> None:
    emoji_line = 'note = "😀😀"\n'
    text = emoji_line + SCRIPT
    uri = open_text(client, tmp_path / "train.py", text, version=3)
    assert codes(await diagnostics_after(client, uri, 0)) == ["KER601"]
    logged = len(client.log_messages)

    closed = (tmp_path / "other.py").as_uri()
    client.text_document_did_change(whole(closed, 2, "x = 1\n"))  # never opened
    client.text_document_did_change(whole(uri, 2, "older version\n"))  # out of order
    client.text_document_did_change(change(uri, 4, (1, 5), (0, 0), "x"))  # ends before it starts
    await until(lambda: len(client.log_messages) >= logged + 3)
    messages = [m.message for m in client.log_messages[logged:]]
    assert all("\n" not in message for message in messages)
    assert any("not open" in m for m in messages) and any("version 2" in m for m in messages)

    # positions the text does not have are clamped, as the specification says: inside a
    # surrogate pair, past the end of the line, past the end of the document
    client.text_document_did_change(change(uri, 4, (0, 9), (0, 9), "!"))
    client.text_document_did_change(change(uri, 5, (0, 500), (0, 500), "  # end"))
    client.text_document_did_change(change(uri, 6, (900, 3), (900, 3), "\nz = 3\n"))
    last = await until(lambda: [p for p in published(client, uri) if p.version == 6])
    assert codes(last[0]) == ["KER601"]
    (problem,) = last[0].diagnostics
    assert problem.range.start.line == EARLY_STOPPING_LINE + 1

    # the server still answers
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(0, 0))
    )
    assert hover is None
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(closed),
            range=types.Range(types.Position(0, 0), types.Position(0, 1)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert not actions


def _message(payload: dict) -> bytes:
    body = json.dumps(payload).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def _exchange(messages: list[dict]) -> subprocess.CompletedProcess[bytes]:
    data = b"".join(_message({"jsonrpc": "2.0", **m}) for m in messages)
    return subprocess.run(SERVER, input=data, capture_output=True, timeout=60)


def test_exit_after_shutdown_exits_0_and_without_it_1() -> None:
    initialize = {"id": 1, "method": "initialize", "params": {"capabilities": {}}}
    done = _exchange(
        [
            initialize,
            {"method": "initialized", "params": {}},
            {"id": 2, "method": "shutdown"},
            {"method": "exit"},
        ]
    )
    assert done.returncode == 0, done.stderr
    assert b'"id": 2' in done.stdout and b'"result": null' in done.stdout
    assert _exchange([initialize, {"method": "exit"}]).returncode == 1


def test_garbage_params_get_an_error_and_a_log_line() -> None:
    done = _exchange(
        [
            {"id": 1, "method": "initialize", "params": {"capabilities": {}}},
            {"id": 2, "method": "textDocument/hover", "params": {"textDocument": 5}},
            {"method": "textDocument/didChange", "params": {"textDocument": {"uri": 1}}},
            {"id": 3, "method": "shutdown"},
            {"method": "exit"},
        ]
    )
    assert done.returncode == 0
    replies = done.stdout.decode("utf-8")
    assert '"id": 2' in replies and '"error"' in replies
    assert '"id": 3' in replies
    lines = done.stderr.decode("utf-8").splitlines()
    assert len(lines) == 2, lines  # one line per message that could not be read
    assert "textDocument/hover" in lines[0] and "textDocument/didChange" in lines[1]


def test_the_server_subcommand_without_the_extra_says_what_to_install(tmp_path: Path) -> None:
    # a pygls that cannot be imported: the message names the extra
    (tmp_path / "pygls").mkdir()
    (tmp_path / "pygls" / "__init__.py").write_text("raise ImportError('no', name='pygls')\n")
    done = subprocess.run(
        [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
         "from keras_lint.cli import main; sys.exit(main(['server']))", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert 'pip install "keras-lint[server]"' in done.stderr


def test_stray_prints_cannot_corrupt_the_protocol_stream() -> None:
    code = (
        "import sys, threading\n"
        "from keras_lint.server import language_server as ls\n"
        "real = ls.create_server\n"
        "def noisy():\n"
        "    print('chatter from a library')\n"
        "    return real()\n"
        "ls.create_server = noisy\n"
        "sys.exit(ls.serve([]))\n"
    )
    data = b"".join(
        _message({"jsonrpc": "2.0", **m})
        for m in [
            {"id": 1, "method": "initialize", "params": {"capabilities": {}}},
            {"id": 2, "method": "shutdown"},
            {"method": "exit"},
        ]
    )
    done = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, timeout=60)
    assert done.returncode == 0
    assert done.stdout.startswith(b"Content-Length: ")
    assert b"chatter" in done.stderr
