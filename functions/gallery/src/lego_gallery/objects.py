"""The gallery's S3 objects: the staged upload (presigned POST, read, delete) and the two WebP
objects of an image. S3 failures become 503 (or 404 for a staged object that is not there), so
no route answers 500 because storage is down."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog

from lego_common import aws, keys, metrics, retry, storage
from lego_common.errors import NotFoundError, PayloadTooLargeError, ServiceUnavailableError
from lego_gallery.models import DIRECT_MAX_BYTES

if TYPE_CHECKING:
    from collections.abc import Iterator
    from uuid import UUID

    from lego_common.images import GalleryImages

log = structlog.get_logger()

UPLOAD_EXPIRES_S = 15 * 60  # issue 14: the presigned POST is valid for 15 minutes
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


def upload_key(user_id: str, upload_id: UUID | str) -> str:
    return f"{uploads_prefix(user_id)}{upload_id}"


def uploads_prefix(user_id: str) -> str:
    return f"uploads/{user_id}/"


def _code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str((response.get("Error") or {}).get("Code"))
    return None


@contextlib.contextmanager
def _unavailable(operation: str) -> Iterator[None]:
    try:
        yield
    except (NotFoundError, PayloadTooLargeError):
        raise
    except Exception as exc:
        log.warning("s3_unavailable", operation=operation, error=f"{type(exc).__name__}")
        raise ServiceUnavailableError("image storage is unavailable, try again") from exc


def presigned_post(user_id: str, upload_id: UUID, content_type: str, size: int) -> dict[str, Any]:
    """A POST policy for uploads/{userId}/{uploadId}: the declared type and at most 20 MB
    (S3 itself refuses anything else), valid for 15 minutes. No encryption field: the bucket's
    default (SSE-KMS in terraform/modules/storage) applies, as to every object."""
    fields = {"Content-Type": content_type}
    conditions: list[Any] = [
        ["content-length-range", 1, DIRECT_MAX_BYTES],
        {"Content-Type": content_type},
    ]
    with _unavailable("presign"):
        post: dict[str, Any] = aws.client("s3").generate_presigned_post(
            Bucket=storage.bucket(),
            Key=upload_key(user_id, upload_id),
            Fields=fields,
            Conditions=conditions,
            ExpiresIn=UPLOAD_EXPIRES_S,
        )
    post["expires_at"] = datetime.now(UTC) + timedelta(seconds=UPLOAD_EXPIRES_S)
    return post


def read_upload(user_id: str, upload_id: UUID) -> bytes:
    """The staged file; a missing one (never sent, expired, another user's) is a 404."""
    key = upload_key(user_id, upload_id)
    s3 = aws.client("s3")
    try:
        head = retry.call(lambda: s3.head_object(Bucket=storage.bucket(), Key=key))
    except Exception as exc:
        if _code(exc) in _NOT_FOUND_CODES:
            raise NotFoundError("upload not found: it expired or was never sent") from None
        log.warning("s3_unavailable", operation="head_upload", error=type(exc).__name__)
        raise ServiceUnavailableError("image storage is unavailable, try again") from exc
    if int(head.get("ContentLength") or 0) > DIRECT_MAX_BYTES:
        raise PayloadTooLargeError(f"an image may be at most {DIRECT_MAX_BYTES} bytes")
    with _unavailable("get_upload"):
        return storage.get_object(key)


def delete_upload(user_id: str, upload_id: UUID) -> None:
    """Best effort: the bucket's lifecycle rule expires a staged object after a day anyway."""
    key = upload_key(user_id, upload_id)
    if storage.delete_objects([key]):
        log.warning("gallery_upload_not_deleted", key=key)


def image_keys(user_id: str, image_id: UUID) -> list[str]:
    return [
        keys.gallery_image_object(user_id, image_id),
        keys.gallery_thumbnail_object(user_id, image_id),
    ]


def put_image(user_id: str, image_id: UUID, images: GalleryImages) -> list[str]:
    """Put both objects at once; if one fails, delete what went in and answer 503."""
    image_key, thumb_key = image_keys(user_id, image_id)
    written, errors = storage.put_objects(
        {
            image_key: (images.image.data, images.image.content_type),
            thumb_key: (images.thumbnail.data, images.thumbnail.content_type),
        },
        CacheControl="public, max-age=31536000, immutable",
    )
    if errors:
        remove(written, image_id=image_id)
        with _unavailable("put_image"):
            raise errors[0]
    return written


def remove(object_keys: list[str], *, image_id: UUID) -> None:
    """Delete objects, logging (and counting) every key that could not be deleted."""
    if not object_keys:
        return
    failed = storage.delete_objects(object_keys)
    if failed:
        log.error("gallery_objects_not_deleted", image_id=str(image_id), keys=failed)
        metrics.emit("GalleryObjectsNotDeleted", len(failed))
