"""Payloads of the upload routes (issue 17): declared files, tickets, completion outcomes,
file metadata."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StrictInt, field_validator

from lego_common.validation import InputModel, OutputModel, Text

MAX_FILE_BYTES = 10 * 1024 * 1024  # seed: up to ten 10 MB files
MAX_FILES = 10
MULTIPART_MAX_BYTES = 4 * 1024 * 1024  # the whole form: a Lambda body stops at 6 MB (base64)
MAX_FILENAME = 255

# kind -> (extension, accepted declared types, moc_files.file_type)
KINDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "pdf": ("pdf", ("application/pdf",), "instruction"),
    "xml": ("xml", ("application/xml", "text/xml"), "other"),
    "csv": ("csv", ("text/csv", "application/csv", "application/vnd.ms-excel"), "parts-list"),
}
CONTENT_TYPES = tuple(t for _, types, _ in KINDS.values() for t in types)


def kind_of_type(content_type: str) -> str | None:
    base = content_type.split(";", 1)[0].strip().lower()
    return next((k for k, (_, types, _) in KINDS.items() if base in types), None)


def kind_of_name(filename: str) -> str | None:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return next((k for k, (e, _, _) in KINDS.items() if e == ext), None)


def sanitise_filename(name: str) -> str:
    """The name as stored and offered on download: no folders, no control characters, no
    quotes, at most 255 characters (the extension kept)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C"
    )
    name = name.replace('"', "'").strip().strip(".") or "file"
    if len(name) > MAX_FILENAME:
        stem, _, ext = name.rpartition(".")
        name = f"{stem[: MAX_FILENAME - len(ext) - 1]}.{ext}" if stem else name[:MAX_FILENAME]
    return name


class FileDeclaration(InputModel):
    """One file the client is about to send to S3."""

    filename: Annotated[Text, Field(min_length=1, max_length=1024)]
    content_type: Annotated[str, Field(max_length=200)]
    size: StrictInt = Field(ge=1)

    @field_validator("filename")
    @classmethod
    def _filename(cls, value: str) -> str:
        if any(unicodedata.category(c)[0] == "C" for c in value):
            raise ValueError("must not contain control characters")
        if "/" in value or "\\" in value:
            raise ValueError("must be a file name without folders")
        if kind_of_name(value) is None:
            raise ValueError("must end in .pdf, .xml or .csv")
        return value

    @field_validator("content_type")
    @classmethod
    def _content_type(cls, value: str) -> str:
        if kind_of_type(value) is None:
            raise ValueError(f"must be one of {', '.join(CONTENT_TYPES)}")
        return value.split(";", 1)[0].strip().lower()

    @property
    def kind(self) -> str:
        kind = kind_of_name(self.filename)
        assert kind is not None  # checked by the validator
        return kind


class FilesRequest(InputModel):
    """POST /api/mocs/{id}/files: 1..10 files."""

    files: list[FileDeclaration] = Field(min_length=1, max_length=MAX_FILES)


class CompleteRequest(InputModel):
    """POST /api/mocs/{id}/files/complete."""

    file_ids: list[UUID] = Field(min_length=1, max_length=MAX_FILES)

    @field_validator("file_ids")
    @classmethod
    def _unique(cls, value: list[UUID]) -> list[UUID]:
        return list(dict.fromkeys(value))


class PresignedPost(OutputModel):
    """Where and how the client POSTs the file: a multipart/form-data POST to url with fields
    (in that order) and then the file as the last part, named `file`."""

    url: str
    fields: dict[str, str]


class FileTicket(OutputModel):
    id: UUID
    filename: str
    content_type: str
    size: int
    status: str
    upload: PresignedPost
    expires_at: datetime


class FileTickets(OutputModel):
    moc_id: UUID
    files: list[FileTicket]
    max_bytes: int = MAX_FILE_BYTES
    complete: str


class ParseInfo(OutputModel):
    """csv_parser's result for a parts-list file: queued until it runs."""

    status: str  # queued | ready | partial | failed
    rows_stored: int | None = None
    rows_rejected: int | None = None
    total_quantity: int | None = None
    message: str | None = None
    errors: list[dict[str, Any]] | None = None


class MocFile(OutputModel):
    id: UUID
    moc_id: UUID
    filename: str
    file_type: str
    content_type: str
    size: int
    status: str  # pending | ready
    file_url: str
    created_at: datetime
    expires_at: datetime | None = None
    download_url: str | None = None
    parse: ParseInfo | None = None


class FileOutcome(OutputModel):
    """One file's result of a completion: ready, pending (not sent yet) or rejected (deleted)."""

    id: UUID
    status: str
    code: str | None = None
    reason: str | None = None
    file: MocFile | None = None


class Completion(OutputModel):
    moc_id: UUID
    files: list[FileOutcome]
    ready: int
    rejected: int
    pending: int


class FileDeleted(OutputModel):
    id: UUID
    deleted: bool = True
    total_piece_count: int
