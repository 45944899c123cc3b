"""`lego-gallery-sweep [--apply] [--min-age-minutes N]`: find (and with --apply delete) the
gallery's S3 objects that no row points at, and the wishlist's item images (`wishlist/`).

An upload puts its objects before its row, and a delete removes the row before its objects, so
a crash or an S3 failure between the two can leave objects behind (logged as
`gallery_objects_not_deleted`). This command lists `images/` and compares with gallery_images;
staged uploads (`uploads/`) older than a day are orphans too (the bucket's lifecycle rule
expires them in AWS; the local stack has none). Objects younger than --min-age-minutes are
left alone: their upload may still be inserting its row. Dry run by default: it prints what it
would delete. Reads the DB_* and S3_* env vars; the one reader of every user's rows.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

import structlog

from lego_common import aws, db, log, storage
from lego_common.errors import AppError
from lego_gallery import repository

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from psycopg import Connection

_log = structlog.get_logger()
_IMAGE_KEY = re.compile(
    r"^images/(?P<user>[^/]+)/(?:thumbnails/)?(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
    r"[0-9a-f]{4}-[0-9a-f]{12})\.webp$"
)
# Wishlist item images (issue 15): wishlist/{userId}/{itemId}.webp, kept while the item's row
# has an imageUrl; the wishlist function logs `wishlist_object_not_deleted` for this sweep.
_WISHLIST_KEY = re.compile(
    r"^wishlist/(?P<user>[^/]+)/(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
    r"[0-9a-f]{4}-[0-9a-f]{12})\.webp$"
)
UPLOAD_MAX_AGE = timedelta(days=1)
_BATCH = 1000


@dataclass(frozen=True, slots=True)
class SweepResult:
    scanned: int
    orphans: list[str]
    deleted: int
    failed: list[str]


def _objects(prefix: str) -> Iterator[tuple[str, datetime]]:
    paginator = aws.client("s3").get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=storage.bucket(), Prefix=prefix):
        for obj in page.get("Contents", []):
            yield obj["Key"], obj["LastModified"]


def find_orphans(min_age: timedelta, now: datetime | None = None) -> tuple[int, list[str]]:
    """(objects scanned, keys without a row) under images/ and wishlist/, and stale ones under
    uploads/."""
    now = now or datetime.now(UTC)
    orphans: list[str] = []
    scanned = _rowless("images/", _IMAGE_KEY, repository.existing_image_ids, now, min_age, orphans)
    scanned += _rowless(
        "wishlist/", _WISHLIST_KEY, repository.wishlist_items_with_image, now, min_age, orphans
    )
    for key, modified in _objects("uploads/"):
        scanned += 1
        if now - modified >= max(UPLOAD_MAX_AGE, min_age):
            orphans.append(key)
    return scanned, orphans


def _rowless(
    prefix: str,
    key_pattern: re.Pattern[str],
    existing: Callable[[Connection[Any], list[tuple[str, UUID]]], set[UUID]],
    now: datetime,
    min_age: timedelta,
    orphans: list[str],
) -> int:
    """Append the keys under prefix (older than min_age) whose row `existing` does not find, in
    batches of _BATCH ids per query; return how many objects were scanned."""
    scanned = 0
    batch: list[tuple[str, str, UUID]] = []

    def flush() -> None:
        with db.connection() as conn:
            found = existing(conn, [(user, row_id) for _, user, row_id in batch])
        orphans.extend(key for key, _, row_id in batch if row_id not in found)
        batch.clear()

    for key, modified in _objects(prefix):
        scanned += 1
        if now - modified < min_age:
            continue
        match = key_pattern.match(key)
        if match is None:
            orphans.append(key)  # not a key our functions write
            continue
        batch.append((key, match["user"], UUID(match["id"])))
        if len(batch) >= _BATCH:
            flush()
    if batch:
        flush()
    return scanned


def sweep(*, apply: bool = False, min_age: timedelta = timedelta(hours=1)) -> SweepResult:
    scanned, orphans = find_orphans(min_age)
    failed = storage.delete_objects(orphans) if apply and orphans else []
    deleted = len(orphans) - len(failed) if apply else 0
    _log.info(
        "gallery_swept",
        scanned=scanned,
        orphans=len(orphans),
        deleted=deleted,
        failed=len(failed),
        dry_run=not apply,
    )
    return SweepResult(scanned, orphans, deleted, failed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="lego-gallery-sweep", description="Delete gallery objects that have no row."
    )
    parser.add_argument("--apply", action="store_true", help="delete (default: dry run)")
    parser.add_argument(
        "--min-age-minutes",
        type=int,
        default=60,
        help="leave younger objects alone: an upload may still be inserting its row (60)",
    )
    args = parser.parse_args(argv)
    log.configure()
    try:
        result = sweep(apply=args.apply, min_age=timedelta(minutes=args.min_age_minutes))
    except AppError as exc:
        _log.error("gallery_sweep_failed", error=exc.message)
        return 1
    report: dict[str, Any] = {
        "dryRun": not args.apply,
        "scanned": result.scanned,
        "orphans": result.orphans,
        "deleted": result.deleted,
        "failed": result.failed,
    }
    print(json.dumps(report, indent=2))
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
