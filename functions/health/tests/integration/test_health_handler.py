"""GET /health through lambda_handler on the real stack."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from lego_devstack import reset_clients
from lego_devstack.events import http_event, response_json
from lego_health import service
from lego_health.handler import lambda_handler

pytestmark = pytest.mark.usefixtures("services")


def _get_health() -> tuple[int, dict]:
    response = lambda_handler(http_event("GET /health"), None)
    return response["statusCode"], response_json(response)


def test_health_with_database_and_redis_up_reports_them_healthy() -> None:
    status, body = _get_health()
    assert status == 200
    assert body["service"] == "lego-projects-api"
    assert body["components"]["database"] == "healthy"
    assert body["components"]["redis"] == "healthy"
    assert set(body["checks"]) == {"database", "redis", "opensearch"}
    assert body["checks"]["database"]["latencyMs"] >= 0
    assert body["colour"] == "green"
    assert body["timestamp"].endswith("+00:00")


def test_health_without_opensearch_is_degraded_not_unhealthy(no_opensearch: object) -> None:
    status, body = _get_health()
    assert status == 200
    assert body["status"] == "degraded"
    assert body["components"]["opensearch"] == "unhealthy"


def test_health_with_redis_stopped_is_degraded(redis_outage) -> None:  # type: ignore[no-untyped-def]
    with redis_outage():
        status, body = _get_health()
    assert status == 200
    assert body["status"] == "degraded"
    assert body["components"]["redis"] == "unhealthy"
    assert body["components"]["database"] == "healthy"


@pytest.mark.usefixtures("db_down")
def test_health_with_database_down_is_unhealthy_503() -> None:
    status, body = _get_health()
    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["components"]["database"] == "unhealthy"
    assert body["checks"]["database"]["error"] == "ServiceUnavailableError"
    assert "127.0.0.1" not in str(body)  # no internals in a public body


@pytest.fixture
def blackhole_port() -> Iterator[int]:
    """A TCP server that accepts connections and never answers (a hung dependency)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def _accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=_accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


def test_health_with_hung_redis_answers_within_its_deadline(
    blackhole_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{blackhole_port}/0")
    monkeypatch.setenv("REDIS_TIMEOUT_MS", "5000")  # the health deadline, not the client's, wins
    reset_clients()
    # the injected clock: the checks start at 0; when the service looks again for Redis, its
    # 0.3 s deadline has passed, so it must stop waiting at once (no real wait, no 5 s)
    readings = iter([0.0, 0.0, 0.3, 0.3])
    monkeypatch.setattr(service, "clock", lambda: next(readings))
    status, body = _get_health()
    assert status == 200
    assert body["components"]["redis"] == "unhealthy"
    assert body["checks"]["redis"] == {
        "status": "unhealthy",
        "latencyMs": service.TIMEOUTS_S["redis"] * 1000,
        "error": "Timeout",
    }
    assert body["components"]["database"] == "healthy"
