"""Items through the handler on the real stack: create, list, category, search, get, patch,
delete, the item limit, cross-user 404s and the cache."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("services")


def test_create_returns_201_last_position_and_omits_unset_fields(
    api: Callable[..., Any], make: Any, user_id: str
) -> None:
    first = make.item(user_id, title="Castle")
    status, body = api(
        "POST /api/wishlist",
        user_id,
        body={"title": "Ship", "productLink": "https://lego.com/x", "category": "Pirates"},
    )
    assert status == 201, body
    item = body["data"]
    assert (first["sortOrder"], item["sortOrder"]) == (0, 1)
    assert item["userId"] == user_id
    assert item["category"] == "Pirates"
    assert "description" not in item
    assert "imageUrl" not in item
    assert "description" not in first
    assert "productLink" not in first


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"title": ""},
        {"title": "x" * 201},
        {"title": "a", "description": "d" * 2001},
        {"title": "a", "productLink": "ftp://x.com/a"},
        {"title": "a", "productLink": "not a url"},
        {"title": "a", "productLink": "https://x.com/" + "a" * 2048},
        {"title": "a", "category": "c" * 101},
        {"title": "a", "sortOrder": 3},
        {"title": "a", "id": str(uuid.uuid4())},
        {"title": "a", "userId": "someone"},
        {"title": "a", "imageUrl": "https://x.com/a.webp"},
        {"title": "a", "createdAt": "2024-01-01T00:00:00Z"},
        {"title": "a", "colour": "red"},
    ],
)
def test_create_invalid_is_400(api: Callable[..., Any], user_id: str, payload: Any) -> None:
    status, body = api("POST /api/wishlist", user_id, body=payload)
    assert status == 400, body
    assert body["error"]["code"] == "VALIDATION_ERROR"


def test_list_in_sort_order_with_total(api: Callable[..., Any], make: Any, user_id: str) -> None:
    ids = make.items(user_id, 3)
    status, body = api("GET /api/wishlist", user_id)
    assert status == 200
    assert [i["id"] for i in body["data"]] == ids
    assert [i["sortOrder"] for i in body["data"]] == [0, 1, 2]
    assert body["total"] == 3
    assert body["success"] is True


def test_category_is_exact_and_case_insensitive_never_substring(
    api: Callable[..., Any], make: Any, user_id: str
) -> None:
    a = make.item(user_id, category="Star Wars")
    make.item(user_id, category="Star Wars UCS")
    make.item(user_id, category="Wars")
    make.item(user_id)
    status, body = api("GET /api/wishlist", user_id, query={"category": "star wars"})
    assert status == 200
    assert [i["id"] for i in body["data"]] == [a["id"]]
    assert body["total"] == 1
    _, none = api("GET /api/wishlist", user_id, query={"category": "star"})
    assert none["data"] == []
    assert none["total"] == 0


def test_search_ranks_and_combines_with_category(
    api: Callable[..., Any], make: Any, user_id: str, other_user_id: str
) -> None:
    castle = make.item(user_id, title="Medieval castle", category="Castle")
    make.item(user_id, title="Space shuttle", category="Space")
    make.item(user_id, title="Castle keep", category="Other")
    make.item(other_user_id, title="Medieval castle")
    status, body = api("GET /api/wishlist", user_id, query={"search": "castle"})
    assert status == 200
    titles = {i["title"] for i in body["data"]}
    assert titles == {"Medieval castle", "Castle keep"}
    _, both = api("GET /api/wishlist", user_id, query={"search": "castle", "category": "castle"})
    assert [i["id"] for i in both["data"]] == [castle["id"]]


def test_search_fallback_postgres(
    api: Callable[..., Any], make: Any, user_id: str, no_opensearch: object
) -> None:
    make.item(user_id, title="Medieval castle")
    make.item(user_id, title="Space shuttle", description="a castle in space")
    make.item(user_id, title="Train")
    status, body = api("GET /api/wishlist", user_id, query={"search": "castle"})
    assert status == 200
    assert [i["title"] for i in body["data"]] == ["Medieval castle", "Space shuttle"]


def test_get_patch_and_null_clears(api: Callable[..., Any], make: Any, user_id: str) -> None:
    item = make.item(user_id, description="old", category="City")
    status, body = api("GET /api/wishlist/{id}", user_id, id=item["id"])
    assert status == 200
    assert body["data"]["description"] == "old"
    status, body = api(
        "PATCH /api/wishlist/{id}",
        user_id,
        id=item["id"],
        body={"description": None, "title": "New"},
    )
    assert status == 200, body
    assert body["data"]["title"] == "New"
    assert "description" not in body["data"]
    assert body["data"]["category"] == "City"
    # read-after-write through the cache: both keys were invalidated
    _, again = api("GET /api/wishlist/{id}", user_id, id=item["id"])
    assert again["data"]["title"] == "New"
    assert "description" not in again["data"]
    _, listed = api("GET /api/wishlist", user_id)
    assert listed["data"][0]["title"] == "New"


@pytest.mark.parametrize(
    "payload", [{}, {"title": None}, {"sortOrder": 1}, {"imageUrl": "x"}, {"bad": 1}]
)
def test_patch_invalid_is_400(
    api: Callable[..., Any], make: Any, user_id: str, payload: Any
) -> None:
    item = make.item(user_id)
    status, body = api("PATCH /api/wishlist/{id}", user_id, id=item["id"], body=payload)
    assert status == 400, body


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("GET /api/wishlist/{id}", None),
        ("PATCH /api/wishlist/{id}", {"title": "x"}),
        ("DELETE /api/wishlist/{id}", None),
        ("DELETE /api/wishlist/{id}/image", None),
    ],
)
def test_other_users_item_is_404_like_a_missing_one_and_unchanged(
    api: Callable[..., Any], make: Any, user_id: str, other_user_id: str, route: str, body: Any
) -> None:
    item = make.item(other_user_id, title="Theirs")
    theirs = api(route, user_id, id=item["id"], body=body)
    missing = api(route, user_id, id=uuid.uuid4(), body=body)
    assert theirs.status == missing.status == 404
    assert theirs.body["error"]["code"] == missing.body["error"]["code"] == "NOT_FOUND"
    assert theirs.body["error"]["message"] == missing.body["error"]["message"]
    _, still = api("GET /api/wishlist/{id}", other_user_id, id=item["id"])
    assert still["data"]["title"] == "Theirs"


@pytest.mark.parametrize(
    "route",
    [
        "GET /api/wishlist/{id}",
        "PATCH /api/wishlist/{id}",
        "DELETE /api/wishlist/{id}",
        "POST /api/wishlist/{id}/image",
        "DELETE /api/wishlist/{id}/image",
    ],
)
def test_non_uuid_id_is_400(api: Callable[..., Any], user_id: str, route: str) -> None:
    status, body = api(route, user_id, id="not-a-uuid", body={"title": "x"})
    assert status == 400
    assert body["error"]["code"] == "VALIDATION_ERROR"


def test_delete_closes_the_gap_and_invalidates_profile_counts(
    api: Callable[..., Any],
    make: Any,
    user_id: str,
    positions: Callable[[str], list[tuple[str, int]]],
    redis_client: Any,
) -> None:
    ids = make.items(user_id, 4)
    redis_client.set(f"profile:user:{user_id}", "stale")
    status, body = api("DELETE /api/wishlist/{id}", user_id, id=ids[1])
    assert status == 200
    assert body["data"] == {"id": ids[1], "deleted": True}
    assert positions(user_id) == [(ids[0], 0), (ids[2], 1), (ids[3], 2)]
    assert redis_client.get(f"profile:user:{user_id}") is None
    assert api("GET /api/wishlist/{id}", user_id, id=ids[1]).status == 404
    _, listed = api("GET /api/wishlist", user_id)
    assert [i["id"] for i in listed["data"]] == [ids[0], ids[2], ids[3]]


def test_delete_invalidates_the_cached_details_of_the_items_it_moved_up(
    api: Callable[..., Any], make: Any, user_id: str
) -> None:
    first, second, third = make.items(user_id, 3)
    for item_id in (first, third):  # cached with their old positions
        assert api("GET /api/wishlist/{id}", user_id, id=item_id).body["data"]["sortOrder"] in (
            0,
            2,
        )
    assert api("DELETE /api/wishlist/{id}", user_id, id=second).status == 200
    assert api("GET /api/wishlist/{id}", user_id, id=first).body["data"]["sortOrder"] == 0
    assert api("GET /api/wishlist/{id}", user_id, id=third).body["data"]["sortOrder"] == 1


def test_create_invalidates_list_and_profile(
    api: Callable[..., Any], make: Any, user_id: str, redis_client: Any
) -> None:
    make.item(user_id)
    api("GET /api/wishlist", user_id)  # cached now
    assert redis_client.get(f"wishlist:user:{user_id}:all") is not None
    redis_client.set(f"profile:user:{user_id}", "stale")
    make.item(user_id)
    assert redis_client.get(f"wishlist:user:{user_id}:all") is None
    assert redis_client.get(f"profile:user:{user_id}") is None
    _, listed = api("GET /api/wishlist", user_id)
    assert listed["total"] == 2


def test_the_1001st_item_is_a_409_naming_the_limit(
    api: Callable[..., Any], user_id: str, services: Any
) -> None:
    from lego_common import db

    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO wishlist_items (user_id, title, sort_order)"
            " SELECT %(u)s, 'Bulk ' || g, g FROM generate_series(0, 999) AS g",
            {"u": user_id},
        )
    status, body = api("POST /api/wishlist", user_id, body={"title": "One too many"})
    assert status == 409, body
    assert body["error"]["code"] == "CONFLICT"
    assert "1000" in body["error"]["message"]


def test_cache_ttls(api: Callable[..., Any], make: Any, user_id: str, redis_client: Any) -> None:
    item = make.item(user_id)
    api("GET /api/wishlist", user_id)
    api("GET /api/wishlist/{id}", user_id, id=item["id"])
    assert 0 < redis_client.ttl(f"wishlist:user:{user_id}:all") <= 300
    assert 300 < redis_client.ttl(f"wishlist:item:{item['id']}") <= 600


def test_redis_down_answers_from_postgres_with_a_warning(
    api: Callable[..., Any], make: Any, user_id: str, redis_outage: Callable[[], Any]
) -> None:
    from structlog.testing import capture_logs

    item = make.item(user_id)
    with redis_outage(), capture_logs() as logs:
        listed = api("GET /api/wishlist", user_id)
        got = api("GET /api/wishlist/{id}", user_id, id=item["id"])
        created = api("POST /api/wishlist", user_id, body={"title": "During outage"})
    assert (listed.status, got.status, created.status) == (200, 200, 201)
    assert any(e["event"] == "cache_unavailable" for e in logs)
    _, after = api("GET /api/wishlist", user_id)
    assert after["total"] == 2


@pytest.mark.parametrize(
    "route",
    [
        "GET /api/wishlist",
        "POST /api/wishlist",
        "POST /api/wishlist/reorder",
        "GET /api/wishlist/{id}",
        "PATCH /api/wishlist/{id}",
        "DELETE /api/wishlist/{id}",
        "POST /api/wishlist/{id}/image",
        "DELETE /api/wishlist/{id}/image",
    ],
)
def test_no_caller_is_401(api: Callable[..., Any], route: str) -> None:
    status, body = api(route, None, id=uuid.uuid4(), body={"title": "x"})
    assert status == 401
    assert body["error"]["code"] == "UNAUTHORIZED"


def test_item_without_image_delete_makes_no_s3_call(
    api: Callable[..., Any], make: Any, user_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lego_common import storage

    calls: list[object] = []
    monkeypatch.setattr(storage, "delete_objects", lambda keys: calls.append(keys) or [])
    item = make.item(user_id)
    assert api("DELETE /api/wishlist/{id}", user_id, id=item["id"]).status == 200
    assert calls == []
