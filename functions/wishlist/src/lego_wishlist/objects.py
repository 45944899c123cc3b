"""The S3 object of an item image, `wishlist/{userId}/{itemId}.webp` (seed), replaced in place.
A put that fails is a 503 (the row is not touched); a delete that fails is logged with its key
and counted, and the gallery's sweep command finds the object later."""

from __future__ import annotations

from typing import TYPE_CHECKING

import structlog

from lego_common import keys, metrics, storage
from lego_common.errors import ServiceUnavailableError

if TYPE_CHECKING:
    from uuid import UUID

    from lego_common.images import EncodedImage

log = structlog.get_logger()


def put(user_id: str, item_id: UUID, image: EncodedImage) -> str:
    key = keys.wishlist_image_object(user_id, item_id)
    try:
        # the URL carries a version parameter, so the object itself may be cached for long
        storage.put_object(
            key, image.data, image.content_type, CacheControl="public, max-age=86400"
        )
    except Exception as exc:
        log.warning("s3_unavailable", operation="put_wishlist_image", error=type(exc).__name__)
        raise ServiceUnavailableError("image storage is unavailable, try again") from exc
    return key


def remove(user_id: str, item_id: UUID) -> None:
    key = keys.wishlist_image_object(user_id, item_id)
    failed = storage.delete_objects([key])
    if failed:
        log.error("wishlist_object_not_deleted", item_id=str(item_id), keys=failed)
        metrics.emit("WishlistObjectsNotDeleted", len(failed))
