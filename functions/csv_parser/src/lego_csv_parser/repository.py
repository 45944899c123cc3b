"""SQL of csv_parser: the MOC lock, the parse claim (one per file version), COPY of the parts
and the MOC's totalPieceCount. Takes the connection, never commits: service.py does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from psycopg.types.json import Jsonb

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from contextlib import AbstractContextManager
    from uuid import UUID

    from psycopg import Connection

_LOCK_MOC = "SELECT 1 FROM moc_instructions WHERE id = %(moc)s AND user_id = %(uid)s FOR UPDATE"
_FILE_READY = """
SELECT etag FROM moc_files WHERE id = %(file)s AND moc_id = %(moc)s AND status = 'ready'
"""
# The primary key (file_id, version_id) decides: a second event of the same object version
# conflicts (after waiting for a concurrent twin's transaction) and stores nothing.
_CLAIM = """
INSERT INTO moc_file_parses (file_id, version_id, status) VALUES (%(file)s, %(version)s, 'failed')
ON CONFLICT DO NOTHING RETURNING 1
"""
_FINISH = """
UPDATE moc_file_parses
SET status = %(status)s, rows_stored = %(stored)s, rows_rejected = %(rejected)s,
    total_quantity = %(total)s, report = %(report)s
WHERE file_id = %(file)s AND version_id = %(version)s
"""
COPY_PARTS = (
    "COPY moc_parts_lists (moc_id, file_id, part_id, part_name, quantity, color)"
    " FROM STDIN (FORMAT csv)"
)
_TOTAL = """
UPDATE moc_instructions SET total_piece_count = (
    SELECT coalesce(sum(quantity), 0) FROM moc_parts_lists WHERE moc_id = %(moc)s
), updated_at = now()
WHERE id = %(moc)s AND user_id = %(uid)s
RETURNING total_piece_count
"""


def lock_moc(conn: Connection[Any], user_id: str, moc_id: UUID) -> bool:
    """Lock the user's MOC row (parses of one MOC run one at a time); False if it is gone."""
    return conn.execute(_LOCK_MOC, {"moc": moc_id, "uid": user_id}).fetchone() is not None


def file_ready(conn: Connection[Any], moc_id: UUID, file_id: UUID) -> tuple[str | None] | None:
    """(the ETag completion checked,) of a ready file; None when it is gone or not ready."""
    row = conn.execute(_FILE_READY, {"moc": moc_id, "file": file_id}).fetchone()
    return (row[0],) if row is not None else None


def claim(conn: Connection[Any], file_id: UUID, version: str) -> bool:
    return conn.execute(_CLAIM, {"file": file_id, "version": version}).fetchone() is not None


def finish(
    conn: Connection[Any],
    file_id: UUID,
    version: str,
    *,
    status: str,
    stored: int,
    rejected: int,
    total: int,
    report: dict[str, Any],
) -> None:
    conn.execute(
        _FINISH,
        {
            "file": file_id,
            "version": version,
            "status": status,
            "stored": stored,
            "rejected": rejected,
            "total": total,
            "report": Jsonb(report),
        },
    )


def copy_parts(conn: Connection[Any]) -> AbstractContextManager[Callable[[str], None]]:
    """A sink for CSV text (moc_id, file_id, part_id, part_name, quantity, color per line)."""
    import contextlib

    @contextlib.contextmanager
    def _copy() -> Iterator[Callable[[str], None]]:
        with conn.cursor() as cur, cur.copy(COPY_PARTS) as copy:
            yield copy.write

    return _copy()


def update_total(conn: Connection[Any], user_id: str, moc_id: UUID) -> int:
    row = conn.execute(_TOTAL, {"moc": moc_id, "uid": user_id}).fetchone()
    return int(row[0]) if row else 0


def set_statement_timeout(conn: Connection[Any], ms: int) -> None:
    conn.execute("SELECT set_config('statement_timeout', %(ms)s, true)", {"ms": str(ms)})
