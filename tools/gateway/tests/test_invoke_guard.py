"""Lambda's local Invoke API refuses what a web page could send (issue 13 item 11), over real HTTP:
an event posted from a page could carry any `jwt.claims.sub` and act as any user."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lego_devstack.stack import free_port
from lego_gateway.app import Gateway, create_app, invoke_refusal
from lego_gateway.auth import JwtAuthorizer
from lego_gateway.functions import FunctionRegistry
from lego_gateway.routes import RouteTable
from lego_gateway.stack import ServerThread

FORGED = {
    "routeKey": "DELETE /api/mocs/{id}",
    "requestContext": {"authorizer": {"jwt": {"claims": {"sub": "someone-else"}}}},
}
INVOKE_PATH = "/2015-03-31/functions/worker/invocations"


class Received:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.done = threading.Event()


@pytest.fixture
def received() -> Received:
    return Received()


@pytest.fixture
def gateway_url(received: Received, authorizer: JwtAuthorizer, tmp_path: Path) -> Iterator[str]:
    def worker(event: dict[str, Any], context: Any) -> dict[str, str]:
        received.events.append(event)
        received.done.set()
        return {"ran": "yes"}

    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: 3.0.3\n")
    functions = FunctionRegistry(set(), {"worker": worker})
    server = ServerThread(
        create_app(Gateway(RouteTable({}), authorizer, functions, spec)), "127.0.0.1", free_port()
    )
    server.start()
    yield server.url
    server.stop()
    functions.close()


@pytest.mark.parametrize(
    "headers",
    [
        # what a page's fetch(..., {mode: "no-cors"}) sends: no preflight, so no CORS check
        {"origin": "http://evil.example", "content-type": "text/plain;charset=UTF-8"},
        {"origin": "http://evil.example", "content-type": "application/json"},
        # DNS rebinding: the name resolves to 127.0.0.1 but the page's origin stays foreign
        {"origin": "http://rebind.example:3000", "content-type": "application/json"},
        {"origin": "null", "content-type": "application/json"},  # sandboxed iframe, file://
    ],
)
def test_invoke_from_a_foreign_origin_is_403_and_runs_nothing(
    gateway_url: str, received: Received, headers: dict[str, str]
) -> None:
    for invocation_type in ("Event", "RequestResponse"):
        response = httpx.post(
            gateway_url + INVOKE_PATH,
            content=json.dumps(FORGED),
            headers={**headers, "x-amz-invocation-type": invocation_type},
        )

        assert response.status_code == 403
        assert response.headers["x-amzn-errortype"] == "AccessDeniedException"
    assert not received.done.wait(0.3)
    assert received.events == []


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_invoke_with_a_non_json_body_is_415_and_runs_nothing(
    gateway_url: str, received: Received, content_type: str
) -> None:
    response = httpx.post(
        gateway_url + INVOKE_PATH,
        content=json.dumps(FORGED),
        headers={"content-type": content_type, "x-amz-invocation-type": "Event"},
    )

    assert response.status_code == 415
    assert response.headers["x-amzn-errortype"] == "UnsupportedMediaTypeException"
    assert not received.done.wait(0.3)


@pytest.mark.parametrize(
    "headers",
    [
        {},  # botocore's Invoke: no Origin, no Content-Type
        {"content-type": "application/json"},
        {"origin": "http://localhost:3002", "content-type": "application/json"},
        {"origin": "http://127.0.0.1:3000", "content-type": "application/json; charset=utf-8"},
    ],
)
def test_invoke_from_this_machine_runs_the_function(
    gateway_url: str, received: Received, headers: dict[str, str]
) -> None:
    response = httpx.post(gateway_url + INVOKE_PATH, content=b'{"s3Key": "k"}', headers=headers)

    assert response.status_code == 200
    assert response.json() == {"ran": "yes"}
    assert received.events == [{"s3Key": "k"}]


def test_invoke_from_another_machine_is_refused_whatever_its_headers() -> None:
    # HOST=0.0.0.0 exposes the gateway to the LAN, where a caller need not send an Origin
    refusal = invoke_refusal({"content-type": "application/json"}, "192.168.1.20")

    assert refusal is not None
    assert refusal.status_code == 403
    assert invoke_refusal({}, "127.0.0.1") is None
    assert invoke_refusal({}, "::1") is None
