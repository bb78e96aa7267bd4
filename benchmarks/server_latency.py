"""Latency of ``keras-lint server``: from an edit to its diagnostics, on a warm server.

Starts the real server (``python -m keras_lint server``) with pygls' LSP client over stdio,
opens a generated training script of about 300 lines, then makes edits one at a time, each
adding or removing ``restore_best_weights=True`` (so KER601 comes and goes), and measures the
time from sending ``didChange`` to receiving the diagnostics of that version. Prints the
figures; the target is 100 ms. It reports, it does not gate: the exit status is 0 unless the
server gave wrong diagnostics.

    python benchmarks/server_latency.py [--edits 30] [--lines 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

TARGET_MS = 100.0

HEADER = '''"""A training script: synthetic data, a model, early stopping, evaluation."""

import json
import os

import keras
import numpy as np
import tensorflow as tf

for gpu in tf.config.list_physical_devices("GPU"):
    tf.config.experimental.set_memory_growth(gpu, True)

SEED = int(os.environ.get("SEED", "0"))
'''

HELPER = '''

def make_data_{n}(rng, n_samples, n_features=20):
    """Two noisy classes in {{n_features}} dimensions (block {n})."""
    weights = rng.normal(size=n_features)
    x = rng.normal(size=(n_samples, n_features)).astype("float32")
    y = (x @ weights > 0).astype("float32")
    flip = rng.random(n_samples) < 0.1
    y[flip] = 1.0 - y[flip]
    return x, y


def summarize_{n}(history):
    """The best and last validation loss of a run (block {n})."""
    losses = history.history.get("val_loss", [])
    best = min(losses) if losses else None
    last = losses[-1] if losses else None
    return {{"best": best, "last": last, "epochs": len(losses)}}
'''

MAIN = '''

def main():
    keras.utils.set_random_seed(SEED)
    rng = np.random.default_rng(SEED)
    x_train, y_train = make_data_0(rng, 400)
    x_val, y_val = make_data_0(rng, 200)
    model = keras.Sequential(
        [
            keras.Input(shape=(x_train.shape[1],)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5)
    history = model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=50,
        batch_size=32,
        callbacks=[stop],
        verbose=0,
    )
    print(json.dumps(summarize_0(history)))


if __name__ == "__main__":
    main()
'''

#: the edit: the EarlyStopping line with and without the fix
BAD = 'stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5)'
GOOD = 'stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)'  # noqa: E501


def training_script(lines: int) -> str:
    """A training script of about ``lines`` lines (helpers repeated to reach it)."""
    helpers = []
    n = 0
    while len((HEADER + "".join(helpers) + MAIN).splitlines()) < lines:
        helpers.append(HELPER.format(n=n))
        n += 1
    return HEADER + "".join(helpers) + MAIN


async def measure(edits: int, lines: int) -> int:
    script = training_script(lines)
    folder = Path(tempfile.mkdtemp(prefix="keras-lint-server-latency-"))
    (folder / "pyproject.toml").write_text("[project]\nname = 'latency'\n", encoding="utf-8")
    path = folder / "train.py"
    path.write_text(script, encoding="utf-8")
    uri = path.as_uri()

    client = LanguageClient("server-latency", "1")
    arrivals: asyncio.Queue[tuple[float, types.PublishDiagnosticsParams]] = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        arrivals.put_nowait((time.perf_counter(), params))

    await client.start_io(sys.executable, "-m", "keras_lint", "server")
    await client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=folder.as_uri())
    )
    client.initialized(types.InitializedParams())

    async def diagnostics_of(version: int) -> tuple[float, list[str]]:
        while True:
            arrived, params = await asyncio.wait_for(arrivals.get(), 60)
            if params.uri == uri and params.version == version:
                return arrived, sorted(str(d.code) for d in params.diagnostics)

    started = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, script))
    )
    arrived, codes = await diagnostics_of(1)
    first_ms = (arrived - started) * 1000
    wrong = 0 if codes == ["KER601"] else 1

    row = script.splitlines().index("    " + BAD)
    text_line = "    " + BAD
    latencies: list[float] = []
    #: edits whose diagnostics hold KER601 (positions are computed) and those that clear it
    by_kind: dict[bool, list[float]] = {True: [], False: []}
    for version in range(2, edits + 2):
        fixed = version % 2 == 0
        new_line = "    " + (GOOD if fixed else BAD)
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(version=version, uri=uri),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(
                            types.Position(row, 0), types.Position(row, len(text_line))
                        ),
                        text=new_line,
                    )
                ],
            )
        )
        arrived, codes = await diagnostics_of(version)
        latencies.append((arrived - sent) * 1000)
        by_kind[not fixed].append(latencies[-1])
        wrong += codes != ([] if fixed else ["KER601"])
        text_line = new_line

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()

    ordered = sorted(latencies)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    median = statistics.median(ordered)
    print(f"script: {len(script.splitlines())} lines; {edits} edits, one at a time")
    print(f"first diagnostics after didOpen (cold: imports, project scan): {first_ms:7.1f} ms")
    print(f"edit -> diagnostics, min:    {ordered[0]:7.1f} ms")
    print(f"edit -> diagnostics, median: {median:7.1f} ms")
    print(f"edit -> diagnostics, p90:    {p90:7.1f} ms")
    print(f"edit -> diagnostics, max:    {ordered[-1]:7.1f} ms")
    for finding, label in ((True, "edits that bring KER601 back"), (False, "edits that fix it")):
        if by_kind[finding]:
            print(f"  median of the {label}: {statistics.median(by_kind[finding]):7.1f} ms")
    verdict = "yes" if median <= TARGET_MS else "NO"
    print(f"median within the {TARGET_MS:.0f} ms target: {verdict}")
    if wrong:
        print(f"wrong diagnostics for {wrong} versions", file=sys.stderr)
    return 1 if wrong else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=30, help="edits to time (default 30)")
    parser.add_argument("--lines", type=int, default=300, help="script length (default 300)")
    options = parser.parse_args(argv)
    return asyncio.run(measure(options.edits, options.lines))


if __name__ == "__main__":
    sys.exit(main())
