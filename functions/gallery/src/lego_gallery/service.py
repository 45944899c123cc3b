"""Gallery use cases (seed 001 "Gallery Images Lambda"): images, albums, MOC links, flags and
uploads; the rules, the transactions, the objects, the cache and the search index.

Order of every write: objects in S3 first, then the row (a failed insert deletes the objects
before answering, unless the connection died inside COMMIT: then the row may exist, the
objects stay and the sweep decides); commit, then invalidate the cache, then update the search
index. Deletes run the other way round: commit, then remove the objects, logging any key that
fails (the sweep command finds what is left).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING
from urllib.parse import quote

import psycopg
import structlog

from lego_common import cache, db, images, keys, search, sql, storage
from lego_common.errors import NotFoundError, ValidationError
from lego_common.http import Page
from lego_gallery import objects, repository, search_index
from lego_gallery.models import (
    DIRECT_MAX_BYTES,
    AlbumDeleted,
    FlagReceived,
    ImageDeleted,
    MocLink,
    UploadTicket,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from contextlib import AbstractContextManager
    from uuid import UUID

    from psycopg import Connection

    from lego_common.serialization import RawJson
    from lego_gallery.models import (
        Album,
        AlbumCreate,
        AlbumDetail,
        AlbumPatch,
        FlagCreate,
        Image,
        ImageDetail,
        ImageFields,
        ImageListQuery,
        ImagePatch,
        UploadRequest,
    )

log = structlog.get_logger()

FUZZY_THRESHOLD = 0.5  # as for MOCs: one typo in a 6-letter word scores ~0.57


# --- image reads ------------------------------------------------------------------------------


def list_images(user_id: str, query: ImageListQuery) -> Page:
    """The caller's images, newest first, or ranked by `search`; `albumId` and `tag` filter."""
    rows, total = cache.cached_page(
        user_id,
        _list_key(user_id, query),
        cache.TTL_LIST_S,
        lambda: _load_page(user_id, query),
        tag=keys.gallery_images_tag(user_id),
    )
    return Page(rows, total, query.page)


def _list_key(user_id: str, query: ImageListQuery) -> str:
    """The seed key; filters extend it (each part quoted, so ':' in a search cannot collide)."""
    key = keys.gallery_images(user_id, query.page, query.limit)
    if query.search or query.tag or query.album_id:
        key += ":" + ":".join(quote(v, safe="") for v in (query.album_id, query.tag, query.search))
    return key


def get_image(user_id: str, image_id: UUID) -> RawJson:
    return cache.cached_owned(
        user_id,
        keys.gallery_image_detail(image_id),
        cache.TTL_DETAIL_S,
        lambda: _load_image_detail(user_id, image_id),
    )


def _load_image_detail(user_id: str, image_id: UUID) -> ImageDetail:
    with db.connection() as conn:
        detail = repository.select_image_detail(conn, user_id, image_id)
    if detail is None:
        raise _image_not_found()
    return detail


def _load_page(user_id: str, query: ImageListQuery) -> tuple[list[Image], int]:
    if query.search:
        return search.with_fallback(
            lambda: _search_opensearch(user_id, query),
            lambda: _search_postgres(user_id, query),
            what="gallery_images",
        )
    with db.connection() as conn:
        return repository.select_images_page(
            conn,
            user_id,
            limit=query.limit,
            offset=query.offset,
            tag=query.tag or None,
            album=query.album_id,
        )


def _search_opensearch(user_id: str, query: ImageListQuery) -> tuple[list[Image], int]:
    filters = {}
    if query.tag:
        filters["tags"] = query.tag
    if query.album_id:
        filters["albumId"] = query.album_id  # "none" is indexed for images in no album
    body = search.build_search_body(
        user_id, query.search, page=query.page, limit=query.limit, filters=filters or None
    )
    ids, total = search_index.INDEX.search_ids(body)
    if not ids:
        return [], total
    with db.connection() as conn:
        return repository.select_images_by_ids(conn, user_id, ids), total


def _search_postgres(user_id: str, query: ImageListQuery) -> tuple[list[Image], int]:
    with db.transaction() as conn:  # the similarity threshold is set for this transaction
        return repository.select_images_matching(
            conn,
            user_id,
            query.search,
            limit=query.limit,
            offset=query.offset,
            tag=query.tag or None,
            album=query.album_id,
            threshold=FUZZY_THRESHOLD,
        )


# --- image writes -----------------------------------------------------------------------------


def request_upload(user_id: str, request: UploadRequest) -> UploadTicket:
    """A presigned POST for one file of at most 20 MB of the declared image type."""
    if request.size > DIRECT_MAX_BYTES:
        raise _too_large(DIRECT_MAX_BYTES)
    upload_id = uuid.uuid4()
    post = objects.presigned_post(user_id, upload_id, request.content_type, request.size)
    log.info("gallery_upload_requested", upload_id=str(upload_id), size=request.size)
    return UploadTicket(
        upload_id=upload_id,
        url=post["url"],
        fields=post["fields"],
        max_bytes=DIRECT_MAX_BYTES,
        expires_at=post["expires_at"],
    )


def confirm_upload(user_id: str, data: ImageFields, upload_id: UUID) -> Image:
    """Process a staged upload into an image; a second confirm returns the first image."""
    with db.connection() as conn:
        existing = repository.select_image_by_upload(conn, user_id, upload_id)
        if existing is None:
            _check_album(conn, user_id, data.album_id)
    if existing is not None:
        return existing
    content = objects.read_upload(user_id, upload_id)
    image = _store(user_id, data, content, upload_id=upload_id)
    objects.delete_upload(user_id, upload_id)
    return image


def upload_image(user_id: str, data: ImageFields, content: bytes) -> Image:
    """The multipart path: the file came in the request body (at most 4 MB)."""
    with db.connection() as conn:
        _check_album(conn, user_id, data.album_id)
    return _store(user_id, data, content)


def _store(user_id: str, data: ImageFields, content: bytes, upload_id: UUID | None = None) -> Image:
    processed = images.process_gallery(content)  # 400 for anything but a sound image
    image_id = uuid.uuid4()
    written = objects.put_image(user_id, image_id, processed)  # 503 and nothing left on failure
    image_key, thumb_key = written
    values = {
        "id": image_id,
        "title": data.title,
        "description": data.description,
        "tags": list(data.tags),
        "album_id": data.album_id,
        "image_url": storage.public_url(image_key),
        "thumbnail_url": storage.public_url(thumb_key),
    }
    if upload_id is not None:
        values["upload_id"] = upload_id
    try:
        with _constraint_errors(), db.transaction() as conn:
            image = repository.insert_image(conn, user_id, values)
            stale = cache.stage_invalidation(conn, user_id)
    except psycopg.errors.UniqueViolation as exc:
        objects.remove(written, image_id=image_id)
        if upload_id is None or exc.diag.constraint_name != "gallery_images_user_upload_key":
            raise
        with db.connection() as conn:  # a concurrent confirm of the same upload won
            first = repository.select_image_by_upload(conn, user_id, upload_id)
        if first is None:
            raise
        return first
    except db.CommitUnknownError:
        raise  # the row may exist: its objects stay (the sweep removes them if it does not)
    except BaseException:
        objects.remove(written, image_id=image_id)
        raise
    _invalidate_lists(stale, keys.profile(user_id), albums=[image.album_id])  # totalImages
    _index(image)
    log.info(
        "gallery_image_created",
        image_id=str(image_id),
        direct=upload_id is not None,
        width=processed.image.width,
        height=processed.image.height,
    )
    return image


def update_image(user_id: str, image_id: UUID, patch: ImagePatch) -> Image:
    changes = patch.changes()
    with _constraint_errors(), db.transaction() as conn:
        before = repository.select_image(conn, user_id, image_id)
        if before is None:
            raise _image_not_found()
        if "album_id" in changes:
            _check_album(conn, user_id, changes["album_id"])
        image = repository.update_image(conn, user_id, image_id, changes)
        assert image is not None  # the row was read in this transaction
        covers: list[UUID] = []
        if "album_id" in changes and changes["album_id"] != before.album_id:
            covers = repository.clear_cover_outside_album(
                conn, user_id, image_id, changes["album_id"]
            )
        moc_ids = repository.image_moc_ids(conn, user_id, image_id)
        stale = cache.stage_invalidation(conn, user_id)
    _invalidate_lists(
        stale,
        keys.gallery_image_detail(image_id),
        *map(keys.moc_detail, moc_ids),
        albums=[before.album_id, image.album_id, *covers],
    )
    _index(image)
    log.info("gallery_image_updated", image_id=str(image_id), fields=sorted(changes))
    return image


def delete_image(user_id: str, image_id: UUID) -> ImageDeleted:
    """Delete the row (flags and MOC links cascade), then both objects and the document."""
    with db.transaction() as conn:
        image = repository.select_image(conn, user_id, image_id)
        if image is None:
            raise _image_not_found()
        moc_ids = repository.image_moc_ids(conn, user_id, image_id)
        covers = repository.clear_cover_outside_album(conn, user_id, image_id, None)
        repository.delete_image(conn, user_id, image_id)
        stale = cache.stage_invalidation(conn, user_id)
    _invalidate_lists(
        stale,
        keys.gallery_image_detail(image_id),
        *map(keys.moc_detail, moc_ids),
        keys.profile(user_id),  # totalImages
        albums=[image.album_id, *covers],
    )
    search_index.INDEX.delete(str(image_id))
    objects.remove(objects.image_keys(user_id, image_id), image_id=image_id)
    log.info("gallery_image_deleted", image_id=str(image_id))
    return ImageDeleted(id=image_id)


def flag_image(reporter: str, image_id: UUID, flag: FlagCreate) -> FlagReceived:
    """Report an image: the same answer whether it exists or not, whoever owns it."""
    with db.transaction() as conn:
        owner = repository.insert_flag(conn, reporter, image_id, flag.reason)
        stale = cache.stage_invalidation(conn, owner) if owner is not None else None
    if stale is not None:  # the owner's cache, not the reporter's
        cache.invalidate(
            stale,
            keys.gallery_image_detail(image_id),
            tags=[keys.gallery_images_tag(stale.user_id)],
        )
        log.info("gallery_image_flagged", image_id=str(image_id))
    return FlagReceived(image_id=image_id)


# --- albums -----------------------------------------------------------------------------------


def list_albums(user_id: str) -> Page:
    """Every album of the caller, newest first, with imageCount (unpaged: one seed key)."""
    rows, total = cache.cached_page(
        user_id, keys.gallery_albums(user_id), cache.TTL_LIST_S, lambda: _load_albums(user_id)
    )
    return Page(rows, total, 1)


def _load_albums(user_id: str) -> tuple[list[Album], int]:
    with db.connection() as conn:
        albums = repository.select_albums(conn, user_id)
    return albums, len(albums)


def get_album(user_id: str, album_id: UUID) -> RawJson:
    return cache.cached_owned(
        user_id,
        keys.gallery_album_detail(album_id),
        cache.TTL_DETAIL_S,
        lambda: _load_album_detail(user_id, album_id),
    )


def _load_album_detail(user_id: str, album_id: UUID) -> AlbumDetail:
    with db.connection() as conn:
        detail = repository.select_album_detail(conn, user_id, album_id)
    if detail is None:
        raise _album_not_found()
    return detail


def create_album(user_id: str, data: AlbumCreate) -> Album:
    with _constraint_errors(), db.transaction() as conn:
        album_id = repository.insert_album(conn, user_id, data.model_dump())
        album = repository.select_album(conn, user_id, album_id)
        stale = cache.stage_invalidation(conn, user_id)
    assert album is not None
    cache.invalidate(stale, keys.gallery_albums(user_id), keys.profile(user_id))
    log.info("gallery_album_created", album_id=str(album_id))
    return album


def update_album(user_id: str, album_id: UUID, patch: AlbumPatch) -> Album:
    changes = patch.changes()
    with _constraint_errors(), db.transaction() as conn:
        if not repository.album_exists(conn, user_id, album_id):
            raise _album_not_found()
        cover = changes.get("cover_image_id")
        if cover is not None and not repository.image_in_album(conn, user_id, cover, album_id):
            raise ValidationError.for_field(
                "coverImageId",
                "must be an image in this album",
                "coverImageId must be an image in this album",
            )
        repository.update_album(conn, user_id, album_id, changes)
        album = repository.select_album(conn, user_id, album_id)
        stale = cache.stage_invalidation(conn, user_id)
    assert album is not None
    cache.invalidate(stale, keys.gallery_albums(user_id), keys.gallery_album_detail(album_id))
    log.info("gallery_album_updated", album_id=str(album_id), fields=sorted(changes))
    return album


def delete_album(user_id: str, album_id: UUID) -> AlbumDeleted:
    """Delete the album; its images stay, in no album (seed)."""
    with db.transaction() as conn:
        released = repository.delete_album(conn, user_id, album_id)
        if released is None:
            raise _album_not_found()
        stale = cache.stage_invalidation(conn, user_id)
    _invalidate_lists(
        stale,
        keys.gallery_album_detail(album_id),
        keys.profile(user_id),
        *map(keys.gallery_image_detail, released),
        albums=[],
    )
    if released:
        with db.connection() as conn:
            for image in repository.select_images_by_ids(conn, user_id, [str(i) for i in released]):
                _index(image)
    log.info("gallery_album_deleted", album_id=str(album_id), images_kept=len(released))
    return AlbumDeleted(id=album_id)


# --- MOC links --------------------------------------------------------------------------------


def link_image(user_id: str, image_id: UUID, moc_id: UUID, *, linked: bool) -> MocLink:
    """Link (or unlink) an image and a MOC, both the caller's; idempotent."""
    with db.transaction() as conn:
        if not repository.image_exists(conn, user_id, image_id):
            raise _image_not_found()
        _check_moc(conn, user_id, moc_id)
        if linked:
            repository.link_image(conn, image_id, moc_id)
        else:
            repository.unlink_image(conn, image_id, moc_id)
        stale = cache.stage_invalidation(conn, user_id)
    cache.invalidate(stale, keys.gallery_image_detail(image_id), keys.moc_detail(moc_id))
    return MocLink(image_id=image_id, moc_id=moc_id, linked=linked)


def link_album(user_id: str, album_id: UUID, moc_id: UUID, *, linked: bool) -> MocLink:
    with db.transaction() as conn:
        if not repository.album_exists(conn, user_id, album_id):
            raise _album_not_found()
        _check_moc(conn, user_id, moc_id)
        if linked:
            repository.link_album(conn, album_id, moc_id)
        else:
            repository.unlink_album(conn, album_id, moc_id)
        stale = cache.stage_invalidation(conn, user_id)
    cache.invalidate(stale, keys.gallery_album_detail(album_id), keys.moc_detail(moc_id))
    return MocLink(album_id=album_id, moc_id=moc_id, linked=linked)


# --- helpers ----------------------------------------------------------------------------------


def _check_album(conn: Connection[object], user_id: str, album_id: UUID | None) -> None:
    if album_id is not None and not repository.album_exists(conn, user_id, album_id):
        raise NotFoundError("album not found", details={"field": "albumId"})


def _check_moc(conn: Connection[object], user_id: str, moc_id: UUID) -> None:
    if not repository.moc_exists(conn, user_id, moc_id):
        raise NotFoundError("MOC not found")


def _image_not_found() -> NotFoundError:
    # the same answer for a missing id and another user's id: existence never leaks
    return NotFoundError("image not found")


def _album_not_found() -> NotFoundError:
    return NotFoundError("album not found")


def _too_large(limit: int) -> Exception:
    from lego_common.errors import PayloadTooLargeError

    return PayloadTooLargeError(
        f"an image sent this way may be at most {limit} bytes",
        details={"maxBytes": limit},
    )


def _invalidate_lists(stale: cache.Invalidation, *also: str, albums: Iterable[UUID | None]) -> None:
    """Every cached list page of the user's images, the album list (imageCount), the details
    of the albums named and the keys in also: one round trip."""
    album_keys = {keys.gallery_album_detail(a) for a in albums if a is not None}
    user_id = stale.user_id
    cache.invalidate(
        stale,
        keys.gallery_albums(user_id),
        *sorted(album_keys),
        *also,
        tags=[keys.gallery_images_tag(user_id)],
    )


def _index(image: Image) -> None:
    search_index.INDEX.put(str(image.id), search_index.document(image))


def _constraint_errors() -> AbstractContextManager[None]:
    """CHECK violations of migration 0001 as 400s on their field."""
    return sql.constraint_errors({}, check_prefix="gallery_images")
