"""Routes of the wishlist function: routeKey -> parse, call one service function, return."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lego_common import forms, http
from lego_common.errors import PayloadTooLargeError, ValidationError
from lego_common.http import Created
from lego_wishlist import service
from lego_wishlist.models import IMAGE_MAX_BYTES, ItemCreate, ItemPatch, ListQuery, Reorder

if TYPE_CHECKING:
    from lego_common.http import Page, Request
    from lego_common.serialization import RawJson
    from lego_wishlist.models import Item, ItemDeleted


def list_items(req: Request) -> Page:
    return service.list_items(req.user_id, req.query_as(ListQuery))


def get_item(req: Request) -> RawJson:
    return service.get_item(req.user_id, req.path_uuid("id"))


def create_item(req: Request) -> Created:
    return Created(service.create_item(req.user_id, req.body_as(ItemCreate)))


def update_item(req: Request) -> Item:
    return service.update_item(req.user_id, req.path_uuid("id"), req.body_as(ItemPatch))


def delete_item(req: Request) -> ItemDeleted:
    return service.delete_item(req.user_id, req.path_uuid("id"))


def reorder_items(req: Request) -> Page:
    return service.reorder_items(req.user_id, req.body_as(Reorder))


def set_image(req: Request) -> Item:
    user_id, item_id = req.user_id, req.path_uuid("id")
    content_type = req.header("content-type") or ""
    if not forms.is_form(content_type):
        raise ValidationError("send the image as multipart/form-data with an `image` part")
    form = forms.parse_form(
        req.raw_body,
        content_type,
        file_field="image",
        text_fields=frozenset(),
        max_file_bytes=IMAGE_MAX_BYTES,
        too_large=_too_large,
    )
    return service.set_image(user_id, item_id, form.content)


def delete_image(req: Request) -> Item:
    return service.delete_image(req.user_id, req.path_uuid("id"))


def _too_large() -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"an item image may be at most {IMAGE_MAX_BYTES} bytes",
        details={"maxBytes": IMAGE_MAX_BYTES},
    )


ROUTES = {
    "GET /api/wishlist": list_items,
    "POST /api/wishlist": create_item,
    "POST /api/wishlist/reorder": reorder_items,
    "GET /api/wishlist/{id}": get_item,
    "PATCH /api/wishlist/{id}": update_item,
    "DELETE /api/wishlist/{id}": delete_item,
    "POST /api/wishlist/{id}/image": set_image,
    "DELETE /api/wishlist/{id}/image": delete_image,
}
lambda_handler = http.dispatcher(ROUTES)
