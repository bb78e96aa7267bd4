"""Generated sources of every kind keras-lint reads, and what every lint of them must be.

The property, for any text: ``lint_text`` raises nothing, reports no internal error, and every
finding is well formed (a known code under its own name, a position inside the file, a one-line
message, the cell of a notebook and no cell elsewhere). For Python and notebooks, linting with
and without the prefilter reports the same findings (a rule's trigger must match every file it
can report in), but for the KER001 of what only analysis meets (``_needs_analysis``).

Python comes from Python's grammar (hypothesmith) and from a strategy that composes Keras
training code (models, compile, fit, callbacks, scalers, splits, helpers, branches and loops)
so that the rules' own code paths run, not only the prefilter's early exit. Notebooks, Dockerfiles,
Compose files and Kubernetes manifests are generated both well-shaped and broken.

Used by ``tests/test_never_crash.py`` (a bounded number of examples) and ``scripts/fuzz.py``
(for a given time); ``KERAS_LINT_FUZZ_EXAMPLES`` sets the examples per property test.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import hypothesmith
import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from keras_lint.engine import LintResult, lint_text
from keras_lint.finding import Finding
from keras_lint.parse_error import PARSE_ERROR_CODE, PARSE_ERROR_NAME
from keras_lint.rules import ALL_RULES
from keras_lint.sources import SourceKind

#: examples per property test in the test suite
EXAMPLES = int(os.environ.get("KERAS_LINT_FUZZ_EXAMPLES", "50"))

NEVER_CRASH = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

#: every line break some reader of some kind counts (Python, YAML 1.1), for the line bound
_ANY_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_NAMES = {PARSE_ERROR_CODE: PARSE_ERROR_NAME} | {rule.code: rule.name for rule in ALL_RULES}


# -- the property ---------------------------------------------------------------------------


def _line_count(text: str) -> int:
    return len(_ANY_LINE_BREAK.split(text.removesuffix("\n")))


def _notebook_cell_lines(text: str) -> dict[int, int]:
    """The number of lines of each cell of a notebook (by 1-based index), when it is JSON."""
    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError, RecursionError):
        return {}
    counts: dict[int, int] = {}
    for index, cell in enumerate(cells if isinstance(cells, list) else [], start=1):
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        if isinstance(source, list):
            source = "".join(str(part) for part in source)
        counts[index] = _line_count(str(source))
    return counts


def finding_problems(finding: Finding, text: str, path: str, kind: SourceKind) -> list[str]:
    """What is wrong with one finding of ``text``; empty when it is well formed."""
    problems = []
    if _NAMES.get(finding.code) != finding.name:
        problems.append(f"unknown code or name {finding.code} {finding.name}")
    if finding.path != path:
        problems.append(f"path {finding.path!r} is not {path!r}")
    if not finding.message or "\n" in finding.message or "\r" in finding.message:
        problems.append(f"message is not one line: {finding.message!r}")
    if finding.fix is not None and finding.fix.applicability not in (
        "safe",
        "unsafe",
        "display-only",
    ):
        problems.append(f"a fix of unknown applicability: {finding.fix!r}")
    lines = _line_count(text)
    if kind == "notebook" and finding.cell is not None:
        lines = _notebook_cell_lines(text).get(finding.cell, 0)
        if lines == 0:
            problems.append(f"cell {finding.cell} is not a cell of the notebook")
    elif finding.cell is not None:
        problems.append(f"cell {finding.cell} in a {kind} source")
    start, end = (finding.line, finding.column), (finding.end_line, finding.end_column)
    if not 1 <= finding.line <= max(lines, 1) or finding.end_line > max(lines, 1):
        problems.append(f"lines {finding.line}-{finding.end_line} outside 1-{lines}")
    if finding.column < 1 or end < start:
        problems.append(f"span {start} to {end}")
    return problems


def result_problems(result: LintResult, text: str, path: str, kind: SourceKind) -> list[str]:
    problems = [f"internal error: {error}" for error in result.errors]
    for finding in result.findings:
        problems += [
            f"{finding}: {problem}" for problem in finding_problems(finding, text, path, kind)
        ]
    if result.findings != sorted(result.findings, key=Finding.sort_key):
        problems.append("findings are not sorted")
    return problems


@dataclass
class Outcome:
    """One source linted with the prefilter on and off."""

    findings: list[Finding]
    problems: list[str]


def lint_both_ways(text: str, path: str, kind: SourceKind) -> Outcome:
    """Lint ``text`` with every rule, the prefilter on and off, and check the property."""
    on = lint_text(text, path, kind=kind)
    off = lint_text(text, path, kind=kind, prefilter=False)
    problems = result_problems(on, text, path, kind) + result_problems(off, text, path, kind)
    if kind in ("python", "notebook"):
        kept = [
            finding
            for finding in off.findings
            if finding in on.findings or not _needs_analysis(finding)
        ]
        if on.findings != kept:
            problems.append(
                f"the prefilter changes the findings: {on.findings} with it, {off.findings} without"
            )
    return Outcome(on.findings, problems)


#: KER001 messages of what only analysis meets: text CPython accepts but libcst does not
#: parse, or a tree too deep or too large to analyse. With the prefilter, a file no rule's
#: trigger matches is never analysed, so these are reported only without it.
_ANALYSIS_PROBLEMS = re.compile(
    r"cannot parse: (?:tokenizer|parser) error|too deeply nested to analyse|too large to analyse"
)


def _needs_analysis(finding: Finding) -> bool:
    return finding.code == PARSE_ERROR_CODE and bool(_ANALYSIS_PROBLEMS.match(finding.message))


# -- Python -------------------------------------------------------------------------------

IMPORTS = [
    "import keras",
    "from tensorflow import keras",
    "import tensorflow as tf",
    "import tensorflow.keras as tfk",
    "from keras import layers",
    "from keras import layers as L",
    "from tensorflow.keras import layers",
    "from keras.models import Sequential, Model, load_model",
    "from tensorflow.keras.models import Sequential",
    "from keras.layers import Dense, Activation, Input, Dropout",
    "from keras.callbacks import EarlyStopping, ModelCheckpoint",
    "from tensorflow.keras.callbacks import EarlyStopping",
    "from keras import losses",
    "from sklearn.preprocessing import StandardScaler, MinMaxScaler",
    "from sklearn.model_selection import train_test_split, KFold, cross_val_score",
    "from sklearn.pipeline import make_pipeline",
    "from scikeras.wrappers import KerasClassifier",
    "from registry import register",
    "import numpy as np",
    "import os",
    "import torch",
]
MODELS = ["model", "m", "net", "self.model"]
DATA = ["X", "y", "x_train", "x_test", "y_train", "y_test", "x_val", "data", "features"]
SCALERS = ["scaler", "sc", "norm"]
CALLBACKS = ["es", "stop", "ckpt", "cbs"]
HELPERS = ["build", "build_model", "make", "train", "compile_it", "main"]

ACTIVATIONS = [
    '"softmax"', '"sigmoid"', '"relu"', '"linear"', "None", '"tanh"', "keras.activations.softmax",
    "act", '"soft" + "max"', "'sigmoid'",
]  # fmt: skip
LOSSES = [
    '"binary_crossentropy"', '"categorical_crossentropy"', '"sparse_categorical_crossentropy"',
    '"mse"', '"mae"', '"kl_divergence"', "keras.losses.BinaryCrossentropy(from_logits=True)",
    "keras.losses.CategoricalCrossentropy()",
    "losses.SparseCategoricalCrossentropy(from_logits=False)",
    "tf.keras.losses.binary_crossentropy", "loss_fn", '{"a": "mse", "b": "binary_crossentropy"}',
    '["mse", "categorical_crossentropy"]', "keras.losses.Huber()",
]  # fmt: skip
MODEL_MAKERS = [
    "keras.Sequential({layers})",
    "keras.models.Sequential({layers})",
    "tf.keras.Sequential({layers})",
    "Sequential({layers})",
    "keras.Model(inputs, outputs)",
    "keras.Model(inputs=inputs, outputs=[outputs, outputs])",
    'keras.models.load_model("model.keras")',
    'load_model("best.h5", compile=False)',
    'tf.keras.models.load_model("m", compile={flag})',
    "keras.models.clone_model({model})",
    "{helper}()",
    "{helper}({data}, {data})",
    "KerasClassifier(model={helper})",
    "MyModel()",
    "keras.applications.ResNet50(weights=None)",
    "torch.nn.Linear(1, 1)",
]
LAYERS = [
    "Dense({units}, activation={activation})",
    "keras.layers.Dense({units}, activation={activation})",
    "layers.Dense({units})",
    "L.Dense({units}, {activation})",
    "Activation({activation})",
    "layers.Activation({activation})",
    "keras.Input(shape=({units},))",
    "Input(shape=(None, {units}))",
    "layers.Dropout(0.5)",
    "layers.Conv2D({units}, 3, activation={activation})",
    "layers.Normalization()",
    "layers.Softmax()",
    "keras.layers.Lambda(lambda t: t)",
    "{helper}()",
]
OUTPUT_LAYERS = [
    "keras.layers.Dense({units}, activation={activation})",
    "layers.Dense({units}, activation={activation})",
    "Dense({units}, activation={activation})",
    "tf.keras.layers.Dense({units}, {activation})",
    "keras.layers.Dense({units}), keras.layers.Activation({activation})",
]
FIT_METHODS = ["fit", "evaluate", "train_on_batch", "test_on_batch", "fit_generator", "predict"]


def _choice(options: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(options)


def _one_in(n: int) -> st.SearchStrategy[bool]:
    """True about once in ``n`` draws (Hypothesis favours 0 and the bounds of an integer range,
    so ``integers(0, 9) == 0`` would hold far more often)."""
    return st.sampled_from([False] * (n - 1) + [True])


@st.composite
def _layers(draw: st.DrawFn) -> str:
    chosen = draw(st.lists(_choice(LAYERS), max_size=4))
    filled = [
        layer.format(
            units=draw(st.sampled_from(["1", "2", "10", "n", "num_classes", "0"])),
            activation=draw(_choice(ACTIVATIONS)),
            helper=draw(_choice(HELPERS)),
        )
        for layer in chosen
    ]
    if not draw(_one_in(4)):  # an output layer whose activation a loss can contradict
        output = draw(_choice(OUTPUT_LAYERS))
        units = draw(st.sampled_from(["1", "1", "10", "num_classes"]))
        filled.append(output.format(units=units, activation=draw(_choice(ACTIVATIONS))))
    form = draw(st.sampled_from(["[{}]", "({},)", "{}", "layers_list", "[*base, {}]"]))
    if form == "({},)" and not filled:
        form = "()"
    return form.format(", ".join(filled)) if "{}" in form else form


@st.composite
def _model_expression(draw: st.DrawFn) -> str:
    template = draw(_choice(MODEL_MAKERS))
    return template.format(
        layers=draw(_layers()),
        flag=draw(st.sampled_from(["True", "False", "flag"])),
        model=draw(_choice(MODELS)),
        helper=draw(_choice(HELPERS)),
        data=draw(_choice(DATA)),
    )


@st.composite
def _keyword_arguments(draw: st.DrawFn, options: dict[str, list[str]]) -> str:
    names = draw(st.lists(st.sampled_from(sorted(options)), unique=True, max_size=len(options)))
    parts = [f"{name}={draw(st.sampled_from(options[name]))}" for name in names]
    if draw(st.booleans()) and draw(st.booleans()):
        parts.append(draw(st.sampled_from(["**kwargs", "**config", "*args"])))
    return ", ".join(parts)


@st.composite
def _simple_statement(draw: st.DrawFn) -> str:
    model, data = draw(_choice(MODELS)), draw(_choice(DATA))
    other = draw(_choice(DATA))
    scaler, callback = draw(_choice(SCALERS)), draw(_choice(CALLBACKS))
    kind = draw(st.integers(0, 22))
    if kind == 0:
        return f"{model} = {draw(_model_expression())}"
    if kind == 1:
        arguments = draw(
            _keyword_arguments(
                {
                    "optimizer": ['"adam"', "keras.optimizers.SGD(0.1)", "opt"],
                    "loss": LOSSES,
                    "metrics": ['["accuracy"]', "[]", "metrics"],
                    "run_eagerly": ["True", "False"],
                }
            )
        )
        return f"{model}.compile({arguments})"
    if kind == 2:
        arguments = draw(
            _keyword_arguments(
                {
                    "epochs": ["1", "10", "epochs", "-1"],
                    "batch_size": ["32", "None"],
                    "validation_split": ["0.2", "0.0", "split"],
                    "validation_data": [f"({other}, {other})", "val_ds"],
                    "callbacks": [f"[{callback}]", callback, "[EarlyStopping()]", "[]", "None"],
                    "verbose": ["0", "2"],
                }
            )
        )
        method = draw(_choice(FIT_METHODS))
        positional = draw(st.sampled_from(["", f"{data}", f"{data}, {other}", "ds"]))
        separator = ", " if positional and arguments else ""
        return f"{model}.{method}({positional}{separator}{arguments})"
    if kind == 3:
        arguments = draw(
            _keyword_arguments(
                {
                    "monitor": ['"val_loss"', '"loss"'],
                    "patience": ["3", "0", "patience"],
                    "restore_best_weights": ["True", "False", "restore", "None"],
                    "mode": ['"min"', '"auto"'],
                }
            )
        )
        maker = draw(
            st.sampled_from(
                [
                    "EarlyStopping",
                    "keras.callbacks.EarlyStopping",
                    "tf.keras.callbacks.EarlyStopping",
                    "pl.callbacks.EarlyStopping",
                ]
            )
        )
        return f"{callback} = {maker}({arguments})"
    if kind == 4:
        best = draw(st.sampled_from(["True", "False", "best"]))
        return f'{callback} = ModelCheckpoint("best.h5", save_best_only={best})'
    if kind == 5:
        maker = draw(_choice(["StandardScaler()", "MinMaxScaler()", "layers.Normalization()"]))
        return f"{scaler} = {maker}"
    if kind == 6:
        method = draw(
            st.sampled_from(["fit", "fit_transform", "adapt", "transform", "partial_fit"])
        )
        return f"{data} = {scaler}.{method}({other})"
    if kind == 7:
        return f"{scaler}.{draw(st.sampled_from(['fit', 'adapt']))}({data})"
    if kind == 8:
        size = draw(st.sampled_from(["0.2", "0.5", "test_size", "1"]))
        split = f"train_test_split({data}, {other}, test_size={size})"
        return f"x_train, x_test, y_train, y_test = {split}"
    if kind == 9:
        index = draw(st.sampled_from([":800", "800:", "idx", ":n", "::2", "train_idx"]))
        return f"{data} = {other}[{index}]"
    if kind == 10:
        return f"{data} = np.concatenate([{data}, {other}])"
    if kind == 11:
        return draw(
            st.sampled_from(
                [
                    'os.environ["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"',
                    'os.environ["KERAS_BACKEND"] = "jax"',
                    'os.environ.setdefault("KERAS_BACKEND", "torch")',
                    "tf.config.experimental.set_memory_growth(gpu, True)",
                    "gpus = tf.config.list_physical_devices('GPU')",
                    "tf.config.set_logical_device_configuration(gpus[0], [limit])",
                    "config.gpu_options.allow_growth = True",
                ]
            )
        )
    if kind == 12:
        layer = draw(_choice(LAYERS)).format(
            units="1", activation=draw(_choice(ACTIVATIONS)), helper="build"
        )
        return f"{model}.add({layer})"
    if kind == 13:
        return f'{model}.load_weights("best.h5")'
    if kind == 14:
        return f"{data} = np.random.rand({draw(st.sampled_from(['100, 10', 'n', '10']))})"
    if kind == 15:
        return f"cross_val_score({draw(_choice(['pipe', 'clf', model]))}, {data}, {other}, cv=5)"
    if kind == 16:
        return f"{callback} = [{draw(_choice(CALLBACKS))}, {draw(_choice(CALLBACKS))}]"
    if kind == 17:
        return draw(
            st.sampled_from(
                [
                    "return " + model,
                    "return",
                    "break",
                    "continue",
                    "pass",
                    "raise ValueError()",
                    f"del {model}",
                    "global model",
                    "yield " + data,
                ]
            )
        )
    if kind == 18:
        return f"{model} = {draw(_choice(HELPERS))}({draw(_choice(MODELS))})"
    if kind == 19:
        layer = draw(_choice(LAYERS)).format(
            units="3", activation=draw(_choice(ACTIVATIONS)), helper="build"
        )
        return f"outputs = {layer}(inputs)"
    if kind == 20:
        return f"({model.removeprefix('self.')} := {draw(_model_expression())})"
    if kind == 21:  # code the analysis cannot follow, given objects that may refer to themselves
        given = draw(st.sampled_from(["self", "MyModel()", model, f"[self, {model}]"]))
        return f"register({given})"
    return f"{model}.summary()  # noqa: {draw(st.sampled_from(['KER101', 'KER9', 'E501', '']))}"


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


@st.composite
def _block(draw: st.DrawFn, depth: int) -> list[str]:
    statements = draw(st.lists(_statement(depth), min_size=1, max_size=5))
    return [line for statement in statements for line in statement]


@st.composite
def _statement(draw: st.DrawFn, depth: int) -> list[str]:
    if depth >= 3 or not draw(_one_in(4)):
        return [draw(_simple_statement())]
    body = draw(_block(depth + 1))
    kind = draw(st.integers(0, 9))
    if kind == 0:
        orelse = draw(st.one_of(st.none(), _block(depth + 1)))
        condition = draw(
            st.sampled_from(["flag", "True", "False", "__name__ == '__main__'", "x is None"])
        )
        lines = [f"if {condition}:", *_indent(body)]
        return lines + (["else:", *_indent(orelse)] if orelse else [])
    if kind == 1:
        target = draw(st.sampled_from(["epoch", "i", "train_idx, test_idx"]))
        iterable = draw(st.sampled_from(["range(3)", "KFold(5).split(X)", "data", "folds"]))
        return [
            f"for {target} in {iterable}:",
            *_indent(body),
        ]
    if kind == 2:
        return ["while not done:", *_indent(body)]
    if kind == 3:
        return ["try:", *_indent(body), "except Exception:", "    pass"]
    if kind == 4:
        return ['with tf.device("/GPU:0"):', *_indent(body)]
    if kind in (5, 6):
        name = draw(_choice(HELPERS))
        params = draw(st.sampled_from(["", "m", "x, y", "m, *args, **kwargs", "model=None"]))
        return [f"def {name}({params}):", *_indent(body)]
    if kind == 7:
        base = draw(st.sampled_from(["keras.Model", "tf.keras.Model", "object", "Base"]))
        return [
            f"class MyModel({base}):",
            "    def __init__(self):",
            "        super().__init__()",
            f"        self.{draw(st.sampled_from(['owner', 'model', 'peer']))} = self",
            "    def train(self):",
            *_indent(_indent(body)),
        ]
    if kind == 8:
        return ["async def run():", *_indent(body)]
    return ["if __name__ == '__main__':", *_indent(body)]


IMPORT_SETS = [
    ["import keras", "from keras import layers"],
    ["import tensorflow as tf", "from tensorflow import keras"],
    [
        "from tensorflow.keras.models import Sequential",
        "from tensorflow.keras.layers import Dense, Activation, Input",
        "from tensorflow.keras.callbacks import EarlyStopping, ModelCheckpoint",
    ],
    ["import os", 'os.environ["KERAS_BACKEND"] = "jax"', "import keras"],
    ["from keras.models import Sequential, load_model", "from keras.layers import Dense"],
]


@st.composite
def _training_run(draw: st.DrawFn) -> list[list[str]]:
    """The statements of one training run, in order, on one model: data, preprocessing, the
    model, perhaps its compile, a callback, the training call; each step may be perturbed."""
    model = draw(_choice(["model", "m", "net"]))
    steps: list[list[str]] = [["X = np.random.rand(100, 10)", "y = np.random.randint(0, 2, 100)"]]
    scale = draw(st.sampled_from(["before split", "after split", "none"]))
    split = ["x_train, x_test, y_train, y_test = train_test_split(X, y, test_size=0.2)"]
    if scale == "before split":
        steps += [["scaler = StandardScaler()", "X = scaler.fit_transform(X)"], split]
    elif scale == "after split":
        steps += [split, ["scaler = StandardScaler()", "x_train = scaler.fit_transform(x_train)"]]
    else:
        steps.append(split)
    if draw(st.booleans()):
        steps.append([f"{model} = {draw(_model_expression())}"])
    else:
        steps.append([f"{model} = keras.Sequential({draw(_layers())})"])
    if not draw(_one_in(4)):
        loss = draw(_choice(LOSSES))
        steps.append([f'{model}.compile(optimizer="adam", loss={loss}, metrics=["accuracy"])'])
    callbacks = ""
    if draw(st.booleans()):
        restore = draw(
            st.sampled_from(["", ", restore_best_weights=True", ", restore_best_weights=False"])
        )
        steps.append(
            [f'es = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3{restore})']
        )
        callbacks = ", callbacks=[es]"
    method = draw(st.sampled_from(["fit", "fit", "fit", "evaluate", "train_on_batch", "predict"]))
    validation = draw(
        st.sampled_from(["", ", validation_split=0.2", ", validation_data=(x_test, y_test)"])
    )
    steps.append([f"{model}.{method}(x_train, y_train, epochs=2{validation}{callbacks})"])
    if callbacks and draw(st.booleans()):
        steps.insert(
            -1, ['ckpt = keras.callbacks.ModelCheckpoint("best.keras", save_best_only=True)']
        )
        steps.append([f'{model} = keras.models.load_model("best.keras")'])
    if draw(_one_in(5)):  # a compile after the training call, or a swap
        at = draw(st.integers(0, len(steps) - 2))
        steps[at], steps[at + 1] = steps[at + 1], steps[at]
    return steps


@st.composite
def _wrapped(draw: st.DrawFn, step: list[str]) -> list[str]:
    """A step as written, or inside a branch, a loop, a try, a with, or a helper it calls."""
    how = draw(st.integers(0, 9))
    if how == 0:
        return [
            "if flag:",
            *_indent(step),
            *(["else:", *_indent(draw(_block(1)))] if draw(st.booleans()) else []),
        ]
    if how == 1:
        return ["for fold in range(3):", *_indent(step)]
    if how == 2:
        return ["try:", *_indent(step), "except Exception:", "    raise"]
    if how == 3:
        return ['with tf.device("/GPU:0"):', *_indent(step)]
    if how == 4:
        name = draw(_choice(HELPERS))
        assigned = [
            line.split(" = ", 1)[0]
            for line in step
            if " = " in line and "(" not in line.split(" = ", 1)[0]
        ]
        names = ", ".join(
            dict.fromkeys(name.strip() for target in assigned for name in target.split(","))
        )
        returned = [f"    return {names}"] if names else []
        call = f"{names} = {name}()" if names else f"{name}()"
        return [
            f"def {name}():",
            "    global X, y, x_train, x_test, y_train, y_test",
            *_indent(step),
            *returned,
            call,
        ]
    return step


@st.composite
def keras_programs(draw: st.DrawFn) -> str:
    """Keras training code: coherent imports and a training run, its steps perturbed, wrapped
    in branches, loops and helpers, and mixed with statements drawn at random."""
    imports = [*draw(st.sampled_from(IMPORT_SETS)), "import numpy as np"]
    if not draw(_one_in(4)):
        imports += [
            "from sklearn.preprocessing import StandardScaler",
            "from sklearn.model_selection import train_test_split",
        ]
    imports += draw(st.lists(_choice(IMPORTS), unique=True, max_size=3))
    body: list[str] = []
    for step in draw(_training_run()):
        body += draw(_wrapped(step))
        if draw(_one_in(4)):
            body += draw(_statement(0))
    if draw(_one_in(4)):
        body = ["def main():", *_indent(body), "", "if __name__ == '__main__':", "    main()"]
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return newline.join([*imports, *body]) + newline


#: made once: hypothesmith compiles Python's grammar for every strategy it makes
PYTHON_GRAMMAR = hypothesmith.from_grammar()
PYTHON_NODES = hypothesmith.from_node()


def python_sources() -> st.SearchStrategy[str]:
    """Programs from Python's grammar, and text that is mostly not Python."""
    return st.one_of(
        PYTHON_GRAMMAR,
        st.text(max_size=80),
        st.builds(
            "".join,
            st.lists(
                st.sampled_from(
                    [
                        "(",
                        ")",
                        "[",
                        "]",
                        ":",
                        "\n",
                        "    ",
                        "\t",
                        "def f",
                        "x",
                        " = ",
                        "if a",
                        "\\",
                        '"""',
                        "#",
                        "\r",
                        "lambda",
                        "async ",
                        "match x",
                    ]
                ),
                max_size=30,
            ),
        ),
    )


# -- notebooks ------------------------------------------------------------------------------

_MAGICS = [
    "%matplotlib inline", "!pip install keras", "%%bash\nls -la\necho done", "%%time\nx = 1",
    "%%capture\nmodel.fit(x)", "x = !ls", "files, err = %sx ls", "keras.Model?", "??np.load",
    "%env TF_FORCE_GPU_ALLOW_GROWTH=true", "%set_env KERAS_BACKEND jax",
    "%%writefile a.py\nimport x",
    "  %time model.fit(x)", "%load_ext autoreload\n%autoreload 2", "!nvidia-smi \\\n  -L", "%%",
    "%", "!", "?", "%%html\n<b>x</b>", "    x = 1\n    y = 2", "\tmodel.fit(x)",
]  # fmt: skip


def _cell_code() -> st.SearchStrategy[str]:
    return st.one_of(
        keras_programs(),
        PYTHON_GRAMMAR,
        st.sampled_from(_MAGICS),
        st.text(max_size=40),
    )


def _source(code: str, form: str) -> object:
    if form == "string":
        return code
    lines = code.splitlines(keepends=True)
    return lines if form == "lines" else [line.rstrip("\n") for line in lines]


_METADATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def _cell(draw: st.DrawFn) -> dict[str, object]:
    cell_type = draw(st.sampled_from(["code", "code", "code", "markdown", "raw"]))
    code = draw(_cell_code()) if cell_type == "code" else draw(st.text(max_size=30))
    form = draw(st.sampled_from(["string", "lines", "lines without breaks"]))
    cell: dict[str, object] = {
        "cell_type": cell_type,
        "metadata": {},
        "source": _source(code, form),
    }
    if cell_type == "code":
        cell["outputs"] = []
        cell["execution_count"] = draw(st.none() | st.integers(0, 99))
    if draw(_one_in(4)):
        cell["metadata"] = draw(st.dictionaries(st.text(max_size=8), _METADATA, max_size=3))
    if draw(st.booleans()):
        cell["id"] = draw(st.text("abcdef0123456789-", min_size=1, max_size=12))
    if draw(_one_in(20)):  # a cell nbformat rejects
        field = draw(st.sampled_from(["source", "cell_type", "outputs", "metadata", "id"]))
        if draw(st.booleans()):
            cell[field] = draw(_METADATA)
        else:
            cell.pop(field, None)
    return cell


@st.composite
def notebooks(draw: st.DrawFn) -> str:
    """Notebook JSON, mostly valid nbformat 4 with odd corners, sometimes broken or not JSON."""
    if draw(_one_in(10)):
        return draw(
            st.one_of(
                st.text(max_size=60),
                st.sampled_from(["{}", "[]", '{"cells": 1}', "null", '{"cells": [1, "a", null]}']),
            )
        )
    notebook: dict[str, object] = {
        "cells": draw(st.lists(_cell(), max_size=5)),
        "metadata": draw(st.dictionaries(st.text(max_size=8), _METADATA, max_size=3)),
        "nbformat": 4,
        "nbformat_minor": draw(st.sampled_from([0, 2, 4, 5])),
    }
    if draw(_one_in(10)):  # a format nbformat does not read
        notebook["nbformat"] = draw(st.sampled_from([3, 5, "4", None]))
    indent = draw(st.sampled_from([None, 1, 2]))
    return json.dumps(notebook, indent=indent, ensure_ascii=draw(st.booleans()))


# -- Dockerfiles ----------------------------------------------------------------------------

_IMAGES = [
    "python", "python:3.11", "python:latest", "tensorflow/tensorflow:latest-gpu",
    "tensorflow/tensorflow:2.16.1-gpu", "nvidia/cuda:12.2.0-runtime-ubuntu22.04", "scratch", "base",
    "builder", "python@sha256:" + "a" * 64, "${BASE}", "${BASE:-python:3.11}", "$BASE",
    "${BASE:-python}:${TAG:-latest}", "${A:+x}", "${A:?missing}", "${A%%x}", "${", "$",
    "registry.example.com:5000/team/img", "localhost/img:1", "img:LATEST", "\"python:3.11\"",
]  # fmt: skip


@st.composite
def _docker_instruction(draw: st.DrawFn) -> str:
    keyword = draw(
        st.sampled_from(
            ["FROM", "from", "ARG", "ENV", "RUN", "COPY", "#", "", "LABEL", "WORKDIR", "CMD"]
        )
    )
    if keyword.upper() == "FROM":
        platform = draw(
            st.sampled_from(["", "--platform=linux/amd64 ", "--platform=$BUILDPLATFORM ", "--x "])
        )
        stage = draw(st.sampled_from(["", " AS builder", " as base", " AS", " AS a b"]))
        return f"{keyword} {platform}{draw(st.sampled_from(_IMAGES))}{stage}"
    if keyword == "ARG":
        name = draw(st.sampled_from(["BASE", "TAG", "A", "B", "1X", "=x", ""]))
        default = draw(
            st.sampled_from(
                [
                    "",
                    "=python:3.11",
                    "=latest",
                    "=${A}",
                    "=${BASE:-python}",
                    "=$A$B",
                    '="quoted value"',
                    "=",
                ]
            )
        )
        return f"ARG {name}{default}"
    if keyword == "ENV":
        return draw(st.sampled_from([
            "ENV TF_FORCE_GPU_ALLOW_GROWTH=true", "ENV TF_FORCE_GPU_ALLOW_GROWTH true",
            "ENV A=1 B=\"two words\" C=${A}", "ENV A", "ENV =x", "ENV A=${A:-x}",
            "ENV KERAS_BACKEND=jax",
        ]))  # fmt: skip
    if keyword == "RUN":
        return draw(st.sampled_from([
            "RUN pip install keras", "RUN <<EOF\nFROM python:latest\nEOF",
            "RUN <<-EOT bash\n\techo\n\tEOT",
            "RUN a && \\\n    b", "RUN echo $A ${B:-c}", "RUN <<EOF", "RUN [\"python\", \"x.py\"]",
        ]))  # fmt: skip
    if keyword == "#":
        return draw(st.sampled_from([
            "# escape=`", "# syntax=docker/dockerfile:1", "# keras-lint: ignore=KER401",
            "# keras-lint: ignore=KER4", "# a comment", "#", "# escape=\\",
        ]))  # fmt: skip
    if keyword == "":
        return draw(st.one_of(st.just(""), st.text(max_size=20)))
    return f"{keyword} {draw(st.text(max_size=15))}"


@st.composite
def dockerfiles(draw: st.DrawFn) -> str:
    lines = draw(st.lists(_docker_instruction(), max_size=8))
    joiner = draw(st.sampled_from(["\n", "\r\n", "\n\n", " \\\n", "\n# c\n"]))
    return joiner.join(lines) + draw(st.sampled_from(["", "\n", "\\", "`"]))


# -- Compose files and Kubernetes manifests ------------------------------------------------


@st.composite
def _compose_document(draw: st.DrawFn) -> object:
    services = {}
    for name in draw(
        st.lists(st.sampled_from(["web", "train", "db", "<<", "1"]), unique=True, max_size=3)
    ):
        service: dict[str, object] = {}
        if draw(st.booleans()):
            service["image"] = draw(
                st.sampled_from(_IMAGES + ["${IMAGE:-python:latest}", "$$x", 3, None, ["a"]])
            )
        if draw(_one_in(4)):
            service["build"] = draw(st.sampled_from([".", {"context": "."}]))
        services[name] = service
    return {"services": services, "version": draw(st.sampled_from(["3.8", 2, None]))}


@st.composite
def _manifest_document(draw: st.DrawFn) -> object:
    container = {"name": "c", "image": draw(st.sampled_from(_IMAGES + [3, None]))}
    lists = draw(
        st.lists(
            st.sampled_from(["containers", "initContainers", "ephemeralContainers"]),
            unique=True,
            min_size=1,
        )
    )
    pod_spec = {name: [container] for name in lists}
    spec = draw(st.sampled_from(["pod", "template", "cronjob", "list"]))
    if spec == "pod":
        body: dict[str, object] = {"spec": pod_spec}
    elif spec == "template":
        body = {"spec": {"template": {"spec": pod_spec}}}
    elif spec == "cronjob":
        body = {"spec": {"jobTemplate": {"spec": {"template": {"spec": pod_spec}}}}}
    else:
        body = {"items": [{"apiVersion": "v1", "kind": "Pod", "spec": pod_spec}]}
    head = {
        "apiVersion": draw(st.sampled_from(["v1", "apps/v1", "batch/v1"])),
        "kind": draw(st.sampled_from(["Pod", "Deployment", "CronJob", "List"])),
    }
    return head | body


_YAML_NOISE = [
    "&a ", "*a", "<<: *a\n", "- ", "{", "}", "[", "]", "---\n", "...\n", "\t", "'", '"', "#",
    "!!python/object/apply:os.system ['touch /tmp/keras-lint-yaml-ran']\n", "!!str ", "? ",
    "\ufeff", "\r\n", "image: ", "\x85", ": ", "|\n  x\n", ">-\n  y\n",
]  # fmt: skip


@st.composite
def container_yaml(draw: st.DrawFn) -> str:
    """Compose- and Kubernetes-shaped documents, sometimes with noise spliced in."""
    documents = draw(
        st.lists(st.one_of(_compose_document(), _manifest_document()), min_size=1, max_size=3)
    )
    flow = draw(st.sampled_from([False, None, True]))
    text = yaml.safe_dump_all(
        documents, default_flow_style=flow, explicit_start=draw(st.booleans())
    )
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        noise = draw(st.one_of(st.sampled_from(_YAML_NOISE), st.text(max_size=10)))
        text = text[:at] + noise + text[at:]
    return text


def yaml_sources() -> st.SearchStrategy[str]:
    return st.one_of(container_yaml(), st.text(max_size=60))


# -- every kind -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFamily:
    """A family of generated sources: the strategy, and the path and kind they are linted as."""

    name: str
    strategy: Callable[[], st.SearchStrategy[str]]
    path: str
    kind: SourceKind


FAMILIES = [
    SourceFamily("python-grammar", lambda: PYTHON_GRAMMAR, "generated.py", "python"),
    SourceFamily("python-node", lambda: PYTHON_NODES, "generated.py", "python"),
    SourceFamily("python-text", python_sources, "text.py", "python"),
    SourceFamily("keras", keras_programs, "train.py", "python"),
    SourceFamily("notebook", notebooks, "train.ipynb", "notebook"),
    SourceFamily("dockerfile", dockerfiles, "Dockerfile", "dockerfile"),
    SourceFamily("compose", yaml_sources, "compose.yaml", "compose"),
    SourceFamily("kubernetes", yaml_sources, "deploy.yaml", "kubernetes"),
]
