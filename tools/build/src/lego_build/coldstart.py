"""Cold-start proxy: fresh interpreter -> first handler response, from the unpacked zip.

Measured on the host-compatible variant of each zip (same lock, same file rules), in a fresh
`python -I -S` whose sys.path holds only the unpacked zip (plus the boto3 stand-in when the
function leaves boto3 to the runtime). The floor is the same interpreter doing nothing.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from lego_build.events import http_event, load_routes, smoke_route
from lego_build.functions import discover
from lego_build.smoke import HostBundle, invoke, smoke_env

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


def floor_ms(runs: int = RUNS) -> float:
    """Median ms from spawning a bare interpreter to its first output."""
    samples = []
    for _ in range(runs):
        started = time.time_ns()
        out = subprocess.run(
            [sys.executable, "-I", "-S", "-c", "import time; print(time.time_ns())"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        samples.append((int(out.strip()) - started) / 1e6)
    return statistics.median(samples)


def import_breakdown(stderr: str, top: int = 6) -> list[tuple[str, float]]:
    """(top-level package, ms) from `-X importtime`: self time summed per top-level name."""
    per_package: dict[str, int] = defaultdict(int)
    for line in stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            per_package[match[4].split(".")[0]] += int(match[1])
    ranked = sorted(per_package.items(), key=lambda item: -item[1])[:top]
    return [(name, us / 1000) for name, us in ranked]


def _sample(name: str, runs: int, once: Callable[[], Invocation]) -> tuple[float, float]:
    """Median ms to the first response and to the end of the handler's import."""
    totals, imports = [], []
    for _ in range(runs):
        run = once()
        if run.payload is None or "responded_at_ns" not in run.payload:
            raise RuntimeError(f"{name}: handler did not answer: {run.stderr[-400:]}")
        totals.append((run.payload["responded_at_ns"] - run.started_ns) / 1e6)
        imports.append((run.payload["imported_at_ns"] - run.started_ns) / 1e6)
    return statistics.median(totals), statistics.median(imports)


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


def _measure_function(
    name: str, paths: list[Path], handler: str, event: dict[str, Any] | None, runs: int
) -> tuple[float, float, float, list[tuple[str, float]]]:
    """(cold ms, import ms, ms with bytecode cached, heaviest imports) of one unpacked zip."""
    env = smoke_env(name)

    def once(write_bytecode: bool = False) -> Invocation:
        return invoke(paths, handler, event, env, write_bytecode=write_bytecode)

    total, imports = _sample(name, runs, once)
    # Heaviest imports, still without bytecode caches (as on Lambda).
    traced = invoke(paths, handler, event, env, python_flags=("-X", "importtime"))
    # With __pycache__ written by a first run: what shipping 3.13 .pyc files would save.
    once(write_bytecode=True)
    cached, _ = _sample(name, runs, lambda: once(write_bytecode=True))
    return total, imports, cached, import_breakdown(traced.stderr)


def measure(
    root: Path, functions: tuple[str, ...], work_dir: Path, runs: int = RUNS
) -> list[dict[str, Any]]:
    """Benchmark rows: cold start median per function, then its heaviest imports."""
    specs = discover(root)
    routes = load_routes(root)
    bundle = HostBundle(root, work_dir, host_dist_dir=root / "build" / "lego-build-host")
    floor = floor_ms(runs)
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
        authorized = route is not None and routes[route]["authorization"] != "NONE"
        event = http_event(route, authorized=authorized) if route else None
        total, imports, cached, heaviest = _measure_function(
            name, bundle.prepare(spec), spec.handler, event, runs
        )
        rows.append(_row(f"cold_start_{name}", total, "ms", floor, goal))
        # The part of the cold start spent before the handler runs (interpreter + imports).
        rows.append(_row(f"cold_start_{name}:import", imports, "ms", floor, None))
        rows.append(_row(f"cold_start_{name}:bytecode_cached", cached, "ms", floor, None))
        rows.extend(_row(f"import_{name}:{pkg}", ms, "ms", None, None) for pkg, ms in heaviest)
    return rows
