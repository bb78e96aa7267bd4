"""KER301 missing-gpu-memory-growth: TensorFlow training that reserves all GPU memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.analysis.gpu_memory_settings import GROWTH_VARIABLE
from keras_lint.analysis.names import keras_leaf
from keras_lint.analysis.training_programs import (
    TrainingOrProgram,
    first_in_source,
    keras_fits,
    training_functions,
)
from keras_lint.analysis.values import Const, Seq, Value
from keras_lint.rules.base import Edit, Fix, PythonRule, Report

if TYPE_CHECKING:
    from keras_lint.analysis import ModuleFacts

#: calls that enable memory growth or cap the memory TensorFlow takes
_GROWTH_CALLS = frozenset(
    {
        "tensorflow.config.experimental.set_memory_growth",
        "tensorflow.config.set_logical_device_configuration",
        "tensorflow.config.experimental.set_virtual_device_configuration",
        "tensorflow.config.experimental.set_memory_limit",
        "tensorflow.config.gpu.set_per_process_memory_growth",
    }
)
#: TF1-style session options: growth or a memory fraction
_GPU_OPTIONS = frozenset({"tensorflow.compat.v1.GPUOptions", "tensorflow.GPUOptions"})
_GPU_OPTION_KEYWORDS = ("allow_growth", "per_process_gpu_memory_fraction")
_TPU_NAMES = ("TPUClusterResolver", "TPUStrategy", "initialize_tpu_system")
_NON_TF_BACKENDS = frozenset({"jax", "torch", "numpy", "openvino"})


class MissingGpuMemoryGrowth(PythonRule):
    """
    ## What it does
    Reports the first Keras `fit` of a program that trains on the TensorFlow backend (`tf.keras`,
    or Keras 3 with no other backend chosen) when nothing enables GPU memory growth: neither
    `tf.config.experimental.set_memory_growth(gpu, True)`, nor `TF_FORCE_GPU_ALLOW_GROWTH=true`
    (in `os.environ`, a notebook's `%env`, or an `ENV` of a Dockerfile in the module's folder or
    a folder above it), nor a memory limit through `tf.config.set_logical_device_configuration`,
    nor TF1 `gpu_options`. A scikit-learn `KerasClassifier`/`KerasRegressor` trained with `fit`
    or cross-validation counts as a Keras `fit`, and so does a `fit` the module runs on a model
    from a library it cannot follow (`sm.Unet(...)`) when given Keras-only arguments such as
    `epochs=`, in a module that uses TensorFlow and not PyTorch; so does `fit(..., epochs=)` on
    a local subclass of a library's Keras model (`class Ranker(tfrs.Model)`). Helpers called
    from the module, and the top level of project modules it imports, count. A program (a
    notebook, or a module with top-level code or a `__main__` block) that trains through the
    functions of another module of its project (`task.py` calling `model.py`'s
    `train_and_evaluate()`) is reported at its own call that leads there. A module that only
    defines training functions is reported only when no program of its project calls into
    them and no module of its import graph (what it imports, what imports it, and what those
    import) enables growth; files outside its project (the folder of its `pyproject.toml`,
    `setup.py`, `.git`, ..., else its outermost package or folder) never count. Modules that set
    `KERAS_BACKEND` to `jax` or `torch`, hide every GPU (`CUDA_VISIBLE_DEVICES=-1`,
    `tf.config.set_visible_devices([], "GPU")`) or train on a TPU are skipped.

    ## Why is this bad?
    By default TensorFlow maps nearly all memory of every visible GPU when it first touches it,
    whatever the model needs. Any other process on that GPU (a second experiment, a notebook, an
    evaluation job, a colleague) then fails with out-of-memory errors, or this job does when it
    starts second. On shared machines and CI runners the failure looks random.

    ## Example
    ```python
    import tensorflow as tf

    model = build_model()
    model.fit(x_train, y_train, epochs=10)
    ```

    ## Use instead
    ```python
    import tensorflow as tf

    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)

    model = build_model()
    model.fit(x_train, y_train, epochs=10)
    ```

    ## Fix
    Display-only: never applied, shown in `--format json`, SARIF and the editor's quick fixes.
    It inserts the loop of "Use instead" after the module's last top-level import that comes
    before the reported call (with `import tensorflow as tf` when the module does not import
    TensorFlow under a name), since growth must be enabled before TensorFlow first touches the
    GPU. Whether that line runs early enough, or growth belongs in the job's environment
    (`TF_FORCE_GPU_ALLOW_GROWTH=true`), only the author can tell. A notebook gets the fix only
    when that import is in the reported cell.
    """

    code = "KER301"
    name = "missing-gpu-memory-growth"
    severity = "warning"
    summary = "TensorFlow training never enables GPU memory growth, so it reserves all GPU memory"
    trigger = TrainingOrProgram()

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        fits = keras_fits(facts)
        leads = facts.training_leads
        if not (fits or leads) or _other_backend(facts) or _no_gpu(facts):
            return
        if _growth_enabled(facts):
            return
        project = facts.project
        if project is not None and facts.is_entry_point:
            # a module it imports may enable growth at import time without any of its names
            # being used
            if project.growth_at_import(facts.path):
                return
        elif project is not None:
            # a library module: the programs that run its training are judged instead, and
            # growth enabled in what it imports or what imports it covers it
            if project.library_covered(facts.path, training_functions(facts, fits)):
                return
        first = first_in_source(facts, [*fits, *leads])
        what = (
            "this call leads to TensorFlow training in another module"
            if any(first is lead for lead in leads)
            else "this module trains with TensorFlow"
        )
        yield Report(
            f"{what} but never enables GPU memory growth: TensorFlow will reserve all GPU "
            "memory (call `tf.config.experimental.set_memory_growth(gpu, True)` or set "
            "TF_FORCE_GPU_ALLOW_GROWTH=true)",
            node=first,
            fix=_growth_fix(facts, facts.position(first).start.line),
        )


def _growth_fix(facts: ModuleFacts, before_line: int) -> Fix | None:
    """Insert the memory-growth loop on the line after the last top-level import statement
    that ends before ``before_line`` (display-only: where it must go is the author's call)."""
    import libcst as cst
    from libcst.helpers import get_full_name_for_node

    last_import, tensorflow = None, None
    for statement in facts.module.body:
        if not isinstance(statement, cst.SimpleStatementLine) or not statement.body:
            continue
        if not all(isinstance(part, (cst.Import, cst.ImportFrom)) for part in statement.body):
            continue
        end = facts.position(statement).end.line
        if end >= before_line:
            break
        last_import = end
        for part in statement.body:
            if isinstance(part, cst.Import):
                for alias in part.names:
                    if get_full_name_for_node(alias.name) == "tensorflow":
                        tensorflow = alias.evaluated_alias or "tensorflow"
    if last_import is None:
        return None
    prefix = "" if tensorflow is not None else "import tensorflow as tf\n"
    tf = tensorflow or "tf"
    text = (
        f'\n{prefix}for gpu in {tf}.config.list_physical_devices("GPU"):\n'
        f"    {tf}.config.experimental.set_memory_growth(gpu, True)\n"
    )
    line = last_import + 1
    return Fix(
        "Enable GPU memory growth after the imports",
        "display-only",
        (Edit(text, span=(line, 1, line, 1)),),
    )


def _growth_enabled(facts: ModuleFacts) -> bool:
    """Growth enabled by code that runs; in a library module, by code anywhere in it."""
    counts = (lambda standalone: not standalone) if facts.is_entry_point else (lambda _: True)
    container = facts.project.container_env(facts.path) if facts.project is not None else {}
    if _is_true(container.get(GROWTH_VARIABLE)):
        return True
    for setting in facts.env:
        if not counts(setting.standalone):
            continue
        if setting.name == GROWTH_VARIABLE and (setting.value is None or _is_true(setting.value)):
            return True
    for attribute in facts.attributes:
        if not counts(attribute.standalone):
            continue
        if attribute.target.endswith(_GPU_OPTION_KEYWORDS) and _not_false(attribute.value):
            return True
    for site, standalone in facts.reached_calls:
        if not counts(standalone):
            continue
        if site.callee in _GROWTH_CALLS:
            enable = site.argument(1, "enable")
            if (
                site.callee.endswith("set_memory_growth")
                and enable is not None
                and not _not_false(enable)
            ):
                continue
            return True
        if site.callee in _GPU_OPTIONS and any(
            _not_false(site.kwargs[k]) for k in _GPU_OPTION_KEYWORDS if k in site.kwargs
        ):
            return True
    return False


def _no_gpu(facts: ModuleFacts) -> bool:
    """The program hides every GPU from TensorFlow, or trains on a TPU: no GPU memory to take."""
    for setting in facts.env:
        if setting.name == "CUDA_VISIBLE_DEVICES" and setting.value is not None:
            if setting.value.strip() in {"", "-1"}:
                return True
    for site, standalone in facts.reached_calls:
        if site.callee.startswith("tensorflow.") and site.callee.endswith(_TPU_NAMES):
            return True
        if site.callee.endswith("set_visible_devices") and site.callee.startswith("tensorflow."):
            devices = site.argument(0, "devices")
            kind = site.argument(1, "device_type")
            if isinstance(devices, Seq) and not devices.items and isinstance(kind, Const):
                if str(kind.value).upper() == "GPU" and not standalone:
                    return True
    return False


def _other_backend(facts: ModuleFacts) -> bool:
    for setting in facts.env:
        if setting.name == "KERAS_BACKEND" and (
            setting.value is None or setting.value.lower() in _NON_TF_BACKENDS
        ):
            return True
    return any(keras_leaf(site.callee) == "set_backend" for site, _ in facts.reached_calls)


def _is_true(text: str | None) -> bool:
    return text is not None and text.strip().lower() in {"true", "1"}


def _not_false(value: Value) -> bool:
    return not (isinstance(value, Const) and value.value in (False, None, 0))
