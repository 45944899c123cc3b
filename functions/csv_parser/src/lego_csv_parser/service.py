"""csv_parser's one use case: parse a completed parts-list CSV into moc_parts_lists.

Invoked asynchronously by upload with {bucket, key, versionId, mocId, userId, fileId}. Lambda
retries a failed async event twice, so the parse is idempotent: one transaction locks the MOC,
claims (file, version) in moc_file_parses (a duplicate or concurrent twin finds the claim and
exits cleanly), streams the object through the CSV checks into COPY, updates totalPieceCount
and commits; then the MOC's cache entries are invalidated. Any failure (S3 half-way, the time
running out, the database) rolls the whole transaction back and raises, so the retry starts
clean. A file that is not a parts list is a result, not a failure: it is recorded `failed`
with its reason and nothing else is stored.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

from lego_common import aws, cache, db, keys, storage
from lego_csv_parser import parts, repository

if TYPE_CHECKING:
    from collections.abc import Callable

log = structlog.get_logger()

# Stop this long before Lambda would: the rollback and the answer need time too.
TIME_MARGIN_MS = 10_000


class OutOfTime(Exception):
    """The remaining invocation time fell below the margin: roll back, let the retry run."""


@dataclass(frozen=True)
class ParseEvent:
    bucket: str
    key: str
    version_id: str | None
    moc_id: uuid.UUID
    user_id: str
    file_id: uuid.UUID

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> ParseEvent:
        return cls(
            bucket=str(event["bucket"]),
            key=str(event["key"]),
            version_id=str(event["versionId"]) if event.get("versionId") else None,
            moc_id=uuid.UUID(str(event["mocId"])),
            user_id=str(event["userId"]),
            file_id=uuid.UUID(str(event["fileId"])),
        )

    @property
    def version(self) -> str:
        """The idempotency key's version: S3's VersionId, or "null" in an unversioned bucket
        (its key is never reused: each upload gets a new uuid)."""
        return self.version_id or "null"


def parse_parts_list(event: ParseEvent, remaining_ms: Callable[[], int] | None = None) -> str:
    """Parse one object version; returns the outcome (ready/partial/failed/duplicate/gone)."""
    started = time.perf_counter()

    def check_time() -> None:
        if remaining_ms is not None and remaining_ms() < TIME_MARGIN_MS:
            raise OutOfTime("remaining time below the margin")

    if event.bucket != storage.bucket():
        log.error("csv_parse_refused", reason="foreign bucket", bucket=event.bucket)
        return "refused"
    ids = {"moc_id": str(event.moc_id), "file_id": str(event.file_id)}
    try:
        outcome, total, stale = _parse(event, remaining_ms, check_time, ids)
    except parts.NotPartsList as exc:
        # Rolled back whole (no savepoint: a row lock taken in a subtransaction turns every
        # foreign-key check of the COPY into a MultiXact, ~15x slower); recorded on its own.
        outcome, total, stale = _record_failure(event, exc, ids), -1, None
    if stale is not None:  # totalPieceCount and the parse status changed
        tags = [keys.moc_list_tag(event.user_id)]
        cache.invalidate(stale, keys.moc_detail(event.moc_id), tags=tags)
    log.info(
        "csv_parsed",
        outcome=outcome,
        total_piece_count=total,
        ms=round((time.perf_counter() - started) * 1000),
        **ids,
    )
    return outcome


def _claim(conn: Any, event: ParseEvent, ids: dict[str, str]) -> str | tuple[str | None]:
    """Lock the MOC and claim the version: the outcome when there is nothing to do, else
    (the ETag completion checked,)."""
    if not repository.lock_moc(conn, event.user_id, event.moc_id):
        log.warning("csv_parse_skipped", reason="moc gone", **ids)
        return "gone"
    ready = repository.file_ready(conn, event.moc_id, event.file_id)
    if ready is None:
        log.warning("csv_parse_skipped", reason="file gone or not ready", **ids)
        return "gone"
    if not repository.claim(conn, event.file_id, event.version):
        log.info("csv_parse_skipped", reason="version already parsed", **ids)
        return "duplicate"
    return ready


def _parse(
    event: ParseEvent,
    remaining_ms: Callable[[], int] | None,
    check_time: Callable[[], None],
    ids: dict[str, str],
) -> tuple[str, int, cache.Invalidation | None]:
    with db.transaction() as conn:
        if remaining_ms is not None:
            repository.set_statement_timeout(conn, max(1000, remaining_ms() - TIME_MARGIN_MS))
        else:  # no Lambda context (a test, the benchmark): the default's 10 s cut short a COPY
            repository.set_statement_timeout(conn, 0)
        claimed = _claim(conn, event, ids)
        if isinstance(claimed, str):
            return claimed, -1, None
        body = _open(event, claimed[0])
        try:
            with repository.copy_parts(conn) as sink:
                prefix = (str(event.moc_id), str(event.file_id))
                report = parts.parse(body.read, sink, prefix, check_time)
        finally:
            body.close()
        total = repository.update_total(conn, event.user_id, event.moc_id)
        repository.finish(
            conn,
            event.file_id,
            event.version,
            status=report.status,
            stored=report.rows_stored,
            rejected=report.rows_rejected,
            total=report.total_quantity,
            report={"errors": report.errors, "delimiter": report.delimiter},
        )
        stale = cache.stage_invalidation(conn, event.user_id)
    return report.status, total, stale


def _record_failure(event: ParseEvent, exc: parts.NotPartsList, ids: dict[str, str]) -> str:
    """A file that is no parts list: its parse recorded `failed` with the reason, no parts."""
    rejected = exc.report or parts.Report()
    with db.transaction() as conn:
        claimed = _claim(conn, event, ids)
        if isinstance(claimed, str):
            return claimed
        repository.finish(
            conn,
            event.file_id,
            event.version,
            status="failed",
            stored=0,
            rejected=rejected.rows_rejected,
            total=0,
            report={"message": exc.message, "errors": rejected.errors},
        )
    return "failed"


def _open(event: ParseEvent, etag: str | None = None) -> Any:
    """The object's streaming body (never read whole). With the ETag completion checked, an
    object sent again under the same ticket since (an unversioned bucket) is not parsed."""
    params: dict[str, Any] = {"Bucket": event.bucket, "Key": event.key}
    if event.version_id:
        params["VersionId"] = event.version_id
    if etag:
        params["IfMatch"] = etag
    try:
        return aws.client("s3").get_object(**params)["Body"]
    except Exception as exc:
        error = (getattr(exc, "response", None) or {}).get("Error") or {}
        if error.get("Code") in ("PreconditionFailed", "412"):
            raise parts.NotPartsList("the object changed after its upload was completed") from None
        raise
