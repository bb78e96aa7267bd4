"""A deterministic, generated monorepo to benchmark on, and single large modules of a given size.

The tree mixes Keras training scripts (about one file in ten) with the ordinary modules of a
Python code base: utility functions, data classes, command-line programs, tests, a little
scikit-learn analytics. The training scripts come in several styles (``tf.keras``, ``from
tensorflow import keras``, Keras 3, ``from keras import layers``; Sequential lists, ``add`` chains,
the functional API, subclassed models) and each planted bug is counted, so a run can compare
what the linters report with what is there. The same seed always writes the same bytes.

    python benchmarks/corpus.py OUT --files 1000 --seed 0     # write a tree and print its counts
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: share of the files that are Keras training scripts
KERAS_SHARE = 0.10

_NOUNS = (
    "account", "batch", "cache", "config", "dataset", "event", "feature", "image", "invoice",
    "job", "label", "metric", "order", "payload", "record", "report", "sample", "shipment",
    "signal", "table", "token", "user", "vector", "window",
)  # fmt: skip
_VERBS = (
    "build", "check", "clean", "collect", "convert", "load", "merge", "normalize", "parse",
    "render", "resolve", "save", "score", "split", "summarize", "validate",
)  # fmt: skip
_AREAS = ("billing", "catalog", "core", "ingest", "platform", "search", "serving", "web")


@dataclass
class Planted:
    """Bugs written into the generated files, counted by rule code."""

    counts: collections.Counter[str] = field(default_factory=collections.Counter)

    def add(self, code: str, count: int = 1) -> None:
        self.counts[code] += count


@dataclass
class GeneratedCorpus:
    root: Path
    files: int
    keras_files: int
    lines: int
    planted: Planted


# --- Keras training scripts -----------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """How a script imports Keras: the import lines and the prefixes of its names."""

    imports: str
    keras: str  # prefix of Sequential, Model, Input, models.load_model
    layers: str  # prefix of Dense, Dropout
    callbacks: str  # prefix of EarlyStopping, ModelCheckpoint
    tensorflow: bool  # imports tensorflow as tf (for memory growth)


_STYLES = (
    _Style("import tensorflow as tf", "tf.keras.", "tf.keras.layers.", "tf.keras.callbacks.", True),
    _Style(
        "import tensorflow as tf\nfrom tensorflow import keras",
        "keras.",
        "keras.layers.",
        "keras.callbacks.",
        True,
    ),  # fmt: skip
    _Style("import keras", "keras.", "keras.layers.", "keras.callbacks.", False),
    # the callbacks are imported by name ("from keras.callbacks import ...")
    _Style("import keras\nfrom keras import layers", "keras.", "layers.", "", False),
)

#: (units, activation, loss) that agree, per task
_GOOD_HEADS = {
    "binary": ("1", "sigmoid", '"binary_crossentropy"'),
    "multiclass": ("NUM_CLASSES", "softmax", '"sparse_categorical_crossentropy"'),
    "regression": ("1", "linear", '"mse"'),
}
#: (units, activation, loss) that KER201 reports
_BAD_HEADS = {
    "binary": ("2", "softmax", '"binary_crossentropy"'),
    "multiclass": ("NUM_CLASSES", "sigmoid", '"categorical_crossentropy"'),
    "regression": ("1", "linear", '"binary_crossentropy"'),
}


def _keras_script(rng: random.Random, planted: Planted, extra_blocks: int) -> str:
    style = rng.choice(_STYLES)
    task = rng.choice(sorted(_GOOD_HEADS))
    codes = ("KER101", "KER201", "KER301", "KER501", "KER601")
    bugs = {code for code in codes if rng.random() < 0.3}
    if not style.tensorflow and "KER301" not in bugs and rng.random() < 0.5:
        backend = rng.choice(("jax", "torch"))  # another backend: memory growth does not apply
    else:
        backend = None
    leakage = rng.random() < 0.6  # the script standardizes its features
    early_stopping = rng.random() < 0.7
    checkpoint_reload = early_stopping and "KER601" in bugs and rng.random() < 0.25
    compile_in_builder = rng.random() < 0.5

    parts = ['"""Train a model on the ' + rng.choice(_NOUNS) + ' data."""', ""]
    extras = _Module(rng)
    extras.taken.update({"load_data", "build_model", "train", "main"})
    for _ in range(extra_blocks):
        _utility_block(extras)
    environment = backend is not None or (not style.tensorflow and "KER301" not in bugs)
    standard = extras.imports | {"import argparse"} | ({"import os"} if environment else set())
    parts += sorted(standard) + [""]
    # Keras 3 reads its environment when imported: these lines come before the imports
    if backend:
        parts += [f'os.environ["KERAS_BACKEND"] = "{backend}"', ""]
    elif not style.tensorflow and "KER301" not in bugs:
        parts += ['os.environ["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"', ""]
    parts += ["import numpy as np", style.imports]
    if not style.callbacks and early_stopping:
        names = "EarlyStopping, ModelCheckpoint" if checkpoint_reload else "EarlyStopping"
        parts.append(f"from keras.callbacks import {names}")
    if leakage:
        parts.append("from sklearn.model_selection import train_test_split")
        parts.append("from sklearn.preprocessing import StandardScaler")
    parts += ["", f"NUM_CLASSES = {rng.randint(3, 12)}", f"SEED = {rng.randint(0, 99)}"]
    if style.tensorflow and "KER301" not in bugs:
        parts += [
            "",
            'for gpu in tf.config.list_physical_devices("GPU"):',
            "    tf.config.experimental.set_memory_growth(gpu, True)",
        ]
    if "KER301" in bugs:
        planted.add("KER301")

    target = {
        "binary": '(x @ weights > 0).astype("float32")',
        "multiclass": "np.argmax(x[:, :NUM_CLASSES], axis=1)",
        "regression": "x @ weights",
    }[task]
    parts += [
        "",
        "",
        "def load_data(n_samples, n_features, seed=SEED):",
        '    """Synthetic features and targets."""',
        "    rng = np.random.default_rng(seed)",
        '    x = rng.normal(size=(n_samples, n_features)).astype("float32")',
        "    weights = rng.normal(size=n_features)",
        f"    y = {target}",
        "    return x, y",
    ]
    for block in extras.blocks:
        parts += ["", ""] + block.splitlines()

    units, activation, loss = (_BAD_HEADS if "KER201" in bugs else _GOOD_HEADS)[task]
    if "KER201" in bugs and "KER101" not in bugs:
        planted.add("KER201")  # an uncompiled model has no loss to disagree with
    compile_line = f'    model.compile(optimizer="adam", loss={loss}, metrics=["{_metric(task)}"])'
    parts += ["", ""] + _model_builder(rng, style, units, activation)
    if compile_in_builder and "KER101" not in bugs:
        parts.insert(len(parts) - 1, compile_line)

    callbacks: list[str] = []
    body = [
        "",
        "",
        "def train(args):",
        "    x, y = load_data(args.samples, args.features)",
    ]
    if leakage:
        if "KER501" in bugs:
            planted.add("KER501")
            body += [
                "    scaler = StandardScaler()",
                "    x = scaler.fit_transform(x)",
                "    x_train, x_test, y_train, y_test = train_test_split(",
                "        x, y, test_size=0.2, random_state=SEED",
                "    )",
            ]
        else:
            body += [
                "    x_train, x_test, y_train, y_test = train_test_split(",
                "        x, y, test_size=0.2, random_state=SEED",
                "    )",
                "    scaler = StandardScaler()",
                "    x_train = scaler.fit_transform(x_train)",
                "    x_test = scaler.transform(x_test)",
            ]
    else:
        body += [
            "    split = int(0.8 * len(x))",
            "    x_train, x_test = x[:split], x[split:]",
            "    y_train, y_test = y[:split], y[split:]",
        ]
    body.append("    model = build_model(x_train.shape[1])")
    if not compile_in_builder and "KER101" not in bugs:
        body.append(compile_line)
    if "KER101" in bugs:
        planted.add("KER101")
    if early_stopping:
        restore = "" if "KER601" in bugs else ", restore_best_weights=True"
        if "KER601" in bugs and not checkpoint_reload:
            planted.add("KER601")
        body += [
            f"    stop = {style.callbacks}EarlyStopping(",
            f'        monitor="val_loss", patience={rng.randint(2, 20)}{restore}',
            "    )",
        ]
        callbacks.append("stop")
        if checkpoint_reload:
            body.append(
                f'    best = {style.callbacks}ModelCheckpoint("best.keras", save_best_only=True)'
            )
            callbacks.append("best")
    # validation_split after a scaler fitted on x_train would be leakage too (KER501)
    validation = "validation_data=(x_test, y_test)"
    if not leakage and rng.random() < 0.5:
        validation = "validation_split=0.2"
    body += [
        "    history = model.fit(",
        "        x_train,",
        "        y_train,",
        f"        {validation},",
        "        epochs=args.epochs,",
        f"        batch_size={rng.choice((16, 32, 64, 128))},",
        f"        callbacks=[{', '.join(callbacks)}],",
        "    )",
    ]
    if checkpoint_reload:
        body.append(f'    model = {style.keras}models.load_model("best.keras")')
    body.append('    print("held-out samples:", len(x_test), len(y_test))')
    body += [
        "    model.save(args.output)",
        "    return history.history",
        "",
        "",
        "def main(argv=None):",
        "    parser = argparse.ArgumentParser(description=__doc__)",
        '    parser.add_argument("--samples", type=int, default=2000)',
        '    parser.add_argument("--features", type=int, default=32)',
        f'    parser.add_argument("--epochs", type=int, default={rng.randint(5, 200)})',
        '    parser.add_argument("--output", default="model.keras")',
        "    args = parser.parse_args(argv)",
        "    history = train(args)",
        '    print("final loss:", history["loss"][-1])',
        "",
        "",
        'if __name__ == "__main__":',
        "    main()",
    ]
    return "\n".join(parts + body) + "\n"


def _metric(task: str) -> str:
    return "mae" if task == "regression" else "accuracy"


def _model_builder(rng: random.Random, style: _Style, units: str, activation: str) -> list[str]:
    width = rng.choice((32, 64, 128, 256))
    shape = "(input_dim,)"
    dense, layers = "Dense", style.layers
    kind = rng.choice(("sequential", "add", "functional", "subclass"))
    head = f'{layers}{dense}({units}, activation="{activation}")'
    if kind == "sequential":
        return [
            "def build_model(input_dim):",
            f"    model = {style.keras}Sequential(",
            "        [",
            f"            {style.keras}Input(shape={shape}),",
            f'            {layers}Dense({width}, activation="relu"),',
            f"            {layers}Dropout({rng.choice((0.1, 0.2, 0.3))}),",
            f"            {head},",
            "        ]",
            "    )",
            "    return model",
        ]
    if kind == "add":
        return [
            "def build_model(input_dim):",
            f"    model = {style.keras}Sequential()",
            f"    model.add({style.keras}Input(shape={shape}))",
            f'    model.add({layers}Dense({width}, activation="relu"))',
            f'    model.add({layers}Dense({width // 2}, activation="relu"))',
            f"    model.add({head})",
            "    return model",
        ]
    if kind == "functional":
        return [
            "def build_model(input_dim):",
            f"    inputs = {style.keras}Input(shape={shape})",
            f'    x = {layers}Dense({width}, activation="relu")(inputs)',
            f"    x = {layers}Dropout(0.2)(x)",
            f"    outputs = {head}(x)",
            f"    model = {style.keras}Model(inputs, outputs)",
            "    return model",
        ]
    return [
        f"class Net({style.keras}Model):",
        "    def __init__(self):",
        "        super().__init__()",
        f'        self.hidden = {layers}Dense({width}, activation="relu")',
        f"        self.head = {head}",
        "",
        "    def call(self, inputs):",
        "        return self.head(self.hidden(inputs))",
        "",
        "",
        "def build_model(input_dim):",
        "    model = Net()",
        "    return model",
    ]


# --- ordinary modules -----------------------------------------------------------------------


class _Module:
    """An ordinary module being written: its blocks, the imports they need, the names taken."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.imports: set[str] = set()
        self.blocks: list[str] = []
        self.taken: set[str] = set()

    def fresh(self, base: str) -> str:
        """``base``, or ``base_2``, ``base_3``... when the module already defines it."""
        name, number = base, 1
        while name in self.taken:
            number += 1
            name = f"{base}_{number}"
        self.taken.add(name)
        return name

    def function_name(self) -> str:
        return self.fresh(f"{self.rng.choice(_VERBS)}_{self.rng.choice(_NOUNS)}")

    def add(self, block: str, *imports: str) -> None:
        self.blocks.append(textwrap.dedent(block).strip("\n"))
        self.imports.update(imports)

    def text(self, docstring: str) -> str:
        standard = sorted(i for i in self.imports if i.split()[1].split(".")[0] in _STANDARD)
        third_party = sorted(self.imports.difference(standard))
        header = "\n\n".join("\n".join(group) for group in (standard, third_party) if group)
        return f'"""{docstring}"""\n\n{header}\n\n\n' + "\n\n\n".join(self.blocks) + "\n"


_STANDARD = frozenset({"argparse", "dataclasses", "json", "os", "re", "time"})


def _utility_block(module: _Module) -> None:
    rng, name, noun = module.rng, module.function_name(), module.rng.choice(_NOUNS)
    variant = rng.randrange(5)
    if variant == 0:
        module.add(f'''
            def {name}(items, size={rng.randint(2, 64)}):
                """Yield lists of at most ``size`` {noun}s, in order."""
                chunk = []
                for item in items:
                    chunk.append(item)
                    if len(chunk) == size:
                        yield chunk
                        chunk = []
                if chunk:
                    yield chunk
            ''')
    elif variant == 1:
        pattern = f"_{name.upper()}_PATTERN"
        module.add(
            f'''
            {pattern} = re.compile(r"^(?P<key>[a-z_]+)=(?P<value>.*)$")


            def {name}(text):
                """Parse ``key=value`` lines; blank lines and comments are skipped."""
                result = {{}}
                for line in text.splitlines():
                    line = line.strip()
                    if not line or line.startswith("#"):
                        continue
                    match = {pattern}.match(line)
                    if match is None:
                        raise ValueError(f"not a key=value line: {{line!r}}")
                    result[match["key"]] = match["value"]
                return result
            ''',
            "import re",
        )
    elif variant == 2:
        module.add(
            f'''
            def {name}(path, default=None):
                """Read a JSON {noun} file, or ``default`` when there is none."""
                try:
                    with open(path, encoding="utf-8") as handle:
                        return json.load(handle)
                except FileNotFoundError:
                    return default
                except json.JSONDecodeError as error:
                    raise ValueError(f"{{path}}: {{error}}") from error
            ''',
            "import json",
        )
    elif variant == 3:
        module.add(
            f'''
            def {name}(function, attempts={rng.randint(2, 6)}, delay=0.{rng.randint(1, 9)}):
                """Call ``function`` until it succeeds, waiting longer each time."""
                for attempt in range(attempts):
                    try:
                        return function()
                    except OSError:
                        if attempt == attempts - 1:
                            raise
                        time.sleep(delay * 2**attempt)
                return None
            ''',
            "import time",
        )
    else:
        module.add(f'''
            def {name}(values):
                """Mean, minimum and maximum of the {noun} values (None if none)."""
                values = [float(value) for value in values if value is not None]
                if not values:
                    return None
                total = sum(values)
                return {{
                    "mean": total / len(values),
                    "min": min(values),
                    "max": max(values),
                    "count": len(values),
                }}
            ''')


_FIELDS = (
    ("name", "str", '""'), ("count", "int", "0"), ("ratio", "float", "1.0"),
    ("enabled", "bool", "True"), ("owner", "str", '"nobody"'), ("retries", "int", "3"),
    ("timeout", "float", "30.0"), ("region", "str", '"eu"'),
)  # fmt: skip


def _dataclass_block(module: _Module) -> None:
    rng, noun = module.rng, module.rng.choice(_NOUNS)
    cls = module.fresh(noun.capitalize() + rng.choice(("Config", "Record", "Spec", "State")))
    fields = rng.sample(_FIELDS, rng.randint(2, 6))
    lines = ["@dataclass", f"class {cls}:", f'    """One {noun}, as stored."""', ""]
    lines += [f"    {name}: {kind} = {default}" for name, kind, default in fields]
    lines += ["", "    def to_dict(self):", "        return {"]
    lines += [f'            "{name}": self.{name},' for name, _, _ in fields]
    lines += ["        }", "", "    @classmethod", "    def from_dict(cls, data):"]
    lines += ["        return cls("]
    lines += [f'            {name}=data.get("{name}", {default}),' for name, _, default in fields]
    lines += ["        )"]
    module.add("\n".join(lines), "from dataclasses import dataclass")


def _cli_block(module: _Module) -> None:
    commands = module.rng.sample(_VERBS, module.rng.randint(2, 4))
    lines = ["def build_parser():", "    parser = argparse.ArgumentParser(description=__doc__)"]
    lines += ['    commands = parser.add_subparsers(dest="command", required=True)']
    for command in commands:
        lines += [
            f'    {command} = commands.add_parser("{command}")',
            f'    {command}.add_argument("path")',
            f'    {command}.add_argument("--dry-run", action="store_true")',
        ]
    lines += ["    return parser", "", "", "def main(argv=None):"]
    lines += ["    args = build_parser().parse_args(argv)"]
    for command in commands:
        lines += [
            f'    if args.command == "{command}":',
            f'        print("{command}", args.path, "(dry run)" if args.dry_run else "")',
            "        return 0",
        ]
    lines += ["    return 2", "", "", 'if __name__ == "__main__":', "    raise SystemExit(main())"]
    module.add("\n".join(lines), "import argparse")


def _test_block(module: _Module) -> None:
    rng, name, noun = module.rng, module.function_name(), module.rng.choice(_NOUNS)
    cases = ", ".join(f"({i}, {i * rng.randint(1, 5)})" for i in range(rng.randint(2, 5)))
    module.add(
        f'''
        @pytest.mark.parametrize(("count", "expected"), [{cases}])
        def test_{name}_scales(count, expected):
            {noun}s = [{{"id": index}} for index in range(count)]
            assert len({noun}s) == count
            assert expected >= count


        def test_{name}_rejects_bad_input(tmp_path):
            target = tmp_path / "{noun}.json"
            target.write_text("{{}}", encoding="utf-8")
            with pytest.raises(ValueError):
                raise ValueError(str(target))
        ''',
        "import pytest",
    )


def _analytics_block(module: _Module) -> None:
    module.add(
        f'''
        def {module.function_name()}_trend(frame):
            """Slope of a linear fit of the values over time (scikit-learn)."""
            model = LinearRegression()
            days = np.arange(len(frame)).reshape(-1, 1)
            model.fit(days, frame["value"].to_numpy())
            return float(model.coef_[0])
        ''',
        "import numpy as np",
        "from sklearn.linear_model import LinearRegression",
    )


#: kind of ordinary module: (weight among the ordinary files, first block, the other blocks)
_ORDINARY_KINDS = {
    "util": (40, _utility_block, _utility_block),
    "models": (20, _dataclass_block, _dataclass_block),
    "cli": (8, _cli_block, _utility_block),
    "test": (27, _test_block, _test_block),
    "analytics": (5, _analytics_block, _utility_block),
}


def _ordinary_module(rng: random.Random, kind: str, blocks: int) -> str:
    _, first, other = _ORDINARY_KINDS[kind]
    module = _Module(rng)
    for _ in range(blocks - 1):
        other(module)
    first(module)  # last in the file: a command-line module ends with main()
    return module.text(f"{kind.capitalize()} code for {rng.choice(_NOUNS)}s.")


def _blocks(rng: random.Random) -> int:
    # Most modules are short, a few are long: a log-normal number of blocks, median 8.
    return max(1, min(60, round(rng.lognormvariate(2.1, 0.8))))


# --- the tree -------------------------------------------------------------------------------


def generate_corpus(root: Path, files: int, seed: int = 0) -> GeneratedCorpus:
    """Write ``files`` Python files and a ``pyproject.toml`` under ``root``.

    The same seed writes the same bytes.
    """
    rng = random.Random(seed)
    planted = Planted()
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "monorepo"\nversion = "0.0.0"\n', encoding="utf-8"
    )
    keras_count = round(files * KERAS_SHARE)
    keras_slots = set(rng.sample(range(files), keras_count))
    kinds = sorted(_ORDINARY_KINDS)
    weights = [_ORDINARY_KINDS[kind][0] for kind in kinds]
    lines = 0
    package = None
    in_package = 0
    for index in range(files):
        if package is None or in_package >= rng.randint(8, 30):
            area = rng.choice(_AREAS)
            package = root / area / f"{rng.choice(_NOUNS)}_{index}"
            package.mkdir(parents=True, exist_ok=True)
            in_package = 0
        in_package += 1
        if index in keras_slots:
            text = _keras_script(rng, planted, extra_blocks=rng.randint(0, 4))
            path = package / f"train_{rng.choice(_NOUNS)}_{index}.py"
        elif in_package == 1:
            text = '"""A package."""\n'
            path = package / "__init__.py"
        else:
            kind = rng.choices(kinds, weights)[0]
            text = _ordinary_module(rng, kind, _blocks(rng))
            prefix = "test_" if kind == "test" else ""
            path = package / f"{prefix}{rng.choice(_VERBS)}_{rng.choice(_NOUNS)}_{index}.py"
        path.write_text(text, encoding="utf-8")
        lines += text.count("\n")
    return GeneratedCorpus(root, files, keras_count, lines, planted)


def generate_module(target_lines: int, seed: int = 0) -> str:
    """One Python module of at least ``target_lines`` lines: Keras training code (every rule's
    trigger occurs) interleaved with ordinary functions, under one set of imports."""
    rng = random.Random(seed)
    header = textwrap.dedent('''\
        """Experiments, generated."""

        import argparse
        import json
        import os
        import re
        import time

        import keras
        import numpy as np
        import tensorflow as tf
        from keras import layers
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        NUM_CLASSES = 10
        SEED = 0
        ''')
    chunks = [header]
    lines = header.count("\n")
    utilities = _Module(rng)
    index = 0
    while lines < target_lines:
        if index % 3 == 0:
            chunk = _numbered_experiment(rng, index)
        else:
            _utility_block(utilities)
            chunk = utilities.blocks[-1]
        chunk = "\n\n" + chunk + "\n"
        chunks.append(chunk)
        lines += chunk.count("\n")
        index += 1
    return "".join(chunks)


def _numbered_experiment(rng: random.Random, index: int) -> str:
    units, activation, loss = rng.choice(sorted(_GOOD_HEADS.values()))
    restore = rng.choice(("", ", restore_best_weights=True"))
    return textwrap.dedent(f'''\
        def experiment_{index}(x, y, epochs={rng.randint(5, 50)}):
            """Experiment {index}: a {activation} head trained with {loss}."""
            x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2)
            scaler = StandardScaler()
            x_train = scaler.fit_transform(x_train)
            x_test = scaler.transform(x_test)
            model = keras.Sequential(
                [
                    keras.Input(shape=(x_train.shape[1],)),
                    layers.Dense({rng.choice((32, 64, 128))}, activation="relu"),
                    layers.Dense({units}, activation="{activation}"),
                ]
            )
            model.compile(optimizer="adam", loss={loss}, metrics=["accuracy"])
            stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5{restore})
            history = model.fit(
                x_train, y_train, validation_data=(x_test, y_test), epochs=epochs, callbacks=[stop]
            )
            model.evaluate(x_test, y_test)
            return history.history''')


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the generated benchmark corpus.")
    parser.add_argument("out", type=Path, help="folder to write (created)")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    corpus = generate_corpus(args.out, args.files, args.seed)
    planted = ", ".join(f"{code}: {n}" for code, n in sorted(corpus.planted.counts.items()))
    print(
        f"{corpus.files} files ({corpus.keras_files} Keras scripts), {corpus.lines} lines; "
        f"planted {planted}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
