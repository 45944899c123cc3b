"""Key formats several functions must agree on: Redis cache keys (seed 001 "Cache Key
Patterns") and S3 object keys (seed 001 function specs)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from uuid import UUID

# --- Redis ------------------------------------------------------------------------------------


def moc_list(user_id: str, page: int, limit: int, search: str = "", tag: str = "") -> str:
    """The seed's key with search and tag percent-encoded (":" and "%" included), so two
    distinct queries never share a key: joined raw, ("a:b", "") and ("a", "b:") collided."""
    return f"moc:user:{user_id}:list:{page}:{limit}:{_part(search)}:{_part(tag)}"


def _part(text: str) -> str:
    """User text as one key segment: no ":" left in it, and decodable (injective)."""
    return quote(text, safe="")


def moc_list_tag(user_id: str) -> str:
    """Tag set of every cached MOC list page of one user (seed: invalidate moc:user:{id}:*)."""
    return f"moc:user:{user_id}:keys"


def moc_detail(moc_id: UUID | str) -> str:
    return f"moc:detail:{moc_id}"


def gallery_images(user_id: str, page: int, limit: int) -> str:
    return f"gallery:images:user:{user_id}:{page}:{limit}"


def gallery_images_tag(user_id: str) -> str:
    return f"gallery:images:user:{user_id}:keys"


def gallery_image_detail(image_id: UUID | str) -> str:
    return f"gallery:image:detail:{image_id}"


def gallery_albums(user_id: str) -> str:
    return f"gallery:albums:user:{user_id}"


def gallery_album_detail(album_id: UUID | str) -> str:
    return f"gallery:album:detail:{album_id}"


def wishlist_all(user_id: str) -> str:
    return f"wishlist:user:{user_id}:all"


def wishlist_item(item_id: UUID | str) -> str:
    return f"wishlist:item:{item_id}"


def wishlist_items_tag(user_id: str) -> str:
    """Tag set of every cached item of one user: what a reorder or a delete (positions move)
    invalidates in one key."""
    return f"wishlist:user:{user_id}:items"


def profile(user_id: str) -> str:
    return f"profile:user:{user_id}"


def profile_attributes(user_id: str) -> str:
    """The user's Cognito attributes alone: only a profile write changes them, so the reload
    after a count changed (a MOC, an image, a wishlist item) does not call Cognito."""
    return f"profile:attributes:{user_id}"


# --- S3 ---------------------------------------------------------------------------------------


def gallery_image_object(user_id: str, image_id: UUID | str) -> str:
    return f"images/{user_id}/{image_id}.webp"


def gallery_thumbnail_object(user_id: str, image_id: UUID | str) -> str:
    return f"images/{user_id}/thumbnails/{image_id}.webp"


def wishlist_image_object(user_id: str, item_id: UUID | str) -> str:
    return f"wishlist/{user_id}/{item_id}.webp"


def avatar_object(user_id: str) -> str:
    return f"avatars/{user_id}/avatar.webp"


def moc_file_object(user_id: str, moc_id: UUID | str, file_id: UUID | str, ext: str) -> str:
    return f"{moc_files_prefix(user_id, moc_id)}{file_id}.{ext.lower().lstrip('.')}"


def moc_files_prefix(user_id: str, moc_id: UUID | str) -> str:
    return f"mocs/{user_id}/{moc_id}/"
