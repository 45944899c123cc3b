"""The gateway in-process, in front of small fake functions: routing, authorizer, events,
responses, the 501 of functions not written yet, and Lambda's Invoke API through boto3."""

from __future__ import annotations

import base64
import json
import threading
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():  # starlette 1.x would rather use httpx2; httpx works the same
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from lego_gateway.app import Gateway, create_app
from lego_gateway.auth import JwtAuthorizer
from lego_gateway.functions import FunctionRegistry
from lego_gateway.routes import RouteTable
from lego_gateway.stack import ServerThread

ROUTES = {
    "GET /public": {"function": "echo", "authorization": "NONE"},
    "GET /things/{id}": {"function": "echo", "authorization": "JWT"},
    "POST /things": {"function": "echo", "authorization": "JWT"},
    "GET /binary": {"function": "binary", "authorization": "NONE"},
    "GET /crash": {"function": "crash", "authorization": "NONE"},
    "GET /plain": {"function": "plain", "authorization": "NONE"},
    "GET /absent": {"function": "absent", "authorization": "NONE"},
}


class Calls:
    """What the fake functions received."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.contexts: list[Any] = []
        self.async_done = threading.Event()


def _handlers(calls: Calls) -> dict[str, Callable[[dict[str, Any], Any], Any]]:
    def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.events.append(event)
        calls.contexts.append(context)
        return {
            "statusCode": 200,
            "headers": {"content-type": "application/json", "x-fn": "echo"},
            "cookies": ["seen=1; Path=/"],
            "body": json.dumps({"route": event["routeKey"]}),
        }

    def binary(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "statusCode": 200,
            "headers": {"content-type": "image/png"},
            "body": base64.b64encode(b"\x89PNG\x00\xff").decode(),
            "isBase64Encoded": True,
        }

    def crash(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    def plain(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"hello": "world"}

    def worker(event: dict[str, Any], context: Any) -> None:
        calls.events.append(event)
        calls.async_done.set()

    return {"echo": echo, "binary": binary, "crash": crash, "plain": plain, "worker": worker}


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def gateway(calls: Calls, authorizer: JwtAuthorizer, tmp_path: Path) -> Iterator[Gateway]:
    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: 3.0.3\n")
    functions = FunctionRegistry({"absent"}, _handlers(calls))
    yield Gateway(RouteTable(ROUTES), authorizer, functions, spec)
    functions.close()


@pytest.fixture
def client(gateway: Gateway) -> TestClient:
    return TestClient(create_app(gateway))


def test_public_route_builds_payload_2_0_event(client: TestClient, calls: Calls) -> None:
    response = client.get("/public?a=1&a=2&b=x%20y", headers={"x-trace": "t"})

    assert response.status_code == 200
    event = calls.events[0]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /public"
    assert event["rawPath"] == "/public"
    assert event["rawQueryString"] == "a=1&a=2&b=x%20y"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x y"}
    assert event["headers"]["x-trace"] == "t"
    assert event["requestContext"]["http"]["method"] == "GET"
    assert event["requestContext"]["requestId"] == response.headers["apigw-requestid"]
    assert "authorizer" not in event["requestContext"]
    assert calls.contexts[0].aws_request_id == response.headers["apigw-requestid"]


def test_jwt_route_passes_verified_claims_and_path_params(
    client: TestClient, calls: Calls, make_token: Callable[..., str]
) -> None:
    response = client.get(
        "/things/a%2Fb", headers={"authorization": f"Bearer {make_token('alice')}"}
    )

    assert response.status_code == 200
    event = calls.events[0]
    assert event["pathParameters"] == {"id": "a/b"}
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims["sub"] == "alice"
    assert isinstance(claims["exp"], str)


def test_path_param_with_encoded_newline_is_routed_like_api_gateway(
    client: TestClient, calls: Calls, make_token: Callable[..., str]
) -> None:
    # Starlette's own router cannot match it; the gateway's route table still does
    response = client.get("/things/a%0Ab", headers={"authorization": f"Bearer {make_token('b')}"})

    assert response.status_code == 200
    assert calls.events[0]["pathParameters"] == {"id": "a\nb"}


def test_jwt_route_refuses_token_cookie_and_moves_cookies(
    client: TestClient, calls: Calls, make_token: Callable[..., str]
) -> None:
    client.cookies.set("token", make_token("carol"))
    client.cookies.set("theme", "dark")

    by_cookie = client.get("/things/1")
    by_header = client.get("/things/1", headers={"authorization": f"Bearer {make_token('dan')}"})

    # the deployed authorizer reads the Authorization header only (issue 13 item 11)
    assert by_cookie.status_code == 401
    assert by_header.status_code == 200
    (event,) = calls.events
    assert event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == "dan"
    assert "theme=dark" in event["cookies"]
    assert "cookie" not in event["headers"]


@pytest.mark.parametrize("authorization", [None, "Bearer nope", "Basic Zm9vOmJhcg=="])
def test_jwt_route_without_valid_token_is_401_and_function_not_called(
    client: TestClient, calls: Calls, authorization: str | None
) -> None:
    headers = {"authorization": authorization} if authorization else {}

    response = client.get("/things/1", headers=headers)

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}
    assert calls.events == []


def test_expired_token_is_401(client: TestClient, make_token: Callable[..., str]) -> None:
    token = make_token(exp=1, iat=0)

    response = client.get("/things/1", headers={"authorization": f"Bearer {token}"})

    assert response.status_code == 401


def test_json_body_is_text_and_binary_body_is_base64(
    client: TestClient, calls: Calls, make_token: Callable[..., str]
) -> None:
    auth = {"authorization": f"Bearer {make_token()}"}
    client.post("/things", json={"title": "é"}, headers=auth)
    client.post("/things", content=b"\x00\xff", headers={**auth, "content-type": "application/pdf"})

    text_event, binary_event = calls.events
    assert text_event["isBase64Encoded"] is False
    assert json.loads(text_event["body"]) == {"title": "é"}
    assert binary_event["isBase64Encoded"] is True
    assert base64.b64decode(binary_event["body"]) == b"\x00\xff"


def test_response_headers_and_cookies_are_passed_back(client: TestClient) -> None:
    response = client.get("/public")

    assert response.headers["x-fn"] == "echo"
    assert response.headers["set-cookie"].startswith("seen=1")
    assert response.json() == {"route": "GET /public"}


def test_base64_response_is_decoded(client: TestClient) -> None:
    response = client.get("/binary")

    assert response.content == b"\x89PNG\x00\xff"
    assert response.headers["content-type"] == "image/png"


def test_result_without_status_code_is_200_json(client: TestClient) -> None:
    response = client.get("/plain")

    assert response.status_code == 200
    assert response.json() == {"hello": "world"}


def test_handler_crash_is_api_gateway_500(client: TestClient) -> None:
    response = client.get("/crash")

    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}


def test_unknown_route_is_404_not_found(client: TestClient) -> None:
    for method, path in [("GET", "/nowhere"), ("DELETE", "/public"), ("GET", "/things")]:
        response = client.request(method, path)
        assert response.status_code == 404
        assert response.json() == {"message": "Not Found"}


def test_function_without_handler_is_501_in_seed_error_body(client: TestClient) -> None:
    response = client.get("/absent")

    assert response.status_code == 501
    error = response.json()["error"]
    assert error["code"] == "NOT_IMPLEMENTED"
    assert error["requestId"] == response.headers["apigw-requestid"]
    assert set(error) == {"code", "message", "details", "timestamp", "requestId"}


def test_cors_preflight_allows_the_dev_origin(client: TestClient) -> None:
    response = client.options(
        "/things",
        headers={"origin": "http://localhost:3002", "access-control-request-method": "POST"},
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:3002"


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    assert client.get("/openapi.yaml").text.startswith("openapi:")
    page = client.get("/docs")
    assert "/docs/openapi.json" in page.text
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200


def test_invoke_async_through_boto3_runs_the_function(
    gateway: Gateway, calls: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lego_common import aws, config
    from lego_common.invoke import invoke_async
    from lego_devstack.stack import free_port

    server = ServerThread(create_app(gateway), "127.0.0.1", free_port())
    server.start()
    try:
        for key, value in {
            "AWS_ENDPOINT_URL_LAMBDA": server.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_EC2_METADATA_DISABLED": "true",
        }.items():
            monkeypatch.setenv(key, value)
        config.reset()
        aws.reset()

        invoke_async("worker", {"s3Key": "mocs/u/m/x.csv", "mocId": "m"})

        assert calls.async_done.wait(10)
        assert calls.events == [{"s3Key": "mocs/u/m/x.csv", "mocId": "m"}]
        with pytest.raises(Exception, match="ResourceNotFound"):
            invoke_async("no_such_function", {})
    finally:
        server.stop()
        aws.reset()
        config.reset()


def test_docs_spec_points_try_it_out_at_this_gateway(gateway: Gateway) -> None:
    gateway.spec_path.write_text(
        "openapi: 3.0.3\nservers:\n  - url: http://127.0.0.1:3000\n"
        "  - url: https://api.lego-moc.example.com\n"
    )
    client = TestClient(create_app(gateway), base_url="http://127.0.0.1:8123")

    servers = client.get("/docs/openapi.json").json()["servers"]

    # `make dev PORT=8123`: the page's requests must reach this port, not the spec's 3000
    assert [server["url"] for server in servers] == [
        "http://127.0.0.1:8123",
        "https://api.lego-moc.example.com",
    ]
