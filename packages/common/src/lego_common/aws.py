"""boto3 clients, one per service per container, created on first use (boto3 costs ~160 ms to
import, so functions that never call AWS never import it)."""

from __future__ import annotations

import functools
import json
from typing import Any

from lego_common.config import get_settings


@functools.cache
def client(service: str, timeout_s: float | None = None) -> Any:
    """A boto3 client for service. boto3 itself honours AWS_ENDPOINT_URL (moto locally) and
    AWS_ENDPOINT_URL_<SERVICE> (the local gateway serves Lambda's Invoke API that way).

    timeout_s: a client for calls on the way to an optional dependency, which must fail fast
    (connect and read timeouts of timeout_s, one retry) instead of the default ~30 s worst case."""
    import boto3
    from botocore.config import Config

    settings = get_settings()
    return boto3.client(
        service,  # type: ignore[call-overload]
        region_name=settings.aws_region,
        config=Config(
            connect_timeout=timeout_s or 2,
            read_timeout=timeout_s or 10,
            retries={"max_attempts": 2 if timeout_s else 3, "mode": "standard"},
            s3={"addressing_style": "path"} if settings.aws_endpoint_url else None,
        ),
    )


@functools.cache
def secret_json(secret_arn: str, timeout_s: float | None = None) -> dict[str, Any]:
    """A Secrets Manager secret parsed as JSON (or {"value": text}), cached per container once
    fetched (a failure is not cached: the next call tries again). timeout_s: see client()."""
    response = client("secretsmanager", timeout_s).get_secret_value(SecretId=secret_arn)
    text = response.get("SecretString") or ""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        return {"value": text}
    return value if isinstance(value, dict) else {"value": value}


def reset() -> None:
    """Forget clients and secrets (tests point them at a new moto server)."""
    client.cache_clear()
    secret_json.cache_clear()
