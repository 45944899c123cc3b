"""Routes of the gallery function: routeKey -> parse, call one service function, return."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from lego_common import http
from lego_common.errors import PayloadTooLargeError, ValidationError
from lego_common.http import Created, RawResponse
from lego_common.validation import parse_model
from lego_gallery import service
from lego_gallery.models import (
    MULTIPART_MAX_BYTES,
    AlbumCreate,
    AlbumPatch,
    FlagCreate,
    ImageConfirm,
    ImageFields,
    ImageListQuery,
    ImagePatch,
    MocLinkCreate,
    UploadRequest,
)

if TYPE_CHECKING:
    from lego_common.http import Page, Request
    from lego_common.serialization import RawJson
    from lego_gallery.models import Album, AlbumDeleted, Image, ImageDeleted, MocLink

# The image part may be 4 MB; the other fields and the multipart framing get a little more.
_MULTIPART_BODY_MAX = MULTIPART_MAX_BYTES + 64 * 1024
_FORM_FIELDS = frozenset({"title", "description", "tags", "albumId"})


# --- images -----------------------------------------------------------------------------------


def list_images(req: Request) -> Page:
    return service.list_images(req.user_id, req.query_as(ImageListQuery))


def get_image(req: Request) -> RawJson:
    return service.get_image(req.user_id, req.path_uuid("id"))


def create_image(req: Request) -> Created:
    """multipart/form-data with an `image` part (<= 4 MB), or JSON {uploadId, ...} confirming a
    direct upload (<= 20 MB, see POST /api/images/uploads)."""
    user_id = req.user_id
    content_type = req.header("content-type") or ""
    if content_type.lower().startswith("multipart/form-data"):
        fields, content = _parse_form(req, content_type)
        return Created(service.upload_image(user_id, fields, content))
    confirm = req.body_as(ImageConfirm)
    fields = ImageFields.model_validate(confirm.model_dump(exclude={"upload_id"}))
    return Created(service.confirm_upload(user_id, fields, confirm.upload_id))


def request_upload(req: Request) -> Created:
    return Created(service.request_upload(req.user_id, req.body_as(UploadRequest)))


def update_image(req: Request) -> Image:
    return service.update_image(req.user_id, req.path_uuid("id"), req.body_as(ImagePatch))


def delete_image(req: Request) -> ImageDeleted:
    return service.delete_image(req.user_id, req.path_uuid("id"))


def flag_image(req: Request) -> RawResponse:
    received = service.flag_image(req.user_id, req.path_uuid("id"), req.body_as(FlagCreate))
    return RawResponse(202, {"success": True, "data": received})


def link_image(req: Request) -> MocLink:
    user_id, image_id = req.user_id, req.path_uuid("id")
    moc_id = req.body_as(MocLinkCreate).moc_id
    return service.link_image(user_id, image_id, moc_id, linked=True)


def unlink_image(req: Request) -> MocLink:
    user_id, image_id = req.user_id, req.path_uuid("id")
    return service.link_image(user_id, image_id, req.path_uuid("mocId"), linked=False)


# --- albums -----------------------------------------------------------------------------------


def list_albums(req: Request) -> Page:
    return service.list_albums(req.user_id)


def get_album(req: Request) -> RawJson:
    return service.get_album(req.user_id, req.path_uuid("id"))


def create_album(req: Request) -> Created:
    return Created(service.create_album(req.user_id, req.body_as(AlbumCreate)))


def update_album(req: Request) -> Album:
    return service.update_album(req.user_id, req.path_uuid("id"), req.body_as(AlbumPatch))


def delete_album(req: Request) -> AlbumDeleted:
    return service.delete_album(req.user_id, req.path_uuid("id"))


def link_album(req: Request) -> MocLink:
    user_id, album_id = req.user_id, req.path_uuid("id")
    moc_id = req.body_as(MocLinkCreate).moc_id
    return service.link_album(user_id, album_id, moc_id, linked=True)


def unlink_album(req: Request) -> MocLink:
    user_id, album_id = req.user_id, req.path_uuid("id")
    return service.link_album(user_id, album_id, req.path_uuid("mocId"), linked=False)


# --- multipart --------------------------------------------------------------------------------


def _too_large() -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"an image sent in the request body may be at most {MULTIPART_MAX_BYTES} bytes;"
        " for larger images (up to 20 MB) ask POST /api/images/uploads for a direct upload,"
        " then confirm it with POST /api/images {uploadId, title}",
        details={"maxBytes": MULTIPART_MAX_BYTES, "directUpload": "POST /api/images/uploads"},
    )


def _parse_form(req: Request, content_type: str) -> tuple[ImageFields, bytes]:
    """The seed's form: an `image` file part and title/description/tags/albumId fields."""
    import multipart  # type: ignore[import-untyped]  # no py.typed

    if len(req.raw_body) > _MULTIPART_BODY_MAX:
        raise _too_large()
    _, options = multipart.parse_options_header(content_type)
    boundary = options.get("boundary")
    if not boundary:
        raise ValidationError("multipart/form-data without a boundary")
    values: dict[str, list[str]] = {}
    image: bytes | None = None
    filename = ""
    try:
        from io import BytesIO

        parser = multipart.MultipartParser(
            BytesIO(req.raw_body),
            boundary,
            content_length=len(req.raw_body),
            strict=True,
            part_limit=32,
            memory_limit=_MULTIPART_BODY_MAX,
            spool_limit=_MULTIPART_BODY_MAX,
        )
        for part in parser:
            if part.name == "image":
                if image is not None:
                    raise ValidationError.for_field("image", "send one image per request")
                image = part.raw
                filename = part.filename or ""
            elif part.name in _FORM_FIELDS and not part.filename:
                values.setdefault(part.name, []).append(part.value)
            else:
                raise ValidationError.for_field(str(part.name), "unknown form field")
    except multipart.MultipartError as exc:
        raise ValidationError(f"malformed multipart/form-data body: {exc}"[:300]) from None
    if image is None:
        raise ValidationError.for_field("image", "an image part is required")
    if len(image) > MULTIPART_MAX_BYTES:
        raise _too_large()
    data = _form_values(values)
    # The seed's form has no required title (the column has): the file's name, as a desktop
    # gallery shows it, else "Untitled".
    data.setdefault("title", _title_from(filename))
    fields = parse_model(ImageFields, data, what="form fields")
    return fields, image


def _title_from(filename: str) -> str:
    stem = filename.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0].strip()
    return stem[:200] or "Untitled"


def _form_values(values: dict[str, list[str]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, given in values.items():
        if name == "tags":
            data["tags"] = _tags(given)
        elif len(given) > 1:
            raise ValidationError.for_field(name, "sent more than once")
        elif name == "albumId" and given[0] == "":
            continue
        else:
            data[name] = given[0]
    return data


def _tags(given: list[str]) -> Any:
    """Tags as repeated fields, one JSON array, or one comma-separated string."""
    if len(given) == 1:
        text = given[0].strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                raise ValidationError.for_field("tags", "not a JSON array") from None
        return [tag.strip() for tag in text.split(",") if tag.strip()]
    return given


ROUTES = {
    "GET /api/images": list_images,
    "POST /api/images": create_image,
    "POST /api/images/uploads": request_upload,
    "GET /api/images/{id}": get_image,
    "PATCH /api/images/{id}": update_image,
    "DELETE /api/images/{id}": delete_image,
    "POST /api/images/{id}/flag": flag_image,
    "POST /api/images/{id}/mocs": link_image,
    "DELETE /api/images/{id}/mocs/{mocId}": unlink_image,
    "GET /api/albums": list_albums,
    "POST /api/albums": create_album,
    "GET /api/albums/{id}": get_album,
    "PATCH /api/albums/{id}": update_album,
    "DELETE /api/albums/{id}": delete_album,
    "POST /api/albums/{id}/mocs": link_album,
    "DELETE /api/albums/{id}/mocs/{mocId}": unlink_album,
}
lambda_handler = http.dispatcher(ROUTES)
