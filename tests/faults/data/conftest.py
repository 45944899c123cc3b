"""Fault tests of the data stores and AWS APIs (issue 18, part B): the local gateway over the
plugin's stack, real tokens from its Cognito pool, and botocore hooks that answer errors.

The gateway runs the handlers in this process (`in_process`), so a hook registered on the
client lego_common.aws hands out reaches the very client the handler calls; the PostgreSQL
restart test starts its own gateway with Lambda-like containers instead (see there).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from lego_devstack import applied_env
from lego_devstack.stack import free_port
from lego_gateway.app import create_app
from lego_gateway.cognito import UserPool, create_pool
from lego_gateway.stack import ServerThread, build_gateway, function_env
from lego_gateway.testing import LocalApi

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from lego_devstack.stack import Stack
    from lego_gateway.functions import FunctionRegistry


@dataclass
class RunningGateway:
    """A gateway on a free port: the HTTP side (api) and its functions (async invocations)."""

    api: LocalApi
    functions: FunctionRegistry
    env: dict[str, str]  # the functions' environment


@contextlib.contextmanager
def gateway_on(
    stack: Stack, pool: UserPool, *, in_process: bool, containers: int = 1
) -> Iterator[RunningGateway]:
    """The local gateway (what `make dev` serves) on a free port. Containers (per function)
    inherit the functions' environment, which os.environ holds while the gateway runs; handlers
    in this process read it per test (fault_api), so the fault tests beside ours (Redis behind
    a proxy) keep theirs."""
    url = f"http://127.0.0.1:{free_port()}"
    values = function_env(stack, pool, url)
    with (
        applied_env({} if in_process else values),
        _serving(stack, pool, url, values, in_process=in_process, containers=containers) as running,
    ):
        yield running


@contextlib.contextmanager
def _serving(
    stack: Stack,
    pool: UserPool,
    url: str,
    values: dict[str, str],
    *,
    in_process: bool,
    containers: int,
) -> Iterator[RunningGateway]:
    gateway = build_gateway(stack, pool, containers=containers, in_process=in_process)
    server = ServerThread(create_app(gateway), "127.0.0.1", int(url.rsplit(":", 1)[1]))
    server.start()
    state = {
        "url": url,
        "user_pool_id": pool.pool_id,
        "client_id": pool.client_id,
        "aws_endpoint_url": stack.aws_endpoint_url,
    }
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            yield RunningGateway(LocalApi(url, state, client), gateway.functions, values)
    finally:
        server.stop()
        gateway.functions.close()


@pytest.fixture(scope="session")
def user_pool(lego_stack: Stack) -> UserPool:
    """The local Cognito pool (moto) whose tokens the gateway's authorizer accepts."""
    return create_pool(lego_stack.aws_endpoint_url)


@pytest.fixture(scope="session")
def gateway(lego_stack: Stack, user_pool: UserPool) -> Iterator[RunningGateway]:
    """The gateway with every handler in this process, for the whole session."""
    with gateway_on(lego_stack, user_pool, in_process=True) as running:
        yield running


@pytest.fixture
def fault_api(services: Stack, gateway: RunningGateway) -> Iterator[LocalApi]:
    """The session gateway, its functions' environment and fresh clients for this test (so
    hooks start from none); the environment is put back after it."""
    with applied_env(gateway.env):
        yield gateway.api


@pytest.fixture
def sql(services: Stack) -> Callable[[str, dict[str, Any]], list[tuple[Any, ...]]]:
    """One statement on a connection of its own (the plugin's `sql` uses lego_common's, which
    the in-process handlers share: one per process, as in a container, for one thread at once)."""

    def _run(statement: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        with services.connect(autocommit=True) as conn:
            cur = conn.execute(statement, params)
            return cur.fetchall() if cur.description else []

    return _run


@pytest.fixture
def handlers_paused(
    gateway: RunningGateway,
) -> Callable[[], contextlib.AbstractContextManager[None]]:
    """`with handlers_paused(): sweep...` runs lego_common code in the test's thread while no
    in-process handler runs (they share its one database connection): pending events finish
    first, and events queued meanwhile (a sweep's replays) wait for the block to end."""

    @contextlib.contextmanager
    def _paused() -> Iterator[None]:
        assert gateway.functions.wait_for_events(60)
        with gateway.functions._invoke_lock:  # what serialises the in-process handlers
            yield

    return _paused


@dataclass
class Caller:
    """A user of the API: the Cognito username and the `sub` every row is owned by."""

    api: LocalApi
    username: str
    sub: str = field(init=False)

    def __post_init__(self) -> None:
        self.sub = claims_of(self.api.token(self.username))["sub"]

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.api.call(method, path, self.username, **kwargs)


def claims_of(token: str) -> dict[str, Any]:
    """The JWT's claims, unverified (the gateway verified them; tests only read the sub)."""
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


@pytest.fixture
def caller(fault_api: LocalApi) -> Caller:
    return Caller(fault_api, f"fault-{uuid.uuid4().hex[:10]}")


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    """A small real PNG (the image routes decode what they get)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def assert_unavailable(response: httpx.Response) -> None:
    """503 SERVICE_UNAVAILABLE in the seed's error body (seed 001 "Error Response Format")."""
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "SERVICE_UNAVAILABLE"
    assert error["message"]
    assert error["requestId"]
    assert error["timestamp"]


@pytest.fixture
def bucket_keys(services: Stack) -> Callable[[str], list[str]]:
    """Every key under a prefix, read straight from moto (no hook is on this client)."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=services.aws_endpoint_url, region_name="us-east-1")
    bucket = services.env()["S3_BUCKET"]

    def _keys(prefix: str) -> list[str]:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))

    return _keys


# --- AWS errors from botocore's event system ----------------------------------------------------


class _Body:
    """The raw stream AWSResponse reads its content from."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def _answer(status: int, headers: dict[str, str], body: bytes) -> Callable[[Any], Any]:
    """An HTTP answer botocore parses as if the service had sent it."""
    from botocore.awsrequest import AWSResponse
    from botocore.compat import HTTPHeaders

    http_headers = HTTPHeaders()
    for name, value in headers.items():
        http_headers[name] = value
    return lambda request: AWSResponse(request.url, status, http_headers, _Body(body))


def s3_error(status: int, code: str) -> Callable[[Any], Any]:
    """An S3 error answer (REST-XML body, as S3 sends it)."""
    body = f"<Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
    return _answer(status, {"content-type": "application/xml"}, body)


def json_error(status: int, code: str) -> Callable[[Any], Any]:
    """An error answer of a JSON-protocol API (Cognito, Lambda): the header names the code."""
    body = json.dumps({"__type": code, "message": "injected"}).encode()
    headers = {"content-type": "application/x-amz-json-1.1", "x-amzn-errortype": code}
    return _answer(status, headers, body)


def read_timeout() -> Callable[[Any], Any]:
    """A read timeout, raised where botocore's HTTP layer raises it (so it is retried alike)."""
    from botocore.exceptions import ReadTimeoutError

    def _raise(request: Any) -> Any:
        raise ReadTimeoutError(endpoint_url=request.url)

    return _raise


class AwsFaults:
    """Answers chosen operations of the clients lego_common.aws hands out with a fault, from a
    'before-send' hook on the client's own event system: the request never leaves; every other
    operation reaches moto. attempts counts what the code sent, retries included."""

    def __init__(self) -> None:
        self.attempts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._undo: list[Callable[[], None]] = []

    def inject(
        self,
        client: Any,
        operation: str,
        answer: Callable[[Any], Any],
        *,
        times: int | None = None,
        when: Callable[[Any], bool] = lambda request: True,
    ) -> None:
        """Answer operation (e.g. "PutObject") with answer, `times` times (None: always), for
        the requests `when` accepts."""
        event = f"before-send.{client.meta.service_model.service_id.hyphenize()}.{operation}"
        left = [times]

        def _hook(request: Any, **_: Any) -> Any:
            with self._lock:  # the code may send calls from several threads (put_objects)
                if not when(request) or left[0] == 0:
                    return None
                self.attempts[operation] = self.attempts.get(operation, 0) + 1
                if left[0] is not None:
                    left[0] -= 1
            return answer(request)

        client.meta.events.register(event, _hook, unique_id=f"fault-{id(_hook)}")
        self._undo.append(
            lambda: client.meta.events.unregister(event, unique_id=f"fault-{id(_hook)}")
        )

    def clear(self) -> None:
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()


@pytest.fixture
def aws_faults(fault_api: LocalApi) -> Iterator[AwsFaults]:
    faults = AwsFaults()
    yield faults
    faults.clear()


# --- things a user has made ----------------------------------------------------------------------

PARTS_CSV = (
    b"Part ID;Part Name;Quantity;Color\r\n3001;Brick 2 x 4;4;Red\r\n3020;Plate 2 x 4;6;Blue\r\n"
)
PARTS_CSV_PIECES = 10


def create_moc(caller: Caller, title: str | None = None) -> str:
    body = {"title": title or f"MOC {uuid.uuid4().hex[:8]}", "type": "moc", "author": "Ann"}
    response = caller.call("POST", "/api/mocs", json=body)
    assert response.status_code == 201, response.text
    moc_id: str = response.json()["data"]["id"]
    return moc_id


def send_parts_csv(caller: Caller, moc_id: str, content: bytes = PARTS_CSV) -> str:
    """A parts-list CSV sent to S3 with its presigned POST, not completed yet: its file id."""
    declared = {"filename": "parts.csv", "contentType": "text/csv", "size": len(content)}
    tickets = caller.call("POST", f"/api/mocs/{moc_id}/files", json={"files": [declared]})
    assert tickets.status_code == 201, tickets.text
    ticket = tickets.json()["data"]["files"][0]
    sent = httpx.post(
        ticket["upload"]["url"],
        data=ticket["upload"]["fields"],
        files={"file": ("parts.csv", content)},
        timeout=30,
    )
    assert sent.status_code in (200, 201, 204), sent.text
    file_id: str = ticket["id"]
    return file_id
