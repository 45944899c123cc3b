"""Fixtures of the profile tests: moto's cognito-idp pool (made as `make dev` makes it), a
versioned avatars bucket (as in AWS), Cognito users, and `call`, which sends a route the claims
the JWT authorizer would pass for a user (sub and username)."""

from __future__ import annotations

import contextlib
import io
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from lego_devstack import reset_clients
from lego_devstack.api import ApiResponse
from lego_devstack.events import http_event, response_json
from lego_profile.handler import lambda_handler

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from lego_devstack.api import Handler
    from lego_devstack.stack import Stack

AVATAR_BUCKET = "lego-profile-tests-versioned"


@dataclass(frozen=True)
class User:
    sub: str
    username: str
    email: str


@pytest.fixture
def handler() -> Handler:
    return lambda_handler


@pytest.fixture(scope="session")
def user_pool(lego_stack: Stack) -> str:
    from lego_gateway.cognito import create_pool

    return create_pool(lego_stack.aws_endpoint_url).pool_id


@pytest.fixture
def profile_env(
    services: Stack, user_pool: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Stack]:
    """The stack with COGNITO_USER_POOL_ID set and a versioned bucket of its own."""
    monkeypatch.setenv("COGNITO_USER_POOL_ID", user_pool)
    monkeypatch.setenv("S3_BUCKET", AVATAR_BUCKET)
    reset_clients()
    from lego_common import aws

    s3 = aws.client("s3")
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=AVATAR_BUCKET)
    s3.put_bucket_versioning(Bucket=AVATAR_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    yield services
    monkeypatch.undo()
    reset_clients()


@pytest.fixture
def idp(profile_env: Stack) -> Any:
    from lego_common import aws

    return aws.client("cognito-idp")


@pytest.fixture
def new_user(idp: Any, user_pool: str) -> Callable[..., User]:
    def make(name: str | None = "Ann Builder") -> User:
        username = f"u{uuid.uuid4().hex[:12]}"
        email = f"{username}@example.com"
        attributes = [{"Name": "email", "Value": email}]
        if name is not None:
            attributes.append({"Name": "name", "Value": name})
        created = idp.admin_create_user(
            UserPoolId=user_pool,
            Username=username,
            UserAttributes=attributes,
            MessageAction="SUPPRESS",
        )["User"]
        sub = next(a["Value"] for a in created["Attributes"] if a["Name"] == "sub")
        return User(sub=sub, username=username, email=email)

    return make


@pytest.fixture
def user(new_user: Callable[..., User]) -> User:
    return new_user()


@pytest.fixture
def other(new_user: Callable[..., User]) -> User:
    return new_user("Bob Other")


@pytest.fixture
def call(profile_env: Stack) -> Callable[..., ApiResponse]:
    """call(route_key, user, id=..., body=..., headers=...): the handler as the gateway calls it."""

    def send(
        route_key: str,
        user: User,
        *,
        id: object = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> ApiResponse:
        event = http_event(
            route_key,
            claims={"sub": user.sub, "username": user.username, "token_use": "access"},
            path_params={"id": str(user.sub if id is None else id)},
            body=body,
            headers=headers,
        )
        response = lambda_handler(event, None)
        return ApiResponse(response["statusCode"], response_json(response))

    return send


def multipart(image: bytes, field: str = "image") -> tuple[bytes, dict[str, str]]:
    boundary = f"----lego{uuid.uuid4().hex}"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="me.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + image
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


def image_bytes(size: tuple[int, int], mode: str = "RGB", fmt: str = "JPEG", **save: Any) -> bytes:
    from PIL import Image

    colour: Any = {"RGB": (200, 30, 30), "RGBA": (0, 128, 255, 128), "CMYK": (0, 200, 200, 0)}
    buffer = io.BytesIO()
    Image.new(mode, size, colour[mode]).save(buffer, format=fmt, **save)
    return buffer.getvalue()


@pytest.fixture
def post_avatar(call: Callable[..., ApiResponse]) -> Callable[..., ApiResponse]:
    def post(user: User, image: bytes, *, id: object = None, field: str = "image") -> ApiResponse:
        body, headers = multipart(image, field)
        return call("POST /api/users/{id}/avatar", user, id=id, body=body, headers=headers)

    return post


@pytest.fixture
def make() -> Any:
    class Make:
        image = staticmethod(image_bytes)
        form = staticmethod(multipart)

    return Make
