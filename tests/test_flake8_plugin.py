"""The flake8 plugin, through real flake8 runs: the same findings as the CLI, flake8's options.

Most tests share a few flake8 runs (module-scoped fixtures); each run is a subprocess of about a
second. ``--isolated`` keeps any configuration file around the test folders out of the runs.
"""

from __future__ import annotations

import ast
import json
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import keras_lint.engine as engine
import keras_lint.engine.linter as engine_linter
from keras_lint import __version__
from keras_lint.engine.syntax_checks import SyntaxProblem
from keras_lint.flake8_plugin import KerasLintPlugin, clear_project_cache
from keras_lint.rules.early_stopping import EarlyStoppingWithoutRestore

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"

#: one finding as both front ends can show it: (path relative to the run's root, line,
#: 1-based column, code, message)
Row = tuple[str, int, int, str, str]

FORMAT = "%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s"


def flake8(
    *arguments: str, cwd: Path, stdin: str | None = None, isolated: bool = True
) -> subprocess.CompletedProcess:
    options = ["--isolated"] if isolated else []
    return subprocess.run(
        [sys.executable, "-m", "flake8", *options, f"--format={FORMAT}", *arguments],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def flake8_rows(run: subprocess.CompletedProcess, root: Path) -> list[Row]:
    rows = []
    for line in run.stdout.splitlines():
        path, row, col, code, text = line.split("\t")
        relative = (root / path).resolve().relative_to(root.resolve()).as_posix()
        rows.append((relative, int(row), int(col), code, text))
    return sorted(rows)


def cli_rows(target: str, cwd: Path) -> list[Row]:
    """The CLI's findings in the Python files under ``target`` (run from ``cwd``)."""
    run = subprocess.run(
        [sys.executable, "-m", "keras_lint", "--no-cache", "--format", "json", target],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode in (0, 1), run.stderr
    return sorted(
        (
            (cwd / item["path"]).resolve().relative_to(cwd.resolve()).as_posix(),
            item["line"],
            item["column"],
            item["code"],
            item["message"],
        )
        for item in json.loads(run.stdout)
        if item["path"].endswith(".py")
    )


def codes_at(rows: list[Row], path: str) -> list[tuple[int, str]]:
    return [(line, code) for p, line, _, code, _ in rows if p == path]


# --------------------------------------------------------------------------- the project tree

GPU_TRAIN = """\
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(np.random.rand(8, 4), np.random.rand(8, 1), epochs=1)
"""

#: a project whose folder is itself a package (``kproj``): every rule, tf.keras, Keras 3 and
#: aliases, helpers in sibling modules, a Dockerfile's ENV, noqa comments, a file without Keras
PROJECT = {
    "pyproject.toml": "[project]\nname = 'kproj'\n",
    "__init__.py": "",
    # tf.keras: KER101 (fit before compile) and KER301 (no memory growth)
    "tf_keras_train.py": """\
        import numpy as np
        import tensorflow as tf

        x = np.random.rand(64, 4).astype("float32")
        y = np.random.rand(64, 1).astype("float32")
        model = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(1)])
        model.fit(x, y, epochs=2)
        """,
    # Keras 3: KER201 (softmax + binary crossentropy) and KER601
    "keras3_train.py": """\
        import keras
        import numpy as np
        import tensorflow as tf

        for gpu in tf.config.list_physical_devices("GPU"):
            tf.config.experimental.set_memory_growth(gpu, True)

        x = np.random.rand(64, 4).astype("float32")
        y = np.random.randint(0, 2, size=(64, 1))
        model = keras.Sequential(
            [keras.Input(shape=(4,)), keras.layers.Dense(1, activation="softmax")]
        )
        model.compile(optimizer="adam", loss="binary_crossentropy")
        stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3)
        model.fit(x, y, validation_split=0.2, epochs=5, callbacks=[stop])
        """,
    # aliases of modules and classes: KER201 and KER601
    "aliases_train.py": """\
        import numpy as np
        import tensorflow as tf
        from keras import layers as L
        from tensorflow import keras as K
        from tensorflow.keras.callbacks import EarlyStopping as ES

        tf.config.experimental.set_memory_growth(tf.config.list_physical_devices("GPU")[0], True)
        x = np.random.rand(64, 4).astype("float32")
        y = np.random.randint(0, 3, size=(64,))
        model = K.Sequential([K.Input(shape=(4,)), L.Dense(3, activation="sigmoid")])
        model.compile(optimizer="adam", loss=K.losses.SparseCategoricalCrossentropy())
        model.fit(x, y, validation_split=.5, callbacks=[ES(patience=2, restore_best_weights=False)])
        """,
    # KER501: a scaler fitted on every row, split afterwards
    "leak_train.py": """\
        import numpy as np
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        x = np.random.rand(100, 4)
        y = np.random.randint(0, 2, size=100)
        x_scaled = StandardScaler().fit_transform(x)
        x_train, x_test, y_train, y_test = train_test_split(x_scaled, y, test_size=0.2)
        """,
    # helpers in a sibling module
    "models.py": """\
        from tensorflow import keras


        def build_compiled():
            model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            return model


        def build_plain():
            return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])


        def compile_model(model):
            model.compile(optimizer="adam", loss="mse")
        """,
    "uses_compiled_helper.py": """\
        import numpy as np

        from models import build_compiled

        model = build_compiled()
        model.evaluate(np.random.rand(8, 4), np.random.rand(8, 1))
        """,
    "uses_compiling_helper.py": """\
        import numpy as np

        from models import build_plain, compile_model

        model = build_plain()
        compile_model(model)
        model.evaluate(np.random.rand(8, 4), np.random.rand(8, 1))
        """,
    # the helper through the project folder's own package name: KER101 only if it is followed
    "uses_plain_helper.py": """\
        import numpy as np

        from kproj.models import build_plain

        model = build_plain()
        model.evaluate(np.random.rand(8, 4), np.random.rand(8, 1))
        """,
    # a relative import inside a package: KER101 only if it is followed
    "pkg/__init__.py": "",
    "pkg/builders.py": """\
        import keras


        def make():
            return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        """,
    "pkg/run.py": """\
        import numpy as np

        from .builders import make

        make().evaluate(np.random.rand(8, 4), np.random.rand(8, 1))
        """,
    # KER301: the Dockerfile of the file's folder enables memory growth; a sibling's does not
    "service/Dockerfile": "FROM python:3.11\nENV TF_FORCE_GPU_ALLOW_GROWTH=true\n",
    "service/train.py": GPU_TRAIN,
    "batch/Dockerfile": "FROM python:latest\nENV PYTHONUNBUFFERED=1\n",
    "batch/train.py": GPU_TRAIN,
    # noqa comments on the reported line: the same in both front ends
    "noqa_train.py": """\
        import numpy as np
        import tensorflow as tf

        tf.config.experimental.set_memory_growth(tf.config.list_physical_devices("GPU")[0], True)
        x, y = np.random.rand(8, 4), np.random.rand(8, 1)
        a = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(1)])
        a.fit(x, y)  # noqa: KER101
        b = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(1)])
        b.fit(x, y)  # noqa
        c = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(1)])
        c.fit(x, y)  # noqa: KER201
        """,
    "no_keras.py": """\
        import json


        def fit(data):
            return json.dumps(data).fit()
        """,
}


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("tree") / "kproj", PROJECT)


@pytest.fixture(scope="module")
def project_cli(project: Path) -> list[Row]:
    return cli_rows(".", project)


@pytest.fixture(scope="module", params=["-j1", "default-jobs"])
def project_flake8(request: pytest.FixtureRequest, project: Path) -> list[Row]:
    jobs = [] if request.param == "default-jobs" else [request.param]
    run = flake8("--select=KER", *jobs, ".", cwd=project)
    assert run.returncode == 1 and run.stderr == "", run.stderr
    return flake8_rows(run, project)


def test_project_findings_agree_with_the_cli(
    project_flake8: list[Row], project_cli: list[Row]
) -> None:
    assert project_flake8 == project_cli


def test_project_has_every_python_rule_and_the_expected_places(project_flake8: list[Row]) -> None:
    assert {code for *_, code, _ in project_flake8} == {
        "KER101", "KER201", "KER301", "KER501", "KER601",
    }  # fmt: skip
    assert codes_at(project_flake8, "tf_keras_train.py") == [(7, "KER101"), (7, "KER301")]
    assert codes_at(project_flake8, "keras3_train.py") == [(13, "KER201"), (14, "KER601")]
    assert codes_at(project_flake8, "aliases_train.py") == [(11, "KER201"), (12, "KER601")]
    assert codes_at(project_flake8, "leak_train.py") == [(7, "KER501")]
    assert codes_at(project_flake8, "noqa_train.py") == [(11, "KER101")]
    for clean in ("no_keras.py", "models.py", "pkg/builders.py", "uses_compiled_helper.py"):
        assert codes_at(project_flake8, clean) == [], clean


def test_project_facts_cross_files(project_flake8: list[Row]) -> None:
    # an uncompiled model from a helper module (absolute and relative import) is followed ...
    assert codes_at(project_flake8, "uses_plain_helper.py") == [(6, "KER101")]
    assert codes_at(project_flake8, "pkg/run.py") == [(5, "KER101")]
    # ... and so is a helper that compiles its argument
    assert codes_at(project_flake8, "uses_compiling_helper.py") == []
    # the Dockerfile of the file's own folder sets TF_FORCE_GPU_ALLOW_GROWTH=true
    assert codes_at(project_flake8, "service/train.py") == []
    assert codes_at(project_flake8, "batch/train.py") == [(6, "KER301")]


def test_columns_are_one_based_as_in_the_cli(project_flake8: list[Row]) -> None:
    (row,) = [row for row in project_flake8 if row[0] == "leak_train.py"]
    assert row[2] == len("x_scaled = ") + 1  # the `StandardScaler().fit_transform(x)` call


def test_one_file_named_alone_still_sees_its_project(project: Path) -> None:
    run = flake8("--select=KER", "pkg/run.py", "service/train.py", cwd=project)
    rows = flake8_rows(run, project)
    assert [(path, code) for path, _, _, code, _ in rows] == [("pkg/run.py", "KER101")]


def test_fixtures_agree_with_the_cli() -> None:
    run = flake8("--select=KER", "-j1", "fixtures/", cwd=REPO)
    assert run.returncode == 1 and run.stderr == "", run.stderr
    rows = flake8_rows(run, REPO)
    assert rows == cli_rows("fixtures/", REPO)
    assert {code for *_, code, _ in rows} == {
        "KER101", "KER102", "KER201", "KER202", "KER301", "KER302", "KER303", "KER501",
        "KER502", "KER503", "KER504", "KER601", "KER602", "KER603", "KER604", "KER702",
        "KER703",
    }  # fmt: skip
    assert all(Path(path).name.startswith("bad") for path, *_ in rows)


# ------------------------------------------------------------------ flake8's options and noqa

#: Keras 3 on JAX, so that KER301 (TensorFlow only) stays out of the way
OPTIONS = {
    # read only by the one run that is not --isolated
    "setup.cfg": """\
        [flake8]
        select = KER
        extend-ignore = KER601
        per-file-ignores =
            a.py: KER201
        """,
    # KER201 at line 5 (compile), KER601 at 6 (EarlyStopping), KER101 at 8 (fit)
    "a.py": """\
        import os; os.environ["KERAS_BACKEND"] = "torch"  # KER301/KER303: TensorFlow/JAX only
        import keras
        m = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="softmax")])
        n = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        m.compile(optimizer="adam", loss="binary_crossentropy")
        stop = keras.callbacks.EarlyStopping(patience=2)
        m.fit([0], [0], validation_split=0.5, callbacks=[stop])
        n.fit([0], [0])
        """,
    "b.py": """\
        import os; os.environ["KERAS_BACKEND"] = "torch"  # KER301/KER303: TensorFlow/JAX only
        import keras
        m = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="softmax")])
        m.compile(optimizer="adam", loss="binary_crossentropy")
        """,
    # noqa comments with the code, bare, with another code, with a prefix, and on another line
    # of the statement: flake8 joins the lines of a multi-line string token, not of brackets
    "noqa.py": """\
        import os; os.environ["KERAS_BACKEND"] = "torch"  # KER301/KER303: TensorFlow/JAX only
        import keras
        m = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="softmax")])
        n = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
        n.fit([0], [0])  # noqa: KER101
        n.evaluate([0], [0])  # noqa
        n.fit([0], [0])  # noqa: KER201
        m.compile(optimizer="adam", loss="binary_crossentropy", jit_compile=\"\"\"
        \"\"\")  # noqa: KER201
        m.compile(
            optimizer="adam",
            loss="binary_crossentropy",
        )  # noqa: KER201
        m.compile(optimizer="adam", loss="binary_crossentropy")  # noqa:KER2
        m.compile(
            optimizer="adam",
            loss="binary_crossentropy",  # noqa: KER201
        )
        """,
    "clean.py": """\
        import os; os.environ["KERAS_BACKEND"] = "torch"  # KER301/KER303: TensorFlow/JAX only
        import keras
        m = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="sigmoid")])
        m.compile(optimizer="adam", loss="binary_crossentropy")
        """,
    "broken.py": """\
        import os; os.environ["KERAS_BACKEND"] = "torch"  # KER301/KER303: TensorFlow/JAX only
        import keras
        model = keras.Sequential(
        model.fit(x, y)
        """,
}


@pytest.fixture(scope="module")
def options_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(tmp_path_factory.mktemp("options"), OPTIONS)


def ker_rows(run: subprocess.CompletedProcess, root: Path) -> list[tuple[str, int, str]]:
    return [(p, line, code) for p, line, _, code, _ in flake8_rows(run, root) if "KER" in code]


def test_select_one_code(options_tree: Path) -> None:
    run = flake8("--select=KER201", "a.py", "b.py", cwd=options_tree)
    assert run.returncode == 1
    assert ker_rows(run, options_tree) == [("a.py", 5, "KER201"), ("b.py", 4, "KER201")]
    assert [code for *_, code, _ in flake8_rows(run, options_tree)] == ["KER201", "KER201"]


def test_extend_ignore_keeps_everything_else(options_tree: Path) -> None:
    run = flake8("--extend-ignore=KER601", "a.py", cwd=options_tree)
    assert ker_rows(run, options_tree) == [("a.py", 5, "KER201"), ("a.py", 8, "KER101")]
    # the other plugins are unaffected: E501 for the long line
    assert ("a.py", 3, "E501") in [(p, line, code) for p, line, _, code, _ in
                                   flake8_rows(run, options_tree)]  # fmt: skip


@pytest.fixture(scope="module")
def ignores_and_noqa(options_tree: Path) -> subprocess.CompletedProcess:
    """One run for two tests: setup.cfg's select, extend-ignore and per-file-ignores (a.py,
    b.py), and noqa comments (noqa.py)."""
    return flake8("a.py", "b.py", "noqa.py", cwd=options_tree, isolated=False)


def test_per_file_ignores_and_codes_in_a_config_file(
    ignores_and_noqa: subprocess.CompletedProcess, options_tree: Path
) -> None:
    # KER codes pass flake8's check of codes in configuration files
    assert ignores_and_noqa.stderr == ""
    rows = flake8_rows(ignores_and_noqa, options_tree)
    assert {code for *_, code, _ in rows} == {"KER101", "KER201"}  # select = KER
    # extend-ignore drops KER601 (a.py:6); per-file-ignores drops KER201 in a.py only
    assert [row for row in ker_rows(ignores_and_noqa, options_tree) if row[0] != "noqa.py"] == [
        ("a.py", 8, "KER101"),
        ("b.py", 4, "KER201"),
    ]


def test_noqa_is_flake8s(ignores_and_noqa: subprocess.CompletedProcess, options_tree: Path) -> None:
    rows = [row for row in ker_rows(ignores_and_noqa, options_tree) if row[0] == "noqa.py"]
    # the noqa naming another code leaves its finding; a noqa after a multi-line string
    # covers the lines of the string; a noqa after a closing bracket or on the `loss=` line
    # does not cover the opening line: flake8's own rules, as for any plugin
    assert rows == [("noqa.py", 7, "KER101"), ("noqa.py", 10, "KER201"), ("noqa.py", 15, "KER201")]
    # the keras-lint command honours a noqa on any line of the reported call
    assert [(line, code) for _, line, _, code, _ in cli_rows("noqa.py", options_tree)] == [
        (7, "KER101")
    ]


def test_disable_noqa_reports_everything(options_tree: Path) -> None:
    run = flake8("--select=KER", "--disable-noqa", "noqa.py", cwd=options_tree)
    assert ker_rows(run, options_tree) == [
        ("noqa.py", 5, "KER101"),
        ("noqa.py", 6, "KER101"),
        ("noqa.py", 7, "KER101"),
        ("noqa.py", 8, "KER201"),
        ("noqa.py", 10, "KER201"),
        ("noqa.py", 14, "KER201"),
        ("noqa.py", 15, "KER201"),
    ]


def test_syntax_error_is_flake8s_e999_without_ker_codes(options_tree: Path) -> None:
    run = flake8("broken.py", cwd=options_tree)
    assert run.returncode == 1
    assert [code for *_, code, _ in flake8_rows(run, options_tree)] == ["E999"]
    assert "Traceback" not in run.stderr and "keras-lint" not in run.stderr


def test_exit_status(options_tree: Path) -> None:
    clean = flake8("--select=KER", "clean.py", cwd=options_tree)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")
    # and 1 with findings: see test_select_one_code


def test_stdin_uses_the_display_name_for_the_project(project: Path) -> None:
    plain = flake8("--select=KER", "-", cwd=project, stdin=GPU_TRAIN)
    assert plain.returncode == 1
    assert [line.split("\t")[:4] for line in plain.stdout.splitlines()] == [
        ["stdin", "6", "1", "KER301"]
    ]
    # an editor passes the buffer's path: the facts of that file's folder apply (its
    # Dockerfile enables memory growth)
    in_service = flake8(
        "--select=KER", "--stdin-display-name=service/train.py", "-", cwd=project, stdin=GPU_TRAIN
    )
    assert (in_service.returncode, in_service.stdout, in_service.stderr) == (0, "", "")


#: flake8's own command line, with one rule made to crash first
CRASHING_FLAKE8 = """\
import sys
from flake8.main.cli import main
from keras_lint.rules.early_stopping import EarlyStoppingWithoutRestore

def crash(self, facts):
    raise RuntimeError("rule bug")

EarlyStoppingWithoutRestore.check = crash
sys.exit(main(sys.argv[1:]))
"""


def test_crashing_rule_warns_on_stderr_and_flake8_goes_on(options_tree: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", CRASHING_FLAKE8, "--isolated", "--select=KER", "-j1", "a.py"],
        cwd=options_tree,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert [line.split(":")[1] for line in run.stdout.splitlines()] == ["5", "8"]  # KER201, KER101
    (warning,) = run.stderr.splitlines()
    assert warning.startswith("keras-lint: internal error: ")
    assert "a.py: rule KER601 (early-stopping-without-restore) failed" in warning
    assert "RuntimeError: rule bug" in warning and "Traceback" not in run.stderr


def test_version_lists_the_plugin() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0
    assert f"keras-lint: {__version__}" in run.stdout


# -------------------------------------------------------------------- the plugin in-process


def plugin_results(source: str, path: Path, tree: object = None) -> list[tuple[int, int, str]]:
    text = textwrap.dedent(source)
    plugin = KerasLintPlugin(tree, text.splitlines(keepends=True), str(path))  # type: ignore[arg-type]
    results = list(plugin.run())
    assert all(kind is KerasLintPlugin for *_, kind in results)
    return [(line, column, message) for line, column, message, _ in results]


@pytest.fixture(autouse=True)
def _fresh_projects() -> None:
    clear_project_cache()


def test_plugin_columns_are_zero_based(tmp_path: Path) -> None:
    source = OPTIONS["b.py"]
    # a tree that is not CPython's (not an ast.Module) is not used: the syntax is checked again
    results = plugin_results(source, tmp_path / "b.py", tree=object())
    (expected,) = engine.lint_source(textwrap.dedent(source), str(tmp_path / "b.py"))
    assert results == [(4, expected.column - 1, f"KER201 {expected.message}")]
    assert expected.column == 1


def test_plugin_leaves_the_ast_alone(tmp_path: Path) -> None:
    text = textwrap.dedent(OPTIONS["a.py"])
    tree = ast.parse(text)
    before = ast.dump(tree, include_attributes=True)
    plugin = KerasLintPlugin(tree, text.splitlines(keepends=True), str(tmp_path / "a.py"))
    assert len(list(plugin.run())) == 3
    assert ast.dump(tree, include_attributes=True) == before


def test_flake8s_tree_spares_the_syntax_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # flake8 parsed the text already: CPython's parser is not run a second time, on any file
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the syntax was checked again")

    texts = {name: textwrap.dedent(OPTIONS[name]) for name in ("a.py", "b.py")}
    expected = {name: plugin_results(text, tmp_path / name) for name, text in texts.items()}
    assert all(expected.values())
    monkeypatch.setattr(engine_linter, "compile_check", never)
    for name, text in texts.items():
        assert plugin_results(text, tmp_path / name, tree=ast.parse(text)) == expected[name]
    text = "import os\nprint(os.sep)\n"  # no rule's trigger: nothing at all is done
    assert plugin_results(text, tmp_path / "c.py", tree=ast.parse(text)) == []


def test_flake8s_tree_is_measured_before_libcst_parses(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # a chain CPython parses but libcst's visitors could not follow: not analysed, a warning
    text = "import keras\nx = " + " and ".join(["a"] * 400) + "\nmodel.fit(x)\n"
    with caplog.at_level(logging.WARNING, logger="keras_lint.flake8_plugin"):
        assert plugin_results(text, tmp_path / "deep.py", tree=ast.parse(text)) == []
    assert "not analysed: too deeply nested to analyse" in caplog.text


def test_plugin_keeps_findings_noqa_would_silence(tmp_path: Path) -> None:
    results = plugin_results("import keras\nm = keras.Sequential()\nm.fit(1)  # noqa\n",
                             tmp_path / "t.py")  # fmt: skip
    assert [(line, message.split()[0]) for line, _, message in results] == [
        (3, "KER101"), (3, "KER301"),
    ]  # fmt: skip


def test_plugin_reads_any_file_name_as_python(tmp_path: Path) -> None:
    # flake8 checks a file named on its command line whatever its name
    results = plugin_results(OPTIONS["b.py"], tmp_path / "model.ipynb")
    assert [message.split()[0] for *_, message in results] == ["KER201"]


def test_crashing_rule_is_a_warning_and_the_others_still_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def crash(self: object, facts: object) -> None:
        raise RuntimeError("rule bug")

    monkeypatch.setattr(EarlyStoppingWithoutRestore, "check", crash)
    with caplog.at_level(logging.WARNING, logger="keras_lint.flake8_plugin"):
        results = plugin_results(OPTIONS["a.py"], tmp_path / "a.py")
    assert [message.split()[0] for *_, message in results] == ["KER201", "KER101"]
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "internal error" in record.getMessage() and "KER601" in record.getMessage()
    assert "RuntimeError: rule bug" in record.getMessage()


def test_engine_failure_is_a_warning_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise MemoryError("out of memory")

    monkeypatch.setattr(engine, "lint_text", broken)
    with caplog.at_level(logging.WARNING, logger="keras_lint.flake8_plugin"):
        assert plugin_results(OPTIONS["a.py"], tmp_path / "a.py") == []
    assert "MemoryError: out of memory" in caplog.text


def test_parse_error_of_the_engine_is_dropped_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # flake8 parsed the file, so only libcst can refuse it
    def refuse(text: str) -> object:
        return SyntaxProblem(2, 1, "cannot parse: libcst says no")

    monkeypatch.setattr(engine_linter, "libcst_parse", refuse)
    with caplog.at_level(logging.WARNING, logger="keras_lint.flake8_plugin"):
        assert plugin_results(OPTIONS["b.py"], tmp_path / "b.py") == []
    assert "not analysed" in caplog.text and "libcst says no" in caplog.text


def test_project_facts_are_built_once_per_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roots: list[Path] = []
    real = engine.project_index

    def spy(root: Path) -> object:
        roots.append(root)
        return real(root)

    monkeypatch.setattr(engine, "project_index", spy)
    write(tmp_path, {"one/setup.py": "", "one/a/x.py": "", "two/.git/HEAD": "", "two/y.py": ""})
    for name in ("one/a/x.py", "one/z.py", "two/y.py", "two/w.py", "one/a/x.py"):
        plugin_results("import keras\nkeras.Sequential().fit(1)\n", tmp_path / name)
    assert roots == [tmp_path / "one", tmp_path / "two"]
    # a file no rule looks into never needs its project
    plugin_results("import json\nprint(json.dumps({}))\n", tmp_path / "three" / "x.py")
    assert roots == [tmp_path / "one", tmp_path / "two"]
