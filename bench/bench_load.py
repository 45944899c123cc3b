"""Load on the local stack (issue 7): 100 RPS for 60 s of mixed MOC reads and writes by 20
users, through the local gateway on loopback, with real tokens.

Starts its own stack + gateway (`lego-dev serve`, what `make dev` runs), seeds 20 users with
20 MOCs each, runs a bounded headless locust in a separate process (lego_gateway.loadtest),
and stops everything. Reports p50/p95/p99, the error count, the achieved rate, the CPU of the
gateway process and of the function containers it spawned (one process per concurrent
invocation, like Lambda's), and the machine's load average (2 cores, shared).
Floor: the median round trip of a request the gateway answers itself (an unmatched route),
so the ratio shows what the functions and their dependencies add.

Run alone: `uv run python -m bench.bench_load` (LOAD_SECONDS=10 for a quick look).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.timing import row

USERS = 20
RATE_PER_USER = 5  # locust constant_throughput: 20 x 5 = 100 RPS
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
SEED_MOCS_PER_USER = 20
GOAL_P95_MS = 100

for _key, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}.items():
    os.environ.setdefault(_key, _value)


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc (clock ticks -> seconds)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds of each child of pid (the function containers, spawned by the gateway)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            child = int(stat.parent.name)
            found[child] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def _seed(api: Any, users: list[str]) -> list[str]:
    tokens = []
    for user in users:
        tokens.append(api.token(user))
        for index in range(SEED_MOCS_PER_USER):
            response = api.call(
                "POST",
                "/api/mocs",
                user,
                json={
                    "title": f"Seed {index} of {user}",
                    "type": "set" if index % 2 else "moc",
                    "author": "bench",
                    "brand": "LEGO",
                    "tags": ["castle" if index % 3 == 0 else "spaceship", "seed"],
                },
            )
            response.raise_for_status()
    return tokens


def _gateway_floor_ms(api: Any, repeat: int = 300) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        api.client.get("/__no_such_route__")
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples[30:])


def measure() -> dict[str, Any]:
    from lego_gateway.testing import running_stack

    with tempfile.TemporaryDirectory(prefix="lego-bench-load-") as tmp:
        root = Path(tmp)
        with running_stack(root, extra_env={"LOG_LEVEL": "WARNING"}) as api:
            users = [f"load-user-{i:02d}" for i in range(USERS)]
            tokens = _seed(api, users)
            floor_ms = _gateway_floor_ms(api)
            tokens_file = root / "tokens.json"
            tokens_file.write_text(json.dumps(tokens))
            gateway_pid = int(api.state["pid"])
            cpu_before = _cpu_seconds(gateway_pid)
            children_before = _children_cpu_seconds(gateway_pid)
            started = time.monotonic()
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "lego_gateway.loadtest",
                    "--host",
                    api.url,
                    "--tokens",
                    str(tokens_file),
                    "--users",
                    str(USERS),
                    "--seconds",
                    str(SECONDS),
                ],
                capture_output=True,
                text=True,
                timeout=SECONDS + 120,
                check=True,
            )
            wall_s = time.monotonic() - started
            cpu_s = _cpu_seconds(gateway_pid) - cpu_before
            children_after = _children_cpu_seconds(gateway_pid)
            containers_cpu_s = sum(
                after - children_before.get(child, 0.0) for child, after in children_after.items()
            )
        stats: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    stats["gateway_cpu_pct"] = 100 * cpu_s / wall_s
    stats["containers_cpu_pct"] = 100 * containers_cpu_s / wall_s
    stats["load_average_1m"] = os.getloadavg()[0]
    stats["floor_ms"] = floor_ms
    return stats


def run() -> list[dict[str, Any]]:
    stats = measure()
    floor = stats["floor_ms"]
    floor_name = "gateway-only round trip (unmatched route), median"
    return [
        row("load 100rps p50", stats["p50_ms"], "ms", floor, floor_name),
        row("load 100rps p95", stats["p95_ms"], "ms", floor, floor_name, f"< {GOAL_P95_MS} ms"),
        row("load 100rps p99", stats["p99_ms"], "ms", floor, floor_name),
        row("load 100rps errors", stats["failures"], "count", goal="0"),
        row("load 100rps achieved", stats["rps"], "req/s", goal=">= 95"),
        row("load 100rps gateway CPU", stats["gateway_cpu_pct"], "% of 1 core"),
        row("load 100rps function containers CPU", stats["containers_cpu_pct"], "% of 1 core"),
        # other work on the machine skews every figure above: record how busy it was
        row("load 100rps machine load average", stats["load_average_1m"], "1-min"),
    ]


if __name__ == "__main__":
    measured = measure()
    print(json.dumps({k: v for k, v in measured.items() if k != "routes"}, indent=2))
    for route, figures in sorted(measured["routes"].items()):
        print(f"{route:28} {figures}")
