"""The load benchmark's pieces: the generator refuses any host but loopback, records only in
its window, and the gateway's no-op floor route exists only when opted in and verifies the JWT."""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

with warnings.catch_warnings():  # starlette 1.x would rather use httpx2; httpx works the same
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from lego_gateway.app import Gateway, create_app
from lego_gateway.auth import JwtAuthorizer
from lego_gateway.functions import FunctionRegistry
from lego_gateway.loadtest import NotLoopbackError, Recorder, ensure_loopback
from lego_gateway.noop import ENABLE_ENV, NOOP_PATH
from lego_gateway.routes import RouteTable


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:3000", "http://127.9.9.9", "http://localhost:8080/x", "http://[::1]:3000"],
)
def test_loopback_hosts_are_accepted(url: str) -> None:
    assert ensure_loopback(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5:3000",
        "http://192.0.2.1",
        "https://api.lego-moc.example.com",
        "http://0.0.0.0:3000",  # every interface, not loopback
        "http://localhost.example.com",
        "127.0.0.1:3000",  # no scheme: no host to check, so no
    ],
)
def test_other_hosts_are_refused(url: str) -> None:
    with pytest.raises(NotLoopbackError, match="only loopback"):
        ensure_loopback(url)


def test_the_command_refuses_a_remote_host_before_reading_anything(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-fixtures.json"  # read only after the host check passed
    result = subprocess.run(
        [
            *(sys.executable, "-m", "lego_gateway.loadtest", "--host", "http://192.0.2.1:3000"),
            *("--fixtures", str(missing), "--rate", "1", "--users", "1", "--seconds", "1"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 2, result.stderr
    assert "refusing to load '192.0.2.1'" in result.stderr
    assert "measuring" not in result.stdout


def test_importing_the_generator_leaves_the_standard_library_unpatched() -> None:
    # locust monkey-patches sockets and threads at import: only the generator process may
    code = (
        "import json, sys, lego_gateway.loadtest; "
        "print(json.dumps([m for m in ('locust', 'gevent') if m in sys.modules]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert json.loads(result.stdout) == []


def test_recorder_counts_only_inside_the_window() -> None:
    now = [100.0]
    recorder = Recorder(clock=lambda: now[0])
    ok, missing = SimpleNamespace(status_code=200), SimpleNamespace(status_code=404)

    recorder.on_request(name="GET /a", response_time=3.14, response=ok)  # warm-up: dropped
    now[0] = 105.0
    recorder.open_window()
    now[0] = 105.2
    recorder.on_request(name="GET /a", response_time=3.14, response=ok)
    recorder.on_request(name="GET /b", response_time=250.4, response=missing)
    now[0] = 107.9
    recorder.on_request(name="GET /a", response_time=1.0, response=None)  # connection refused
    recorder.measuring = False
    recorder.on_request(name="GET /a", response_time=9.0, response=ok)

    assert recorder.as_dict() == {
        "GET /a": {"latency_ms": {"3.1": 1, "1.0": 1}, "statuses": {"200": 1, "0": 1}},
        "GET /b": {"latency_ms": {"250": 1}, "statuses": {"404": 1}},
    }
    # by the second of the window each request completed in, every route together
    assert recorder.timeline() == {"0": {"3.1": 1, "250": 1}, "2": {"1.0": 1}}


def _client(authorizer: JwtAuthorizer, tmp_path: Path) -> TestClient:
    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: 3.0.3\n")
    routes = RouteTable({"GET /things": {"function": "echo", "authorization": "JWT"}})
    gateway = Gateway(routes, authorizer, FunctionRegistry(set(), {}), spec)
    return TestClient(create_app(gateway))


def test_noop_route_verifies_the_token_when_opted_in(
    authorizer: JwtAuthorizer,
    make_token: Callable[..., str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENABLE_ENV, "1")
    client = _client(authorizer, tmp_path)

    accepted = client.get(NOOP_PATH, headers={"authorization": f"Bearer {make_token('ann')}"})
    expired = client.get(NOOP_PATH, headers={"authorization": f"Bearer {make_token('ann', exp=1)}"})
    anonymous = client.get(NOOP_PATH)

    assert (accepted.status_code, accepted.json()) == (200, {"sub": "ann"})
    assert (expired.status_code, expired.json()) == (401, {"message": "Unauthorized"})
    assert anonymous.status_code == 401


def test_noop_route_is_absent_by_default(
    authorizer: JwtAuthorizer,
    make_token: Callable[..., str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENABLE_ENV, raising=False)
    client = _client(authorizer, tmp_path)

    response = client.get(NOOP_PATH, headers={"authorization": f"Bearer {make_token('ann')}"})

    # the route table decides, as for any unknown path: API Gateway's 404
    assert (response.status_code, response.json()) == (404, {"message": "Not Found"})


def test_poisson_waits_keep_the_rate_and_leave_users_out_of_phase() -> None:
    """Gaps count from the previous start (not from the answer), average 1/rate, and vary, so
    users that all answered at the same moment do not send again at the same moment."""
    from types import SimpleNamespace

    from lego_gateway.loadtest import poisson_wait

    rate, now = 2.0, 1000.0
    users = [SimpleNamespace(next_start=now) for _ in range(200)]
    waits = [poisson_wait(user, rate, now) for user in users]
    assert abs(statistics.mean(waits) - 1 / rate) < 0.1  # 200 exponential gaps of mean 0.5 s
    assert len({round(w, 3) for w in waits}) > 150  # spread out, not one burst
    random.seed(7)
    gap = random.expovariate(rate)
    random.seed(7)
    answered_late = SimpleNamespace(next_start=now)  # its answer came 0.3 s after it was sent
    poisson_wait(answered_late, rate, now + 0.3)
    assert answered_late.next_start == pytest.approx(now + gap)  # counted from the start
    behind = SimpleNamespace(next_start=now - 60)  # a 60 s stall: one gap made up, not 120
    assert poisson_wait(behind, rate, now) < 5
    assert behind.next_start >= now - 1 / rate
