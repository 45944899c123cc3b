"""Cognito failing under the profile routes (issue 18): AdminGetUser and
AdminUpdateUserAttributes answering 500, throttling or timing out (a 'before-send' hook on the
profile's Cognito client). Each answers 503 SERVICE_UNAVAILABLE after bounded retries, and
nothing is half written: the attributes keep their values and the avatar object is the one
`picture` names (or none)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from lego_common import aws
from lego_profile import cognito

from .conftest import assert_unavailable, json_error, png_bytes, read_timeout

if TYPE_CHECKING:
    from lego_devstack.stack import Stack

    from .conftest import AwsFaults, Caller

# botocore (the fast client of lego_common.aws: 2 retries, so 3 tries) inside tenacity
# (lego_profile.cognito: 3 attempts, at most 5 s)
MAX_ATTEMPTS = 3 * cognito.RETRY_ATTEMPTS
MAX_SECONDS = 10.0
FAULTS = {
    "500 InternalErrorException": lambda: json_error(500, "InternalErrorException"),
    "400 TooManyRequestsException": lambda: json_error(400, "TooManyRequestsException"),
    "read timeout": read_timeout,
}


def _idp() -> Any:
    """The client the profile function calls (same cache key as lego_profile.cognito's)."""
    return aws.client("cognito-idp", cognito.CALL_TIMEOUT_S)


def _attributes(services: Stack, caller: Caller) -> dict[str, str]:
    """The user's attributes read straight from moto (no hook on this client)."""
    idp = boto3.client(
        "cognito-idp", endpoint_url=services.aws_endpoint_url, region_name="us-east-1"
    )
    user = idp.admin_get_user(UserPoolId=caller.api.state["user_pool_id"], Username=caller.username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_get_profile_cognito_failing_answers_503_within_bounds(
    caller: Caller, aws_faults: AwsFaults, fault: str
) -> None:
    aws_faults.inject(_idp(), "AdminGetUser", FAULTS[fault]())

    started = time.monotonic()
    response = caller.call("GET", f"/api/users/{caller.sub}")

    assert_unavailable(response)
    assert 1 < aws_faults.attempts["AdminGetUser"] <= MAX_ATTEMPTS
    assert time.monotonic() - started < MAX_SECONDS


def test_patch_name_cognito_failing_answers_503_and_keeps_the_name(
    services: Stack, caller: Caller, aws_faults: AwsFaults
) -> None:
    before = _attributes(services, caller)["name"]
    aws_faults.inject(
        _idp(), "AdminUpdateUserAttributes", json_error(500, "InternalErrorException")
    )

    response = caller.call("PATCH", f"/api/users/{caller.sub}", json={"name": "Renamed"})

    assert_unavailable(response)
    assert _attributes(services, caller)["name"] == before


def test_first_avatar_cognito_failing_answers_503_and_removes_the_object(
    services: Stack, caller: Caller, aws_faults: AwsFaults, bucket_keys: Any
) -> None:
    aws_faults.inject(_idp(), "AdminUpdateUserAttributes", read_timeout())

    response = caller.call(
        "POST",
        f"/api/users/{caller.sub}/avatar",
        files={"image": ("me.png", png_bytes(), "image/png")},
    )

    assert_unavailable(response)
    assert "picture" not in _attributes(services, caller)
    assert bucket_keys(f"avatars/{caller.sub}/") == []


def test_new_avatar_cognito_failing_answers_503_and_keeps_the_old_avatar(
    services: Stack, caller: Caller, aws_faults: AwsFaults, bucket_keys: Any
) -> None:
    path = f"/api/users/{caller.sub}/avatar"
    first = caller.call("POST", path, files={"image": ("a.png", png_bytes(64, 64), "image/png")})
    assert first.status_code == 200, first.text
    picture = _attributes(services, caller)["picture"]
    key = f"avatars/{caller.sub}/avatar.webp"
    old_bytes = (
        aws.client("s3").get_object(Bucket=services.env()["S3_BUCKET"], Key=key)["Body"].read()
    )
    aws_faults.inject(
        _idp(), "AdminUpdateUserAttributes", json_error(500, "InternalErrorException")
    )

    response = caller.call("POST", path, files={"image": ("b.png", png_bytes(90, 30), "image/png")})

    assert_unavailable(response)
    assert _attributes(services, caller)["picture"] == picture
    assert bucket_keys(f"avatars/{caller.sub}/") == [key]
    now = aws.client("s3").get_object(Bucket=services.env()["S3_BUCKET"], Key=key)["Body"].read()
    assert now == old_bytes  # the object `picture` names is the old avatar again
