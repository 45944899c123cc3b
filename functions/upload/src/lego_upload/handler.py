"""Routes of the upload function: routeKey -> parse, call one service function, return."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lego_common import forms, http
from lego_common.errors import PayloadTooLargeError
from lego_common.http import Created
from lego_upload import service
from lego_upload.models import (
    MAX_FILES,
    MULTIPART_MAX_BYTES,
    CompleteRequest,
    FileDeclaration,
    FilesRequest,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from lego_common.http import Request
    from lego_upload.models import Completion, FileDeleted, MocFile


def request_files(req: Request) -> Created:
    """JSON {files: [{filename, contentType, size}]} -> presigned POSTs; or a multipart form
    of up to 4 MB with `file` parts, checked and stored at once."""
    user_id, moc_id = req.user_id, req.path_uuid("id")
    if forms.is_form(req.header("content-type")):
        return Created(service.upload_form(user_id, moc_id, _form_files(req, MAX_FILES)))
    return Created(service.request_files(user_id, moc_id, req.body_as(FilesRequest).files))


def request_parts_list(req: Request) -> Created:
    """The same for one CSV: JSON {filename, contentType, size}, or a form with one `file`."""
    user_id, moc_id = req.user_id, req.path_uuid("id")
    if forms.is_form(req.header("content-type")):
        files = _form_files(req, 1)
        return Created(service.upload_form(user_id, moc_id, files, only_csv=True))
    declared = req.body_as(FileDeclaration)
    return Created(service.request_files(user_id, moc_id, [declared], only_csv=True))


def complete_files(req: Request) -> Completion:
    user_id, moc_id = req.user_id, req.path_uuid("id")
    return service.complete_files(user_id, moc_id, req.body_as(CompleteRequest).file_ids)


def get_file(req: Request) -> MocFile:
    return service.get_file(req.user_id, req.path_uuid("id"), req.path_uuid("fileId"))


def delete_file(req: Request) -> FileDeleted:
    return service.delete_file(req.user_id, req.path_uuid("id"), req.path_uuid("fileId"))


def _too_large() -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"files sent in the request body may total at most {MULTIPART_MAX_BYTES} bytes; for"
        " larger files (up to 10 MB each) send JSON {files: [{filename, contentType, size}]}"
        " for presigned uploads",
        details={"maxBytes": MULTIPART_MAX_BYTES},
    )


def _form_files(req: Request, max_files: int) -> list[service.FormFile]:
    parts = forms.parse_files(
        req.raw_body,
        req.header("content-type") or "",
        file_field="file",
        max_files=max_files,
        max_body_bytes=MULTIPART_MAX_BYTES + forms.FRAMING_BYTES,
        too_large=_too_large,
    )
    return [service.FormFile(p.filename, p.content_type, p.content) for p in parts]


def _scheduled(event: Mapping[str, Any]) -> dict[str, Any]:
    """An EventBridge schedule (no routeKey): sweep the uploads whose ticket expired and queue
    again the parts lists whose parse was never queued."""
    from lego_common import log as logging
    from lego_upload import sweep

    logging.configure()
    result = sweep.sweep(apply=True)
    return {
        "expired": len(result.expired),
        "requeued": len(result.requeued),
        "failed": len(result.failed),
    }


ROUTES = {
    "POST /api/mocs/{id}/files": request_files,
    "POST /api/mocs/{id}/files/complete": complete_files,
    "GET /api/mocs/{id}/files/{fileId}": get_file,
    "DELETE /api/mocs/{id}/files/{fileId}": delete_file,
    "POST /api/mocs/{id}/upload-parts-list": request_parts_list,
}
_http_handler = http.dispatcher(ROUTES)


def lambda_handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    if event.get("source") == "aws.events":
        return _scheduled(event)
    return _http_handler(event, context)
