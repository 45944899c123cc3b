"""Every create and delete of an image forgets the owner's cached profile (its totalImages)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lego_common import keys

if TYPE_CHECKING:
    from collections.abc import Callable

    import redis


def test_create_and_delete_forget_the_cached_profile(
    post_form: Callable[..., Any],
    api: Callable[..., Any],
    make: Any,
    user_id: str,
    redis_client: redis.Redis,
) -> None:
    key = keys.profile(user_id)
    redis_client.set(key, "cached profile", ex=600)
    status, body = post_form(user_id, {"title": "Front"}, make.jpeg(64, 48))
    assert status == 201
    assert redis_client.get(key) is None

    redis_client.set(key, "cached profile", ex=600)
    status, _ = api("DELETE /api/images/{id}", user_id, id=body["data"]["id"])
    assert status == 200
    assert redis_client.get(key) is None
