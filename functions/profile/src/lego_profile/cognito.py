"""The user pool: read a user's attributes, set or remove some. Calls go through boto3
(lego_common.aws) under bounded retries (lego_common.retry: throttling, 5xx and network errors
only, at most 3 attempts within 5 s). A user that is not there is None; Cognito still failing
after the retries, or unreachable, is CognitoUnavailable (503), never a 500.

The user is addressed by the username of the verified token (the access token's `username`,
the ID token's `cognito:username`), falling back to its `sub`, which Cognito also accepts as
Username for a local user; see service._caller for why not a ListUsers filter."""

from __future__ import annotations

from typing import Any

import structlog

from lego_common import aws, retry
from lego_common.config import get_settings
from lego_common.errors import ConfigurationError, NotFoundError, ServiceUnavailableError

log = structlog.get_logger()

# A Cognito call must fail fast: 2 s connect/read, botocore's own retry once, then ours.
CALL_TIMEOUT_S = 2.0
RETRY_ATTEMPTS = 3
RETRY_MAX_TOTAL_S = 5.0


class CognitoUnavailable(ServiceUnavailableError):
    """Cognito throttled or failed past the retries, or could not be reached."""


def _code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str((response.get("Error") or {}).get("Code"))
    return None


def _pool_id() -> str:
    return get_settings().require("cognito_user_pool_id", "COGNITO_USER_POOL_ID")


def _call(operation: str, **params: Any) -> Any:
    pool_id = _pool_id()  # a missing setting is a ConfigurationError, not "unavailable"
    idp = aws.client("cognito-idp", CALL_TIMEOUT_S)
    method = getattr(idp, operation)
    try:
        return retry.call(
            lambda: method(UserPoolId=pool_id, **params),
            attempts=RETRY_ATTEMPTS,
            max_total_s=RETRY_MAX_TOTAL_S,
        )
    except Exception as exc:
        if _code(exc) == "UserNotFoundException":
            raise NotFoundError("profile not found") from None
        if _code(exc) == "ResourceNotFoundException":  # the pool itself: the deploy is wrong
            raise ConfigurationError(
                f"COGNITO_USER_POOL_ID={pool_id!r} names no user pool ({operation})"
            ) from exc
        if retry.is_transient(exc) or _code(exc) is None:
            log.warning("cognito_unavailable", operation=operation, error=type(exc).__name__)
            raise CognitoUnavailable("the user directory is unavailable, try again") from exc
        raise


def get_user(username: str) -> dict[str, str] | None:
    """The user's attributes by name (sub, email, name, picture, ...), None if there is none."""
    try:
        response = _call("admin_get_user", Username=username)
    except NotFoundError:
        return None
    return {a["Name"]: a["Value"] for a in response.get("UserAttributes", [])}


def update_attributes(username: str, attributes: dict[str, str]) -> None:
    _call(
        "admin_update_user_attributes",
        Username=username,
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
    )


def delete_attributes(username: str, names: list[str]) -> None:
    _call("admin_delete_user_attributes", Username=username, UserAttributeNames=names)
