"""multipart/form-data bodies: the seed's image forms (gallery, wishlist, avatar).

One file part plus a few text fields, parsed with the `multipart` package (the `forms` extra)
under hard limits: a body larger than the file limit plus framing is refused before parsing,
a part that is neither the file nor a known field is a 400, a second file is a 400.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING, Any

from lego_common.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Callable

    from lego_common.errors import AppError

# Room for the text fields and the multipart framing around the file part.
FRAMING_BYTES = 64 * 1024
MAX_PARTS = 32


@dataclass(frozen=True)
class Form:
    """A parsed form: the file part's bytes and name, and every text field's values in order."""

    content: bytes
    filename: str
    fields: dict[str, list[str]] = field(default_factory=dict)


def is_form(content_type: str | None) -> bool:
    """True when the request declares a multipart/form-data body."""
    return (content_type or "").lower().startswith("multipart/form-data")


def parse_form(
    body: bytes,
    content_type: str,
    *,
    file_field: str,
    text_fields: frozenset[str],
    max_file_bytes: int,
    too_large: Callable[[], AppError],
) -> Form:
    """The file part `file_field` (at most max_file_bytes) and the allowed text fields.

    too_large builds the caller's 413 (it names the caller's other way in, if any).
    """
    import multipart  # type: ignore[import-untyped]  # deferred: only form routes need it

    body_max = max_file_bytes + FRAMING_BYTES
    if len(body) > body_max:
        raise too_large()
    _, options = multipart.parse_options_header(content_type)
    boundary = options.get("boundary")
    if not boundary:
        raise ValidationError("multipart/form-data without a boundary")
    fields: dict[str, list[str]] = {}
    content: bytes | None = None
    filename = ""
    try:
        parser = multipart.MultipartParser(
            BytesIO(body),
            boundary,
            content_length=len(body),
            strict=True,
            part_limit=MAX_PARTS,
            memory_limit=body_max,
            spool_limit=body_max,
        )
        for part in parser:
            if part.name == file_field:
                if content is not None:
                    raise ValidationError.for_field(file_field, "send one file per request")
                content = part.raw
                filename = part.filename or ""
            elif part.name in text_fields and not part.filename:
                fields.setdefault(part.name, []).append(part.value)
            else:
                raise ValidationError.for_field(str(part.name), "unknown form field")
    except multipart.MultipartError as exc:
        raise ValidationError(f"malformed multipart/form-data body: {exc}"[:300]) from None
    if content is None:
        raise ValidationError.for_field(file_field, f"an {file_field} part is required")
    if len(content) > max_file_bytes:
        raise too_large()
    return Form(content=content, filename=filename, fields=fields)


def single_value(form: Form, name: str) -> str | None:
    """A field that may appear at most once; absent gives None."""
    given = form.fields.get(name, [])
    if len(given) > 1:
        raise ValidationError.for_field(name, "sent more than once")
    return given[0] if given else None


def list_value(form: Form, name: str) -> list[Any] | None:
    """A list field sent as repeated fields, one JSON array, or one comma-separated string."""
    given = form.fields.get(name)
    if given is None:
        return None
    if len(given) > 1:
        return list(given)
    text = given[0].strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            raise ValidationError.for_field(name, "not a JSON array") from None
        return list(parsed)
    return [item.strip() for item in text.split(",") if item.strip()]


def filename_stem(filename: str, max_length: int, default: str) -> str:
    """A file name without folders or extension (a desktop gallery's caption), else default."""
    stem = filename.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0].strip()
    return stem[:max_length] or default


@dataclass(frozen=True)
class FilePart:
    """One file part of a form with several: its bytes, name and declared Content-Type."""

    content: bytes
    filename: str
    content_type: str


def parse_files(
    body: bytes,
    content_type: str,
    *,
    file_field: str,
    max_files: int,
    max_body_bytes: int,
    too_large: Callable[[], AppError],
) -> list[FilePart]:
    """1..max_files file parts named file_field in a body of at most max_body_bytes (MOC files:
    several PDF/XML/CSV files in one form). Any other part is a 400."""
    import multipart  # deferred: only form routes need it

    if len(body) > max_body_bytes:
        raise too_large()
    _, options = multipart.parse_options_header(content_type)
    boundary = options.get("boundary")
    if not boundary:
        raise ValidationError("multipart/form-data without a boundary")
    files: list[FilePart] = []
    try:
        parser = multipart.MultipartParser(
            BytesIO(body),
            boundary,
            content_length=len(body),
            strict=True,
            part_limit=max_files + 1,
            memory_limit=max_body_bytes,
            spool_limit=max_body_bytes,
        )
        for part in parser:
            if part.name != file_field or part.filename is None:
                raise ValidationError.for_field(str(part.name), "unknown form field")
            if len(files) == max_files:
                raise ValidationError.for_field(file_field, f"at most {max_files} files")
            files.append(FilePart(part.raw, part.filename or "", part.content_type or ""))
    except multipart.MultipartError as exc:
        raise ValidationError(f"malformed multipart/form-data body: {exc}"[:300]) from None
    if not files:
        raise ValidationError.for_field(file_field, f"a {file_field} part is required")
    return files
