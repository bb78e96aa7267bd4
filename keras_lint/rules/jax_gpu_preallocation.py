"""KER303 jax-gpu-preallocation: Keras on JAX lets XLA preallocate 75 % of the GPU."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from keras_lint.analysis.gpu_memory_settings import (
    PREALLOCATE,
    disables_preallocation,
    environment_handles,
)
from keras_lint.analysis.names import keras_leaf
from keras_lint.analysis.training_programs import (
    TrainingOrProgram,
    first_in_source,
    keras_fits,
    training_functions,
)
from keras_lint.analysis.values import Const
from keras_lint.rules.base import Edit, Fix, PythonRule, Report

if TYPE_CHECKING:
    from keras_lint.analysis import ModuleFacts
    from keras_lint.analysis.events import BackendCall, EnvSetting, ModuleScope

#: the packages whose import makes Keras read ``KERAS_BACKEND`` (as for KER302)
_KERAS_PACKAGES = frozenset({"keras", "tensorflow", "keras_hub", "keras_nlp", "keras_cv"})
#: Keras namespaces whose calls build state on the backend: layers, models, optimizers and
#: metrics (their variables), backend ops
_KERAS_STATEFUL = frozenset(
    {"layers", "models", "applications", "optimizers", "metrics", "ops", "random"}
)
_KERAS_MODELS = frozenset({"Sequential", "Model", "Functional"})
#: symbolic: no array is made
_KERAS_SYMBOLIC = frozenset({"Input", "InputLayer", "InputSpec"})
_KERAS_LIBRARIES = ("keras_hub.", "keras_cv.", "keras_nlp.")
_JAX_OP_MODULES = ("jax.numpy.", "jax.random.", "jax.lax.", "jax.nn.", "jax.scipy.", "jax.image.")
_JAX_OP_FUNCTIONS = frozenset(
    {
        "jax.devices",
        "jax.local_devices",
        "jax.device_count",
        "jax.local_device_count",
        "jax.device_put",
        "jax.default_backend",
        "jax.block_until_ready",
    }
)
#: model methods that run the model or build its optimizer's variables
_MODEL_OPERATIONS = frozenset(
    {
        "model",
        "model.compile",
        "model.build",
        "model.fit",
        "model.fit_generator",
        "model.evaluate",
        "model.predict",
        "model.train_on_batch",
        "model.test_on_batch",
        "model.predict_on_batch",
    }
)
#: environment variables that keep JAX off every GPU, with the values that do
_NO_GPU_PLATFORMS = frozenset({"cpu", "tpu"})
_JAX_PLATFORM_OPTIONS = frozenset({"jax_platforms", "jax_platform_name"})

_FIX_LINE = f'os.environ["{PREALLOCATE}"] = "false"\n'


class JaxGpuPreallocation(PythonRule):
    """
    ## What it does
    Reports the first Keras `fit` of a program that trains on the JAX backend
    (`KERAS_BACKEND=jax` in effect when Keras is imported: set in `os.environ` before the
    import, by a notebook's `%env`, or by an `ENV` of a Dockerfile in the module's folder or a
    folder above it) when nothing disables XLA's preallocation before JAX's first operation:
    neither `XLA_PYTHON_CLIENT_PREALLOCATE=false` (`False` and `0` count too), nor a memory
    fraction (`XLA_CLIENT_MEM_FRACTION`, or its deprecated name
    `XLA_PYTHON_CLIENT_MEM_FRACTION`: any fraction is the author's choice), nor
    `XLA_PYTHON_CLIENT_ALLOCATOR=platform`, in `os.environ`, a notebook's `%env` or a
    Dockerfile's `ENV`.

    JAX reads these variables once, when it creates its GPU client at its first operation:
    building a Keras layer, model, optimizer or metric, a `keras.ops`/`jax.numpy`/`jax.random`
    call, `jax.devices()`, or a model's `compile`, `predict`, `evaluate` or `fit`. Importing
    Keras or JAX is not an operation. A setting made after the first operation does not count
    and the finding says so. The other allocators (`default`, `bfc`, `cuda_async`, `vmm`) keep
    preallocation on: only `platform` allocates on demand.

    Entry points and library modules as for KER301: a program (a notebook, or a module with
    top-level code or a `__main__` block) that trains through the functions of another module
    of its project is reported at its own call that leads there; a module that only defines
    training functions is reported only when no program of its project calls into them and no
    module of its import graph mentions these variables. Programs that hide every GPU
    (`CUDA_VISIBLE_DEVICES=""` or `-1`, `JAX_PLATFORMS=cpu`) are skipped.

    ## Why is this bad?
    By default XLA reserves 75 % of the GPU's total memory for the JAX process when JAX first
    runs an operation, however small the model (JAX's "GPU memory allocation" page; jaxlib
    reads the variables in `xla_client.py` when it creates the GPU client). Any other process
    on that GPU (a second experiment, an evaluation job, a notebook, a TensorFlow or PyTorch
    job) then has a quarter of it left and fails with out-of-memory errors, or this job does
    when it starts second. On shared machines and CI runners the failure looks random.

    ## Example
    ```python
    import os

    os.environ["KERAS_BACKEND"] = "jax"

    import keras

    model = build_model()
    model.fit(x_train, y_train, epochs=10)
    ```

    ## Use instead
    ```python
    import os

    os.environ["KERAS_BACKEND"] = "jax"
    os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"

    import keras

    model = build_model()
    model.fit(x_train, y_train, epochs=10)
    ```
    or set it in the job's environment (`XLA_PYTHON_CLIENT_PREALLOCATE=false python train.py`,
    a Dockerfile's `ENV`), or give each process its share with `XLA_CLIENT_MEM_FRACTION=.30`.

    ## Fix
    Display-only: when `KERAS_BACKEND` is set by a top-level `os.environ` statement of the
    module, the finding shows the line `os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"`
    inserted after it. It is never applied: allocating on demand may fragment GPU memory and
    slow a job that needs most of the GPU, and a memory fraction may suit the author better.
    """

    code = "KER303"
    name = "jax-gpu-preallocation"
    severity = "warning"
    summary = "Keras training on JAX never disables XLA's preallocation of 75 % of the GPU"
    trigger = TrainingOrProgram()

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        fits = keras_fits(facts)
        leads = facts.training_leads
        if not (fits or leads):
            return
        counts = (lambda standalone: not standalone) if facts.is_entry_point else (lambda _: True)
        project = facts.project
        container = project.container_env(facts.path) if project is not None else {}
        backend = _backend_setting(facts, container, counts)
        if backend is None or _no_gpu(facts, container, counts):
            return
        if environment_handles("preallocation", container):
            return
        settings = [
            s for s in facts.env if counts(s.standalone) and disables_preallocation(s.name, s.value)
        ]
        late = []
        for setting in settings:
            operation = _first_operation_before(facts, setting, counts)
            if operation is None:
                return
            late.append((setting, operation))
        if project is not None and facts.is_entry_point:
            # a module it imports may set the variables at import time, unseen by the analysis
            if project.growth_at_import(facts.path, "preallocation"):
                return
        elif project is not None:
            functions = training_functions(facts, fits)
            if project.library_covered(facts.path, functions, "preallocation"):
                return
        first = first_in_source(facts, [*fits, *leads])
        what = (
            "this call leads to Keras training on JAX in another module"
            if any(first is lead for lead in leads)
            else "this module trains Keras on JAX"
        )
        if late:
            setting, operation = late[0]
            why = (
                f"but disables XLA's preallocation too late: {setting.name} is set"
                f"{_where(facts, setting.node)}, after JAX's first operation"
                f"{_where(facts, operation.node)}, when XLA has already reserved 75 % of the GPU"
            )
        else:
            why = (
                "but never disables XLA's preallocation: JAX will reserve 75 % of the GPU at "
                "its first operation"
            )
        yield Report(
            f"{what} {why} (set {PREALLOCATE}=false, or a memory fraction, before Keras "
            "builds anything)",
            node=first,
            fix=_fix(facts, backend),
        )


def _backend_setting(
    facts: ModuleFacts, container: dict[str, str], counts: Callable[[bool], bool]
) -> EnvSetting | str | None:
    """The ``KERAS_BACKEND=jax`` in effect when Keras is first imported: the setting in code
    (or ``"container"`` for a Dockerfile's ENV); None when the backend is not JAX."""
    keras_imports = [i for i in facts.imports if i.package in _KERAS_PACKAGES]
    first_import = min(keras_imports, key=lambda i: i.order) if keras_imports else None
    chosen: EnvSetting | str | None = "container" if "KERAS_BACKEND" in container else None
    value = container.get("KERAS_BACKEND")
    for setting in sorted(facts.env, key=lambda s: s.order):
        if setting.name != "KERAS_BACKEND" or not counts(setting.standalone):
            continue
        if first_import is not None and not (
            setting.order < first_import.order and setting.flow in (0, first_import.flow)
        ):
            continue
        if setting.how == "setdefault" and value is not None:
            continue  # already set: setdefault changes nothing
        chosen, value = setting, setting.value
    if value is None or value.strip().lower() != "jax":
        return None
    return chosen


def _no_gpu(facts: ModuleFacts, container: dict[str, str], counts: Callable[[bool], bool]) -> bool:
    """The program hides every GPU from JAX: no GPU memory to take."""
    values = dict(container)
    for setting in facts.env:
        if counts(setting.standalone) and setting.value is not None:
            values[setting.name] = setting.value
    if values.get("CUDA_VISIBLE_DEVICES", "x").strip() in {"", "-1"}:
        return True
    for name in ("JAX_PLATFORMS", "JAX_PLATFORM_NAME"):
        if name in values and _cpu_only(values[name]):
            return True
    for site, standalone in facts.reached_calls:
        if site.callee != "jax.config.update" or not counts(standalone):
            continue
        option, value = site.argument(0, "name"), site.argument(1, "val")
        if isinstance(option, Const) and option.value in _JAX_PLATFORM_OPTIONS:
            if isinstance(value, Const) and isinstance(value.value, str):
                if _cpu_only(value.value):
                    return True
    return False


def _cpu_only(platforms: str) -> bool:
    names = {p.strip().lower() for p in platforms.split(",") if p.strip()}
    return bool(names) and names <= _NO_GPU_PLATFORMS


def _first_operation_before(
    facts: ModuleFacts, setting: EnvSetting, counts: Callable[[bool], bool]
) -> BackendCall | None:
    """The first JAX operation that ran before the setting in its flow, if any."""
    before = [
        call
        for call in facts.backend_calls
        if call.order < setting.order
        and counts(call.standalone)
        and call.flow in (0, setting.flow)
        and _is_operation(call)
    ]
    # an imported module's ``__main__`` block does not run when it is imported
    before = [
        call
        for call in before
        if call.scope.path == facts.path or id(call.node) not in _main_block_calls(call.scope)
    ]
    return min(before, key=lambda call: call.order) if before else None


def _main_block_calls(scope: ModuleScope) -> set[int]:
    """The calls (by ``id``) inside the module's ``if __name__ == "__main__":`` blocks."""
    import libcst as cst
    import libcst.matchers as m

    found: set[int] = set()
    for statement in scope.module.body:
        if isinstance(statement, cst.If) and m.matches(
            statement.test,
            m.Comparison(left=m.Name("__name__"))
            | m.Comparison(
                comparisons=[m.ZeroOrMore(), m.ComparisonTarget(comparator=m.Name("__name__"))]
            ),
        ):
            found.update(id(call) for call in m.findall(statement, m.Call()))
    return found


def _is_operation(call: BackendCall) -> bool:
    """Whether the call makes JAX run an operation, creating its GPU client."""
    name = call.name
    if name in _MODEL_OPERATIONS or name in _JAX_OP_FUNCTIONS:
        return True
    if name.startswith(_JAX_OP_MODULES):
        return True
    if name.startswith(_KERAS_LIBRARIES):
        return ".models." in name or ".layers." in name
    leaf = keras_leaf(name)
    if leaf is None or leaf in _KERAS_SYMBOLIC:
        return False
    parts = name.split(".")
    if len(parts) == 2:
        return leaf in _KERAS_MODELS
    if parts[1] == "layers":
        return leaf[:1].isupper()  # a layer class, not ``keras.layers.add`` on tensors
    return parts[1] in _KERAS_STATEFUL


def _where(facts: ModuleFacts, node: object) -> str:
    import libcst as cst

    if not isinstance(node, cst.CSTNode):
        return ""
    try:
        return f" on line {facts.position(node).start.line}"
    except KeyError:  # a node of another module of the project
        return " in another module"


def _fix(facts: ModuleFacts, backend: EnvSetting | str | None) -> Fix | None:
    """Show the preallocation setting inserted after the module's own ``KERAS_BACKEND``."""
    import libcst as cst

    if backend is None or isinstance(backend, str) or facts.path.endswith(".ipynb"):
        return None
    statement = backend.statement
    if backend.scope.path != facts.path or backend.flow != 0 or backend.standalone:
        return None
    if not any(statement is s for s in facts.module.body):
        return None
    if not isinstance(statement, cst.SimpleStatementLine):
        return None
    if not facts.module.code_for_node(statement).lstrip().startswith("os."):
        return None  # ``environ[...]`` from ``from os import environ``: ``os`` may be unbound
    below = facts.position(statement).end.line + 1
    return Fix(
        title=f"Set {PREALLOCATE}=false before Keras is imported",
        applicability="display-only",
        edits=(Edit(_FIX_LINE, span=(below, 1, below, 1)),),
    )
