"""The settings that keep a backend from taking a GPU's memory at start, by concern.

``growth``: TensorFlow's memory growth (KER301); ``preallocation``: XLA's preallocation under
JAX (KER303). Text only (no libcst): the project index reads other files' text with it.
"""

from __future__ import annotations

from collections.abc import Mapping

CONCERNS = ("growth", "preallocation")

#: names whose mention enables GPU memory growth or caps GPU memory (see KER301)
GROWTH_NAMES = frozenset(
    {
        "set_memory_growth",
        "TF_FORCE_GPU_ALLOW_GROWTH",
        "allow_growth",
        "set_logical_device_configuration",
        "set_virtual_device_configuration",
        "per_process_gpu_memory_fraction",
    }
)
GROWTH_VARIABLE = "TF_FORCE_GPU_ALLOW_GROWTH"

PREALLOCATE = "XLA_PYTHON_CLIENT_PREALLOCATE"
ALLOCATOR = "XLA_PYTHON_CLIENT_ALLOCATOR"
#: the fraction of the GPU XLA preallocates: the current name and the deprecated one, both read
#: by jaxlib (setting both is an error)
MEM_FRACTIONS = ("XLA_CLIENT_MEM_FRACTION", "XLA_PYTHON_CLIENT_MEM_FRACTION")
PREALLOCATION_NAMES = frozenset({PREALLOCATE, ALLOCATOR, *MEM_FRACTIONS})
#: the values jaxlib reads as "do not preallocate" (compared as written, not lowered)
_PREALLOCATE_OFF = frozenset({"false", "False", "0"})

NAMES = {"growth": GROWTH_NAMES, "preallocation": PREALLOCATION_NAMES}


def disables_preallocation(name: str, value: str | None) -> bool:
    """Whether ``name=value`` keeps XLA from preallocating 75 % of the GPU; a value that is not
    a literal (None) is taken as the author's choice."""
    if name == PREALLOCATE:
        return value is None or value.strip() in _PREALLOCATE_OFF
    if name in MEM_FRACTIONS:
        return value is None or bool(value.strip())  # any fraction is the author's choice
    if name == ALLOCATOR:
        # "platform" allocates on demand; "default", "bfc", "cuda_async" and "vmm" preallocate
        return value is None or value.strip().lower() == "platform"
    return False


def environment_handles(concern: str, environment: Mapping[str, str]) -> bool:
    """Whether a process environment (a Dockerfile's ``ENV``) takes care of ``concern``."""
    if concern == "growth":
        return environment.get(GROWTH_VARIABLE, "").lower() == "true"
    return any(
        disables_preallocation(name, environment[name])
        for name in sorted(PREALLOCATION_NAMES & set(environment))
    )
