"""Growth with file size: libcst's parse and keras-lint on single modules of 1k to 50k lines.

Each measurement is one fresh process that imports its tool, warms it up on a 100-line module
and then times the work on the large module in-process, so start-up and imports are not part
of the cost per line. The figure is CPU time (``time.process_time``), which a busy machine
disturbs far less than wall time; the wall time is kept in the JSON report as well.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.corpus import generate_module
from benchmarks.measure import BenchmarkError, checked, lint_environment, run_measured

GROWTH_SCRIPT = """\
import json, sys, time

tool, path, warmup = sys.argv[1:4]
if tool == "libcst":
    import libcst

    def work(name):
        with open(name, "rb") as f:
            libcst.parse_module(f.read())
        return 0
else:
    from keras_lint.engine import lint_paths

    def work(name):
        return len(lint_paths([name]).findings)

work(warmup)
wall, cpu = time.perf_counter(), time.process_time()
findings = work(path)
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
print(json.dumps({"cpu_seconds": cpu, "seconds": wall, "findings": findings}))
"""

TOOLS = ("libcst", "keras-lint")


@dataclass
class Measurement:
    cpu_seconds: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    peak_mb: float = 0.0

    @property
    def cpu(self) -> float:
        return min(self.cpu_seconds)


@dataclass
class Size:
    target_lines: int
    lines: int
    module: Path
    tools: dict[str, Measurement] = field(
        default_factory=lambda: {tool: Measurement() for tool in TOOLS}
    )
    findings: int = 0

    @property
    def measured(self) -> bool:
        return all(m.cpu_seconds for m in self.tools.values())

    def per_line(self, tool: str) -> float:
        """CPU seconds per line."""
        return self.tools[tool].cpu / self.lines


@dataclass
class Growth:
    sizes: list[Size]
    failure: str | None = None

    def factors(self) -> dict[str, float] | None:
        """Per-line cost at the largest size over that at the smallest, per tool."""
        measured = [size for size in self.sizes if size.measured]
        if len(measured) < 2:
            return None
        small, large = measured[0], measured[-1]
        return {tool: large.per_line(tool) / small.per_line(tool) for tool in TOOLS}


def measure_growth(
    python: str,
    sizes: Sequence[int],
    repeat: int,
    seed: int,
    folder: Path,
    timeout: float | None,
    progress: Callable[[str], None],
) -> Growth:
    """Write one module per size (each alone in its folder) and time both tools on it."""
    warmup = folder / "warmup" / "warmup.py"
    warmup.parent.mkdir(parents=True)
    warmup.write_text(generate_module(100, seed), encoding="utf-8")
    growth = Growth([])
    for target_lines in sizes:
        module = folder / f"lines_{target_lines}" / f"experiments_{target_lines}.py"
        module.parent.mkdir()
        text = generate_module(target_lines, seed)
        module.write_text(text, encoding="utf-8")
        growth.sizes.append(Size(target_lines, text.count("\n"), module))
    env = lint_environment()
    for repetition in range(1, repeat + 1):
        for size in growth.sizes:
            for tool in TOOLS:
                command = [python, "-c", GROWTH_SCRIPT, tool, str(size.module), str(warmup)]
                try:
                    run = checked(
                        f"{tool} on {size.lines} lines",
                        run_measured(command, size.module.parent, env, timeout),
                        (0,),
                    )
                except BenchmarkError as error:  # reported; the other figures stand
                    growth.failure = f"failed: {error}"
                    return growth
                report = json.loads(run.stdout)
                measurement = size.tools[tool]
                measurement.cpu_seconds.append(report["cpu_seconds"])
                measurement.seconds.append(report["seconds"])
                measurement.peak_mb = max(measurement.peak_mb, run.peak_rss_mb)
                if tool == "keras-lint":
                    size.findings = report["findings"]
                progress(
                    f"  [growth] {tool}, {size.lines} lines, run {repetition}/{repeat}: "
                    f"{report['cpu_seconds']:.2f} CPU s"
                )
    return growth
