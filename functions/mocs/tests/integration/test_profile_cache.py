"""Every create and delete of a MOC forgets the owner's cached profile (its totalMOCs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lego_common import keys

if TYPE_CHECKING:
    from collections.abc import Callable

    import redis


def test_create_and_delete_forget_the_cached_profile(
    api: Callable[..., Any],
    user_id: str,
    moc_body: Callable[..., dict[str, Any]],
    redis_client: redis.Redis,
) -> None:
    key = keys.profile(user_id)
    redis_client.set(key, "cached profile", ex=600)
    status, body = api("POST /api/mocs", user_id, body=moc_body())
    assert status == 201
    assert redis_client.get(key) is None

    redis_client.set(key, "cached profile", ex=600)
    status, _ = api("DELETE /api/mocs/{id}", user_id, id=body["data"]["id"])
    assert status == 200
    assert redis_client.get(key) is None
