"""Cold-start proxy: fresh interpreter -> first handler response, from the unpacked zip.

Measured on the host-compatible variant of each zip (same lock, same file rules, host .pyc),
in a fresh `python -I -S -B` whose sys.path holds only the unpacked zip (plus the boto3
stand-in when the function leaves boto3 to the runtime); with and without its .pyc files,
and, where a Python 3.13 exists, on the Lambda x86_64 zip itself. The floor is the same
interpreter doing nothing. Rows and their meaning: tools/build/README.md "Cold start".
"""

from __future__ import annotations

import re
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from lego_build.events import load_routes, smoke_event, smoke_route
from lego_build.functions import discover
from lego_build.smoke import Bundle, invoke, lambda_x86_bundle, smoke_env

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from lego_build.smoke import Invocation

RUNS = 10
# Issue 5 goals on this machine.
GOAL_MS = {"health": 150.0}
DEFAULT_GOAL_MS = 300.0
FLOOR_NAME = "python -I -S, no imports"
_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|(\s+)(\S+)$")


def floor_ms(runs: int = RUNS) -> tuple[float, float]:
    """Median wall ms from spawning a bare interpreter to its first output, and its CPU ms."""
    samples, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.time_ns()
        out = subprocess.run(
            [sys.executable, "-I", "-S", "-c", "import time; print(time.time_ns())"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples.append((int(out.strip()) - started) / 1e6)
        cpu.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return statistics.median(samples), statistics.median(cpu)


def import_breakdown(stderr: str, top: int = 6) -> list[tuple[str, float]]:
    """(top-level package, ms) from `-X importtime`: self time summed per top-level name."""
    per_package: dict[str, int] = defaultdict(int)
    for line in stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            per_package[match[4].split(".")[0]] += int(match[1])
    ranked = sorted(per_package.items(), key=lambda item: -item[1])[:top]
    return [(name, us / 1000) for name, us in ranked]


def _sample(name: str, runs: int, once: Callable[[], Invocation]) -> tuple[float, float, float]:
    """Median ms to the first response, to the end of the handler's import, and CPU ms."""
    totals, imports, cpu = [], [], []
    for _ in range(runs):
        run = once()
        if run.payload is None or "responded_at_ns" not in run.payload:
            raise RuntimeError(f"{name}: handler did not answer: {run.stderr[-400:]}")
        totals.append((run.payload["responded_at_ns"] - run.started_ns) / 1e6)
        imports.append((run.payload["imported_at_ns"] - run.started_ns) / 1e6)
        cpu.append(run.cpu_ms)
    return statistics.median(totals), statistics.median(imports), statistics.median(cpu)


def _row(
    name: str, value: float | None, unit: str, floor: float | None, goal: float | None
) -> dict[str, Any]:
    ratio = round(value / floor, 2) if value is not None and floor else None
    return {
        "name": name,
        "value": None if value is None else round(value, 1),
        "unit": unit,
        "floor": None if floor is None else round(floor, 1),
        "floor_name": FLOOR_NAME if floor is not None else None,
        "ratio": ratio,
        "goal": goal,
    }


def _timings(
    name: str, paths: list[Path], handler: str, event: dict[str, Any] | None, python: str, runs: int
) -> tuple[float, float, float]:
    env = smoke_env(name)
    return _sample(name, runs, lambda: invoke(paths, handler, event, env, python=python))


def measure(
    root: Path, functions: tuple[str, ...], work_dir: Path, runs: int = RUNS
) -> list[dict[str, Any]]:
    """Benchmark rows per function: cold start as shipped, without .pyc, heaviest imports.

    `cold_start_<fn>` runs the host-compatible zip with its .pyc files (as the Lambda zips
    ship them when built with a Python 3.13); `:no_pyc` leaves them out, which is what Lambda
    pays for a zip without bytecode (read-only /var/task: every import compiles). With a
    Python 3.13 here, `:py313` rows run the Lambda x86_64 zip itself under 3.13.
    """
    specs = discover(root)
    routes = load_routes(root)
    host = Bundle.host(root, work_dir, root / "build" / "lego-build-host")
    lambda_x86 = lambda_x86_bundle(root, work_dir)
    floor, floor_cpu = floor_ms(runs)
    rows: list[dict[str, Any]] = []
    for name in functions:
        spec = specs[name]
        goal = GOAL_MS.get(name, DEFAULT_GOAL_MS)
        if not spec.has_handler:
            row = _row(f"cold_start_{name}", None, "ms", floor, goal)
            row["note"] = "skipped: no handler.py yet"
            rows.append(row)
            continue
        route = smoke_route(routes, name)
        event = smoke_event(routes, route) if route else None
        handler = spec.handler
        paths = host.prepare(spec)
        total, imports, cpu = _timings(name, paths, handler, event, host.python, runs)
        rows.append(_row(f"cold_start_{name}", total, "ms", floor, goal))
        # The part of the cold start spent before the handler runs (interpreter + imports).
        rows.append(_row(f"cold_start_{name}:import", imports, "ms", floor, None))
        # CPU of the whole process: steadier than wall time when the machine is busy.
        rows.append(_row(f"cold_start_{name}:cpu", cpu, "ms", floor_cpu, goal))
        src_paths = host.prepare(spec, with_bytecode=False)
        no_pyc, _, no_pyc_cpu = _timings(name, src_paths, handler, event, host.python, runs)
        rows.append(_row(f"cold_start_{name}:no_pyc", no_pyc, "ms", floor, None))
        rows.append(_row(f"cold_start_{name}:no_pyc_cpu", no_pyc_cpu, "ms", floor_cpu, None))
        if lambda_x86 is not None:
            for with_pyc, label in ((True, "py313"), (False, "py313_no_pyc")):
                x86_paths = lambda_x86.prepare(spec, with_bytecode=with_pyc)
                ms, _, ms_cpu = _timings(name, x86_paths, handler, event, lambda_x86.python, runs)
                rows.append(_row(f"cold_start_{name}:{label}", ms, "ms", floor, None))
                rows.append(_row(f"cold_start_{name}:{label}_cpu", ms_cpu, "ms", floor_cpu, None))
        # Heaviest imports, without .pyc so compile time shows where it is spent.
        env = smoke_env(name)
        traced = invoke(src_paths, handler, event, env, python_flags=("-X", "importtime"))
        rows.extend(
            _row(f"import_{name}:{pkg}", ms, "ms", None, None)
            for pkg, ms in import_breakdown(traced.stderr)
        )
    return rows
