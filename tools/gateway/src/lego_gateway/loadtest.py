"""One load generator process of bench/bench_load.py: a bounded, headless locust run against
the local stack on loopback. It runs in its own process because locust patches the standard
library with gevent at import; the benchmark starts several at once when one is CPU-bound.

Scenario `api` mixes the routes in the proportions of ROUTE_MIX; scenario `floor` calls only
the gateway's no-op route (JWT verified, no function: lego_gateway.noop). Users, tokens and the
ids they work on come from --fixtures (made beforehand by the benchmark). After --warmup seconds
the process prints `measuring`, records every request that completes in the next --seconds,
and prints one JSON object: per route a histogram of latencies and the count of each status,
a histogram per second of the window, and its own CPU seconds. The benchmark merges the
processes and computes the percentiles.

    python -m lego_gateway.loadtest --host http://127.0.0.1:3000 --fixtures fixtures.json \\
        --scenario api --rate 100 --users 50 --seconds 60

Loopback only: any other host is refused before a single request goes out.
"""

from __future__ import annotations

import argparse
import base64
import ipaddress
import itertools
import json
import random
import resource
import sys
import time
import uuid
from collections import Counter, defaultdict
from typing import Any
from urllib.parse import urlsplit

# Share of each route in the `api` scenario, in percent: reads dominate as they do for a
# catalogue its owner browses, every write route stays in. docs/capacity.md sizes production
# from this mix (tests/test_capacity_model.py imports it).
ROUTE_MIX: dict[str, int] = {
    "GET /api/mocs": 20,
    "GET /api/mocs/{id}": 15,
    "GET /api/mocs?search": 8,
    "POST /api/mocs": 4,
    "PATCH /api/mocs/{id}": 4,
    "GET /api/images": 10,
    "GET /api/images/{id}": 8,
    "POST /api/images": 2,
    "GET /api/wishlist": 10,
    "POST /api/wishlist/reorder": 4,
    "GET /api/users/{id}": 10,
    "GET /health": 5,
}
FLOOR_ROUTE = "GET /__bench/noop"
SEARCH_TERMS = ("castle", "spaceship", "bench", "modular", "Seed 3")


class NotLoopbackError(ValueError):
    """The target is not this machine: the load generator never sends load elsewhere."""


def ensure_loopback(url: str) -> str:
    """url unchanged when its host is a loopback address (or `localhost`), else NotLoopbackError."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return url
    try:
        is_loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        is_loopback = False  # a name other than localhost could resolve anywhere: refuse it
    if not is_loopback:
        raise NotLoopbackError(f"refusing to load {host or url!r}: only loopback hosts are allowed")
    return url


def _latency_bucket(milliseconds: float) -> str:
    """0.1 ms resolution below 100 ms, 1 ms above: enough for p99 and a compact histogram."""
    return f"{milliseconds:.1f}" if milliseconds < 100 else str(round(milliseconds))


class Recorder:
    """Latency histograms and status counts per route, only while the window is open; and a
    histogram per second of the window, all routes together, so a stall shows as the second
    it happened in rather than as a p99 spread over the run."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self.measuring = False
        self._clock = clock
        self._opened_at = 0.0
        self.latencies: dict[str, Counter[str]] = defaultdict(Counter)
        self.statuses: dict[str, Counter[str]] = defaultdict(Counter)
        self.seconds: dict[int, Counter[str]] = defaultdict(Counter)

    def open_window(self) -> None:
        self._opened_at = self._clock()
        self.measuring = True

    def on_request(self, name: str, response_time: float, response: Any, **_: Any) -> None:
        if not self.measuring:
            return
        bucket = _latency_bucket(response_time)
        self.latencies[name][bucket] += 1
        # 0: no HTTP answer at all (connection refused or reset, timeout)
        self.statuses[name][str(getattr(response, "status_code", 0) or 0)] += 1
        self.seconds[int(self._clock() - self._opened_at)][bucket] += 1  # when it completed

    def as_dict(self) -> dict[str, Any]:
        return {
            name: {"latency_ms": dict(self.latencies[name]), "statuses": dict(self.statuses[name])}
            for name in self.latencies
        }

    def timeline(self) -> dict[str, dict[str, int]]:
        """{second of the window: latency histogram} (JSON keys are strings)."""
        return {str(second): dict(self.seconds[second]) for second in sorted(self.seconds)}


def poisson_wait(user: Any, rate: float, now: float) -> float:
    """Seconds until user's next request: its starts form a Poisson process of rate (gaps drawn
    from an exponential, counted from the previous start, not from the answer). locust's
    constant_throughput counts from the answer, so after any stall the closed-loop users fire
    together and stay in phase: bursts of 50 at "100 RPS" that measure the burst, not the rate.
    A user that fell behind sends at once but makes up at most one gap, so a stall costs
    achieved rate instead of a flood of catch-up requests."""
    next_start: float = max(user.next_start, now - 1 / rate) + random.expovariate(rate)
    user.next_start = next_start
    return max(0.0, next_start - now)


def _user_classes(fixtures: dict[str, Any], scenario: str, per_user_rate: float, first: int) -> Any:
    """The locust user class of scenario (locust is imported here, never at module import)."""
    from locust import FastHttpUser, task
    from urllib3 import encode_multipart_formdata

    people: list[dict[str, Any]] = fixtures["users"]
    upload_jpeg = base64.b64decode(fixtures["upload_jpeg_b64"])
    next_person = itertools.count(first)

    class _Person(FastHttpUser):
        abstract = True

        def on_start(self) -> None:
            person = people[next(next_person) % len(people)]
            self.headers = {"authorization": f"Bearer {person['token']}"}
            self.person = person
            self.next_start = time.monotonic() + random.uniform(0, 1 / per_user_rate)

        def wait_time(self) -> float:
            return poisson_wait(self, per_user_rate, time.monotonic())

        def _get(self, path: str, name: str) -> None:
            self.client.get(path, headers=self.headers, name=name)

    class FloorUser(_Person):
        @task
        def noop(self) -> None:
            self._get("/__bench/noop", FLOOR_ROUTE)

    class ApiUser(_Person):
        def list_mocs(self) -> None:
            self._get(f"/api/mocs?page={random.randint(1, 2)}&limit=20", "GET /api/mocs")

        def get_moc(self) -> None:
            self._get(f"/api/mocs/{random.choice(self.person['moc_ids'])}", "GET /api/mocs/{id}")

        def search_mocs(self) -> None:
            term = random.choice(SEARCH_TERMS)
            self._get(f"/api/mocs?search={term}", "GET /api/mocs?search")

        def create_moc(self) -> None:
            body = {
                "title": f"Load MOC {uuid.uuid4().hex[:12]}",
                "type": "moc",
                "author": "bench",
                "tags": ["load", "bench"],
            }
            self.client.post("/api/mocs", json=body, headers=self.headers, name="POST /api/mocs")

        def patch_moc(self) -> None:
            self.client.patch(
                f"/api/mocs/{random.choice(self.person['moc_ids'])}",
                json={"description": f"edited {uuid.uuid4().hex[:6]}"},
                headers=self.headers,
                name="PATCH /api/mocs/{id}",
            )

        def list_images(self) -> None:
            self._get("/api/images", "GET /api/images")

        def get_image(self) -> None:
            image_id = random.choice(self.person["image_ids"])
            self._get(f"/api/images/{image_id}", "GET /api/images/{id}")

        def upload_image(self) -> None:
            body, content_type = encode_multipart_formdata(
                {
                    "title": "Load upload",
                    "tags": "load",
                    "image": ("load.jpg", upload_jpeg, "image/jpeg"),
                }
            )
            self.client.post(
                "/api/images",
                data=body,  # type: ignore[arg-type]  # geventhttpclient sends bytes as they are
                headers={**self.headers, "content-type": content_type},
                name="POST /api/images",
            )

        def list_wishlist(self) -> None:
            self._get("/api/wishlist", "GET /api/wishlist")

        def reorder_wishlist(self) -> None:
            # one item to the top: the service renumbers the rest without a gap
            item_id = random.choice(self.person["wishlist_ids"])
            self.client.post(
                "/api/wishlist/reorder",
                json={"items": [{"id": item_id, "sortOrder": 0}]},
                headers=self.headers,
                name="POST /api/wishlist/reorder",
            )

        def get_profile(self) -> None:
            self._get(f"/api/users/{self.person['sub']}", "GET /api/users/{id}")

        def health(self) -> None:
            self._get("/health", "GET /health")

        # locust takes {task: weight}; its annotation only names the list form
        tasks = {  # type: ignore[assignment]  # noqa: RUF012
            list_mocs: ROUTE_MIX["GET /api/mocs"],
            get_moc: ROUTE_MIX["GET /api/mocs/{id}"],
            search_mocs: ROUTE_MIX["GET /api/mocs?search"],
            create_moc: ROUTE_MIX["POST /api/mocs"],
            patch_moc: ROUTE_MIX["PATCH /api/mocs/{id}"],
            list_images: ROUTE_MIX["GET /api/images"],
            get_image: ROUTE_MIX["GET /api/images/{id}"],
            upload_image: ROUTE_MIX["POST /api/images"],
            list_wishlist: ROUTE_MIX["GET /api/wishlist"],
            reorder_wishlist: ROUTE_MIX["POST /api/wishlist/reorder"],
            get_profile: ROUTE_MIX["GET /api/users/{id}"],
            health: ROUTE_MIX["GET /health"],
        }

    return ApiUser if scenario == "api" else FloorUser


def run(
    host: str,
    fixtures: dict[str, Any],
    scenario: str,
    rate: float,
    users: int,
    seconds: float,
    warmup_s: float,
    first_user: int = 0,
) -> dict[str, Any]:
    """Warm up, print `measuring`, record for seconds; the figures of this process."""
    import gevent  # type: ignore[import-untyped]
    from locust.env import Environment

    recorder = Recorder()
    user_class = _user_classes(fixtures, scenario, rate / users, first_user)
    env = Environment(user_classes=[user_class], host=ensure_loopback(host))
    env.events.request.add_listener(recorder.on_request)  # type: ignore[no-untyped-call]
    runner = env.create_local_runner()
    # locust warns above 100 users/s; the warm-up covers the ramp (200 users: 2 s)
    runner.start(users, spawn_rate=min(users, 100))
    gevent.sleep(warmup_s)
    recorder.open_window()
    print("measuring", flush=True)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    gevent.sleep(seconds)
    recorder.measuring = False
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    runner.quit()
    return {
        "seconds": seconds,
        "cpu_s": (cpu_after.ru_utime + cpu_after.ru_stime)
        - (cpu_before.ru_utime + cpu_before.ru_stime),
        "routes": recorder.as_dict(),
        "timeline": recorder.timeline(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lego_gateway.loadtest", description=__doc__)
    parser.add_argument(
        "--host", required=True, help="the local gateway, e.g. http://127.0.0.1:3000"
    )
    parser.add_argument("--fixtures", required=True, help="JSON file: users, tokens, ids, upload")
    parser.add_argument("--scenario", choices=["api", "floor"], default="api")
    parser.add_argument("--rate", type=float, required=True, help="requests/s of this process")
    parser.add_argument("--users", type=int, required=True, help="locust users of this process")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--first-user", type=int, default=0, help="spreads processes over users")
    args = parser.parse_args(argv)
    try:
        ensure_loopback(args.host)
    except NotLoopbackError as exc:
        parser.error(str(exc))
    with open(args.fixtures) as handle:
        fixtures = json.load(handle)
    result = run(
        args.host,
        fixtures,
        args.scenario,
        args.rate,
        args.users,
        args.seconds,
        args.warmup,
        args.first_user,
    )
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
