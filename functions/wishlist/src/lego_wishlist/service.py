"""Wishlist use cases (seed 001 "Wishlist Lambda", issue 15): items, the category filter, the
atomic gap-free reorder and the 800 px item image. No events, status codes or envelopes here.

Order of every write: commit, then invalidate the cache, then update the search index, then
(deletes only) remove the S3 object. Writes that move positions (create, delete, reorder) lock
the user's list first (repository.lock_list), so they serialize per user and positions stay
exactly 0..n-1.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

import structlog

from lego_common import cache, db, images, keys, search, sql, storage
from lego_common.errors import ConflictError, NotFoundError, ValidationError, field_details
from lego_common.http import Page
from lego_wishlist import objects, repository, search_index
from lego_wishlist.models import MAX_ITEMS, ItemDeleted

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from uuid import UUID

    from lego_common.serialization import RawJson
    from lego_wishlist.models import Item, ItemCreate, ItemPatch, ListQuery, Reorder

log = structlog.get_logger()

FUZZY_THRESHOLD = 0.5  # as for MOCs: one typo in a 6-letter word scores ~0.57


# --- reads ------------------------------------------------------------------------------------


def list_items(user_id: str, query: ListQuery) -> Page:
    """All the caller's items in sortOrder (cached whole), or ranked by `search` (not cached);
    `category` keeps the items whose category equals it, ignoring case."""
    if query.search:
        rows: list[Any] = search.with_fallback(
            lambda: _search_opensearch(user_id, query.search),
            lambda: _search_postgres(user_id, query.search),
            what="wishlist_items",
        )
        if query.category:
            wanted = query.category.casefold()
            rows = [i for i in rows if (i.category or "").casefold() == wanted]
        return Page(rows, len(rows), 1)
    data, total = cache.cached_page(
        user_id, keys.wishlist_all(user_id), cache.TTL_LIST_S, lambda: _load_all(user_id)
    )
    if not query.category:
        return Page(data, total, 1)
    wanted = query.category.casefold()
    kept = [i for i in json.loads(data.text) if str(i.get("category", "")).casefold() == wanted]
    return Page(kept, len(kept), 1)


def _load_all(user_id: str) -> tuple[list[Item], int]:
    with db.connection() as conn:
        items = repository.select_items(conn, user_id)
    return items, len(items)


def _search_opensearch(user_id: str, text: str) -> list[Item]:
    body = search.build_search_body(
        user_id, text, page=1, limit=MAX_ITEMS, fields=search_index.FIELDS
    )
    ids, _ = search_index.INDEX.search_ids(body)
    if not ids:
        return []
    with db.connection() as conn:
        return repository.select_items_by_ids(conn, user_id, ids)


def _search_postgres(user_id: str, text: str) -> list[Item]:
    with db.transaction() as conn:  # the similarity threshold is set for this transaction
        return repository.select_items_matching(conn, user_id, text, FUZZY_THRESHOLD)


def get_item(user_id: str, item_id: UUID) -> RawJson:
    """One item; another user's id is a plain 404."""
    return cache.cached_owned(
        user_id,
        keys.wishlist_item(item_id),
        cache.TTL_DETAIL_S,
        lambda: _load(user_id, item_id),
        tag=keys.wishlist_items_tag(user_id),
    )


def _load(user_id: str, item_id: UUID) -> Item:
    with db.connection() as conn:
        item = repository.select_item(conn, user_id, item_id)
    if item is None:
        raise _not_found()
    return item


# --- writes -----------------------------------------------------------------------------------


def create_item(user_id: str, data: ItemCreate) -> Item:
    """Insert an item at the end of the list; the 1,001st is a 409."""
    with _constraint_errors(), db.transaction() as conn:
        order = repository.lock_list(conn, user_id)
        if len(order) >= MAX_ITEMS:
            raise ConflictError(
                f"a wishlist holds at most {MAX_ITEMS} items",
                details={"maxItems": MAX_ITEMS},
            )
        item = repository.insert_item(conn, user_id, data.model_dump(), len(order))
        repository.set_count(conn, user_id, len(order) + 1)
        stale = cache.stage_invalidation(conn, user_id)
    _invalidate(stale, item.id, counts_changed=True)
    _index(item)
    log.info("wishlist_item_created", item_id=str(item.id))
    return item


def update_item(user_id: str, item_id: UUID, patch: ItemPatch) -> Item:
    changes = patch.changes()
    with _constraint_errors(), db.transaction() as conn:
        item = repository.update_item(conn, user_id, item_id, changes)
        if item is None:
            raise _not_found()
        stale = cache.stage_invalidation(conn, user_id)
    _invalidate(stale, item_id)
    _index(item)
    log.info("wishlist_item_updated", item_id=str(item_id), fields=sorted(changes))
    return item


def delete_item(user_id: str, item_id: UUID) -> ItemDeleted:
    """Delete the row and close the gap, then the document and the image object."""
    with db.transaction() as conn:
        order = repository.lock_list(conn, user_id)
        had_image = repository.delete_item(conn, user_id, item_id) if item_id in order else None
        if had_image is None:
            raise _not_found()
        repository.set_count(conn, user_id, len(order) - 1)
        stale = cache.stage_invalidation(conn, user_id)
    _invalidate(stale, every_item=True, counts_changed=True)  # the later items moved up
    search_index.INDEX.delete(str(item_id))
    if had_image:
        objects.remove(user_id, item_id)
    log.info("wishlist_item_deleted", item_id=str(item_id), had_image=had_image)
    return ItemDeleted(id=item_id)


def reorder_items(user_id: str, request: Reorder) -> Page:
    """Move the listed items to their positions; the others keep their relative order and fill
    the positions left. All or nothing: 404 for an id that is not the caller's, 400 for a
    position >= n, checked against the list as it is inside the transaction. Pipelined: two
    round trips (BEGIN and the locks; the UPDATE, the outbox row and COMMIT)."""
    with db.pipelined_transaction() as conn:
        rows = repository.lock_rows(conn, user_id)
        order = [row["id"] for row in rows]
        owned = set(order)
        if any(move.id not in owned for move in request.items):
            raise NotFoundError("wishlist item not found")  # missing or another user's: one answer
        n = len(order)
        beyond = [move.sort_order for move in request.items if move.sort_order >= n]
        if beyond:
            problem = f"sortOrder must be below the number of items ({n})"
            details = field_details({"items": [problem]}) | {"itemCount": n, "sortOrders": beyond}
            raise ValidationError(problem, details=details)
        new_order = _merge(order, {move.sort_order: move.id for move in request.items})
        items = repository.set_positions(conn, user_id, rows, new_order)
        stale = cache.stage_invalidation(conn, user_id)
    _invalidate(stale, every_item=True)
    log.info("wishlist_reordered", moved=len(request.items), item_count=n)
    return Page(items, len(items), 1)


def _merge(order: list[UUID], placed: dict[int, UUID]) -> list[UUID]:
    """The new order: placed ids at their positions, the rest in their old order around them."""
    moved = set(placed.values())
    rest = iter([item_id for item_id in order if item_id not in moved])
    return [placed[pos] if pos in placed else next(rest) for pos in range(len(order))]


# --- image ------------------------------------------------------------------------------------


def set_image(user_id: str, item_id: UUID, content: bytes) -> Item:
    """Process the image (800x800 WebP), put it in place of the old one, then point the row at
    it with a new version in the URL. S3 down: 503 and the item unchanged."""
    with db.connection() as conn:
        before = repository.select_item(conn, user_id, item_id)
    if before is None:
        raise _not_found()
    encoded = images.process_wishlist(content)  # 400 for anything but a sound image
    key = objects.put(user_id, item_id, encoded)
    url = f"{storage.public_url(key)}?v={uuid.uuid4().hex[:12]}"
    try:
        with db.transaction() as conn:
            item = repository.update_item(conn, user_id, item_id, {"image_url": url})
            stale = cache.stage_invalidation(conn, user_id)
    except db.CommitUnknownError:
        raise  # the row may name it: the object stays (the gallery sweep decides later)
    except BaseException:
        # database gone after the put (issue 18): no row names a first image, so it goes;
        # a replaced image stays, the row still points at its key
        if before.image_url is None:
            objects.remove(user_id, item_id)
        raise
    _invalidate(stale, item_id)
    if item is None:  # deleted meanwhile: its object must go too
        objects.remove(user_id, item_id)
        raise _not_found()
    log.info("wishlist_image_set", item_id=str(item_id), width=encoded.width, height=encoded.height)
    return item


def delete_image(user_id: str, item_id: UUID) -> Item:
    """Clear imageUrl, then remove the object (idempotent: an item without image is a 200)."""
    with db.transaction() as conn:
        before = repository.select_item(conn, user_id, item_id)
        if before is None:
            raise _not_found()
        item = repository.update_item(conn, user_id, item_id, {"image_url": None})
        stale = cache.stage_invalidation(conn, user_id)
    assert item is not None
    _invalidate(stale, item_id)
    if before.image_url is not None:
        objects.remove(user_id, item_id)
    log.info("wishlist_image_deleted", item_id=str(item_id))
    return item


# --- helpers ----------------------------------------------------------------------------------


def _not_found() -> NotFoundError:
    return NotFoundError("wishlist item not found")


def _invalidate(
    stale: cache.Invalidation,
    *item_ids: UUID,
    every_item: bool = False,
    counts_changed: bool = False,
) -> None:
    """The list, the items named (every cached item of the user with every_item: their
    positions moved) and, when counts_changed, the profile (its counts include the wishlist,
    docs/contracts.md): one round trip."""
    user_id = stale.user_id
    profile = [keys.profile(user_id)] if counts_changed else []
    cache.invalidate(
        stale,
        keys.wishlist_all(user_id),
        *map(keys.wishlist_item, item_ids),
        *profile,
        tags=[keys.wishlist_items_tag(user_id)] if every_item else (),
    )


def _index(item: Item) -> None:
    search_index.INDEX.put(str(item.id), search_index.document(item))


def _constraint_errors() -> AbstractContextManager[None]:
    return sql.constraint_errors({}, check_prefix="wishlist_items")
