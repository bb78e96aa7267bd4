"""Which device the fixtures train on, found by a probe process, and GPU memory seen from outside.

The harness never imports a backend itself: a short probe process with the same environment as
the fixture runs reports the backend's and Keras's versions and the GPUs the backend sees. GPU
memory is read with ``nvidia-smi`` while a fixture runs, from the harness's side.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import textwrap
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from keras_lint.verify.backends import (
    DEFAULT_BACKEND,
    EXTRAS,
    MODULES,
    PROBE_BODY,
    display_name,
)

PROBE_PREFIX = "KERAS_LINT_PROBE "
DEVICE_CHOICES = ("auto", "cpu", "gpu")


def probe_program(backend: str) -> str:
    """The probe: Keras and the backend's versions, the GPUs the backend sees, one JSON line."""
    body = textwrap.indent(PROBE_BODY[backend].strip(), "    ")
    return f"""
import json, platform
info = {{"python": platform.python_version()}}
gpus = []
try:
{body}
    import keras
    info["keras"] = keras.__version__
    info["keras_backend"] = keras.backend.backend()
except Exception as error:
    info["error"] = type(error).__name__ + ": " + str(error)
info["gpus"] = gpus
print({PROBE_PREFIX!r} + json.dumps(info), flush=True)
"""


class DeviceError(Exception):
    """The requested device cannot be used."""


@dataclass(frozen=True)
class Device:
    kind: str  # "cpu" | "gpu"
    name: str
    requested: str
    versions: Mapping[str, str] = field(default_factory=dict)
    backend: str = DEFAULT_BACKEND
    #: why the fixtures cannot train here at all (the backend or Keras is missing): every rule
    #: that would train is an ``error`` with this reason
    problem: str | None = None
    #: why GPU memory cannot be read from outside (nvidia-smi): the rules that measure it are
    #: an ``error`` with this reason
    gpu_memory_problem: str | None = None

    def label(self) -> str:
        return self.kind.upper()

    def describe(self) -> str:
        return f"{self.label()} ({self.name})"


def cpu_name() -> str:
    """The processor's model name and core count, as far as this platform tells."""
    name = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.lower().startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    name = name or platform.processor() or platform.machine() or "unknown CPU"
    return f"{name}, {os.cpu_count() or 1} cores"


def probe_device(
    python: str,
    requested: str,
    environment: Mapping[str, str],
    timeout: float,
    backend: str = DEFAULT_BACKEND,
) -> Device:
    """Run the probe with the fixtures' interpreter and environment; pick the device.

    A backend or Keras that does not import gives a device with a ``problem`` (the fixtures
    cannot train); ``--device gpu`` without a GPU raises DeviceError.
    """
    env = dict(environment)
    env["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"  # the probe must not hold a GPU's memory
    try:
        done = subprocess.run(
            [python, "-c", probe_program(backend)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise DeviceError(f"the device probe could not run {python}: {error}") from error
    info: Any = None
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(PROBE_PREFIX):
            try:
                info = json.loads(line[len(PROBE_PREFIX) :])
            except json.JSONDecodeError:
                info = None
            break
    versions = {"python": "", "keras": "", "keras_backend": "", backend: ""}
    if not isinstance(info, dict):
        tail = " ".join(done.stderr.strip().splitlines()[-3:])
        problem = f"the device probe failed (exit status {done.returncode}): {tail}"
        return _unusable(requested, backend, versions, problem)
    versions.update(
        python=str(info.get("python", "")),
        keras=str(info.get("keras", "")),
        keras_backend=str(info.get("keras_backend", "")),
    )
    versions[backend] = str(info.get("backend_version", ""))
    if "error" in info:
        problem = (
            f"the {display_name(backend)} backend cannot run here: {info['error']} (the fixtures "
            f'need Keras 3 and {MODULES[backend]}: pip install -e ".[{EXTRAS[backend]}]")'
        )
        return _unusable(requested, backend, versions, problem)
    gpus = [str(name) for name in info.get("gpus") or []]
    if requested == "gpu" and not gpus:
        raise DeviceError(f"--device gpu: {display_name(backend)} sees no GPU on this machine")
    if requested != "cpu" and gpus:
        name = gpus[0] if len(gpus) == 1 else f"{gpus[0]} (+{len(gpus) - 1} more)"
        reading = gpu_memory_reading()
        memory_problem = reading if isinstance(reading, str) else None
        return Device("gpu", name, requested, versions, backend, None, memory_problem)
    return Device("cpu", cpu_name(), requested, versions, backend)


def _unusable(requested: str, backend: str, versions: Mapping[str, str], problem: str) -> Device:
    kind = "gpu" if requested == "gpu" else "cpu"
    return Device(kind, "unknown", requested, versions, backend, problem)


# -- GPU memory from outside the training process -----------------------------------------------


NVIDIA_SMI_QUERY = (
    "nvidia-smi",
    "--query-gpu=memory.used,memory.total",
    "--format=csv,noheader,nounits",
    "--id=0",
)


def gpu_memory_reading(timeout: float = 10.0) -> tuple[float, float] | str:
    """``(used, total)`` MiB of GPU 0 according to nvidia-smi, or why it cannot be read."""
    try:
        done = subprocess.run(
            NVIDIA_SMI_QUERY, capture_output=True, text=True, timeout=timeout, check=False
        )
    except FileNotFoundError:
        return "nvidia-smi cannot read the GPU's memory: nvidia-smi is not installed"
    except subprocess.TimeoutExpired:
        return f"nvidia-smi cannot read the GPU's memory: no answer in {timeout:g} s"
    except OSError as error:
        return f"nvidia-smi cannot read the GPU's memory: {error}"
    lines = done.stdout.strip().splitlines()
    try:
        if done.returncode != 0:
            raise ValueError
        used, total = (float(value) for value in lines[0].split(","))
    except (ValueError, IndexError):
        said = " ".join((done.stdout + " " + done.stderr).split())[:160] or "no output"
        return f"nvidia-smi cannot read the GPU's memory (exit status {done.returncode}): {said}"
    return used, total


def gpu_memory_mib(timeout: float = 10.0) -> tuple[float, float] | None:
    """``(used, total)`` MiB of GPU 0 according to nvidia-smi, or None without one."""
    reading = gpu_memory_reading(timeout)
    return None if isinstance(reading, str) else reading


class GpuMemorySampler:
    """Samples GPU 0's used memory while a fixture runs; the peak above the starting level.

    Device-wide, so it also counts processes the fixture starts itself (and any other program on
    the GPU): the harness runs GPU-measured fixtures alone.
    """

    def __init__(self, interval: float = 0.25) -> None:
        self.interval = interval
        self.baseline: float | None = None
        self.total: float | None = None
        self.peak: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        reading = gpu_memory_mib()
        if reading is None:
            return
        self.baseline, self.total = reading
        self.peak = self.baseline
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            reading = gpu_memory_mib(timeout=5.0)
            if reading is not None and self.peak is not None:
                self.peak = max(self.peak, reading[0])

    def stop(self) -> dict[str, float | None]:
        """Stop sampling; the ``harness_gpu_*`` measurements (None without nvidia-smi)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.peak is None or self.baseline is None or not self.total:
            return {
                "harness_gpu_peak_mib": None,
                "harness_gpu_total_mib": None,
                "harness_gpu_peak_fraction": None,
            }
        grown = max(0.0, self.peak - self.baseline)
        return {
            "harness_gpu_peak_mib": grown,
            "harness_gpu_total_mib": self.total,
            "harness_gpu_peak_fraction": grown / self.total,
        }
