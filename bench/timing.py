"""Small timing helpers shared by the benchmarks."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@contextmanager
def stdout_to_devnull() -> Iterator[None]:
    """Handler log lines go to /dev/null (fd level: structlog keeps its own stdout handle)."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(devnull)
        os.close(saved)


def median_us(fn: Callable[[], Any], *, repeat: int = 2000, warmup: int = 200) -> float:
    """Median wall time of fn() in microseconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - started)
    return statistics.median(samples) / 1000


def fresh_interpreter_ms(
    code: str, *, repeat: int = 10, env: dict[str, str] | None = None
) -> float:
    """Median wall time of `python -c code` in a fresh interpreter, in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, **(env or {})})
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def row(
    name: str,
    value: float,
    unit: str,
    floor: float | None = None,
    floor_name: str | None = None,
    goal: str | None = None,
) -> dict[str, Any]:
    ratio = round(value / floor, 2) if floor else None
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "floor": round(floor, 3) if floor is not None else None,
        "floor_name": floor_name,
        "ratio": ratio,
        "goal": goal,
    }


@contextmanager
def native_stack() -> Iterator[Any]:
    """A native stack (PostgreSQL, Redis, moto), migrated, with its env applied; stopped after."""
    from lego_devstack import applied_env
    from lego_devstack.stack import prepare, start_native

    stack = start_native()
    try:
        with applied_env(stack.env()):
            prepare(stack)
            yield stack
    finally:
        stack.stop()
