"""`lego-upload-sweep [--apply] [--orphans] [--min-age-minutes N]`: remove pending MOC files
whose upload ticket expired (object first, then row), queue again the ready parts lists that
were never parsed (their async invoke of csv_parser failed), and with --orphans remove the
objects under mocs/ that no row points at.

A ticket's row is inserted before the client can send its object, so a pending row whose
ticket expired is the whole record of an abandoned upload: once its object is gone too, nothing
is left in S3 without a row. The scheduled run (an EventBridge event to the upload function,
see handler.py) does the first two parts, which need only s3:DeleteObject and lambda:InvokeFunction
(the upload function has both); --orphans lists the
bucket (s3:ListBucket) and is an operator's command. Dry run by default. Reads the DB_* and S3_*
env vars; the one reader of every user's rows.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from lego_common import aws, db, log, storage
from lego_common.errors import AppError
from lego_upload import repository, service

_log = structlog.get_logger()
GRACE = timedelta(minutes=5)  # a completion may still be checking a ticket that just expired
_BATCH = 500


@dataclass
class SweepResult:
    expired: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    deleted_rows: int = 0
    requeued: list[str] = field(default_factory=list)


def sweep_expired(*, apply: bool, now: datetime | None = None) -> SweepResult:
    """Pending rows whose ticket expired more than GRACE ago: object, then row."""
    before = (now or datetime.now(UTC)) - GRACE
    result = SweepResult()
    while True:
        with db.connection() as conn:
            rows = repository.expired_pending(conn, before, _BATCH)
        rows = [r for r in rows if r[1] not in result.expired]
        if not rows:
            break
        object_keys = [key for _, key, _, _ in rows]
        result.expired.extend(object_keys)
        if not apply:
            break
        failed = set(storage.delete_objects(object_keys))
        result.failed.extend(sorted(failed))
        with db.transaction() as conn:
            for file_id, key, _, _ in rows:
                if key not in failed:  # keep the row of an object still there: next run
                    repository.delete_file(conn, file_id)
                    result.deleted_rows += 1
        if len(rows) < _BATCH or failed:
            break
    return result


def requeue_unparsed(*, apply: bool, now: datetime | None = None) -> list[str]:
    """Ready parts lists without a parse result, made more than GRACE ago (a completion may
    still be handing its file over): csv_parser is invoked for each again. Their file ids."""
    before = (now or datetime.now(UTC)) - GRACE
    with db.connection() as conn:
        rows = repository.unparsed_ready(conn, before, _BATCH)
    if apply:
        for row in rows:
            service.queue_parses(row["user_id"], row["moc_id"], [row])
    return [str(row["id"]) for row in rows]


def find_orphans(min_age: timedelta, now: datetime | None = None) -> list[str]:
    """Objects under mocs/ older than min_age that no moc_files row names."""
    now = now or datetime.now(UTC)
    paginator = aws.client("s3").get_paginator("list_objects_v2")
    orphans: list[str] = []
    for page in paginator.paginate(Bucket=storage.bucket(), Prefix="mocs/"):
        old = [o["Key"] for o in page.get("Contents", []) if now - o["LastModified"] >= min_age]
        if old:
            with db.connection() as conn:
                known = repository.known_keys(conn, old)
            orphans.extend(k for k in old if k not in known)
    return orphans


def sweep(
    *, apply: bool = False, orphans: bool = False, min_age: timedelta = timedelta(hours=1)
) -> SweepResult:
    result = sweep_expired(apply=apply)
    result.requeued = requeue_unparsed(apply=apply)
    if orphans:
        result.orphans = find_orphans(min_age)
        if apply and result.orphans:
            result.failed.extend(storage.delete_objects(result.orphans))
    _log.info(
        "upload_swept",
        expired=len(result.expired),
        orphans=len(result.orphans),
        requeued=len(result.requeued),
        deleted_rows=result.deleted_rows,
        failed=len(result.failed),
        dry_run=not apply,
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="lego-upload-sweep", description="Remove expired MOC file uploads and orphans."
    )
    parser.add_argument("--apply", action="store_true", help="delete (default: dry run)")
    parser.add_argument("--orphans", action="store_true", help="also objects without a row")
    parser.add_argument(
        "--min-age-minutes",
        type=int,
        default=60,
        help="orphans younger than this are left alone: a row may still be coming (60)",
    )
    args = parser.parse_args(argv)
    log.configure()
    try:
        result = sweep(
            apply=args.apply,
            orphans=args.orphans,
            min_age=timedelta(minutes=args.min_age_minutes),
        )
    except AppError as exc:
        _log.error("upload_sweep_failed", error=exc.message)
        return 1
    report: dict[str, Any] = {
        "dryRun": not args.apply,
        "expired": result.expired,
        "orphans": result.orphans,
        "deletedRows": result.deleted_rows,
        "requeued": result.requeued,
        "failed": result.failed,
    }
    print(json.dumps(report, indent=2))
    return 1 if result.failed else 0


if __name__ == "__main__":
    sys.exit(main())
