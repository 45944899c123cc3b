"""Issue 12 §5: a field that is unset is omitted from every response, never null (the seed's
typed client has no nullable fields); a PATCH with null still clears it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis

from lego_common import keys

pytestmark = pytest.mark.usefixtures("services")

OPTIONAL = {
    "description",
    "author",
    "partsCount",
    "theme",
    "subtheme",
    "uploadedDate",
    "brand",
    "setNumber",
    "releaseYear",
    "retired",
    "thumbnailUrl",
}


def _nulls(value: Any) -> list[Any]:
    """Every null anywhere in a decoded JSON document."""
    if isinstance(value, dict):
        return [n for v in value.values() for n in ([v] if v is None else _nulls(v))]
    if isinstance(value, list):
        return [n for v in value for n in ([v] if v is None else _nulls(v))]
    return []


def test_create_get_and_list_omit_unset_fields(
    api: Callable[..., Any], rows: Any, redis_client: redis.Redis, user_id: str
) -> None:
    status, created = api(
        "POST /api/mocs", user_id, body={"title": "Bare", "type": "set", "brand": "L"}
    )
    assert status == 201
    moc_id = created["data"]["id"]
    rows.linked_image(moc_id, user_id)  # a gallery image without description or thumbnail
    rows.parts(moc_id, None, [1])  # a parts list without its file
    detail = api("GET /api/mocs/{id}", user_id, id=moc_id)[1]
    cached = api("GET /api/mocs/{id}", user_id, id=moc_id)[1]
    listed = api("GET /api/mocs", user_id)[1]

    assert OPTIONAL & set(created["data"]) == {"brand"}
    assert OPTIONAL & set(detail["data"]) == {"brand"}
    assert set(detail["data"]["images"][0]) == {"id", "title", "tags", "imageUrl", "createdAt"}
    assert detail["data"]["partsLists"] == [{"rowCount": 1, "totalQuantity": 1}]
    assert cached == detail
    assert OPTIONAL & set(listed["data"][0]) == {"brand"}
    assert _nulls([created, detail, listed]) == []
    assert "null" not in redis_client.get(keys.moc_detail(moc_id))  # the cached wire JSON too


def test_patch_null_clears_the_field_and_the_response_omits_it(
    api: Callable[..., Any], new_moc: Callable[..., Any], sql: Callable[..., Any], user_id: str
) -> None:
    moc = new_moc(user_id, thumbnailUrl="https://cdn/t.webp", theme="City")
    status, body = api("PATCH /api/mocs/{id}", user_id, id=moc.id, body={"thumbnailUrl": None})
    assert status == 200
    assert "thumbnailUrl" not in body["data"]
    assert body["data"]["theme"] == "City"
    rows = sql("SELECT thumbnail_url FROM moc_instructions WHERE id = %(id)s", {"id": moc.id})
    assert rows == [(None,)]
