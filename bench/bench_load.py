"""Load on the local stack (issue 18 "Load runs"): the routes mixed in the proportions of
lego_gateway.loadtest.ROUTE_MIX, 100 RPS sustained for 60 s, then a 500 RPS spike for 10 s;
and the floor at the same rates: the gateway's no-op route (JWT verified, no function).

Starts its own stack + gateway (`lego-dev serve`, what `make dev` runs) on loopback with the
no-op route on and throttling off (LEGO_DEV_BENCH_NOOP=1, LEGO_DEV_THROTTLE=off), seeds 20
users (token, MOCs, images, wishlist items) beforehand, then runs each phase with WORKERS
locust processes (lego_gateway.loadtest), each at its share of the rate. Reports per route and
overall: p50/p95/p99, errors by status, achieved RPS; per second of the window: requests,
p50/p99/max (a stall shows as one bad second: "worst second's p99"); the CPU of the generator
processes and of the stack (the gateway process and everything under it: function containers,
PostgreSQL, Redis, moto), and the time the stack waited for a CPU; the machine's load average
and CPU pressure (2 cores, shared with other work).

Run alone: `uv run python -m bench load` (LOAD_SECONDS=10 shortens the sustained phase, and the
spike to at most as long, for a quick look; LOAD_WORKERS sets the generator processes).
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.timing import row

if TYPE_CHECKING:
    from lego_gateway.testing import LocalApi

SUSTAINED_S = float(os.environ.get("LOAD_SECONDS", "60"))
# one generator process used ~9 % of a core at 500 RPS: not the bottleneck (docs/capacity.md)
WORKERS = int(os.environ.get("LOAD_WORKERS", "1"))
SEED_USERS = 20
SEED_MOCS, SEED_IMAGES, SEED_WISHLIST = 10, 3, 10
# function containers per function: more than the default 2, so a slow S3 put does not queue
# the reads behind it (Lambda would start another execution environment)
CONTAINERS = 4


@dataclass(frozen=True)
class Phase:
    name: str
    rate: float
    seconds: float
    users: int  # each sends Poisson arrivals at rate / users (50 at 100 RPS: one per 0.5 s)
    warmup_s: float


PHASES = (
    Phase("100rps", 100, SUSTAINED_S, 50, 5),
    Phase("500rps spike", 500, min(10.0, SUSTAINED_S), 200, 3),
)
# Goals (issue 18): at 100 RPS p95 <= 4x floor and < 100 ms, no error; in the spike achieved
# >= 95 % of 500, errors < 1 %, p99 < 1 s and <= 10x floor.
SUSTAINED_P95_MAX_MS, SUSTAINED_P95_MAX_RATIO = 100, 4
SPIKE_P99_MAX_MS, SPIKE_P99_MAX_RATIO, SPIKE_MIN_SHARE, SPIKE_MAX_ERROR_PCT = 1000, 10, 0.95, 1

for _key, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}.items():
    os.environ.setdefault(_key, _value)


# --- CPU from /proc ----------------------------------------------------------------------------


def _role(pid: int, root_pid: int) -> str:
    """gateway (the lego-dev process), containers (its function workers) or services."""
    if pid == root_pid:
        return "gateway"
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "services"
    return "containers" if b"multiprocessing" in cmdline else "services"


def _run_queue_wait_s(pid: int) -> float:
    """Seconds the threads of pid waited on a run queue for a CPU (/proc/<pid>/task/*/schedstat)."""
    waited = 0
    for schedstat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            waited += int(schedstat.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the thread ended meanwhile
    return waited / 1e9


def _tree_sample(root_pid: int) -> dict[int, tuple[str, float, float]]:
    """(role, CPU seconds: utime + stime, run-queue wait seconds) of root_pid and every live
    descendant, by pid."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks
    tree = {root_pid}
    grew = True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        grew = bool(found)
        tree |= found
    return {
        pid: (_role(pid, root_pid), cpu[pid], _run_queue_wait_s(pid)) for pid in tree if pid in cpu
    }


def _used(
    before: dict[int, tuple[str, float, float]], after: dict[int, tuple[str, float, float]]
) -> dict[str, float]:
    """CPU seconds by role, and the run-queue wait of them all, between two samples (a process
    born in between counts from zero)."""
    used = {"gateway": 0.0, "containers": 0.0, "services": 0.0, "run_queue_wait": 0.0}
    for pid, (role, cpu_s, wait_s) in after.items():
        _, cpu_before, wait_before = before.get(pid, (role, 0.0, 0.0))
        used[role] += cpu_s - cpu_before
        used["run_queue_wait"] += wait_s - wait_before
    return used


def _cpu_pressure_us() -> float:
    """Microseconds in which some runnable task of the machine waited for a CPU (PSI)."""
    try:
        some = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return math.nan  # a kernel without PSI
    return float(some.rsplit("total=", 1)[1])


# --- seeding -----------------------------------------------------------------------------------


def _tiny_jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def _created_id(response: Any) -> str:
    response.raise_for_status()
    return str(response.json()["data"]["id"])


def _seed(api: LocalApi, jpeg: bytes) -> list[dict[str, Any]]:
    """SEED_USERS users with a token each and the ids the generator reads and writes."""
    import jwt

    people = []
    for index in range(SEED_USERS):
        user = f"load-user-{index:02d}"
        token = api.token(user)
        moc_ids = [
            _created_id(
                api.call(
                    "POST",
                    "/api/mocs",
                    user,
                    json={
                        "title": f"Seed {n} of {user}",
                        "type": "set" if n % 2 else "moc",
                        "author": "bench",
                        "brand": "LEGO",
                        "tags": ["castle" if n % 3 == 0 else "spaceship", "seed"],
                    },
                )
            )
            for n in range(SEED_MOCS)
        ]
        image_ids = [
            _created_id(
                api.call(
                    "POST",
                    "/api/images",
                    user,
                    data={"title": f"Seed image {n}"},
                    files={"image": ("seed.jpg", jpeg, "image/jpeg")},
                )
            )
            for n in range(SEED_IMAGES)
        ]
        wishlist_ids = [
            _created_id(api.call("POST", "/api/wishlist", user, json={"title": f"Set {n}"}))
            for n in range(SEED_WISHLIST)
        ]
        claims = jwt.decode(token, options={"verify_signature": False})  # our own token
        people.append(
            {
                "token": token,
                "sub": claims["sub"],
                "moc_ids": moc_ids,
                "image_ids": image_ids,
                "wishlist_ids": wishlist_ids,
            }
        )
    return people


def _prewarm(api: LocalApi, people: list[dict[str, Any]], jpeg: bytes) -> None:
    """Start every container the phases will use (CONTAINERS per function), as provisioned
    concurrency would, and run each kind of work once in each: a cold start, or the first
    upload's Pillow import (hundreds of ms), inside a window measures the import, not the
    load."""
    from concurrent.futures import ThreadPoolExecutor

    person = people[0]
    user = "load-user-00"
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/health", {}),
        ("GET", "/api/mocs", {}),
        ("PATCH", f"/api/mocs/{person['moc_ids'][0]}", {"json": {"description": "warm"}}),
        ("GET", "/api/images", {}),
        (
            "POST",
            "/api/images",
            {"data": {"title": "Warm-up"}, "files": {"image": ("warm.jpg", jpeg, "image/jpeg")}},
        ),
        ("GET", "/api/wishlist", {}),
        ("GET", f"/api/users/{person['sub']}", {}),
    ]

    def send(call: tuple[str, str, dict[str, Any]]) -> int:
        method, path, options = call
        return int(api.call(method, path, user, **options).status_code)

    with ThreadPoolExecutor(CONTAINERS) as pool:
        for _ in range(3):  # a container only starts when all the others are busy
            for call in calls:
                statuses = list(pool.map(send, [call] * CONTAINERS))
                if any(status >= 300 for status in statuses):
                    raise RuntimeError(f"warm-up {call[0]} {call[1]} answered {statuses}")


# --- one phase ---------------------------------------------------------------------------------


def _percentile(histogram: Counter[float], fraction: float) -> float:
    """The smallest latency with at least fraction of the samples at or below it."""
    total = sum(histogram.values())
    if total == 0:
        return math.nan
    wanted = math.ceil(fraction * total)
    seen = 0
    for latency in sorted(histogram):
        seen += histogram[latency]
        if seen >= wanted:
            return latency
    return max(histogram)


def _figures(histogram: Counter[float], statuses: Counter[str], seconds: float) -> dict[str, Any]:
    requests = sum(statuses.values())
    errors = {s: n for s, n in sorted(statuses.items()) if not s.startswith("2")}
    return {
        "requests": requests,
        "achieved_rps": requests / seconds,
        "p50_ms": _percentile(histogram, 0.50),
        "p95_ms": _percentile(histogram, 0.95),
        "p99_ms": _percentile(histogram, 0.99),
        "errors_by_status": errors,
        "error_pct": 100 * sum(errors.values()) / requests if requests else math.nan,
    }


def run_phase(api: LocalApi, fixtures: Path, scenario: str, phase: Phase) -> dict[str, Any]:
    """WORKERS generator processes at phase.rate in all; the merged figures of their window."""
    gateway_pid = int(api.state["pid"])
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lego_gateway.loadtest",
                "--host",
                api.url,
                "--fixtures",
                str(fixtures),
                "--scenario",
                scenario,
                "--rate",
                str(phase.rate / WORKERS),
                "--users",
                str(max(1, phase.users // WORKERS)),
                "--seconds",
                str(phase.seconds),
                "--warmup",
                str(phase.warmup_s),
                "--first-user",
                str(index * SEED_USERS // WORKERS),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for index in range(WORKERS)
    ]
    try:
        for worker in workers:  # every process has warmed up: the window opens
            assert worker.stdout is not None
            line = worker.stdout.readline().strip()
            if line != "measuring":
                raise RuntimeError(f"load generator {worker.pid} did not start: {line!r}")
        stack_before = _tree_sample(gateway_pid)
        pressure_before = _cpu_pressure_us()
        started = time.monotonic()
        outputs = [worker.communicate(timeout=phase.seconds + 60)[0] for worker in workers]
        wall_s = time.monotonic() - started
        stack = _used(stack_before, _tree_sample(gateway_pid))
        pressure_us = _cpu_pressure_us() - pressure_before
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    if any(worker.returncode for worker in workers):
        raise RuntimeError(f"a load generator failed: {[w.returncode for w in workers]}")
    results = [json.loads(out.strip().splitlines()[-1]) for out in outputs]
    routes: dict[str, tuple[Counter[float], Counter[str]]] = {}
    for result in results:
        for name, recorded in result["routes"].items():
            histogram, statuses = routes.setdefault(name, (Counter(), Counter()))
            histogram.update({float(k): v for k, v in recorded["latency_ms"].items()})
            statuses.update(recorded["statuses"])
    overall_histogram: Counter[float] = Counter()
    overall_statuses: Counter[str] = Counter()
    for histogram, statuses in routes.values():
        overall_histogram.update(histogram)
        overall_statuses.update(statuses)
    timeline = _timeline(results, phase.seconds)
    return {
        "scenario": scenario,
        "phase": phase.name,
        "target_rps": phase.rate,
        **_figures(overall_histogram, overall_statuses, phase.seconds),
        # % of one core over the window; 200 % is the whole machine
        "generator_cpu_pct": 100 * sum(r["cpu_s"] for r in results) / phase.seconds,
        "stack_cpu_pct": 100
        * (stack["gateway"] + stack["containers"] + stack["services"])
        / wall_s,
        **{
            f"stack_{role}_cpu_pct": 100 * stack[role] / wall_s
            for role in ("gateway", "containers", "services")
        },
        # time the stack's threads were runnable but had no CPU: the shared machine's share
        "stack_run_queue_wait_pct": 100 * stack["run_queue_wait"] / wall_s,
        # PSI "some": share of the window in which any task of the machine waited for a CPU
        "machine_cpu_pressure_pct": 100 * pressure_us / 1e6 / wall_s,
        "load_average_1m": os.getloadavg()[0],
        "routes": {
            name: _figures(histogram, statuses, phase.seconds)
            for name, (histogram, statuses) in sorted(routes.items())
        },
        # a stall (a collection pausing a process, a cold start) is one bad second, not a p99
        "worst_second_p99_ms": max((s["p99_ms"] for s in timeline), default=math.nan),
        "timeline": timeline,
    }


def _timeline(results: list[dict[str, Any]], seconds: float) -> list[dict[str, Any]]:
    """Each whole second of the window, the generator processes merged: requests completed in
    it and their p50 / p99 / max."""
    merged: dict[int, Counter[float]] = {}
    for result in results:
        for second, recorded in result["timeline"].items():
            histogram = merged.setdefault(int(second), Counter())
            histogram.update({float(k): v for k, v in recorded.items()})
    return [
        {
            "second": second,
            "requests": sum(histogram.values()),
            "p50_ms": _percentile(histogram, 0.50),
            "p99_ms": _percentile(histogram, 0.99),
            "max_ms": max(histogram),
        }
        for second, histogram in sorted(merged.items())
        if second < int(seconds)  # the last, partial second would be a sample of a few
    ]


def measure() -> dict[str, dict[str, Any]]:
    """Both phases of the api scenario and of the floor: {"api 100rps": figures, ...}."""
    from lego_gateway.testing import running_stack

    extra_env = {
        "LOG_LEVEL": "WARNING",
        "LEGO_DEV_BENCH_NOOP": "1",
        "LEGO_DEV_THROTTLE": "off",  # API Gateway's throttle would answer 429s, not our code
        "LEGO_DEV_LOG_FORMAT": "json",  # the raw stream: no terminal formatting on the hot path
        "LEGO_DEV_CONTAINERS": str(CONTAINERS),
    }
    measured: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="lego-bench-load-") as tmp:
        root = Path(tmp)
        with running_stack(root, extra_env=extra_env) as api:
            jpeg = _tiny_jpeg()
            people = _seed(api, jpeg)
            _prewarm(api, people, jpeg)
            fixtures = root / "fixtures.json"
            fixtures.write_text(
                json.dumps(
                    {
                        "users": people,
                        "upload_jpeg_b64": base64.b64encode(jpeg).decode(),
                    }
                )
            )
            sustained, spike = PHASES
            # each floor next to its api phase (the machine's load drifts), and the api spike
            # straight after the api's sustained phase, as the seed's plan has it
            for scenario, phase in (
                ("floor", sustained),
                ("api", sustained),
                ("api", spike),
                ("floor", spike),
            ):
                print(f"   {scenario} {phase.name}", file=sys.stderr, flush=True)
                measured[f"{scenario} {phase.name}"] = run_phase(api, fixtures, scenario, phase)
    return measured


def _goals_met(api: dict[str, Any], floor: dict[str, Any], sustained: bool) -> bool:
    if sustained:
        return bool(
            api["p95_ms"] < SUSTAINED_P95_MAX_MS
            and api["p95_ms"] <= SUSTAINED_P95_MAX_RATIO * floor["p95_ms"]
            and not api["errors_by_status"]
        )
    return bool(
        api["achieved_rps"] >= SPIKE_MIN_SHARE * api["target_rps"]
        and api["error_pct"] < SPIKE_MAX_ERROR_PCT
        and api["p99_ms"] < SPIKE_P99_MAX_MS
        and api["p99_ms"] <= SPIKE_P99_MAX_RATIO * floor["p99_ms"]
    )


def _per_request_ms(figures: dict[str, Any], pct_key: str) -> float:
    """Milliseconds per completed request of a % of one core (x 10 / req/s)."""
    if not figures["requests"]:
        return math.nan
    return float(figures[pct_key] * 10 / figures["achieved_rps"])


def _summary(figures: dict[str, Any]) -> dict[str, Any]:
    """A phase's figures without its per-route and per-second parts (rows of their own)."""
    return {k: v for k, v in figures.items() if k not in ("routes", "timeline")}


def rows_of(measured: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """bench rows: overall figures of each phase against its floor, then each route's."""
    rows: list[dict[str, Any]] = []
    for phase in PHASES:
        api, floor = measured[f"api {phase.name}"], measured[f"floor {phase.name}"]
        label = f"load {phase.name}"
        floor_name = f"gateway no-op route (JWT only) at {phase.rate:.0f} RPS"
        sustained = phase is PHASES[0]
        p95_goal = (
            f"< {SUSTAINED_P95_MAX_MS} ms, <= {SUSTAINED_P95_MAX_RATIO}x floor"
            if sustained
            else None
        )
        p99_goal = (
            None if sustained else f"< {SPIKE_P99_MAX_MS} ms, <= {SPIKE_P99_MAX_RATIO}x floor"
        )
        errors_goal = "0" if sustained else f"< {SPIKE_MAX_ERROR_PCT} %"
        rows += [
            row(f"{label} p50", api["p50_ms"], "ms", floor["p50_ms"], floor_name),
            row(f"{label} p95", api["p95_ms"], "ms", floor["p95_ms"], floor_name, p95_goal),
            row(f"{label} p99", api["p99_ms"], "ms", floor["p99_ms"], floor_name, p99_goal),
            {
                **row(
                    f"{label} worst second's p99",
                    api["worst_second_p99_ms"],
                    "ms",
                    floor["worst_second_p99_ms"],
                    floor_name,
                ),
                "detail": {"api": api["timeline"], "floor": floor["timeline"]},
            },
            row(f"{label} errors", api["error_pct"], "%", goal=errors_goal),
            row(
                f"{label} achieved",
                api["achieved_rps"],
                "req/s",
                floor["achieved_rps"],
                floor_name,
                f">= {SPIKE_MIN_SHARE * phase.rate:.0f}",
            ),
            row(f"{label} generator CPU", api["generator_cpu_pct"], "% of 1 core"),
            row(f"{label} stack CPU", api["stack_cpu_pct"], "% of 1 core"),
            row(f"{label} stack CPU: gateway", api["stack_gateway_cpu_pct"], "% of 1 core"),
            row(f"{label} stack CPU: containers", api["stack_containers_cpu_pct"], "% of 1 core"),
            row(f"{label} stack CPU: services", api["stack_services_cpu_pct"], "% of 1 core"),
            # CPU per request x the target rate: more than the machine's 200 % means the
            # machine, not our code's latency, caps the achieved rate
            row(f"{label} stack CPU per request", _per_request_ms(api, "stack_cpu_pct"), "ms"),
            row(
                f"{label} stack cores needed at {phase.rate:.0f} RPS",
                _per_request_ms(api, "stack_cpu_pct") * phase.rate / 1000,
                "cores",
                goal=f"< {os.cpu_count()} (the machine)",
            ),
            row(
                f"{label} stack run-queue wait per request",
                _per_request_ms(api, "stack_run_queue_wait_pct"),
                "ms",
            ),
            row(f"{label} machine CPU pressure (PSI some)", api["machine_cpu_pressure_pct"], "%"),
            row(f"{label} floor generator CPU", floor["generator_cpu_pct"], "% of 1 core"),
            row(f"{label} floor stack CPU", floor["stack_cpu_pct"], "% of 1 core"),
            # other work on the machine skews every figure above: record how busy it was
            row(f"{label} machine load average", api["load_average_1m"], "1-min"),
            {
                **row(f"{label} goals met", float(_goals_met(api, floor, sustained)), "bool"),
                "detail": {"api": _summary(api), "floor": _summary(floor)},
            },
        ]
        for route, figures in api["routes"].items():
            rows.append(
                {
                    **row(
                        f"{label} {route} p95", figures["p95_ms"], "ms", floor["p95_ms"], floor_name
                    ),
                    "detail": figures,
                }
            )
    return rows


def run() -> list[dict[str, Any]]:
    return rows_of(measure())


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
