"""GET /api/mocs/{id}: detail with files, linked images and parts-list summaries."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis

from lego_common import keys

pytestmark = pytest.mark.usefixtures("services")


def test_get_moc_with_children_returns_detail_with_summaries(
    api: Callable[..., Any], new_moc: Callable[..., Any], rows: Any, user_id: str
) -> None:
    moc = new_moc(user_id)
    file_id = rows.file(moc.id, user_id, name="bricks.csv")
    rows.parts(moc.id, file_id, [2, 3, 5])
    image_id = rows.linked_image(moc.id, user_id)
    status, body = api("GET /api/mocs/{id}", user_id, id=moc.id)
    assert status == 200
    detail = body["data"]
    assert detail["id"] == str(moc.id)
    assert [f["id"] for f in detail["files"]] == [str(file_id)]
    assert detail["files"][0]["originalFilename"] == "bricks.csv"
    assert [i["id"] for i in detail["images"]] == [str(image_id)]
    assert detail["partsLists"] == [
        {
            "fileId": str(file_id),
            "originalFilename": "bricks.csv",
            "rowCount": 3,
            "totalQuantity": 10,
        }
    ]


def test_get_moc_missing_id_returns_404(api: Callable[..., Any], user_id: str) -> None:
    status, body = api("GET /api/mocs/{id}", user_id, id=uuid.uuid4())
    assert status == 404
    assert body["error"]["code"] == "NOT_FOUND"


def test_get_moc_of_other_user_returns_404_like_missing_even_when_cached(
    api: Callable[..., Any],
    new_moc: Callable[..., Any],
    redis_client: redis.Redis,
    user_id: str,
    other_user_id: str,
) -> None:
    moc = new_moc(user_id)
    assert api("GET /api/mocs/{id}", user_id, id=moc.id)[0] == 200  # now cached
    assert redis_client.exists(keys.moc_detail(moc.id))
    foreign = api("GET /api/mocs/{id}", other_user_id, id=moc.id)
    missing = api("GET /api/mocs/{id}", other_user_id, id=uuid.uuid4())
    assert foreign[0] == missing[0] == 404
    strip = ("timestamp", "requestId")
    assert {k: v for k, v in foreign[1]["error"].items() if k not in strip} == {
        k: v for k, v in missing[1]["error"].items() if k not in strip
    }


def test_get_moc_second_read_is_served_from_cache(
    api: Callable[..., Any],
    new_moc: Callable[..., Any],
    sql: Callable[..., Any],
    user_id: str,
) -> None:
    moc = new_moc(user_id)
    first = api("GET /api/mocs/{id}", user_id, id=moc.id)
    # a change behind the API's back (no invalidation) shows the read came from Redis
    sql("UPDATE moc_instructions SET theme = 'Castle' WHERE id = %(id)s", {"id": moc.id})
    second = api("GET /api/mocs/{id}", user_id, id=moc.id)
    assert second == first
    assert "theme" not in second[1]["data"]
