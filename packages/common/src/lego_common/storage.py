"""S3 objects of the files/images bucket: put, get, delete, presign. Key formats live in keys."""

from __future__ import annotations

import contextvars
import functools
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_all
from typing import TYPE_CHECKING, Any

import structlog

from lego_common import aws, retry
from lego_common.config import get_settings

if TYPE_CHECKING:
    from collections.abc import Mapping

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


@functools.cache
def _uploads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=4, thread_name_prefix="s3-put")


def put_objects(
    objects: Mapping[str, tuple[bytes, str]], **extra: Any
) -> tuple[list[str], list[BaseException]]:
    """put_object for every {key: (body, content type)} at once, so a request waits for the
    slowest put rather than their sum (boto3 clients are thread-safe). Returns the keys written,
    in the mapping's order, and the errors of the puts that failed: the caller undoes or reports.

    If the caller is interrupted while the puts run (the deadline's 504 arrives on its thread),
    each put deletes its object once it ends, since no row will ever point at it."""
    aws.client("s3")  # made on this thread: two threads making the first client at once race
    futures = {
        key: _uploads().submit(
            contextvars.copy_context().run,  # the request's log context goes with the put
            functools.partial(put_object, key, body, content_type, **extra),
        )
        for key, (body, content_type) in objects.items()
    }
    try:
        wait_for_all(futures.values())
    except BaseException:
        for key, future in futures.items():
            future.add_done_callback(functools.partial(_delete_if_written, key))
        raise
    written = [key for key, future in futures.items() if future.exception() is None]
    errors = [error for future in futures.values() if (error := future.exception()) is not None]
    return written, errors


def _delete_if_written(key: str, future: Future[None]) -> None:
    if future.cancelled() or future.exception() is not None:
        return
    if delete_objects([key]):  # logged there, with the key, for the sweep
        return
    log.info("s3_put_undone", key=key)


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


# --- one object kept in place, versions included (the avatar) ---------------------------------


def put_object_version(key: str, body: bytes, content_type: str, **extra: Any) -> str | None:
    """put_object, returning the new version's id (None when the bucket is not versioned)."""
    response = retry.call(
        lambda: aws.client("s3").put_object(
            Bucket=bucket(), Key=key, Body=body, ContentType=content_type, **extra
        )
    )
    version: str | None = response.get("VersionId")
    return version if version and version != "null" else None


def get_object_version(key: str) -> tuple[bytes, str | None] | None:
    """The current object's bytes and version id, or None when there is no such key (S3 says
    AccessDenied instead of NoSuchKey to a caller without s3:ListBucket: also None)."""
    s3 = aws.client("s3")
    try:
        response = retry.call(lambda: s3.get_object(Bucket=bucket(), Key=key))
    except Exception as exc:
        code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
        if code in {"NoSuchKey", "404", "NotFound", "AccessDenied"}:
            return None
        raise
    version = response.get("VersionId")
    data: bytes = response["Body"].read()
    return data, (version if version and version != "null" else None)


def delete_object_version(key: str, version_id: str | None) -> None:
    """Delete one stored version for good (versioned bucket: no delete marker, nothing left to
    restore), or the object itself when version_id is None (unversioned bucket)."""
    extra = {"VersionId": version_id} if version_id else {}
    retry.call(lambda: aws.client("s3").delete_object(Bucket=bucket(), Key=key, **extra))


def delete_every_version(key: str, max_versions: int = 100) -> int:
    """Delete key for good, every stored version of it, without s3:ListBucketVersions: HEAD
    names the current version, deleting it by id makes the next one current, until none is
    left (or max_versions, a guard). Unversioned bucket: one delete. Returns how many went."""
    s3 = aws.client("s3")
    deleted = 0
    while deleted < max_versions:
        try:
            head = retry.call(lambda: s3.head_object(Bucket=bucket(), Key=key))
        except Exception as exc:
            code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
            if code in {"NoSuchKey", "404", "NotFound", "403", "AccessDenied"}:
                return deleted
            raise
        version = head.get("VersionId")
        delete_object_version(key, version if version and version != "null" else None)
        deleted += 1
    return deleted
