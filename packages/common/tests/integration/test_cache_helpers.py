"""cache.cached_page and cache.cached_owned against the stack's real Redis."""

from __future__ import annotations

import uuid

import pytest
import redis

from lego_common import cache

pytestmark = pytest.mark.usefixtures("services")


def _key() -> str:
    return f"test:{uuid.uuid4()}"


def test_cached_page_hit_returns_rows_and_total_without_load(redis_client: redis.Redis) -> None:
    key = _key()
    first = cache.cached_page("alice", key, 60, lambda: ([{"a": 1}], 7))

    def _fail() -> tuple[list[int], int]:
        raise AssertionError("load() must not run on a hit")

    second = cache.cached_page("alice", key, 60, _fail)
    assert first == second
    assert (second[0].text, second[1]) == ('[{"a":1}]', 7)
    assert redis_client.get(key) == 'v3 7\n[{"a":1}]'


def test_cached_owned_other_owner_misses_and_calls_load(redis_client: redis.Redis) -> None:
    key = _key()
    cache.cached_owned("alice", key, 60, lambda: {"secret": 1})
    calls: list[str] = []

    def _load_for_bob() -> dict[str, int]:
        calls.append("bob")
        raise LookupError("not bob's")

    with pytest.raises(LookupError):
        cache.cached_owned("bob", key, 60, _load_for_bob)
    assert calls == ["bob"]
    assert cache.cached_owned("alice", key, 60, lambda: {}).text == '{"secret":1}'
    assert redis_client.get(key) == 'v3 alice\n{"secret":1}'


@pytest.mark.parametrize(
    "previous",
    ['7\n[{"a":null}]', 'alice\n{"a":null}', '{"a":null}', 'v1 alice\n{"a":null}'],
)
def test_value_of_a_previous_format_is_a_miss_and_is_rewritten(
    redis_client: redis.Redis, previous: str
) -> None:
    key = _key()
    redis_client.set(key, previous)
    assert cache.cached_owned("alice", key, 60, lambda: {"a": 2}).text == '{"a":2}'
    assert redis_client.get(key) == 'v3 alice\n{"a":2}'
    redis_client.set(key, previous)
    assert cache.cached_page("alice", key, 60, lambda: ([1], 1)) == (cache.RawJson("[1]"), 1)
    redis_client.set(key, previous)
    assert cache.cached("alice", key, 60, lambda: [3]).text == "[3]"
