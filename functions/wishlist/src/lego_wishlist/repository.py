"""SQL for wishlist_items and wishlist_user_counts. Every function takes the connection first,
filters by user_id, and never commits, rolls back or catches: service.py owns that.

Every write that changes positions (create, delete, reorder) first calls lock_list: the user's
counter row, then the user's item rows in (sort_order, id) order, both FOR UPDATE. One fixed
order for everyone, so concurrent writes of one user queue up instead of deadlocking."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from psycopg.rows import class_row, dict_row

from lego_common import sql
from lego_wishlist.models import Item

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from psycopg import Connection

ITEM_COLUMNS = (
    "id, user_id, title, description, product_link, image_url, category, sort_order, "
    "created_at, updated_at"
)
WRITABLE_COLUMNS = frozenset({"title", "description", "product_link", "category", "image_url"})

_LOCK_COUNTER = """
INSERT INTO wishlist_user_counts AS c (user_id, item_count) VALUES (%(uid)s, 0)
ON CONFLICT (user_id) DO UPDATE SET item_count = c.item_count
"""
_LOCK_ITEMS = """
SELECT id FROM wishlist_items WHERE user_id = %(uid)s ORDER BY sort_order, id FOR UPDATE
"""
_SET_COUNT = "UPDATE wishlist_user_counts SET item_count = %(n)s WHERE user_id = %(uid)s"
_SELECT_ALL = (
    f"SELECT {ITEM_COLUMNS} FROM wishlist_items WHERE user_id = %(uid)s ORDER BY sort_order"
)
_SELECT_ONE = f"SELECT {ITEM_COLUMNS} FROM wishlist_items WHERE id = %(id)s AND user_id = %(uid)s"
_DELETE = """
DELETE FROM wishlist_items WHERE id = %(id)s AND user_id = %(uid)s
RETURNING sort_order, image_url IS NOT NULL
"""
_CLOSE_GAP = """
UPDATE wishlist_items SET sort_order = sort_order - 1
WHERE user_id = %(uid)s AND sort_order > %(pos)s
"""
# The reorder changes no count: it locks the counter row without writing it (a user without
# one has no items, and their first create takes the upsert's lock anyway).
_LOCK_COUNTER_ROW = "SELECT 1 FROM wishlist_user_counts WHERE user_id = %(uid)s FOR UPDATE"
# The reorder's lock reads the whole rows (and the transaction's now(), which every updated_at
# written in it gets), so the answer needs no second read after the UPDATE.
_LOCK_ROWS = f"""
SELECT {ITEM_COLUMNS}, now() AS tx_now FROM wishlist_items
WHERE user_id = %(uid)s ORDER BY sort_order, id FOR UPDATE
"""
# One statement: the deferrable unique key is checked at its end, so a permutation passes.
_SET_POSITIONS = """
UPDATE wishlist_items AS w SET sort_order = v.pos, updated_at = now()
FROM unnest(%(ids)s::text::uuid[], %(positions)s::text::int[]) AS v(id, pos)
WHERE w.id = v.id AND w.user_id = %(uid)s AND w.sort_order <> v.pos
"""
# Fallback of ?search= when OpenSearch is down (ranked like title^3, description).
_SELECT_MATCHING = f"""
SELECT {ITEM_COLUMNS} FROM wishlist_items
WHERE user_id = %(uid)s
  AND (%(q)s <%% title OR description ILIKE %(like)s OR lower(category) = lower(%(q)s))
ORDER BY 3 * word_similarity(%(q)s, title) + (description ILIKE %(like)s)::int DESC, sort_order
"""


def lock_list(conn: Connection[Any], user_id: str) -> list[UUID]:
    """Lock the user's list (counter row, then items in order); the ids in position order."""
    conn.execute(_LOCK_COUNTER, {"uid": user_id})
    return [row[0] for row in conn.execute(_LOCK_ITEMS, {"uid": user_id}).fetchall()]


def lock_rows(conn: Connection[Any], user_id: str) -> list[dict[str, Any]]:
    """lock_list for the reorder: the same locks, in the same order, returning whole rows."""
    conn.execute(_LOCK_COUNTER_ROW, {"uid": user_id})
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(_LOCK_ROWS, {"uid": user_id}).fetchall()


def set_count(conn: Connection[Any], user_id: str, count: int) -> None:
    conn.execute(_SET_COUNT, {"uid": user_id, "n": count})


def select_items(conn: Connection[Any], user_id: str) -> list[Item]:
    """The whole list in position order (dict rows validated in one pydantic-core call: ~1 ms
    less than class_row for 200 rows)."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(_SELECT_ALL, {"uid": user_id}).fetchall()
    return sql.list_adapter(Item).validate_python(rows)


def select_item(conn: Connection[Any], user_id: str, item_id: UUID) -> Item | None:
    with conn.cursor(row_factory=class_row(Item)) as cur:
        return cur.execute(_SELECT_ONE, {"id": item_id, "uid": user_id}).fetchone()


def select_items_by_ids(conn: Connection[Any], user_id: str, ids: Sequence[str]) -> list[Item]:
    """The user's items among ids, in the order of ids (search rank)."""
    rank = {item_id: i for i, item_id in enumerate(ids)}
    query = f"{_SELECT_ALL.split(' ORDER BY')[0]} AND id = ANY(%(ids)s::uuid[])"
    with conn.cursor(row_factory=class_row(Item)) as cur:
        rows = cur.execute(query, {"uid": user_id, "ids": list(ids)}).fetchall()
    return sorted(rows, key=lambda item: rank.get(str(item.id), len(rank)))


def select_items_matching(
    conn: Connection[Any], user_id: str, text: str, threshold: float
) -> list[Item]:
    conn.execute(
        "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(threshold)]
    )
    params = {"uid": user_id, "q": text, "like": f"%{sql.escape_like(text)}%"}
    with conn.cursor(row_factory=class_row(Item)) as cur:
        return cur.execute(_SELECT_MATCHING, params).fetchall()


def insert_item(
    conn: Connection[Any], user_id: str, values: dict[str, Any], sort_order: int
) -> Item:
    columns = sql.writable_columns(values, WRITABLE_COLUMNS)
    statement = sql.insert_statement(
        "wishlist_items", [*columns, "user_id", "sort_order"], returning=ITEM_COLUMNS
    )
    params = {**values, "user_id": user_id, "sort_order": sort_order}
    with conn.cursor(row_factory=class_row(Item)) as cur:
        item = cur.execute(statement, params).fetchone()
    assert item is not None
    return item


def update_item(
    conn: Connection[Any], user_id: str, item_id: UUID, changes: dict[str, Any]
) -> Item | None:
    columns = sql.writable_columns(changes, WRITABLE_COLUMNS)
    statement = sql.update_statement(
        "wishlist_items",
        columns,
        where="id = %(id)s AND user_id = %(uid)s",
        returning=ITEM_COLUMNS,
    )
    with conn.cursor(row_factory=class_row(Item)) as cur:
        return cur.execute(statement, {**changes, "id": item_id, "uid": user_id}).fetchone()


def delete_item(conn: Connection[Any], user_id: str, item_id: UUID) -> bool | None:
    """Delete the item and close the gap it leaves (positions stay 0..n-1): None when there
    was no such item, else whether it had an image."""
    row = conn.execute(_DELETE, {"id": item_id, "uid": user_id}).fetchone()
    if row is None:
        return None
    conn.execute(_CLOSE_GAP, {"uid": user_id, "pos": row[0]})
    return bool(row[1])


def set_positions(
    conn: Connection[Any], user_id: str, rows: Sequence[dict[str, Any]], order: Sequence[UUID]
) -> list[Item]:
    """Give each id of order its index as sort_order in one UPDATE (rows already there are
    left alone); rows are the locked rows (lock_rows). Returns the whole list in its new order,
    built from rows as the UPDATE leaves them (updated_at = the transaction's now())."""
    moves = [(i, pos) for pos, i in enumerate(order)]
    # array literals as text: psycopg dumps a list element by element in Python (~0.4 ms here)
    ids = "{" + ",".join(map(str, order)) + "}"
    positions = "{" + ",".join(map(str, range(len(order)))) + "}"
    conn.execute(_SET_POSITIONS, {"uid": user_id, "ids": ids, "positions": positions})
    by_id = {row["id"]: row for row in rows}
    result = []
    for item_id, pos in moves:
        row = by_id[item_id]
        if row["sort_order"] != pos:
            row = {**row, "sort_order": pos, "updated_at": row["tx_now"]}
        result.append(row)
    return sql.list_adapter(Item).validate_python(result)
