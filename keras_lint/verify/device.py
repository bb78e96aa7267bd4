"""Which device the fixtures train on, found by a probe process, and GPU memory seen from outside.

The harness never imports TensorFlow itself: a short probe process with the same environment as
the fixture runs reports the TensorFlow and Keras versions and the GPUs TensorFlow sees. GPU
memory is read with ``nvidia-smi`` while a fixture runs, from the harness's side.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PROBE_PREFIX = "KERAS_LINT_PROBE "
DEVICE_CHOICES = ("auto", "cpu", "gpu")

PROBE_PROGRAM = f"""
import json, platform
info = {{"python": platform.python_version()}}
try:
    import tensorflow as tf
    import keras
except Exception as error:
    info["error"] = type(error).__name__ + ": " + str(error)
else:
    info["tensorflow"] = tf.__version__
    info["keras"] = keras.__version__
    info["keras_backend"] = keras.backend.backend()
    gpus = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        gpus.append(details.get("device_name") or gpu.name)
    info["gpus"] = gpus
print({PROBE_PREFIX!r} + json.dumps(info), flush=True)
"""


class DeviceError(Exception):
    """The requested device cannot be used, or the fixtures' Python cannot run TensorFlow."""


@dataclass(frozen=True)
class Device:
    kind: str  # "cpu" | "gpu"
    name: str
    requested: str
    versions: Mapping[str, str] = field(default_factory=dict)

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
    python: str, requested: str, environment: Mapping[str, str], timeout: float
) -> Device:
    """Run the probe with the fixtures' interpreter and environment; pick the device."""
    try:
        done = subprocess.run(
            [python, "-c", PROBE_PROGRAM],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(environment),
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
    if not isinstance(info, dict):
        tail = " ".join(done.stderr.strip().splitlines()[-3:])
        raise DeviceError(f"the device probe failed (exit status {done.returncode}): {tail}")
    if "error" in info:
        raise DeviceError(
            f"the fixtures need TensorFlow and Keras: {info['error']} "
            '(install them with: pip install -e ".[verify]")'
        )
    versions = {
        "python": str(info.get("python", "")),
        "tensorflow": str(info.get("tensorflow", "")),
        "keras": str(info.get("keras", "")),
        "keras_backend": str(info.get("keras_backend", "")),
    }
    gpus = [str(name) for name in info.get("gpus") or []]
    if requested == "gpu" and not gpus:
        raise DeviceError("--device gpu: TensorFlow sees no GPU on this machine")
    if requested != "cpu" and gpus:
        name = gpus[0] if len(gpus) == 1 else f"{gpus[0]} (+{len(gpus) - 1} more)"
        return Device("gpu", name, requested, versions)
    return Device("cpu", cpu_name(), requested, versions)


# -- GPU memory from outside the training process -----------------------------------------------


def gpu_memory_mib(timeout: float = 10.0) -> tuple[float, float] | None:
    """``(used, total)`` MiB of GPU 0 according to nvidia-smi, or None without one."""
    try:
        out = subprocess.run(
            [
                "nvidia-smi",
                "--query-gpu=memory.used,memory.total",
                "--format=csv,noheader,nounits",
                "--id=0",
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        ).stdout
        used, total = (float(value) for value in out.strip().splitlines()[0].split(","))
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None
    return used, total


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
