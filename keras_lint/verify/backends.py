"""The Keras 3 backends the fixtures train on, and what each needs from the harness.

``keras-lint verify --backend tensorflow|jax|torch`` runs every fixture with ``KERAS_BACKEND``
set to the backend. Each backend has its own module to import before a fork (the preloader),
its own thread and determinism settings, and its own way to list the GPUs it sees (the probe).
"""

from __future__ import annotations

from collections.abc import Mapping

BACKENDS = ("tensorflow", "jax", "torch")
DEFAULT_BACKEND = "tensorflow"
BACKEND_VARIABLE = "KERAS_BACKEND"

#: how people write each backend's name
DISPLAY_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
#: the module each backend imports (and the name its version is reported under)
MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}
#: the optional dependency group of keras-lint that installs each backend
EXTRAS = {"tensorflow": "verify", "jax": "verify,jax", "torch": "verify,torch"}

#: environment variables that decide how much GPU memory a backend takes at start; the runs
#: that measure GPU memory get none of them from the caller (each fixture sets its own)
GPU_MEMORY_VARIABLES = (
    "TF_FORCE_GPU_ALLOW_GROWTH",
    "XLA_PYTHON_CLIENT_PREALLOCATE",
    "XLA_PYTHON_CLIENT_MEM_FRACTION",
    "XLA_CLIENT_MEM_FRACTION",
    "XLA_PYTHON_CLIENT_ALLOCATOR",
    "PYTORCH_CUDA_ALLOC_CONF",
)


class BackendError(Exception):
    """A backend name keras-lint verify cannot train on."""


def display_name(backend: str) -> str:
    return DISPLAY_NAMES.get(backend, backend)


def choose_backend(explicit: str | None, environment: Mapping[str, str]) -> str:
    """``--backend`` if given, else ``KERAS_BACKEND``, else TensorFlow."""
    if explicit is not None:
        return explicit
    chosen = environment.get(BACKEND_VARIABLE, "").strip().lower()
    if not chosen:
        return DEFAULT_BACKEND
    if chosen not in BACKENDS:
        raise BackendError(
            f"{BACKEND_VARIABLE}={chosen}: the fixtures train on {', '.join(BACKENDS)}; "
            "pass --backend"
        )
    return chosen


def preloaded_modules(backend: str) -> tuple[str, ...]:
    """What the preloaded interpreter imports before it forks a run (nothing touches a device)."""
    return (MODULES[backend], "keras", "numpy", "sklearn")


def backend_environment(
    backend: str, device: str, threads: int, deterministic: bool
) -> dict[str, str]:
    """The settings of every fixture process on ``backend``: the backend, threads, determinism."""
    env = {BACKEND_VARIABLE: backend}
    if backend == "tensorflow":
        env["TF_NUM_INTRAOP_THREADS"] = str(threads)
        env["TF_NUM_INTEROP_THREADS"] = "1" if threads == 1 else "2"
        if deterministic:
            env["TF_DETERMINISTIC_OPS"] = "1"
    elif backend == "jax":
        flags = []
        if device == "cpu" and threads == 1:
            # XLA's CPU client otherwise starts a thread per core in every process.
            flags += ["--xla_cpu_multi_thread_eigen=false", "intra_op_parallelism_threads=1"]
        if deterministic and device == "gpu":
            flags.append("--xla_gpu_deterministic_ops=true")
        if flags:
            env["XLA_FLAGS"] = " ".join(flags)
    elif backend == "torch" and deterministic and device == "gpu":
        env["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"  # deterministic cuBLAS
    return env


#: run by the probe process: versions and the GPUs the backend sees, as one JSON line
PROBE_BODY = {
    "tensorflow": """
import tensorflow as tf
info["backend_version"] = tf.__version__
for gpu in tf.config.list_physical_devices("GPU"):
    details = tf.config.experimental.get_device_details(gpu)
    gpus.append(details.get("device_name") or gpu.name)
""",
    "jax": """
import jax
info["backend_version"] = jax.__version__
try:
    gpus.extend(device.device_kind for device in jax.devices("gpu"))
except RuntimeError:  # no GPU platform: jaxlib without CUDA, or the GPUs hidden
    pass
""",
    "torch": """
import torch
info["backend_version"] = torch.__version__
for index in range(torch.cuda.device_count()):
    gpus.append(torch.cuda.get_device_name(index))
""",
}
