"""The profile's one SQL statement: the caller's counts in one round trip, each over a user_id
index (MOCs: migration 0002's trigger-kept counter, which GET /api/mocs answers `total` from;
images and wishlist items: an index-only count(*), the same rows their list's `total` counts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from psycopg import Connection

COUNTS_SQL = """
SELECT
    coalesce((SELECT moc_count FROM moc_user_counts WHERE user_id = %(uid)s), 0),
    (SELECT count(*) FROM gallery_images WHERE user_id = %(uid)s),
    (SELECT count(*) FROM wishlist_items WHERE user_id = %(uid)s)
"""


def counts(conn: Connection[Any], user_id: str) -> tuple[int, int, int]:
    """(MOCs, images, wishlist items) of user_id."""
    row = conn.execute(COUNTS_SQL, {"uid": user_id}).fetchone()
    assert row is not None  # a SELECT without FROM always answers one row
    return int(row[0]), int(row[1]), int(row[2])
