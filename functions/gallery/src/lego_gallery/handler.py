"""Routes of the gallery function: routeKey -> parse, call one service function, return."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lego_common import forms, http
from lego_common.errors import PayloadTooLargeError
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
    if forms.is_form(content_type):
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
    form = forms.parse_form(
        req.raw_body,
        content_type,
        file_field="image",
        text_fields=_FORM_FIELDS,
        max_file_bytes=MULTIPART_MAX_BYTES,
        too_large=_too_large,
    )
    data: dict[str, Any] = {}
    for name in ("title", "description", "albumId"):
        value = forms.single_value(form, name)
        if value is not None and not (name == "albumId" and value == ""):
            data[name] = value
    tags = forms.list_value(form, "tags")
    if tags is not None:
        data["tags"] = tags
    # The seed's form has no required title (the column has): the file's name, as a desktop
    # gallery shows it, else "Untitled".
    data.setdefault("title", forms.filename_stem(form.filename, 200, "Untitled"))
    return parse_model(ImageFields, data, what="form fields"), form.content


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
