"""SQL for gallery_images, gallery_albums, gallery_flags and the MOC link tables. Every function
takes the connection first, filters by user_id (but the flag, which reports any image), and
never commits, rolls back or catches: service.py owns that."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from psycopg.rows import class_row, dict_row

from lego_common import sql
from lego_gallery.models import ALBUM_DETAIL_IMAGES, Album, AlbumDetail, Image, ImageDetail

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from psycopg import Connection

IMAGE_COLUMNS = (
    "id, user_id, title, description, tags, image_url, thumbnail_url, album_id, flagged, "
    "created_at, last_updated_at"
)
IMAGE_WRITABLE = frozenset({"title", "description", "tags", "album_id"})
IMAGE_INSERTABLE = IMAGE_WRITABLE | {"id", "image_url", "thumbnail_url", "upload_id"}
ALBUM_WRITABLE = frozenset({"title", "description", "cover_image_id"})
_TOUCH = ("last_updated_at",)

_SELECT_IMAGE = (
    f"SELECT {IMAGE_COLUMNS} FROM gallery_images WHERE id = %(id)s AND user_id = %(uid)s"
)
_SELECT_IMAGE_BY_UPLOAD = (
    f"SELECT {IMAGE_COLUMNS} FROM gallery_images WHERE user_id = %(uid)s AND upload_id = %(up)s"
)
_SELECT_IMAGE_MOC_IDS = """
SELECT l.moc_id FROM moc_gallery_images l JOIN gallery_images g ON g.id = l.gallery_image_id
WHERE l.gallery_image_id = %(id)s AND g.user_id = %(uid)s ORDER BY l.created_at, l.moc_id
"""

# Filters of the list: every one is a no-op when its parameter is NULL.
_IMAGE_FILTERS = """
user_id = %(uid)s
AND (%(tag)s::text IS NULL OR tags @> ARRAY[%(tag)s]::text[])
AND (%(album)s::uuid IS NULL OR album_id = %(album)s::uuid)
AND (NOT %(standalone)s OR album_id IS NULL)
"""
_TOTAL_IMAGES = f"SELECT count(*) FROM gallery_images WHERE {_IMAGE_FILTERS}"
_SELECT_IMAGES_PAGE = f"""
SELECT {IMAGE_COLUMNS}, ({_TOTAL_IMAGES}) AS total FROM gallery_images
WHERE {_IMAGE_FILTERS}
ORDER BY created_at DESC, id
LIMIT %(limit)s OFFSET %(offset)s
"""
# PostgreSQL fallback of search (as MOCs): word_similarity on the title (trigram index),
# a substring of the description, an exact tag; ranked like the OpenSearch query. (A NULL
# description must add 0, not make the score NULL: NULL sorts first in DESC order.)
_MATCH = f"""
{_IMAGE_FILTERS}
AND (%(q)s <%% title OR description ILIKE %(like)s OR tags @> ARRAY[%(q)s]::text[])
"""
_TOTAL_MATCHING = f"SELECT count(*) FROM gallery_images WHERE {_MATCH}"
_SELECT_MATCHING = f"""
SELECT {IMAGE_COLUMNS}, count(*) OVER () AS total FROM gallery_images
WHERE {_MATCH}
ORDER BY 3 * word_similarity(%(q)s, title)
         + 2 * (tags @> ARRAY[%(q)s]::text[])::int
         + coalesce(description ILIKE %(like)s, false)::int DESC,
         last_updated_at DESC, id
LIMIT %(limit)s OFFSET %(offset)s
"""
_SET_WORD_THRESHOLD = "SELECT set_config('pg_trgm.word_similarity_threshold', %(threshold)s, true)"
_SELECT_IMAGES_BY_IDS = (
    f"SELECT {IMAGE_COLUMNS} FROM gallery_images WHERE user_id = %(uid)s AND id = ANY(%(ids)s)"
)

_ALBUM_COLUMNS = (
    "a.id, a.user_id, a.title, a.description, a.cover_image_id, a.created_at, a.last_updated_at, "
    "(SELECT count(*) FROM gallery_images g WHERE g.album_id = a.id) AS image_count"
)
_SELECT_ALBUM = (
    f"SELECT {_ALBUM_COLUMNS} FROM gallery_albums a WHERE a.id = %(id)s AND a.user_id = %(uid)s"
)
_SELECT_ALBUMS = f"""
SELECT {_ALBUM_COLUMNS} FROM gallery_albums a WHERE a.user_id = %(uid)s
ORDER BY a.created_at DESC, a.id
"""
_SELECT_ALBUM_IMAGES = f"""
SELECT {IMAGE_COLUMNS} FROM gallery_images WHERE album_id = %(id)s AND user_id = %(uid)s
ORDER BY created_at DESC, id LIMIT {ALBUM_DETAIL_IMAGES}
"""
_SELECT_ALBUM_MOC_IDS = """
SELECT l.moc_id FROM moc_gallery_albums l JOIN gallery_albums a ON a.id = l.gallery_album_id
WHERE l.gallery_album_id = %(id)s AND a.user_id = %(uid)s ORDER BY l.created_at, l.moc_id
"""


# --- images -----------------------------------------------------------------------------------


def insert_image(conn: Connection[Any], user_id: str, values: dict[str, Any]) -> Image:
    columns = ["user_id", *sql.writable_columns(values, IMAGE_INSERTABLE)]
    query = sql.insert_statement("gallery_images", columns, returning=IMAGE_COLUMNS)
    with conn.cursor(row_factory=class_row(Image)) as cur:
        row = cur.execute(query, {**values, "user_id": user_id}).fetchone()
    assert row is not None  # INSERT ... RETURNING always returns the row
    return row


def select_image(conn: Connection[Any], user_id: str, image_id: UUID) -> Image | None:
    with conn.cursor(row_factory=class_row(Image)) as cur:
        return cur.execute(_SELECT_IMAGE, {"id": image_id, "uid": user_id}).fetchone()


def select_image_by_upload(conn: Connection[Any], user_id: str, upload_id: UUID) -> Image | None:
    with conn.cursor(row_factory=class_row(Image)) as cur:
        return cur.execute(_SELECT_IMAGE_BY_UPLOAD, {"uid": user_id, "up": upload_id}).fetchone()


def select_image_detail(conn: Connection[Any], user_id: str, image_id: UUID) -> ImageDetail | None:
    params = {"id": image_id, "uid": user_id}
    with (
        conn.pipeline(),
        conn.cursor(row_factory=dict_row) as image_cur,
        conn.cursor() as links_cur,
    ):
        image_cur.execute(_SELECT_IMAGE, params)
        links_cur.execute(_SELECT_IMAGE_MOC_IDS, params)
        row = image_cur.fetchone()
        if row is None:
            return None
        return ImageDetail(**row, moc_ids=[moc_id for (moc_id,) in links_cur.fetchall()])


def image_moc_ids(conn: Connection[Any], user_id: str, image_id: UUID) -> list[UUID]:
    rows = conn.execute(_SELECT_IMAGE_MOC_IDS, {"id": image_id, "uid": user_id}).fetchall()
    return [moc_id for (moc_id,) in rows]


def update_image(
    conn: Connection[Any], user_id: str, image_id: UUID, changes: dict[str, Any]
) -> Image | None:
    query = sql.update_statement(
        "gallery_images",
        sql.writable_columns(changes, IMAGE_WRITABLE),
        where="id = %(id)s AND user_id = %(uid)s",
        returning=IMAGE_COLUMNS,
        touch=_TOUCH,
    )
    with conn.cursor(row_factory=class_row(Image)) as cur:
        return cur.execute(query, {**changes, "id": image_id, "uid": user_id}).fetchone()


def clear_cover_outside_album(
    conn: Connection[Any], user_id: str, image_id: UUID, album_id: UUID | None
) -> list[UUID]:
    """An image that leaves an album stops being its cover; the albums changed."""
    rows = conn.execute(
        "UPDATE gallery_albums SET cover_image_id = NULL, last_updated_at = now()"
        " WHERE user_id = %(uid)s AND cover_image_id = %(id)s"
        " AND id IS DISTINCT FROM %(album)s::uuid RETURNING id",
        {"uid": user_id, "id": image_id, "album": album_id},
    ).fetchall()
    return [album for (album,) in rows]


def delete_image(conn: Connection[Any], user_id: str, image_id: UUID) -> bool:
    """Delete the image; its flags and MOC links go with it (ON DELETE CASCADE), and an album
    it was the cover of loses its cover (ON DELETE SET NULL)."""
    cur = conn.execute(
        "DELETE FROM gallery_images WHERE id = %(id)s AND user_id = %(uid)s",
        {"id": image_id, "uid": user_id},
    )
    return cur.rowcount == 1


def select_images_page(
    conn: Connection[Any],
    user_id: str,
    *,
    limit: int,
    offset: int,
    tag: str | None,
    album: str,
) -> tuple[list[Image], int]:
    params = _filter_params(user_id, tag, album) | {"limit": limit, "offset": offset}
    return sql.page_with_total(conn, Image, _SELECT_IMAGES_PAGE, _TOTAL_IMAGES, params)


def select_images_matching(
    conn: Connection[Any],
    user_id: str,
    text: str,
    *,
    limit: int,
    offset: int,
    tag: str | None,
    album: str,
    threshold: float,
) -> tuple[list[Image], int]:
    """Fuzzy search (pg_trgm), best match first; run it in a transaction (threshold)."""
    params = _filter_params(user_id, tag, album) | {
        "q": text,
        "like": "%" + sql.escape_like(text) + "%",
        "limit": limit,
        "offset": offset,
        "threshold": str(threshold),
    }
    conn.execute(_SET_WORD_THRESHOLD, params)
    return sql.page_with_total(conn, Image, _SELECT_MATCHING, _TOTAL_MATCHING, params)


def _filter_params(user_id: str, tag: str | None, album: str) -> dict[str, Any]:
    return {
        "uid": user_id,
        "tag": tag,
        "album": album if album not in ("", "none") else None,
        "standalone": album == "none",
    }


def select_images_by_ids(conn: Connection[Any], user_id: str, ids: Sequence[str]) -> list[Image]:
    """The user's images among ids, in the order of ids; others and non-UUIDs are skipped."""
    wanted = [image_id for image_id in map(_as_uuid, ids) if image_id is not None]
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(_SELECT_IMAGES_BY_IDS, {"uid": user_id, "ids": wanted}).fetchall()
    by_id = {image.id: image for image in sql.list_adapter(Image).validate_python(rows)}
    return [by_id[image_id] for image_id in wanted if image_id in by_id]


def iter_all_images(conn: Connection[Any], batch_rows: int = 2000) -> Iterator[Image]:
    """Every image of every user, streamed (server-side cursor; the admin reindex)."""
    with conn.cursor(name="gallery_reindex", row_factory=class_row(Image)) as cur:
        cur.itersize = batch_rows
        cur.execute(f"SELECT {IMAGE_COLUMNS} FROM gallery_images ORDER BY id")
        yield from cur


def existing_image_ids(conn: Connection[Any], pairs: Sequence[tuple[str, UUID]]) -> set[UUID]:
    """Of (user_id, image_id) pairs, the ids that have a row (the sweep; all users by design)."""
    if not pairs:
        return set()
    rows = conn.execute(
        "SELECT g.id FROM gallery_images g"
        " JOIN unnest(%(uids)s::text[], %(ids)s::uuid[]) AS p(uid, id)"
        " ON g.id = p.id AND g.user_id = p.uid",
        {"uids": [uid for uid, _ in pairs], "ids": [i for _, i in pairs]},
    ).fetchall()
    return {image_id for (image_id,) in rows}


def wishlist_items_with_image(
    conn: Connection[Any], pairs: Sequence[tuple[str, UUID]]
) -> set[UUID]:
    """Of (user_id, item_id) pairs, the wishlist items that have a row with an imageUrl (the
    sweep covers the wishlist/ prefix too, issue 15; all users by design)."""
    if not pairs:
        return set()
    rows = conn.execute(
        "SELECT w.id FROM wishlist_items w"
        " JOIN unnest(%(uids)s::text[], %(ids)s::uuid[]) AS p(uid, id)"
        " ON w.id = p.id AND w.user_id = p.uid WHERE w.image_url IS NOT NULL",
        {"uids": [uid for uid, _ in pairs], "ids": [i for _, i in pairs]},
    ).fetchall()
    return {item_id for (item_id,) in rows}


def insert_flag(conn: Connection[Any], reporter: str, image_id: UUID, reason: str) -> str | None:
    """One flag per (image, reporter) and the image marked flagged; returns the owner, or None
    when no such image exists (the route answers the same either way)."""
    conn.execute(
        "INSERT INTO gallery_flags (image_id, user_id, reason)"
        " SELECT id, %(uid)s, %(reason)s FROM gallery_images WHERE id = %(id)s"
        " ON CONFLICT (image_id, user_id) DO NOTHING",
        {"id": image_id, "uid": reporter, "reason": reason},
    )
    row = conn.execute(
        "UPDATE gallery_images SET flagged = true WHERE id = %(id)s RETURNING user_id",
        {"id": image_id},
    ).fetchone()
    return str(row[0]) if row else None


# --- albums -----------------------------------------------------------------------------------


def insert_album(conn: Connection[Any], user_id: str, values: dict[str, Any]) -> UUID:
    columns = ["user_id", *sql.writable_columns(values, ALBUM_WRITABLE)]
    query = sql.insert_statement("gallery_albums", columns, returning="id")
    row = conn.execute(query, {**values, "user_id": user_id}).fetchone()
    assert row is not None
    album_id: UUID = row[0]
    return album_id


def select_album(conn: Connection[Any], user_id: str, album_id: UUID) -> Album | None:
    with conn.cursor(row_factory=class_row(Album)) as cur:
        return cur.execute(_SELECT_ALBUM, {"id": album_id, "uid": user_id}).fetchone()


def album_exists(conn: Connection[Any], user_id: str, album_id: UUID) -> bool:
    row = conn.execute(
        "SELECT 1 FROM gallery_albums WHERE id = %(id)s AND user_id = %(uid)s",
        {"id": album_id, "uid": user_id},
    ).fetchone()
    return row is not None


def select_albums(conn: Connection[Any], user_id: str) -> list[Album]:
    with conn.cursor(row_factory=class_row(Album)) as cur:
        return cur.execute(_SELECT_ALBUMS, {"uid": user_id}).fetchall()


def select_album_detail(conn: Connection[Any], user_id: str, album_id: UUID) -> AlbumDetail | None:
    params = {"id": album_id, "uid": user_id}
    with (
        conn.pipeline(),
        conn.cursor(row_factory=dict_row) as album_cur,
        conn.cursor(row_factory=class_row(Image)) as images_cur,
        conn.cursor() as links_cur,
    ):
        album_cur.execute(_SELECT_ALBUM, params)
        images_cur.execute(_SELECT_ALBUM_IMAGES, params)
        links_cur.execute(_SELECT_ALBUM_MOC_IDS, params)
        row = album_cur.fetchone()
        if row is None:
            return None
        return AlbumDetail(
            **row,
            images=images_cur.fetchall(),
            moc_ids=[moc_id for (moc_id,) in links_cur.fetchall()],
        )


def update_album(
    conn: Connection[Any], user_id: str, album_id: UUID, changes: dict[str, Any]
) -> bool:
    query = sql.update_statement(
        "gallery_albums",
        sql.writable_columns(changes, ALBUM_WRITABLE),
        where="id = %(id)s AND user_id = %(uid)s",
        returning="id",
        touch=_TOUCH,
    )
    return conn.execute(query, {**changes, "id": album_id, "uid": user_id}).fetchone() is not None


def image_in_album(conn: Connection[Any], user_id: str, image_id: UUID, album_id: UUID) -> bool:
    row = conn.execute(
        "SELECT 1 FROM gallery_images WHERE id = %(img)s AND user_id = %(uid)s"
        " AND album_id = %(id)s",
        {"img": image_id, "uid": user_id, "id": album_id},
    ).fetchone()
    return row is not None


def delete_album(conn: Connection[Any], user_id: str, album_id: UUID) -> list[UUID] | None:
    """Delete the album, keeping its images (album_id set to null, seed); returns the ids of
    those images, or None when the album is not the user's."""
    released = conn.execute(
        "UPDATE gallery_images SET album_id = NULL, last_updated_at = now()"
        " WHERE album_id = %(id)s AND user_id = %(uid)s RETURNING id",
        {"id": album_id, "uid": user_id},
    ).fetchall()
    cur = conn.execute(
        "DELETE FROM gallery_albums WHERE id = %(id)s AND user_id = %(uid)s",
        {"id": album_id, "uid": user_id},
    )
    if cur.rowcount != 1:
        return None
    return [image_id for (image_id,) in released]


# --- MOC links --------------------------------------------------------------------------------


def moc_exists(conn: Connection[Any], user_id: str, moc_id: UUID) -> bool:
    row = conn.execute(
        "SELECT 1 FROM moc_instructions WHERE id = %(id)s AND user_id = %(uid)s",
        {"id": moc_id, "uid": user_id},
    ).fetchone()
    return row is not None


def image_exists(conn: Connection[Any], user_id: str, image_id: UUID) -> bool:
    row = conn.execute(
        "SELECT 1 FROM gallery_images WHERE id = %(id)s AND user_id = %(uid)s",
        {"id": image_id, "uid": user_id},
    ).fetchone()
    return row is not None


def link_image(conn: Connection[Any], image_id: UUID, moc_id: UUID) -> None:
    conn.execute(
        "INSERT INTO moc_gallery_images (moc_id, gallery_image_id) VALUES (%(moc)s, %(id)s)"
        " ON CONFLICT DO NOTHING",
        {"moc": moc_id, "id": image_id},
    )


def unlink_image(conn: Connection[Any], image_id: UUID, moc_id: UUID) -> None:
    conn.execute(
        "DELETE FROM moc_gallery_images WHERE moc_id = %(moc)s AND gallery_image_id = %(id)s",
        {"moc": moc_id, "id": image_id},
    )


def link_album(conn: Connection[Any], album_id: UUID, moc_id: UUID) -> None:
    conn.execute(
        "INSERT INTO moc_gallery_albums (moc_id, gallery_album_id) VALUES (%(moc)s, %(id)s)"
        " ON CONFLICT DO NOTHING",
        {"moc": moc_id, "id": album_id},
    )


def unlink_album(conn: Connection[Any], album_id: UUID, moc_id: UUID) -> None:
    conn.execute(
        "DELETE FROM moc_gallery_albums WHERE moc_id = %(moc)s AND gallery_album_id = %(id)s",
        {"moc": moc_id, "id": album_id},
    )


def _as_uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
