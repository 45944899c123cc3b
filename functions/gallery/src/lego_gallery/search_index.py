"""The OpenSearch index of gallery images (seed 001 "Index Definitions": gallery_images) and the
document written for each row. Queries are built by lego_common.search.build_search_body."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lego_common.search import owned_text_index

if TYPE_CHECKING:
    from lego_gallery.models import Image

# albumId of an image in no album: a keyword a term filter can match (`?albumId=none`).
NO_ALBUM = "none"

INDEX = owned_text_index("gallery_images", albumId={"type": "keyword"})


def document(image: Image) -> dict[str, Any]:
    """The indexed fields of an image (what search filters, matches or sorts on)."""
    return {
        "id": str(image.id),
        "userId": image.user_id,
        "title": image.title,
        "description": image.description,
        "tags": list(image.tags),
        "albumId": str(image.album_id) if image.album_id else NO_ALBUM,
        "createdAt": image.created_at.isoformat(),
        "updatedAt": image.last_updated_at.isoformat(),
    }
