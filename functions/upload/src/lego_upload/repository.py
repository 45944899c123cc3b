"""SQL of the upload function: moc_files rows (pending -> ready), their parse results and the
MOC's totalPieceCount. Every statement filters by the MOC's owner; nothing commits here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from psycopg.rows import dict_row

if TYPE_CHECKING:
    from datetime import datetime
    from uuid import UUID

    from psycopg import Connection

_FILE_COLUMNS = """
f.id, f.moc_id, f.original_filename, f.file_type, f.mime_type, f.size_bytes, f.status,
f.file_url, f.s3_key, f.created_at, f.expires_at, f.version_id, f.etag
"""
_OWNED = "JOIN moc_instructions m ON m.id = f.moc_id AND m.user_id = %(uid)s"
_MOC_EXISTS = "SELECT 1 FROM moc_instructions WHERE id = %(moc)s AND user_id = %(uid)s"
_LOCK_MOC = _MOC_EXISTS + " FOR UPDATE"
_INSERT_FILE = """
INSERT INTO moc_files (id, moc_id, file_type, file_url, s3_key, original_filename, mime_type,
                       size_bytes, status, expires_at, version_id, etag)
VALUES (%(id)s, %(moc)s, %(file_type)s, %(file_url)s, %(s3_key)s, %(filename)s, %(mime)s,
        %(size)s, %(status)s, %(expires_at)s, %(version_id)s, %(etag)s)
"""
_SELECT_FILES = f"""
SELECT {_FILE_COLUMNS} FROM moc_files f {_OWNED}
WHERE f.moc_id = %(moc)s AND f.id = ANY(%(ids)s)
"""
_SELECT_FILE = f"""
SELECT {_FILE_COLUMNS},
       p.status AS parse_status, p.rows_stored, p.rows_rejected, p.total_quantity, p.report
FROM moc_files f {_OWNED}
LEFT JOIN LATERAL (
    SELECT * FROM moc_file_parses p WHERE p.file_id = f.id ORDER BY p.created_at DESC LIMIT 1
) p ON true
WHERE f.moc_id = %(moc)s AND f.id = %(id)s
"""
_MARK_READY = """
UPDATE moc_files SET status = 'ready', expires_at = NULL, version_id = %(version)s,
                     etag = %(etag)s
WHERE id = %(id)s AND status = 'pending'
"""
_DELETE_FILE = "DELETE FROM moc_files WHERE id = %(id)s"
_PARSED = "SELECT 1 FROM moc_file_parses WHERE file_id = %(id)s LIMIT 1"
_TOTAL = """
UPDATE moc_instructions SET total_piece_count = (
    SELECT coalesce(sum(quantity), 0) FROM moc_parts_lists WHERE moc_id = %(moc)s
), updated_at = now()
WHERE id = %(moc)s AND user_id = %(uid)s
RETURNING total_piece_count
"""
_EXPIRED = """
SELECT f.id, f.s3_key, m.user_id, f.moc_id FROM moc_files f
JOIN moc_instructions m ON m.id = f.moc_id
WHERE f.status = 'pending' AND f.expires_at < %(before)s
ORDER BY f.expires_at LIMIT %(limit)s
"""
_KNOWN_KEYS = "SELECT s3_key FROM moc_files WHERE s3_key = ANY(%(keys)s)"
_UNPARSED = """
SELECT f.id, f.moc_id, m.user_id, f.s3_key, f.version_id FROM moc_files f
JOIN moc_instructions m ON m.id = f.moc_id
WHERE f.file_type = 'parts-list' AND f.status = 'ready' AND f.created_at < %(before)s
  AND NOT EXISTS (SELECT 1 FROM moc_file_parses p WHERE p.file_id = f.id)
ORDER BY f.created_at LIMIT %(limit)s
"""


def moc_exists(conn: Connection[Any], user_id: str, moc_id: UUID, *, lock: bool = False) -> bool:
    query = _LOCK_MOC if lock else _MOC_EXISTS
    return conn.execute(query, {"moc": moc_id, "uid": user_id}).fetchone() is not None


def insert_file(conn: Connection[Any], values: dict[str, Any]) -> None:
    conn.execute(_INSERT_FILE, values)


def select_files(
    conn: Connection[Any], user_id: str, moc_id: UUID, ids: list[UUID]
) -> dict[UUID, dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(_SELECT_FILES, {"uid": user_id, "moc": moc_id, "ids": ids}).fetchall()
    return {row["id"]: row for row in rows}


def select_file(
    conn: Connection[Any], user_id: str, moc_id: UUID, file_id: UUID
) -> dict[str, Any] | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(_SELECT_FILE, {"uid": user_id, "moc": moc_id, "id": file_id}).fetchone()


def mark_ready(conn: Connection[Any], file_id: UUID, version: str | None, etag: str | None) -> bool:
    cur = conn.execute(_MARK_READY, {"id": file_id, "version": version, "etag": etag})
    return cur.rowcount == 1


def delete_file(conn: Connection[Any], file_id: UUID) -> None:
    conn.execute(_DELETE_FILE, {"id": file_id})


def parsed(conn: Connection[Any], file_id: UUID) -> bool:
    return conn.execute(_PARSED, {"id": file_id}).fetchone() is not None


def update_total(conn: Connection[Any], user_id: str, moc_id: UUID) -> int:
    row = conn.execute(_TOTAL, {"moc": moc_id, "uid": user_id}).fetchone()
    return int(row[0]) if row else 0


def expired_pending(
    conn: Connection[Any], before: datetime, limit: int
) -> list[tuple[UUID, str, str, UUID]]:
    """(file id, key, user id, MOC id) of pending files whose ticket expired before `before`:
    the sweep is the one reader across users."""
    return [
        (r[0], r[1], r[2], r[3])
        for r in conn.execute(_EXPIRED, {"before": before, "limit": limit}).fetchall()
    ]


def known_keys(conn: Connection[Any], object_keys: list[str]) -> set[str]:
    return {r[0] for r in conn.execute(_KNOWN_KEYS, {"keys": object_keys}).fetchall()}


def unparsed_ready(conn: Connection[Any], before: datetime, limit: int) -> list[dict[str, Any]]:
    """Ready parts lists created before `before` that no parse result names (their async
    invoke failed, or csv_parser could not finish): the sweep's replay; across users."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(_UNPARSED, {"before": before, "limit": limit}).fetchall()
