"""POST /api/wishlist/reorder: full list, subset, move to top, each 400 in its order, the 404
for ids that are not the caller's, and 8 threads mixing reorders, creates and deletes."""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("services")


def _reorder(api: Callable[..., Any], user_id: str, moves: list[tuple[str, int]]) -> Any:
    body = {"items": [{"id": i, "sortOrder": p} for i, p in moves]}
    return api("POST /api/wishlist/reorder", user_id, body=body)


def test_full_list_reversed(
    api: Callable[..., Any], make: Any, user_id: str, positions: Callable[..., Any]
) -> None:
    ids = make.items(user_id, 4)
    status, body = _reorder(api, user_id, [(i, 3 - n) for n, i in enumerate(ids)])
    assert status == 200, body
    assert [i["id"] for i in body["data"]] == ids[::-1]
    assert [i["sortOrder"] for i in body["data"]] == [0, 1, 2, 3]
    assert body["total"] == 4
    assert positions(user_id) == [(i, n) for n, i in enumerate(ids[::-1])]


def test_one_item_moved_to_the_top(
    api: Callable[..., Any], make: Any, user_id: str, positions: Callable[..., Any]
) -> None:
    a, b, c, d = make.items(user_id, 4)
    status, body = _reorder(api, user_id, [(d, 0)])
    assert status == 200
    assert [i["id"] for i in body["data"]] == [d, a, b, c]
    assert [p for _, p in positions(user_id)] == [0, 1, 2, 3]


def test_subset_fills_the_rest_in_relative_order(
    api: Callable[..., Any], make: Any, user_id: str
) -> None:
    a, b, c, d, e = make.items(user_id, 5)
    status, body = _reorder(api, user_id, [(a, 4), (e, 1)])
    assert status == 200
    assert [i["id"] for i in body["data"]] == [b, e, c, d, a]


def test_reorder_invalidates_the_cached_list_and_items(
    api: Callable[..., Any], make: Any, user_id: str
) -> None:
    a, b = make.items(user_id, 2)
    api("GET /api/wishlist", user_id)
    api("GET /api/wishlist/{id}", user_id, id=a)
    _reorder(api, user_id, [(b, 0)])
    _, listed = api("GET /api/wishlist", user_id)
    assert [i["id"] for i in listed["data"]] == [b, a]
    _, item = api("GET /api/wishlist/{id}", user_id, id=a)
    assert item["data"]["sortOrder"] == 1


@pytest.mark.parametrize(
    "body",
    [
        [],
        "items",
        {},
        {"items": None},
        {"items": {}},
        {"items": []},
        {"items": [{"id": "nope", "sortOrder": 0}]},
        {"items": [{"id": "ID", "sortOrder": -1}]},
        {"items": [{"id": "ID", "sortOrder": 1.5}]},
        {"items": [{"id": "ID", "sortOrder": "1"}]},
        {"items": [{"id": "ID", "sortOrder": True}]},
        {"items": [{"id": "ID"}]},
        {"items": [{"id": "ID", "sortOrder": 0}, {"id": "ID", "sortOrder": 1}]},
        {"items": [{"id": "ID", "sortOrder": 0}, {"id": "ID2", "sortOrder": 0}]},
        {"items": [{"id": "ID", "sortOrder": 0, "extra": 1}]},
    ],
)
def test_shape_errors_are_400_and_change_nothing(
    api: Callable[..., Any], make: Any, user_id: str, positions: Callable[..., Any], body: Any
) -> None:
    ids = make.items(user_id, 2)
    before = positions(user_id)
    text = str(body).replace("'", '"').replace("True", "true").replace("None", "null")
    text = text.replace('"ID2"', f'"{ids[1]}"').replace('"ID"', f'"{ids[0]}"')
    status, answer = api("POST /api/wishlist/reorder", user_id, body=text)
    assert status == 400, answer
    assert answer["error"]["code"] == "VALIDATION_ERROR"
    assert positions(user_id) == before


def test_shape_is_checked_before_ownership(
    api: Callable[..., Any], make: Any, user_id: str
) -> None:
    status, _ = _reorder(api, user_id, [(str(uuid.uuid4()), -1)])
    assert status == 400


def test_position_beyond_the_list_is_400_with_n_and_checked_after_ownership(
    api: Callable[..., Any], make: Any, user_id: str, positions: Callable[..., Any]
) -> None:
    a, b, _ = make.items(user_id, 3)
    before = positions(user_id)
    status, body = _reorder(api, user_id, [(a, 1), (b, 3)])
    assert status == 400
    assert body["error"]["details"]["itemCount"] == 3
    assert positions(user_id) == before
    status, _ = _reorder(api, user_id, [(str(uuid.uuid4()), 7)])
    assert status == 404


def test_other_users_ids_answer_like_random_ids_and_change_nothing(
    api: Callable[..., Any],
    make: Any,
    user_id: str,
    other_user_id: str,
    positions: Callable[..., Any],
) -> None:
    mine = make.items(user_id, 2)
    theirs = make.items(other_user_id, 2)
    before_mine, before_theirs = positions(user_id), positions(other_user_id)
    foreign = _reorder(api, user_id, [(mine[1], 0), (theirs[1], 1)])
    random_ = _reorder(api, user_id, [(mine[1], 0), (str(uuid.uuid4()), 1)])
    assert foreign.status == random_.status == 404
    assert foreign.body["error"]["message"] == random_.body["error"]["message"]
    assert foreign.body["error"].get("details") == random_.body["error"].get("details")
    assert positions(user_id) == before_mine
    assert positions(other_user_id) == before_theirs


@pytest.fixture
def connection_per_thread(monkeypatch: pytest.MonkeyPatch) -> Any:
    """One PostgreSQL connection per thread (a Lambda container has one; 8 containers here),
    so the threads' transactions really run side by side."""
    from lego_common import db

    local = threading.local()
    opened: list[Any] = []

    def get_connection() -> Any:
        conn = getattr(local, "conn", None)
        if conn is None or conn.closed:
            conn = local.conn = db.connect()
            opened.append(conn)
        return conn

    monkeypatch.setattr(db, "get_connection", get_connection)
    yield
    for conn in opened:
        conn.close()


def test_eight_threads_mixing_reorders_creates_deletes_keep_positions_gap_free(
    api: Callable[..., Any],
    make: Any,
    user_id: str,
    positions: Callable[..., Any],
    connection_per_thread: None,
) -> None:
    make.items(user_id, 12)
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        barrier.wait()
        for _ in range(6):
            current = [i for i, _ in positions(user_id)]
            kind = rng.choice(["reorder", "reorder", "create", "delete"])
            if kind == "create":
                status, _ = api("POST /api/wishlist", user_id, body={"title": f"t{seed}"})
            elif kind == "delete" and current:
                status, _ = api("DELETE /api/wishlist/{id}", user_id, id=rng.choice(current))
            else:
                chosen = rng.sample(current, min(3, len(current)))
                spots = rng.sample(range(len(current)), len(chosen))
                status, _ = _reorder(api, user_id, list(zip(chosen, spots, strict=True)))
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 48
    assert all(s < 500 for s in statuses), statuses
    # a stale id (deleted meanwhile) or a stale length may give 404/400; never 5xx
    assert set(statuses) <= {200, 201, 400, 404}
    final = positions(user_id)
    assert [p for _, p in final] == list(range(len(final)))
    _, listed = api("GET /api/wishlist", user_id)
    assert [i["id"] for i in listed["data"]] == [i for i, _ in final]
