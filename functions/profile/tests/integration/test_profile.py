"""GET and PATCH /api/users/{id}: the caller's own profile, exact counts, privacy."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from lego_common import keys

if TYPE_CHECKING:
    from collections.abc import Callable

    import redis


def test_get_answers_the_cognito_attributes_and_zero_counts(call: Any, user: Any) -> None:
    status, body = call("GET /api/users/{id}", user)
    assert status == 200
    assert body["data"] == {
        "sub": user.sub,
        "email": user.email,
        "name": "Ann Builder",
        "stats": {"totalMOCs": 0, "totalImages": 0, "totalWishlistItems": 0},
    }


def test_unset_attributes_are_omitted(call: Any, new_user: Callable[..., Any]) -> None:
    nameless = new_user(None)
    status, body = call("GET /api/users/{id}", nameless)
    assert status == 200
    assert "name" not in body["data"]
    assert "picture" not in body["data"]
    assert "null" not in str(body)


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("GET /api/users/{id}", None),
        ("PATCH /api/users/{id}", {"name": "Mallory"}),
        ("DELETE /api/users/{id}/avatar", None),
    ],
)
def test_another_users_id_and_a_random_id_are_404_and_change_nothing(
    call: Any, user: Any, other: Any, route: str, body: Any
) -> None:
    for target in (other.sub, uuid.uuid4()):
        status, answer = call(route, user, id=target, body=body)
        assert status == 404, answer
        assert answer["error"]["code"] == "NOT_FOUND"
        assert answer["error"]["message"] == "profile not found"
    status, answer = call("GET /api/users/{id}", other)
    assert answer["data"]["name"] == "Bob Other"


def test_a_non_uuid_id_is_400(call: Any, user: Any) -> None:
    status, body = call("GET /api/users/{id}", user, id="not-a-uuid")
    assert status == 400
    assert body["error"]["code"] == "VALIDATION_ERROR"


def test_patch_then_get_shows_the_new_name(call: Any, user: Any) -> None:
    status, body = call("GET /api/users/{id}", user)  # warm the cache
    status, body = call("PATCH /api/users/{id}", user, body={"name": "  Ann the Builder "})
    assert status == 200
    assert body["data"]["name"] == "Ann the Builder"
    status, body = call("GET /api/users/{id}", user)
    assert body["data"]["name"] == "Ann the Builder"


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"name": "bad\u0007bell"},
        {"name": "new\nline"},
        {"name": 42},
        {"name": None},
        {},
        {"name": "Ann", "email": "evil@example.com"},
        {"sub": str(uuid.uuid4())},
        {"picture": "https://evil.example/x.png"},
        '{"name": ',
        ["name"],
    ],
)
def test_patch_rejects_anything_but_a_sound_name(call: Any, user: Any, body: Any) -> None:
    status, answer = call("PATCH /api/users/{id}", user, body=body)
    assert status == 400, answer
    assert answer["error"]["code"] == "VALIDATION_ERROR"
    assert call("GET /api/users/{id}", user).body["data"]["name"] == "Ann Builder"


def test_a_100_character_name_is_accepted(call: Any, user: Any) -> None:
    status, body = call("PATCH /api/users/{id}", user, body={"name": "é" * 100})
    assert status == 200
    assert body["data"]["name"] == "é" * 100


def test_the_profile_is_cached_under_the_seed_key(
    call: Any, user: Any, redis_client: redis.Redis
) -> None:
    call("GET /api/users/{id}", user)
    ttl = redis_client.ttl(keys.profile(user.sub))
    assert 590 <= ttl <= 600
