"""lego_common.cache against a real Redis: cache-aside, tags, and a real outage."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable

import pytest
import redis
import structlog

from lego_common import cache
from lego_common.breaker import CircuitBreaker

pytestmark = pytest.mark.usefixtures("services")


def _redis_now_ms(client: redis.Redis) -> int:
    """Redis' own clock in ms: TTLs are bracketed by it, not by the test's speed."""
    seconds, micros = client.time()
    return int(seconds) * 1000 + int(micros) // 1000


def _expires_at_ms(client: redis.Redis, key: str) -> int:
    """When key expires, in Redis' unix ms (PEXPIRETIME, Redis 7; EXPIRETIME rounds)."""
    return int(client.execute_command("PEXPIRETIME", key))


def test_cached_loads_once_then_serves_the_stored_json(redis_client: redis.Redis) -> None:
    loads: list[int] = []

    def load() -> dict[str, int]:
        loads.append(1)
        return {"n": len(loads)}

    before = _redis_now_ms(redis_client)
    first = cache.cached("u1", "t:cached:1", 300, load)
    second = cache.cached("u1", "t:cached:1", 300, load)
    after = _redis_now_ms(redis_client)
    assert first.text == second.text == '{"n":1}'
    assert loads == [1]
    assert before + 300_000 <= _expires_at_ms(redis_client, "t:cached:1") <= after + 300_000


def test_tag_invalidation_deletes_only_tagged_keys(redis_client: redis.Redis) -> None:
    cache.set_text("t:list:u1:1", "[1]", 300, tag="t:tag:u1")
    cache.set_text("t:list:u1:2", "[2]", 300, tag="t:tag:u1")
    cache.set_text("t:list:u2:1", "[3]", 300, tag="t:tag:u2")
    assert redis_client.smembers("t:tag:u1") == {"t:list:u1:1", "t:list:u1:2"}
    cache.invalidate_tag("t:tag:u1")
    assert redis_client.exists("t:list:u1:1", "t:list:u1:2", "t:tag:u1") == 0
    assert redis_client.get("t:list:u2:1") == "[3]"


def test_tag_set_lives_as_long_as_its_longest_member(redis_client: redis.Redis) -> None:
    before = _redis_now_ms(redis_client)
    cache.set_text("t:a", "1", 600, tag="t:ttl-tag")
    cache.set_text("t:b", "1", 300, tag="t:ttl-tag")
    after = _redis_now_ms(redis_client)
    assert before + 600_000 <= _expires_at_ms(redis_client, "t:ttl-tag") <= after + 600_000


def test_delete_removes_keys(redis_client: redis.Redis) -> None:
    cache.set_text("t:del", "1", 60)
    cache.delete("t:del")
    assert redis_client.get("t:del") is None


def test_redis_stopped_mid_request_logs_warning_and_loads_from_source(redis_outage) -> None:  # type: ignore[no-untyped-def]
    cache.cached("u1", "t:outage", 300, lambda: {"v": "before"})
    with redis_outage(), structlog.testing.capture_logs() as logs:
        value = cache.cached("u1", "t:outage", 300, lambda: {"v": "source"})
    assert value.text == '{"v":"source"}'
    warnings = [e for e in logs if e["event"] == "cache_unavailable"]
    assert warnings
    assert warnings[0]["log_level"] == "warning"


def test_open_breaker_skips_redis_so_each_window_pays_one_timeout(redis_outage) -> None:  # type: ignore[no-untyped-def]
    with redis_outage(), structlog.testing.capture_logs() as logs:
        for _ in range(20):
            assert cache.get_text("t:any") is None
            cache.set_text("t:any", "1", 60)
            cache.invalidate_tag("t:tag")
    # one failed call opened the breaker; the other 59 never touched the socket
    assert len([e for e in logs if e["event"] == "cache_unavailable"]) == 1
    assert cache.breaker().is_open


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The cache breaker's clock: tests move now[0] instead of waiting."""
    now = [1000.0]
    breaker = CircuitBreaker(30, clock=lambda: now[0])
    monkeypatch.setattr(cache, "breaker", functools.cache(lambda: breaker))
    return now


def test_cache_recovers_after_the_cooldown(
    redis_outage: Callable[[], contextlib.AbstractContextManager[None]],
    redis_client: redis.Redis,
    clock: list[float],
) -> None:
    with redis_outage():
        cache.get_text("t:recover")
    assert cache.breaker().is_open
    cache.set_text("t:recover", "early", 60)  # within the cool-down: skipped
    assert redis_client.get("t:recover") is None
    clock[0] += 30
    cache.set_text("t:recover", "back", 60)  # the trial, which succeeds and closes the breaker
    assert redis_client.get("t:recover") == "back"
    assert not cache.breaker().is_open


def test_cache_still_down_after_the_cooldown_costs_one_trial_per_window(
    redis_outage: Callable[[], contextlib.AbstractContextManager[None]], clock: list[float]
) -> None:
    with redis_outage(), structlog.testing.capture_logs() as logs:
        for _window in range(3):
            for _ in range(10):
                assert cache.get_text("t:down") is None
            clock[0] += 30
    assert len([e for e in logs if e["event"] == "cache_unavailable"]) == 3


def test_cache_disabled_without_redis_url(monkeypatch: pytest.MonkeyPatch) -> None:
    from lego_devstack import reset_clients

    monkeypatch.delenv("REDIS_URL")
    reset_clients()
    assert cache.client() is None
    assert cache.cached("u1", "t:none", 60, lambda: [1]).text == "[1]"
