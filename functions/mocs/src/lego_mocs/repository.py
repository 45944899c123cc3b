"""SQL for moc_instructions and the tables hanging off it. Every function takes the connection
first, filters by user_id, and never commits, rolls back or catches: service.py owns that."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from psycopg.rows import class_row, dict_row

from lego_common import sql
from lego_mocs.models import Moc, MocDetail, MocFile, MocImage, PartsListSummary

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from psycopg import Connection

MOC_COLUMNS = (
    "id, user_id, title, description, type, author, parts_count, theme, subtheme, "
    "uploaded_date, brand, set_number, release_year, retired, tags, thumbnail_url, "
    "total_piece_count, created_at, updated_at"
)
# Columns a create or patch may write (service passes model fields; nothing else gets through).
WRITABLE_COLUMNS = frozenset(
    {
        "title",
        "description",
        "type",
        "author",
        "parts_count",
        "theme",
        "subtheme",
        "uploaded_date",
        "brand",
        "set_number",
        "release_year",
        "retired",
        "tags",
        "thumbnail_url",
    }
)

_SELECT_MOC = f"SELECT {MOC_COLUMNS} FROM moc_instructions WHERE id = %(id)s AND user_id = %(uid)s"

# A page carries its total in every row (an uncorrelated scalar subquery runs once), so rows and
# total cost one statement; an empty page past the end asks for the total alone.
# Newest first; (user_id, created_at DESC, id) is moc_instructions_user_created_idx.
_SELECT_PAGE = f"""
SELECT {MOC_COLUMNS}, ({{total}}) AS total FROM moc_instructions
WHERE user_id = %(uid)s {{tag_filter}}
ORDER BY created_at DESC, id
LIMIT %(limit)s OFFSET %(offset)s
"""
_TAG_FILTER = "AND tags @> ARRAY[%(tag)s]::text[]"
# Unfiltered total: the trigger-kept counter of migration 0002 (count(*) reads every row).
_TOTAL_ALL = "SELECT moc_count FROM moc_user_counts WHERE user_id = %(uid)s"
_TOTAL_TAGGED = (
    "SELECT count(*) FROM moc_instructions"
    " WHERE user_id = %(uid)s AND tags @> ARRAY[%(tag)s]::text[]"
)

# Fuzzy fallback (seed: ILIKE; issue 4: a title with one typo must match): `q <% title` is
# word_similarity above pg_trgm.word_similarity_threshold, description is a substring match; the
# three branches use the trigram/GIN indexes (BitmapOr). word_similarity on every description
# instead cost ~28 us a row: 0.5 s for a user with 10k MOCs.
_MATCH = """
user_id = %(uid)s
AND (%(q)s <%% title OR description ILIKE %(like)s OR tags @> ARRAY[%(q)s]::text[]
     OR (%(swaps)s::text IS NOT NULL AND title ~* %(swaps)s))
AND (%(tag)s::text IS NULL OR tags @> ARRAY[%(tag)s]::text[])
"""
_TOTAL_MATCHING = f"SELECT count(*) FROM moc_instructions WHERE {_MATCH}"
# Ranked like the OpenSearch query (title^3, tags^2, description). Ranking reads every match
# anyway, so the window count is free here.
_SELECT_MATCHING = f"""
SELECT {MOC_COLUMNS}, count(*) OVER () AS total FROM moc_instructions
WHERE {_MATCH}
ORDER BY 3 * word_similarity(%(q)s, title)
         + 2 * (tags @> ARRAY[%(q)s]::text[])::int
         + (description ILIKE %(like)s)::int DESC,
         updated_at DESC, id
LIMIT %(limit)s OFFSET %(offset)s
"""
_SET_WORD_THRESHOLD = (
    "SELECT set_config('pg_trgm.word_similarity_threshold', %(threshold)s, true)"  # tx-local
)

_SELECT_BY_IDS = f"""
SELECT {MOC_COLUMNS} FROM moc_instructions WHERE user_id = %(uid)s AND id = ANY(%(ids)s)
"""

_SELECT_FILES = """
SELECT f.id, f.file_type, f.file_url, f.original_filename, f.mime_type, f.size_bytes, f.created_at
FROM moc_files f JOIN moc_instructions m ON m.id = f.moc_id
WHERE f.moc_id = %(id)s AND m.user_id = %(uid)s AND f.status = 'ready'
ORDER BY f.created_at, f.id
"""
_SELECT_IMAGES = """
SELECT g.id, g.title, g.description, g.tags, g.image_url, g.thumbnail_url, g.created_at
FROM moc_gallery_images l
JOIN moc_instructions m ON m.id = l.moc_id
JOIN gallery_images g ON g.id = l.gallery_image_id AND g.user_id = m.user_id
WHERE l.moc_id = %(id)s AND m.user_id = %(uid)s
ORDER BY l.created_at, g.id
"""
# One row per parts list: the part rows (up to ~200k per CSV) stay in the database. A ready
# parts-list file is listed from its upload on, with csv_parser's status (issue 17: `queued`
# until it ran, then ready/partial/failed); rows loaded without a parse record carry none.
_SELECT_PARTS_SUMMARIES = """
WITH sums AS (
    SELECT p.file_id, count(*) AS row_count, sum(p.quantity)::bigint AS total_quantity
    FROM moc_parts_lists p JOIN moc_instructions m ON m.id = p.moc_id
    WHERE p.moc_id = %(id)s AND m.user_id = %(uid)s
    GROUP BY p.file_id
)
SELECT file_id, original_filename, row_count, total_quantity, status FROM (
SELECT f.id AS file_id, f.original_filename, coalesce(s.row_count, 0) AS row_count,
       coalesce(s.total_quantity, 0) AS total_quantity,
       CASE WHEN pr.status IS NOT NULL THEN pr.status
            WHEN s.file_id IS NULL THEN 'queued' END AS status,
       f.created_at
FROM moc_files f
JOIN moc_instructions m ON m.id = f.moc_id AND m.user_id = %(uid)s
LEFT JOIN sums s ON s.file_id = f.id
LEFT JOIN LATERAL (
    SELECT x.status FROM moc_file_parses x WHERE x.file_id = f.id
    ORDER BY x.created_at DESC LIMIT 1
) pr ON true
WHERE f.moc_id = %(id)s AND f.status = 'ready'
  AND (f.file_type = 'parts-list' OR s.file_id IS NOT NULL)
UNION ALL
SELECT NULL, NULL, s.row_count, s.total_quantity, NULL, NULL FROM sums s WHERE s.file_id IS NULL
) summaries
ORDER BY created_at NULLS LAST, file_id
"""


def insert_moc(conn: Connection[Any], user_id: str, values: dict[str, Any]) -> Moc:
    columns = ["user_id", *sql.writable_columns(values, WRITABLE_COLUMNS)]
    query = sql.insert_statement("moc_instructions", columns, returning=MOC_COLUMNS)
    with conn.cursor(row_factory=class_row(Moc)) as cur:
        row = cur.execute(query, {**values, "user_id": user_id}).fetchone()
    assert row is not None  # INSERT ... RETURNING always returns the row
    return row


def update_moc(
    conn: Connection[Any], user_id: str, moc_id: UUID, changes: dict[str, Any]
) -> Moc | None:
    """Set the given columns (None clears one); None when the MOC is not the user's."""
    query = sql.update_statement(
        "moc_instructions",
        sql.writable_columns(changes, WRITABLE_COLUMNS),
        where="id = %(id)s AND user_id = %(uid)s",
        returning=MOC_COLUMNS,
    )
    with conn.cursor(row_factory=class_row(Moc)) as cur:
        return cur.execute(query, {**changes, "id": moc_id, "uid": user_id}).fetchone()


def delete_moc(conn: Connection[Any], user_id: str, moc_id: UUID) -> bool:
    """Delete the MOC; files, gallery links and parts lists go with it (ON DELETE CASCADE)."""
    cur = conn.execute(
        "DELETE FROM moc_instructions WHERE id = %(id)s AND user_id = %(uid)s",
        {"id": moc_id, "uid": user_id},
    )
    return cur.rowcount == 1


def select_moc_detail(conn: Connection[Any], user_id: str, moc_id: UUID) -> MocDetail | None:
    """The MOC with files, linked images and parts-list summaries: four queries, one round trip."""
    params = {"id": moc_id, "uid": user_id}
    with (
        conn.pipeline(),
        conn.cursor(row_factory=dict_row) as moc_cur,
        conn.cursor(row_factory=class_row(MocFile)) as files_cur,
        conn.cursor(row_factory=class_row(MocImage)) as images_cur,
        conn.cursor(row_factory=class_row(PartsListSummary)) as parts_cur,
    ):
        moc_cur.execute(_SELECT_MOC, params)
        files_cur.execute(_SELECT_FILES, params)
        images_cur.execute(_SELECT_IMAGES, params)
        parts_cur.execute(_SELECT_PARTS_SUMMARIES, params)
        row = moc_cur.fetchone()
        if row is None:
            return None
        return MocDetail(
            **row,
            files=files_cur.fetchall(),
            images=images_cur.fetchall(),
            parts_lists=parts_cur.fetchall(),
        )


def select_mocs_page(
    conn: Connection[Any], user_id: str, *, limit: int, offset: int, tag: str | None = None
) -> tuple[list[Moc], int]:
    """One page, newest first, and the total of the user's (tagged) MOCs."""
    total_sql = _TOTAL_TAGGED if tag else _TOTAL_ALL
    page_sql = _SELECT_PAGE.format(total=total_sql, tag_filter=_TAG_FILTER if tag else "")
    params = {"uid": user_id, "tag": tag, "limit": limit, "offset": offset}
    return sql.page_with_total(conn, Moc, page_sql, total_sql, params)


def select_mocs_matching(
    conn: Connection[Any],
    user_id: str,
    text: str,
    *,
    limit: int,
    offset: int,
    tag: str | None = None,
    threshold: float,
    letter_swaps: bool = False,
) -> tuple[list[Moc], int]:
    """Fuzzy search (pg_trgm), best match first, and the total. Run it inside a transaction:
    the similarity threshold is set for that transaction only. letter_swaps adds the
    swapped-letters branch, which can cost a scan of the user's rows: ask for it only when the
    trigram match found nothing."""
    params = {
        "uid": user_id,
        "q": text,
        "like": "%" + sql.escape_like(text) + "%",
        "swaps": swapped_letters_pattern(text) if letter_swaps else None,
        "tag": tag,
        "limit": limit,
        "offset": offset,
        "threshold": str(threshold),
    }
    conn.execute(_SET_WORD_THRESHOLD, params)
    return sql.page_with_total(conn, Moc, _SELECT_MATCHING, _TOTAL_MATCHING, params)


def select_mocs_by_ids(conn: Connection[Any], user_id: str, ids: Sequence[str]) -> list[Moc]:
    """The user's MOCs among ids, in the order of ids (search rank); ids that are not the
    user's, no longer exist or are not UUIDs (a corrupt index document) are skipped."""
    wanted = [moc_id for moc_id in map(_as_uuid, ids) if moc_id is not None]
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(_SELECT_BY_IDS, {"uid": user_id, "ids": wanted}).fetchall()
    by_id = {moc.id: moc for moc in sql.list_adapter(Moc).validate_python(rows)}
    return [by_id[moc_id] for moc_id in wanted if moc_id in by_id]


def iter_all_mocs(conn: Connection[Any], batch_rows: int = 2000) -> Iterator[Moc]:
    """Every MOC of every user, streamed (server-side cursor; needs a transaction).

    The one statement without a user filter: the admin reindex reads all rows by design.
    """
    with conn.cursor(name="moc_reindex", row_factory=class_row(Moc)) as cur:
        cur.itersize = batch_rows
        cur.execute(f"SELECT {MOC_COLUMNS} FROM moc_instructions ORDER BY id")
        yield from cur


def _as_uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def swapped_letters_pattern(text: str, max_variants: int = 64) -> str | None:
    """A regex for every adjacent-letter swap of each query word of 4+ letters ("medeival" for
    "medieval"): the one typo trigrams score too low, which OpenSearch's fuzziness counts as one
    edit. pg_trgm's GIN index serves `~*`, so this branch stays an index scan."""
    variants: set[str] = set()
    for word in text.lower().split():
        for i in range(len(word) - 1 if len(word) >= 4 else 0):
            if word[i] != word[i + 1]:
                variants.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    if not variants:
        return None
    literals = sorted(sql.regex_literal(v) for v in variants)[:max_variants]
    return "(" + "|".join(literals) + ")"


# --- files a MOC delete could not remove (issue 13 item 1) ---------------------------------
# The sweep reads every user's rows by design (a schedule, not a request): these statements
# filter by prefix, which begins with the owner's id (mocs/{userId}/{mocId}/).

_ADD_PENDING_DELETE = (
    "INSERT INTO moc_pending_deletes (prefix, user_id) VALUES (%(prefix)s, %(uid)s)"
    " ON CONFLICT (prefix) DO NOTHING"
)
_DUE_PENDING_DELETES = (
    "SELECT prefix FROM moc_pending_deletes WHERE next_attempt_at <= now()"
    " ORDER BY next_attempt_at LIMIT %(limit)s"
)
# Back off 1 h, 2 h, 4 h ... capped at a day, so a lasting refusal costs one try a day.
_POSTPONE_PENDING_DELETE = (
    "UPDATE moc_pending_deletes SET attempts = attempts + 1,"
    " next_attempt_at = now() + least(interval '1 hour' * power(2, attempts), interval '1 day')"
    " WHERE prefix = %(prefix)s"
)


def add_pending_delete(conn: Connection[Any], user_id: str, prefix: str) -> None:
    conn.execute(_ADD_PENDING_DELETE, {"prefix": prefix, "uid": user_id})


def due_pending_deletes(conn: Connection[Any], limit: int) -> list[str]:
    rows = conn.execute(_DUE_PENDING_DELETES, {"limit": limit}).fetchall()
    return [str(row[0]) for row in rows]


def postpone_pending_delete(conn: Connection[Any], prefix: str) -> None:
    conn.execute(_POSTPONE_PENDING_DELETE, {"prefix": prefix})


def drop_pending_delete(conn: Connection[Any], prefix: str) -> None:
    conn.execute("DELETE FROM moc_pending_deletes WHERE prefix = %(prefix)s", {"prefix": prefix})
