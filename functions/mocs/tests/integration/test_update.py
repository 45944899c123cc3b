"""PATCH /api/mocs/{id}: partial update with the create rules re-checked on the merged row."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
import redis

from lego_common import keys

pytestmark = pytest.mark.usefixtures("services")


def test_update_moc_sent_fields_returns_200_and_keeps_the_rest(
    api: Callable[..., Any], new_moc: Callable[..., Any], user_id: str
) -> None:
    moc = new_moc(user_id, title="Castle", description="grey", theme="Castle")
    status, body = api(
        "PATCH /api/mocs/{id}", user_id, id=moc.id, body={"title": "Keep", "description": None}
    )
    assert status == 200
    data = body["data"]
    assert (data["title"], data["theme"]) == ("Keep", "Castle")
    assert "description" not in data  # cleared: unset fields are omitted, never null
    assert data["updatedAt"] > data["createdAt"]


def test_update_moc_after_cached_read_returns_fresh_detail_and_list(
    api: Callable[..., Any],
    new_moc: Callable[..., Any],
    sql: Callable[..., Any],
    redis_client: redis.Redis,
    user_id: str,
) -> None:
    moc = new_moc(user_id, title="Old")
    api("GET /api/mocs/{id}", user_id, id=moc.id)
    api("GET /api/mocs", user_id)
    detail_key, page_key = keys.moc_detail(moc.id), keys.moc_list(user_id, 1, 20)
    assert redis_client.exists(detail_key, page_key) == 2
    # both reads are served from Redis: a change behind the API's back does not show
    sql("UPDATE moc_instructions SET theme = 'Hidden' WHERE id = %(id)s", {"id": moc.id})
    assert "theme" not in api("GET /api/mocs/{id}", user_id, id=moc.id)[1]["data"]
    assert "theme" not in api("GET /api/mocs", user_id)[1]["data"][0]
    assert api("PATCH /api/mocs/{id}", user_id, id=moc.id, body={"title": "New"})[0] == 200
    assert redis_client.exists(detail_key, page_key) == 0
    detail = api("GET /api/mocs/{id}", user_id, id=moc.id)[1]["data"]
    listed = api("GET /api/mocs", user_id)[1]["data"][0]
    assert (detail["title"], detail["theme"]) == ("New", "Hidden")
    assert (listed["title"], listed["theme"]) == ("New", "Hidden")


def test_update_moc_onto_taken_title_returns_409(
    api: Callable[..., Any], new_moc: Callable[..., Any], user_id: str
) -> None:
    new_moc(user_id, title="Taken")
    moc = new_moc(user_id, title="Mine")
    status, body = api("PATCH /api/mocs/{id}", user_id, id=moc.id, body={"title": "Taken"})
    assert status == 409
    assert body["error"]["code"] == "CONFLICT"


def test_update_moc_type_to_set_without_brand_returns_400_and_changes_nothing(
    api: Callable[..., Any], new_moc: Callable[..., Any], db_conn: psycopg.Connection, user_id: str
) -> None:
    moc = new_moc(user_id)
    status, body = api("PATCH /api/mocs/{id}", user_id, id=moc.id, body={"type": "set"})
    assert status == 400
    assert list(body["error"]["details"]["fieldErrors"]) == ["brand"]
    row = db_conn.execute("SELECT type FROM moc_instructions WHERE id = %s", (moc.id,))
    assert row.fetchone() == ("moc",)


def test_update_moc_type_to_set_with_brand_returns_200(
    api: Callable[..., Any], new_moc: Callable[..., Any], user_id: str
) -> None:
    moc = new_moc(user_id)
    status, body = api(
        "PATCH /api/mocs/{id}", user_id, id=moc.id, body={"type": "set", "brand": "LEGO"}
    )
    assert status == 200
    assert (body["data"]["type"], body["data"]["brand"]) == ("set", "LEGO")


def test_update_moc_clearing_author_of_moc_returns_400(
    api: Callable[..., Any], new_moc: Callable[..., Any], user_id: str
) -> None:
    moc = new_moc(user_id)
    status, body = api("PATCH /api/mocs/{id}", user_id, id=moc.id, body={"author": None})
    assert status == 400
    assert list(body["error"]["details"]["fieldErrors"]) == ["author"]


def test_update_moc_of_other_user_returns_404_and_changes_nothing(
    api: Callable[..., Any],
    new_moc: Callable[..., Any],
    db_conn: psycopg.Connection,
    user_id: str,
    other_user_id: str,
) -> None:
    moc = new_moc(user_id, title="Mine")
    status, body = api("PATCH /api/mocs/{id}", other_user_id, id=moc.id, body={"title": "X"})
    assert (status, body["error"]["code"], body["error"]["message"]) == (
        404,
        "NOT_FOUND",
        "MOC not found",
    )
    row = db_conn.execute("SELECT title FROM moc_instructions WHERE id = %s", (moc.id,))
    assert row.fetchone() == ("Mine",)


def test_update_moc_missing_id_returns_404(api: Callable[..., Any], user_id: str) -> None:
    status, _ = api("PATCH /api/mocs/{id}", user_id, id=uuid.uuid4(), body={"title": "X"})
    assert status == 404


@pytest.mark.parametrize(
    "body", [{}, {"title": None}, {"userId": "someone"}, {"title": "x" * 201}, {"retired": 1}]
)
def test_update_moc_invalid_body_returns_400(
    api: Callable[..., Any], new_moc: Callable[..., Any], user_id: str, body: dict[str, Any]
) -> None:
    moc = new_moc(user_id)
    status, answer = api("PATCH /api/mocs/{id}", user_id, id=moc.id, body=body)
    assert status == 400
    assert answer["error"]["code"] == "VALIDATION_ERROR"


def test_update_moc_date_past_year_9999_in_utc_returns_400_and_changes_nothing(
    api: Callable[..., Any], new_moc: Callable[..., Any], user_id: str
) -> None:
    moc = new_moc(user_id)
    body = {"uploadedDate": "9999-12-31T23:00:00-05:00"}
    status, answer = api("PATCH /api/mocs/{id}", user_id, id=moc.id, body=body)
    assert (status, list(answer["error"]["details"]["fieldErrors"])) == (400, ["uploadedDate"])
    assert "uploadedDate" not in api("GET /api/mocs/{id}", user_id, id=moc.id)[1]["data"]
