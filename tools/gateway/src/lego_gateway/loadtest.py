"""A bounded, headless locust run against the local stack (run by bench/bench_load.py in its
own process, because locust patches the standard library with gevent at import).

20 users, each at a constant 5 requests/s (100 RPS), mixed MOC reads and writes, for a fixed
duration after a short warm-up; prints one JSON object with the figures on stdout.

    python -m lego_gateway.loadtest --host URL --tokens tokens.json --seconds 60
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import uuid
from typing import Any

import gevent  # type: ignore[import-untyped]
from locust import FastHttpUser, constant_throughput, task
from locust.env import Environment

TOKENS: list[str] = []
_next_token = itertools.count()


class MocUser(FastHttpUser):
    """One Cognito user working on their own MOCs: mostly reads, some writes."""

    wait_time = constant_throughput(5)

    def on_start(self) -> None:
        self.token = TOKENS[next(_next_token) % len(TOKENS)]
        self.headers = {"authorization": f"Bearer {self.token}"}
        self.moc_ids: list[str] = []
        response = self.client.get("/api/mocs?limit=100", headers=self.headers, name="seed-list")
        self.moc_ids = [m["id"] for m in response.json()["data"]]

    def _create(self) -> None:
        title = f"Load MOC {uuid.uuid4().hex[:12]}"
        body = {"title": title, "type": "moc", "author": "bench", "tags": ["load", "bench"]}
        response = self.client.post(
            "/api/mocs", json=body, headers=self.headers, name="POST /api/mocs"
        )
        if response.status_code == 201:
            self.moc_ids.append(response.json()["data"]["id"])

    @task(40)
    def list_mocs(self) -> None:
        page = random.randint(1, 2)
        self.client.get(
            f"/api/mocs?page={page}&limit=20", headers=self.headers, name="GET /api/mocs"
        )

    @task(30)
    def get_moc(self) -> None:
        if not self.moc_ids:
            return self._create()
        moc_id = random.choice(self.moc_ids)
        self.client.get(f"/api/mocs/{moc_id}", headers=self.headers, name="GET /api/mocs/{id}")
        return None

    @task(10)
    def search_mocs(self) -> None:
        term = random.choice(["castle", "Load MOC", "bench", "spaceship", "modular"])
        self.client.get(
            f"/api/mocs?search={term}", headers=self.headers, name="GET /api/mocs?search"
        )

    @task(10)
    def create_moc(self) -> None:
        self._create()

    @task(5)
    def update_moc(self) -> None:
        if not self.moc_ids:
            return self._create()
        moc_id = random.choice(self.moc_ids)
        self.client.patch(
            f"/api/mocs/{moc_id}",
            json={"description": f"edited {uuid.uuid4().hex[:6]}"},
            headers=self.headers,
            name="PATCH /api/mocs/{id}",
        )
        return None

    @task(5)
    def delete_moc(self) -> None:
        if len(self.moc_ids) < 5:
            return self._create()
        moc_id = self.moc_ids.pop(random.randrange(len(self.moc_ids)))
        self.client.delete(
            f"/api/mocs/{moc_id}", headers=self.headers, name="DELETE /api/mocs/{id}"
        )
        return None


def run(
    host: str, tokens: list[str], users: int, seconds: float, warmup_s: float
) -> dict[str, Any]:
    TOKENS[:] = tokens
    env = Environment(user_classes=[MocUser], host=host)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(warmup_s)
    env.stats.reset_all()
    gevent.sleep(seconds)
    total = env.stats.total
    per_route = {
        name: {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
        }
        for (name, _method), entry in env.stats.entries.items()
    }
    result = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": total.num_requests / seconds,
        "p50_ms": total.get_response_time_percentile(0.5),
        "p95_ms": total.get_response_time_percentile(0.95),
        "p99_ms": total.get_response_time_percentile(0.99),
        "max_ms": total.max_response_time,
        "errors": {str(k): v.occurrences for k, v in env.stats.errors.items()},
        "routes": per_route,
    }
    runner.quit()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lego_gateway.loadtest", description=__doc__)
    parser.add_argument("--host", required=True)
    parser.add_argument("--tokens", required=True, help="JSON file: a list of bearer tokens")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=5)
    args = parser.parse_args(argv)
    with open(args.tokens) as handle:
        tokens = json.load(handle)
    result = run(args.host, tokens, args.users, args.seconds, args.warmup)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
