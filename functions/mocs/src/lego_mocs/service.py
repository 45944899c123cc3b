"""MOC use cases (seed 001 "2. MOC Instructions Lambda"): the rules, the transactions, the cache
and the search index. No events, status codes or envelopes here: a test or a CLI calls these.

Order of every write: commit, then invalidate the cache, then update the search index, so a
read after the write never sees the old row and a rolled-back row is never cached or indexed.

Writes return models. The two reads return wire JSON instead, for speed: `get_moc` a RawJson and
`list_mocs` a Page of RawJson rows, the text the cache holds (lego_common.cache), spliced into the
response without being decoded and encoded again; on a miss the models are encoded once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import structlog

from lego_common import cache, db, keys, metrics, search, sql, storage
from lego_common.errors import AppError, ConflictError, NotFoundError, ValidationError
from lego_common.http import Page
from lego_mocs import repository, search_index
from lego_mocs.models import MocDeleted

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from uuid import UUID

    from lego_common.serialization import RawJson
    from lego_mocs.models import Moc, MocCreate, MocDetail, MocListQuery, MocPatch

log = structlog.get_logger()

# pg_trgm word_similarity: one typo in a 6-letter word scores ~0.57, under the default 0.6.
FUZZY_THRESHOLD = 0.5


# --- reads ----------------------------------------------------------------------------------


def list_mocs(user_id: str, query: MocListQuery) -> Page:
    """The caller's MOCs, newest first, or ranked by `search`; `tag` filters exactly."""
    rows, total = cache.cached_page(
        user_id,
        keys.moc_list(user_id, query.page, query.limit, query.search, query.tag),
        cache.TTL_LIST_S,
        lambda: _load_page(user_id, query),
        tag=keys.moc_list_tag(user_id),
    )
    return Page(rows, total, query.page)


def get_moc(user_id: str, moc_id: UUID) -> RawJson:
    """The MOC with files, images and parts lists; another user's id is a plain 404."""
    return cache.cached_owned(
        user_id, keys.moc_detail(moc_id), cache.TTL_DETAIL_S, lambda: _load_detail(user_id, moc_id)
    )


def _load_detail(user_id: str, moc_id: UUID) -> MocDetail:
    with db.connection() as conn:
        detail = repository.select_moc_detail(conn, user_id, moc_id)
    if detail is None:
        raise _not_found()
    return detail


def _load_page(user_id: str, query: MocListQuery) -> tuple[list[Moc], int]:
    if query.search:
        return search.with_fallback(
            lambda: _search_opensearch(user_id, query),
            lambda: _search_postgres(user_id, query),
            what="mocs",
        )
    with db.connection() as conn:
        return repository.select_mocs_page(
            conn, user_id, limit=query.limit, offset=query.offset, tag=query.tag or None
        )


def _search_opensearch(user_id: str, query: MocListQuery) -> tuple[list[Moc], int]:
    body = search.build_search_body(
        user_id,
        query.search,
        page=query.page,
        limit=query.limit,
        filters={"tags": query.tag} if query.tag else None,
    )
    ids, total = search_index.INDEX.search_ids(body)
    if not ids:
        return [], total
    with db.connection() as conn:
        # rows come from PostgreSQL, the source of truth; the index only ranks
        return repository.select_mocs_by_ids(conn, user_id, ids), total


def _search_postgres(user_id: str, query: MocListQuery) -> tuple[list[Moc], int]:
    # a transaction because the similarity threshold is set for this transaction only
    with db.transaction() as conn:
        match = functools.partial(
            repository.select_mocs_matching,
            conn,
            user_id,
            query.search,
            limit=query.limit,
            offset=query.offset,
            tag=query.tag or None,
            threshold=FUZZY_THRESHOLD,
        )
        rows, total = match()
        if total == 0:  # e.g. "medeival": trigrams miss swapped letters; try those (slower)
            rows, total = match(letter_swaps=True)
        return rows, total


# --- writes ---------------------------------------------------------------------------------


def create_moc(user_id: str, data: MocCreate) -> Moc:
    """Insert a MOC; a title the user already has is a 409 (the unique constraint decides, so
    two concurrent creates give one 201 and one 409)."""
    with _constraint_errors(data.title), db.transaction() as conn:
        moc = repository.insert_moc(conn, user_id, data.model_dump())
        stale = cache.stage_invalidation(conn, user_id)
    cache.invalidate(stale, keys.profile(user_id), tags=[keys.moc_list_tag(user_id)])  # totalMOCs
    _index(moc)
    log.info("moc_created", moc_id=str(moc.id))
    return moc


def update_moc(user_id: str, moc_id: UUID, patch: MocPatch) -> Moc:
    """Change the fields sent; the type rules and the unique title are re-checked by the
    database on the merged row, so changing `type` alone can fail with 400."""
    changes = patch.changes()
    with _constraint_errors(changes.get("title")), db.transaction() as conn:
        moc = repository.update_moc(conn, user_id, moc_id, changes)
        if moc is None:
            raise _not_found()
        stale = cache.stage_invalidation(conn, user_id)
    _invalidate(stale, moc_id)
    _index(moc)
    log.info("moc_updated", moc_id=str(moc_id), fields=sorted(changes))
    return moc


def delete_moc(user_id: str, moc_id: UUID) -> MocDeleted:
    """Delete the rows (files, links, parts lists cascade), then the S3 objects: never a row
    without its file. Objects S3 would not delete are logged, counted (MocObjectsNotDeleted)
    and their prefix kept in moc_pending_deletes for the hourly sweep_pending_deletes."""
    with db.transaction() as conn:
        if not repository.delete_moc(conn, user_id, moc_id):
            raise _not_found()
        stale = cache.stage_invalidation(conn, user_id)
    _invalidate(stale, moc_id, keys.profile(user_id))  # totalMOCs
    search_index.INDEX.delete(str(moc_id))
    prefix = keys.moc_files_prefix(user_id, moc_id)
    failed = storage.delete_prefix(prefix)
    if failed:
        log.error("moc_objects_not_deleted", moc_id=str(moc_id), prefix=prefix, keys=failed)
        metrics.emit("MocObjectsNotDeleted", len(failed))
        _keep_for_retry(user_id, prefix)
    log.info("moc_deleted", moc_id=str(moc_id))
    return MocDeleted(id=moc_id)


@dataclass
class PendingDeletesSwept:
    """What one sweep did: prefixes emptied, and those S3 still refused (tried again later)."""

    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def sweep_pending_deletes(limit: int = 100) -> PendingDeletesSwept:
    """Delete what is left under each due prefix of moc_pending_deletes (the mocs function's
    hourly schedule): an emptied prefix leaves the table, a refused one is tried again later
    (backing off to once a day) and counted in MocObjectsNotDeleted, so the alarm stays up
    while anything is left behind."""
    with db.connection() as conn:
        due = repository.due_pending_deletes(conn, limit)
    result = PendingDeletesSwept()
    not_deleted = 0
    for prefix in due:
        failed = storage.delete_prefix(prefix)
        with db.transaction() as conn:
            if failed:
                repository.postpone_pending_delete(conn, prefix)
            else:
                repository.drop_pending_delete(conn, prefix)
        (result.failed if failed else result.deleted).append(prefix)
        not_deleted += len(failed)
    if not_deleted:
        log.error("moc_objects_still_not_deleted", prefixes=result.failed)
        metrics.emit("MocObjectsNotDeleted", not_deleted)
    log.info("moc_pending_deletes_swept", deleted=len(result.deleted), failed=len(result.failed))
    return result


# --- helpers --------------------------------------------------------------------------------


def _keep_for_retry(user_id: str, prefix: str) -> None:
    """Record the prefix for the sweep. The MOC is already gone, so the request still succeeds
    if this fails too; the error log keeps the prefix for an operator."""
    try:
        with db.transaction() as conn:
            repository.add_pending_delete(conn, user_id, prefix)
    except AppError:
        log.error("moc_pending_delete_not_recorded", prefix=prefix)


def _not_found() -> NotFoundError:
    # the same answer for a missing id and another user's id: existence never leaks
    return NotFoundError("MOC not found")


def _invalidate(stale: cache.Invalidation, moc_id: UUID, *also: str) -> None:
    tags = [keys.moc_list_tag(stale.user_id)]
    cache.invalidate(stale, keys.moc_detail(moc_id), *also, tags=tags)


def _index(moc: Moc) -> None:
    """Best effort: a failure is logged with the id by lego_common.search, for a reindex."""
    search_index.INDEX.put(str(moc.id), search_index.document(moc))


def _constraint_errors(title: str | None) -> AbstractContextManager[None]:
    """Constraint violations as API errors: the unique title -> 409, the type rules and the
    column CHECKs of migration 0001 -> 400 on their field."""
    return sql.constraint_errors(
        {
            "moc_instructions_user_title_key": ConflictError.for_field(
                "title", "already exists", f"a MOC titled {title!r} already exists"
            ),
            "moc_instructions_moc_author_check": ValidationError.for_field(
                "author", "author is required for this type"
            ),
            "moc_instructions_set_brand_check": ValidationError.for_field(
                "brand", "brand is required for this type"
            ),
        },
        check_prefix="moc_instructions",
    )
