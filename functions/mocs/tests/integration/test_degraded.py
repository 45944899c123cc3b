"""Dependencies down: Redis and OpenSearch are optimisations (warning, success); PostgreSQL is
not (503)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
import structlog

pytestmark = pytest.mark.usefixtures("services")


def test_every_route_redis_down_succeeds_and_logs_warning(
    api: Callable[..., Any],
    redis_outage: Callable[[], contextlib.AbstractContextManager[None]],
    user_id: str,
) -> None:
    with redis_outage(), structlog.testing.capture_logs() as logs:
        status, created = api(
            "POST /api/mocs", user_id, body={"title": "Castle", "type": "moc", "author": "Ann"}
        )
        moc_id = created["data"]["id"]
        listed = api("GET /api/mocs", user_id)
        fetched = api("GET /api/mocs/{id}", user_id, id=moc_id)
        patched = api("PATCH /api/mocs/{id}", user_id, id=moc_id, body={"theme": "Castle"})
        deleted = api("DELETE /api/mocs/{id}", user_id, id=moc_id)
    assert [status, listed[0], fetched[0], patched[0], deleted[0]] == [201, 200, 200, 200, 200]
    assert listed[1]["total"] == 1
    warnings = [e for e in logs if e["event"] == "cache_unavailable"]
    assert warnings
    assert all(e["log_level"] == "warning" for e in warnings)


@pytest.mark.usefixtures("no_opensearch")
def test_create_moc_opensearch_down_returns_201_and_logs_id_for_reindex(
    api: Callable[..., Any], user_id: str
) -> None:
    with structlog.testing.capture_logs() as logs:
        status, body = api(
            "POST /api/mocs", user_id, body={"title": "Castle", "type": "moc", "author": "Ann"}
        )
    assert status == 201
    failures = [e for e in logs if e["event"] == "search_index_failed"]
    assert [e["doc_id"] for e in failures] == [body["data"]["id"]]


@pytest.mark.usefixtures("db_down")
@pytest.mark.parametrize(
    ("route_key", "body"),
    [
        ("GET /api/mocs", None),
        ("POST /api/mocs", {"title": "C", "type": "set", "brand": "L"}),
        ("GET /api/mocs/{id}", None),
        ("PATCH /api/mocs/{id}", {"title": "D"}),
        ("DELETE /api/mocs/{id}", None),
    ],
)
def test_route_database_down_returns_503(
    api: Callable[..., Any], user_id: str, route_key: str, body: Any
) -> None:
    moc_id = "00000000-0000-4000-8000-000000000000"
    status, answer = api(route_key, user_id, body=body, id=moc_id)
    assert (status, answer["error"]["code"]) == (503, "SERVICE_UNAVAILABLE")


def test_get_moc_unexpected_error_returns_500_without_internals(
    api: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, user_id: str
) -> None:
    from lego_mocs import repository

    def broken(*_args: object) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(repository, "select_moc_detail", broken)
    status, body = api("GET /api/mocs/{id}", user_id, id="00000000-0000-4000-8000-000000000000")
    assert (status, body["error"]["code"]) == (500, "INTERNAL_SERVER_ERROR")
    assert "secret" not in body["error"]["message"]
    assert body["error"]["requestId"]


@pytest.mark.parametrize(("name", "value"), [("DB_PORT", "54x32"), ("DB_HOST", "")])
def test_route_misconfigured_returns_generic_503_without_variable_names(
    api: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    user_id: str,
    name: str,
    value: str,
) -> None:
    from lego_devstack import reset_clients

    monkeypatch.setenv(name, value)
    reset_clients()
    with structlog.testing.capture_logs() as logs:
        status, body = api("GET /api/mocs", user_id)
    monkeypatch.undo()
    reset_clients()
    assert (status, body["error"]["code"]) == (503, "SERVICE_UNAVAILABLE")
    assert body["error"]["message"] == "Service temporarily unavailable"
    assert name not in str(body)
    assert "54x32" not in str(body)
    assert any(name in str(e.get("error")) for e in logs if e["event"] == "request_failed")


@pytest.mark.parametrize("failure", ["down", "slow", "missing"])
def test_redis_auth_secret_failing_list_and_create_succeed_and_log_warning(
    api: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, user_id: str, failure: str
) -> None:
    """Secrets Manager down (closed port), slow (read timeouts) or without the secret: the
    AUTH token cannot be fetched, Redis is skipped behind the breaker, requests succeed."""
    from botocore.exceptions import ReadTimeoutError

    from lego_common import aws, cache
    from lego_devstack import reset_clients
    from lego_devstack.stack import free_port

    monkeypatch.setenv(
        "REDIS_AUTH_SECRET_ARN",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:lego-redis-auth-missing",
    )
    if failure == "down":
        monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", f"http://127.0.0.1:{free_port()}")
    reset_clients()
    fetches: list[str] = []

    def _count(request: Any, **_: Any) -> None:
        fetches.append(failure)
        if failure == "slow":
            raise ReadTimeoutError(endpoint_url=request.url)

    secrets = aws.client("secretsmanager", cache.SECRET_TIMEOUT_S)
    secrets.meta.events.register("before-send.secrets-manager.GetSecretValue", _count)
    with structlog.testing.capture_logs() as logs:
        created = api(
            "POST /api/mocs", user_id, body={"title": "Castle", "type": "moc", "author": "Ann"}
        )
        attempts = len(fetches)
        listed = api("GET /api/mocs", user_id)
        fetched = api("GET /api/mocs/{id}", user_id, id=created[1]["data"]["id"])
    assert [created[0], listed[0], fetched[0]] == [201, 200, 200]
    assert listed[1]["total"] == 1
    warnings = [e for e in logs if e["event"] == "cache_unavailable"]
    assert len(warnings) == 1  # then the breaker skips Redis and the secret until the cool-down
    assert warnings[0]["log_level"] == "warning"
    assert attempts >= 1
    assert len(fetches) == attempts
