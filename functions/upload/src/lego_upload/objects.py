"""The upload function's S3 calls: presigned POST tickets, the HEAD and ranged GET completion
checks, the object put of the multipart path, deletes and download URLs. S3 failures become
503, so no route answers 500 because storage is down."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import structlog

from lego_common import aws, metrics, retry, storage
from lego_common.errors import ServiceUnavailableError
from lego_upload.models import MAX_FILE_BYTES
from lego_upload.sniff import SNIFF_BYTES

if TYPE_CHECKING:
    from collections.abc import Iterator

log = structlog.get_logger()

TICKET_EXPIRES_S = 15 * 60  # issue 17: the presigned POST is valid for 15 minutes
DOWNLOAD_EXPIRES_S = 5 * 60
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


@dataclass(frozen=True)
class Head:
    size: int
    version_id: str | None
    etag: str | None


def _code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str((response.get("Error") or {}).get("Code"))
    return None


@contextlib.contextmanager
def unavailable(operation: str) -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        log.warning("s3_unavailable", operation=operation, error=type(exc).__name__)
        raise ServiceUnavailableError("file storage is unavailable, try again") from exc


def presigned_post(key: str, content_type: str) -> dict[str, Any]:
    """A POST policy for exactly key: the declared Content-Type and 1 byte..10 MB, valid for 15
    minutes (the bucket's default encryption applies, as to every object)."""
    conditions: list[Any] = [
        ["content-length-range", 1, MAX_FILE_BYTES],
        {"Content-Type": content_type},
    ]
    with unavailable("presign"):
        post: dict[str, Any] = aws.client("s3").generate_presigned_post(
            Bucket=storage.bucket(),
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=conditions,
            ExpiresIn=TICKET_EXPIRES_S,
        )
    return post


def head(key: str) -> Head | None:
    """Size, version and ETag of the object; None when it is not there."""
    s3 = aws.client("s3")
    try:
        response = retry.call(lambda: s3.head_object(Bucket=storage.bucket(), Key=key))
    except Exception as exc:
        if _code(exc) in _NOT_FOUND_CODES:
            return None
        log.warning("s3_unavailable", operation="head", error=type(exc).__name__)
        raise ServiceUnavailableError("file storage is unavailable, try again") from exc
    return Head(
        size=int(response.get("ContentLength") or 0),
        version_id=response.get("VersionId"),
        etag=response.get("ETag"),
    )


def read_head(key: str, version_id: str | None) -> bytes:
    """The first SNIFF_BYTES of the object version checked by head()."""
    params: dict[str, Any] = {
        "Bucket": storage.bucket(),
        "Key": key,
        "Range": f"bytes=0-{SNIFF_BYTES - 1}",
    }
    if version_id:
        params["VersionId"] = version_id
    with unavailable("get_range"):
        response = retry.call(lambda: aws.client("s3").get_object(**params))
        data: bytes = response["Body"].read()
    return data


def put(key: str, content: bytes, content_type: str) -> Head:
    with unavailable("put"):
        response = retry.call(
            lambda: aws.client("s3").put_object(
                Bucket=storage.bucket(), Key=key, Body=content, ContentType=content_type
            )
        )
    return Head(len(content), response.get("VersionId"), response.get("ETag"))


def remove(object_keys: list[str]) -> None:
    """Delete objects, logging (and counting) any that could not be: the sweep retries them."""
    if not object_keys:
        return
    failed = storage.delete_objects(object_keys)
    if failed:
        log.error("upload_objects_not_deleted", keys=failed)
        metrics.emit("UploadObjectsNotDeleted", len(failed))


def download_url(key: str, filename: str, content_type: str, version_id: str | None) -> str:
    """A short-lived GET URL whose response names the original file."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    params: dict[str, Any] = {
        "Bucket": storage.bucket(),
        "Key": key,
        "ResponseContentDisposition": disposition,
        "ResponseContentType": content_type,
    }
    if version_id:
        params["VersionId"] = version_id
    with unavailable("presign_get"):
        url: str = aws.client("s3").generate_presigned_url(
            "get_object", Params=params, ExpiresIn=DOWNLOAD_EXPIRES_S
        )
    return url
