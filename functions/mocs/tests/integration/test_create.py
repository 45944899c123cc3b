"""POST /api/mocs and service.create_moc on the real stack."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from lego_common.errors import ConflictError
from lego_mocs import service
from lego_mocs.models import MocCreate

pytestmark = pytest.mark.usefixtures("services")


def test_create_moc_valid_body_returns_201_and_stores_row(
    api: Callable[..., Any], db_conn: psycopg.Connection, user_id: str
) -> None:
    status, body = api(
        "POST /api/mocs",
        user_id,
        body={"title": "Castle", "type": "moc", "author": "Ann", "tags": ["castle"]},
    )
    assert status == 201
    moc = body["data"]
    assert (moc["title"], moc["userId"], moc["tags"], moc["totalPieceCount"]) == (
        "Castle",
        user_id,
        ["castle"],
        0,
    )
    row = db_conn.execute(
        "SELECT user_id, title, author FROM moc_instructions WHERE id = %s", (moc["id"],)
    ).fetchone()
    assert row == (user_id, "Castle", "Ann")


def test_create_set_with_brand_returns_201(api: Callable[..., Any], user_id: str) -> None:
    status, body = api(
        "POST /api/mocs",
        user_id,
        body={"title": "Tower Bridge", "type": "set", "brand": "LEGO", "releaseYear": 2010},
    )
    assert status == 201
    assert (body["data"]["brand"], body["data"]["releaseYear"]) == ("LEGO", 2010)


def test_create_moc_taken_title_returns_409(api: Callable[..., Any], user_id: str) -> None:
    body = {"title": "Castle", "type": "moc", "author": "Ann"}
    assert api("POST /api/mocs", user_id, body=body)[0] == 201
    status, answer = api("POST /api/mocs", user_id, body=body)
    assert status == 409
    assert answer["error"]["code"] == "CONFLICT"


def test_create_moc_title_of_other_user_returns_201(
    api: Callable[..., Any], user_id: str, other_user_id: str
) -> None:
    body = {"title": "Castle", "type": "moc", "author": "Ann"}
    assert api("POST /api/mocs", other_user_id, body=body)[0] == 201
    assert api("POST /api/mocs", user_id, body=body)[0] == 201


def test_create_moc_without_author_returns_400_and_stores_nothing(
    api: Callable[..., Any], db_conn: psycopg.Connection, user_id: str
) -> None:
    status, body = api("POST /api/mocs", user_id, body={"title": "Castle", "type": "moc"})
    assert status == 400
    assert body["error"]["details"]["fieldErrors"] == {
        "author": ["author is required when type is 'moc'"]
    }
    count = db_conn.execute("SELECT count(*) FROM moc_instructions WHERE user_id = %s", (user_id,))
    assert count.fetchone() == (0,)


@pytest.mark.usefixtures("connection_per_thread")
def test_create_moc_concurrent_duplicates_gives_one_created_one_conflict(user_id: str) -> None:
    data = MocCreate.model_validate({"title": "Race", "type": "moc", "author": "Ann"})
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def create() -> None:
        barrier.wait()
        try:
            service.create_moc(user_id, data)
            outcomes.append("created")
        except ConflictError:
            outcomes.append("conflict")
        except Exception as exc:  # anything else would be a 500
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "created"]


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00Z"]
)
def test_create_moc_date_at_the_edges_returns_400_and_stores_nothing(
    api: Callable[..., Any], db_conn: psycopg.Connection, user_id: str, when: str
) -> None:
    body = {"title": "Edge", "type": "moc", "author": "Ann", "uploadedDate": when}
    status, answer = api("POST /api/mocs", user_id, body=body)
    if when.endswith("Z"):  # the first instant Python can hold: stored and returned as sent
        assert (status, answer["data"]["uploadedDate"]) == (201, "0001-01-01T00:00:00Z")
        return
    assert (status, answer["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert list(answer["error"]["details"]["fieldErrors"]) == ["uploadedDate"]
    count = db_conn.execute("SELECT count(*) FROM moc_instructions WHERE user_id = %s", (user_id,))
    assert count.fetchone() == (0,)
