"""Upload use cases (issue 17): presigned POST tickets for MOC files, their completion (size and
content checks, `pending -> ready`, the hand-off of CSVs to csv_parser), the small multipart
path, file metadata with a download URL, and delete.

Order of writes: a ticket's row is inserted before the client can send the object (the sweep
removes rows and objects whose ticket expired); a rejected file loses its object first, then
its row, so no object is left without a row. The `pending -> ready` step is where a virus
scanner would sit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog

from lego_common import cache, db, invoke, keys, storage
from lego_common.config import get_settings
from lego_common.errors import NotFoundError, PayloadTooLargeError, ValidationError
from lego_upload import objects, repository
from lego_upload.models import (
    KINDS,
    MAX_FILE_BYTES,
    Completion,
    FileDeleted,
    FileOutcome,
    FileTicket,
    FileTickets,
    MocFile,
    ParseInfo,
    PresignedPost,
    kind_of_name,
    kind_of_type,
    sanitise_filename,
)
from lego_upload.sniff import Refused, sniff

if TYPE_CHECKING:
    from uuid import UUID

    from lego_upload.models import FileDeclaration

log = structlog.get_logger()


@dataclass(frozen=True)
class FormFile:
    """A file sent in a multipart body."""

    filename: str
    content_type: str
    content: bytes


class _Rejected(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


# --- tickets ----------------------------------------------------------------------------------


def request_files(
    user_id: str, moc_id: UUID, files: list[FileDeclaration], *, only_csv: bool = False
) -> FileTickets:
    """One presigned POST per declared file, and its `pending` row."""
    for index, declared in enumerate(files):
        if declared.size > MAX_FILE_BYTES:
            raise PayloadTooLargeError(
                f"a file may be at most {MAX_FILE_BYTES} bytes",
                details={"field": f"files.{index}.size", "maxBytes": MAX_FILE_BYTES},
            )
        if kind_of_type(declared.content_type) != declared.kind:
            raise ValidationError.for_field(
                f"files.{index}.contentType", "does not match the file name's extension"
            )
        if only_csv and declared.kind != "csv":
            raise ValidationError.for_field(f"files.{index}.filename", "must be a .csv file")
    expires_at = datetime.now(UTC) + timedelta(seconds=objects.TICKET_EXPIRES_S)
    planned = []
    for declared in files:
        file_id = uuid.uuid4()
        key = keys.moc_file_object(user_id, moc_id, file_id, KINDS[declared.kind][0])
        planned.append((file_id, key, declared, objects.presigned_post(key, declared.content_type)))
    with db.transaction() as conn:
        if not repository.moc_exists(conn, user_id, moc_id):
            raise _moc_not_found()
        for file_id, key, declared, _ in planned:
            repository.insert_file(
                conn,
                _row(moc_id, file_id, key, declared.filename, declared.content_type, declared.size)
                | {"status": "pending", "expires_at": expires_at},
            )
    log.info("upload_tickets_issued", moc_id=str(moc_id), files=len(planned))
    return FileTickets(
        moc_id=moc_id,
        files=[
            FileTicket(
                id=file_id,
                filename=sanitise_filename(declared.filename),
                content_type=declared.content_type,
                size=declared.size,
                status="pending",
                upload=PresignedPost(url=post["url"], fields=post["fields"]),
                expires_at=expires_at,
            )
            for file_id, _, declared, post in planned
        ],
        complete=f"/api/mocs/{moc_id}/files/complete",
    )


def _row(
    moc_id: UUID, file_id: UUID, key: str, filename: str, content_type: str, size: int
) -> dict[str, Any]:
    kind = kind_of_name(filename)
    assert kind is not None
    return {
        "id": file_id,
        "moc": moc_id,
        "file_type": KINDS[kind][2],
        "file_url": _file_path(moc_id, file_id),
        "s3_key": key,
        "filename": sanitise_filename(filename),
        "mime": content_type,
        "size": size,
        "version_id": None,
        "etag": None,
    }


def _file_path(moc_id: UUID, file_id: UUID) -> str:
    """The API path of the file: GET it for metadata and a download URL."""
    return f"/api/mocs/{moc_id}/files/{file_id}"


# --- completion -------------------------------------------------------------------------------


def complete_files(user_id: str, moc_id: UUID, file_ids: list[UUID]) -> Completion:
    """Check each sent object; partial success is normal: every file gets its outcome."""
    with db.connection() as conn:
        exists = repository.moc_exists(conn, user_id, moc_id)
        rows = repository.select_files(conn, user_id, moc_id, file_ids) if exists else {}
    if not exists:
        # The MOC was deleted (its rows went with it) or never was the caller's: objects sent
        # for these files since must not stay without a row. Their keys follow from the ids
        # (one of three extensions), so no ListBucket permission is needed.
        objects.remove(
            [
                keys.moc_file_object(user_id, moc_id, file_id, ext)
                for file_id in file_ids
                for ext, _, _ in KINDS.values()
            ]
        )
        raise _moc_not_found()
    now = datetime.now(UTC)
    stale = cache.Invalidation(user_id)  # each file's transaction adds its outbox row
    outcomes: list[FileOutcome] = []
    to_parse: list[dict[str, Any]] = []
    for file_id in file_ids:
        row = rows.get(file_id)
        if row is None:
            outcomes.append(_outcome(file_id, "rejected", "NOT_FOUND", "file not found"))
            continue
        if row["status"] == "ready":
            outcomes.append(FileOutcome(id=file_id, status="ready", file=_file(row)))
            to_parse.append(row)
            continue
        try:
            head = _check(row, now)
        except _Rejected as exc:
            _reject(row, exc)
            outcomes.append(_outcome(file_id, "rejected", exc.code, exc.reason))
            continue
        if head is None:
            outcomes.append(
                _outcome(file_id, "pending", "NOT_FOUND", "the file has not been uploaded yet")
            )
            continue
        with db.transaction() as conn:
            marked = repository.mark_ready(conn, file_id, head.version_id, head.etag)
            if marked:
                stale = stale.merged(cache.stage_invalidation(conn, user_id))
        if not marked:  # deleted (the MOC or the file) while we checked
            objects.remove([row["s3_key"]])
            outcomes.append(_outcome(file_id, "rejected", "NOT_FOUND", "file not found"))
            continue
        row = {**row, "status": "ready", "version_id": head.version_id, "expires_at": None}
        outcomes.append(FileOutcome(id=file_id, status="ready", file=_file(row)))
        to_parse.append(row)
    if any(o.status != "pending" for o in outcomes):
        cache.invalidate(stale, keys.moc_detail(moc_id))
    queue_parses(user_id, moc_id, [r for r in to_parse if r["file_type"] == "parts-list"])
    return _completion(moc_id, outcomes)


def _completion(moc_id: UUID, outcomes: list[FileOutcome]) -> Completion:
    count = {s: sum(1 for o in outcomes if o.status == s) for s in ("ready", "rejected", "pending")}
    log.info("upload_completed", moc_id=str(moc_id), **count)
    return Completion(moc_id=moc_id, files=outcomes, **count)


def _outcome(file_id: UUID, status: str, code: str, reason: str) -> FileOutcome:
    return FileOutcome(id=file_id, status=status, code=code, reason=reason)


def _check(row: dict[str, Any], now: datetime) -> objects.Head | None:
    """The object's head when it passes every check; None when it was not sent yet."""
    if row["expires_at"] is not None and row["expires_at"] < now:
        raise _Rejected("VALIDATION_ERROR", "the upload ticket expired: request a new one")
    head = objects.head(row["s3_key"])
    if head is None:
        return None
    if head.size > MAX_FILE_BYTES:
        raise _Rejected("PAYLOAD_TOO_LARGE", f"the file is larger than {MAX_FILE_BYTES} bytes")
    if head.size != row["size_bytes"]:
        raise _Rejected(
            "VALIDATION_ERROR",
            f"the file has {head.size} bytes, {row['size_bytes']} were declared",
        )
    first = objects.read_head(row["s3_key"], head.version_id)
    _check_content(first, head.size, row["original_filename"], row["mime_type"])
    return head


def _check_content(first: bytes, size: int, filename: str, content_type: str) -> str:
    """The sniffed kind, which must agree with the extension and the declared type."""
    try:
        sniffed = sniff(first, complete=len(first) >= size)
    except Refused as exc:
        raise _Rejected("VALIDATION_ERROR", str(exc)) from None
    named, declared = kind_of_name(filename), kind_of_type(content_type)
    if not sniffed == named == declared:
        raise _Rejected(
            "VALIDATION_ERROR",
            f"the content is {sniffed.upper()}, the file name says {named or 'unknown'}"
            f" and the declared type {declared or 'unknown'}",
        )
    return sniffed


def _reject(row: dict[str, Any], exc: _Rejected) -> None:
    """Object first, then the row: if the delete fails, the pending row lets the sweep retry."""
    objects.remove([row["s3_key"]])
    with db.transaction() as conn:
        repository.delete_file(conn, row["id"])
    log.info("upload_rejected", file_id=str(row["id"]), code=exc.code, reason=exc.reason)


def queue_parses(user_id: str, moc_id: UUID, rows: list[dict[str, Any]]) -> None:
    """Hand each ready CSV without a parse result to csv_parser. A failed invoke is logged: a
    second completion of the file queues it again, and so does the sweep once it is older than
    its grace (sweep.requeue_unparsed; csv_parser is idempotent per version)."""
    if not rows:
        return
    with db.connection() as conn:
        unparsed = [r for r in rows if not repository.parsed(conn, r["id"])]
    for row in unparsed:
        payload = {
            "bucket": storage.bucket(),
            "key": row["s3_key"],
            "versionId": row["version_id"],
            "mocId": str(moc_id),
            "userId": user_id,
            "fileId": str(row["id"]),
        }
        try:
            target = get_settings().require("csv_parser_function_name", "CSV_PARSER_FUNCTION_NAME")
            invoke.invoke_async(target, payload)
        except Exception as exc:
            log.error("csv_parse_not_queued", file_id=str(row["id"]), error=str(exc)[:300])


# --- multipart --------------------------------------------------------------------------------


def upload_form(
    user_id: str, moc_id: UUID, files: list[FormFile], *, only_csv: bool = False
) -> Completion:
    """The multipart path (at most 4 MB in all): the same checks, then put and a ready row."""
    if only_csv and any(kind_of_name(f.filename) != "csv" for f in files):
        raise ValidationError.for_field("file", "must be a .csv file")
    with db.connection() as conn:
        if not repository.moc_exists(conn, user_id, moc_id):
            raise _moc_not_found()
    stale = cache.Invalidation(user_id)  # each file's transaction adds its outbox row
    outcomes: list[FileOutcome] = []
    to_parse: list[dict[str, Any]] = []
    for sent in files:
        file_id = uuid.uuid4()
        filename = sanitise_filename(sent.filename)
        named = kind_of_name(filename)
        declared = sent.content_type.split(";", 1)[0].strip().lower()
        if declared in ("", "application/octet-stream") and named is not None:
            declared = KINDS[named][1][0]  # a client that names no type: the extension's
        try:
            if named is None:
                raise _Rejected("VALIDATION_ERROR", "the file name must end in .pdf, .xml or .csv")
            _check_content(sent.content, len(sent.content), filename, declared)
        except _Rejected as exc:
            outcomes.append(_outcome(file_id, "rejected", exc.code, exc.reason))
            continue
        key = keys.moc_file_object(user_id, moc_id, file_id, KINDS[named][0])
        head = objects.put(key, sent.content, declared)
        row = _row(moc_id, file_id, key, filename, declared, len(sent.content))
        try:
            with db.transaction() as conn:
                if not repository.moc_exists(conn, user_id, moc_id, lock=True):
                    raise _moc_not_found()
                repository.insert_file(
                    conn,
                    row
                    | {
                        "status": "ready",
                        "expires_at": None,
                        "version_id": head.version_id,
                        "etag": head.etag,
                    },
                )
                stale = stale.merged(cache.stage_invalidation(conn, user_id))
        except db.CommitUnknownError:
            raise  # the row may exist: the object stays (`lego-upload-sweep --orphans`)
        except BaseException:
            objects.remove([key])
            raise
        stored = _stored_row(user_id, moc_id, file_id)
        outcomes.append(FileOutcome(id=file_id, status="ready", file=_file(stored)))
        to_parse.append(stored)
    cache.invalidate(stale, keys.moc_detail(moc_id))
    queue_parses(user_id, moc_id, [r for r in to_parse if r["file_type"] == "parts-list"])
    return _completion(moc_id, outcomes)


def _stored_row(user_id: str, moc_id: UUID, file_id: UUID) -> dict[str, Any]:
    with db.connection() as conn:
        row = repository.select_file(conn, user_id, moc_id, file_id)
    assert row is not None
    return row


# --- reads and delete -------------------------------------------------------------------------


def get_file(user_id: str, moc_id: UUID, file_id: UUID) -> MocFile:
    with db.connection() as conn:
        row = repository.select_file(conn, user_id, moc_id, file_id)
    if row is None:
        raise _file_not_found()
    return _file(row, download=row["status"] == "ready")


def delete_file(user_id: str, moc_id: UUID, file_id: UUID) -> FileDeleted:
    """Row (and, for a parts list, its parts) first with the MOC's new totalPieceCount, then
    the object (a failed delete is logged and counted; the sweep finds it)."""
    with db.transaction() as conn:
        if not repository.moc_exists(conn, user_id, moc_id, lock=True):
            raise _file_not_found()
        row = repository.select_file(conn, user_id, moc_id, file_id)
        if row is None:
            raise _file_not_found()
        repository.delete_file(conn, file_id)
        total = repository.update_total(conn, user_id, moc_id)
        stale = cache.stage_invalidation(conn, user_id)
    cache.invalidate(stale, keys.moc_detail(moc_id), tags=[keys.moc_list_tag(user_id)])
    objects.remove([row["s3_key"]])
    log.info("upload_file_deleted", file_id=str(file_id), moc_id=str(moc_id))
    return FileDeleted(id=file_id, total_piece_count=total)


def _file(row: dict[str, Any], *, download: bool = False) -> MocFile:
    parse = None
    if row["file_type"] == "parts-list" and row["status"] == "ready":
        parse = _parse_info(row)
    return MocFile(
        id=row["id"],
        moc_id=row["moc_id"],
        filename=row["original_filename"],
        file_type=row["file_type"],
        content_type=row["mime_type"],
        size=row["size_bytes"],
        status=row["status"],
        file_url=row["file_url"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        download_url=objects.download_url(
            row["s3_key"], row["original_filename"], row["mime_type"], row["version_id"]
        )
        if download
        else None,
        parse=parse,
    )


def _parse_info(row: dict[str, Any]) -> ParseInfo:
    status = row.get("parse_status")
    if status is None:
        return ParseInfo(status="queued")
    report = row.get("report") or {}
    return ParseInfo(
        status=status,
        rows_stored=row["rows_stored"],
        rows_rejected=row["rows_rejected"],
        total_quantity=row["total_quantity"],
        message=report.get("message"),
        errors=report.get("errors") or None,
    )


def _moc_not_found() -> NotFoundError:
    # the same answer for a missing MOC and another user's: existence never leaks
    return NotFoundError("MOC not found")


def _file_not_found() -> NotFoundError:
    return NotFoundError("file not found")
