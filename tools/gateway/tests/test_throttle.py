"""Throttling and the payload limit as API Gateway applies them: the token bucket with an injected
clock, the limits read from dev.tfvars, then 429 and 413 over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lego_devstack.stack import free_port
from lego_gateway import throttle
from lego_gateway.app import MAX_REQUEST_BYTES, Gateway, create_app
from lego_gateway.auth import JwtAuthorizer
from lego_gateway.functions import FunctionRegistry
from lego_gateway.routes import RouteTable
from lego_gateway.stack import ServerThread
from lego_gateway.throttle import Limits, RouteThrottle, ThrottleSettingsError

ROUTES = {
    "GET /busy": {"function": "echo", "authorization": "NONE"},
    "GET /quiet": {"function": "echo", "authorization": "NONE"},
    "POST /upload": {"function": "echo", "authorization": "JWT"},
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_burst_then_refills_at_the_rate() -> None:
    clock = FakeClock()
    limiter = RouteThrottle(Limits(burst_limit=3, rate_limit=2.0), clock)

    assert [limiter.allow("GET /busy") for _ in range(4)] == [True, True, True, False]
    clock.now += 0.25  # half a token at 2/s
    assert limiter.allow("GET /busy") is False
    clock.now += 0.25
    assert limiter.allow("GET /busy") is True
    assert limiter.allow("GET /busy") is False
    clock.now += 60  # a long idle refills to the burst, never beyond it
    assert sum(limiter.allow("GET /busy") for _ in range(10)) == 3


def test_each_route_has_its_own_bucket() -> None:
    limiter = RouteThrottle(Limits(burst_limit=1, rate_limit=1.0), FakeClock())

    assert limiter.allow("GET /busy") is True
    assert limiter.allow("GET /busy") is False
    assert limiter.allow("GET /quiet") is True


def test_limits_are_dev_tfvars_stage_settings() -> None:
    import hcl2

    with throttle.dev_tfvars_file().open() as handle:
        values = hcl2.load(handle)

    limits = throttle.limits_from_tfvars(throttle.dev_tfvars_file())

    assert limits == Limits(
        values["throttling_burst_limit"], float(values["throttling_rate_limit"])
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("throttling_rate_limit = 10\n", "does not set throttling_burst_limit"),
        ("throttling_burst_limit = 5\n", "does not set throttling_rate_limit"),
        ("throttling_burst_limit = 0\nthrottling_rate_limit = 10\n", "whole number >= 1"),
        ('throttling_burst_limit = 5\nthrottling_rate_limit = "fast"\n', "number > 0"),
    ],
)
def test_limits_missing_or_bad_in_tfvars_say_which(tmp_path: Path, text: str, reason: str) -> None:
    tfvars = tmp_path / "dev.tfvars"
    tfvars.write_text(text)

    with pytest.raises(ThrottleSettingsError, match=reason):
        throttle.limits_from_tfvars(tfvars)


@pytest.mark.parametrize(("value", "disabled"), [("off", True), ("OFF", True), ("on", False)])
def test_env_var_turns_throttling_off(
    monkeypatch: pytest.MonkeyPatch, value: str, disabled: bool
) -> None:
    monkeypatch.setenv("LEGO_DEV_THROTTLE", value)

    assert (throttle.from_environment() is None) is disabled


def test_no_throttle_flag_sets_the_env_var_serve_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    from lego_gateway import cli

    monkeypatch.delenv("LEGO_DEV_THROTTLE", raising=False)
    monkeypatch.setattr(cli, "serve", lambda *args: 0)

    assert cli.main(["serve", "--no-throttle"]) == 0
    assert throttle.from_environment() is None


# --- real HTTP ---------------------------------------------------------------------------------


@pytest.fixture
def served(authorizer: JwtAuthorizer, tmp_path: Path) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    events: list[dict[str, Any]] = []

    def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
        events.append(event)
        return {"statusCode": 200, "body": json.dumps({"route": event["routeKey"]})}

    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: 3.0.3\n")
    functions = FunctionRegistry(set(), {"echo": echo})
    # a slow refill, so the test's own pace cannot add a token
    limiter = RouteThrottle(Limits(burst_limit=3, rate_limit=0.01))
    gateway = Gateway(RouteTable(ROUTES), authorizer, functions, spec, throttle=limiter)
    server = ServerThread(create_app(gateway), "127.0.0.1", free_port())
    server.start()
    yield server.url, events
    server.stop()
    functions.close()


def test_over_the_burst_a_route_answers_429_and_the_function_never_runs(
    served: tuple[str, list[dict[str, Any]]],
) -> None:
    url, events = served
    with httpx.Client(base_url=url) as client:
        statuses = [client.get("/busy").status_code for _ in range(5)]
        throttled = client.get("/busy")
        other_route = client.get("/quiet")

    assert statuses == [200, 200, 200, 429, 429]
    assert throttled.json() == {"message": "Too Many Requests"}
    assert "apigw-requestid" in throttled.headers
    assert other_route.status_code == 200
    assert len(events) == 4


def _too_large() -> bytes:
    return b"x" * (MAX_REQUEST_BYTES + 1)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(_too_large, id="content-length"),
        # a generator is sent chunked: no Content-Length to judge by, the gateway counts
        pytest.param(lambda: iter([b"x" * (1024 * 1024)] * 11), id="chunked"),
    ],
)
def test_body_over_10_mb_is_413_before_the_authorizer(
    served: tuple[str, list[dict[str, Any]]],
    body: Callable[[], Any],
    make_token: Callable[..., str],
) -> None:
    url, events = served
    response = httpx.post(
        url + "/upload",
        content=body(),
        headers={"authorization": f"Bearer {make_token()}", "content-type": "text/plain"},
        timeout=30,
    )
    unauthenticated = httpx.post(url + "/upload", content=_too_large(), timeout=30)

    assert response.status_code == 413
    assert response.json() == {"message": "Request Entity Too Large"}
    assert unauthenticated.status_code == 413  # size is judged before the token
    assert events == []


def test_chunked_body_under_the_limit_reaches_the_function_whole(
    served: tuple[str, list[dict[str, Any]]], make_token: Callable[..., str]
) -> None:
    url, events = served
    response = httpx.post(
        url + "/upload",
        content=iter([b"a" * 1024] * 1024),
        headers={"authorization": f"Bearer {make_token()}", "content-type": "text/plain"},
        timeout=30,
    )

    assert response.status_code == 200
    assert events[0]["body"] == "a" * 1024 * 1024
