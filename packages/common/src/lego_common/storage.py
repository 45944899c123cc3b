"""S3 objects of the files/images bucket: put, get, delete, presign. Key formats live in keys."""

from __future__ import annotations

import functools
from typing import Any

import structlog

from lego_common import aws, retry
from lego_common.config import get_settings

log = structlog.get_logger()


def bucket() -> str:
    return get_settings().require("s3_bucket", "S3_BUCKET")


def put_object(key: str, body: bytes, content_type: str, **extra: Any) -> None:
    """Upload bytes; transient S3 errors are retried. No ServerSideEncryption here: S3 applies
    the bucket's default encryption (the KMS key Terraform sets), which a per-request AES256
    would override."""
    retry.call(
        lambda: aws.client("s3").put_object(
            Bucket=bucket(),
            Key=key,
            Body=body,
            ContentType=content_type,
            **extra,
        )
    )


def get_object(key: str) -> bytes:
    response = retry.call(lambda: aws.client("s3").get_object(Bucket=bucket(), Key=key))
    data: bytes = response["Body"].read()
    return data


def delete_objects(keys: list[str]) -> list[str]:
    """Delete keys in batches of 1000; return the keys S3 could not delete (never silently)."""
    failed: list[str] = []
    s3 = aws.client("s3")
    for start in range(0, len(keys), 1000):
        batch = keys[start : start + 1000]
        request = {"Objects": [{"Key": k} for k in batch], "Quiet": True}
        try:
            response = retry.call(
                functools.partial(s3.delete_objects, Bucket=bucket(), Delete=request)
            )
        except Exception as exc:
            log.error("s3_delete_failed", keys=batch, error=str(exc)[:300])
            failed.extend(batch)
            continue
        errors = response.get("Errors") or []
        if errors:
            log.error("s3_delete_failed", keys=[e.get("Key") for e in errors])
            failed.extend(str(e.get("Key")) for e in errors)
    return failed


def list_keys(prefix: str) -> list[str]:
    """Every key under prefix (paginated)."""
    paginator = aws.client("s3").get_paginator("list_objects_v2")
    return [
        obj["Key"]
        for page in paginator.paginate(Bucket=bucket(), Prefix=prefix)
        for obj in page.get("Contents", [])
    ]


def delete_prefix(prefix: str) -> list[str]:
    """Delete every object under prefix; return the keys that could not be deleted."""
    try:
        keys = list_keys(prefix)
    except Exception as exc:
        log.error("s3_delete_failed", prefix=prefix, error=str(exc)[:300])
        return [prefix]
    return delete_objects(keys)


def presigned_get_url(key: str, expires_s: int = 900) -> str:
    url: str = aws.client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": bucket(), "Key": key}, ExpiresIn=expires_s
    )
    return url


def presigned_put_url(key: str, content_type: str, expires_s: int = 900) -> str:
    """A URL the client PUTs a large file to directly (Lambda bodies stop at 6 MB)."""
    url: str = aws.client("s3").generate_presigned_url(
        "put_object",
        Params={"Bucket": bucket(), "Key": key, "ContentType": content_type},
        ExpiresIn=expires_s,
    )
    return url


def public_url(key: str) -> str:
    """The URL clients load the object from: the CDN when configured, else the S3 path."""
    settings = get_settings()
    if settings.assets_base_url:
        return f"{settings.assets_base_url.rstrip('/')}/{key}"
    if settings.aws_endpoint_url:
        return f"{settings.aws_endpoint_url.rstrip('/')}/{bucket()}/{key}"
    return f"https://{bucket()}.s3.{settings.aws_region}.amazonaws.com/{key}"
