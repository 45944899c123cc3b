"""Redis cache-aside with the seed's keys and TTLs, guarded by a circuit breaker.

Redis is an optimisation, never a dependency (seed "Graceful Degradation"): when it fails, or
anything on the way to it does (the AUTH token's Secrets Manager fetch down or slow), the
breaker opens, the request pays at most one short timeout, a warning is logged, and every call
until the cool-down ends skips Redis and goes to the source.

Invalidation never scans the keyspace: each cached key is added to a tag set (e.g. all list
pages of one user), and invalidating the tag deletes its members in one atomic script.

A value is "<VALUE_FORMAT> <head>\n<json>": head is the page total, the owner or empty. The
JSON is the wire JSON of the response (serialization.dumps), spliced into it on a hit.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import structlog

from lego_common.breaker import CircuitBreaker
from lego_common.config import get_settings
from lego_common.serialization import RawJson, dumps

if TYPE_CHECKING:
    from collections.abc import Callable

    import redis

log = structlog.get_logger()

# seed 001 "Cache TTLs"
TTL_LIST_S = 300  # short: list queries
TTL_DETAIL_S = 600  # medium: detail queries
TTL_STATS_S = 1800  # long: aggregated statistics
# The whole profile (Cognito attributes + counts): seed 001 "User Profile Lambda" says 10 minutes,
# "Cache TTLs" 30 for aggregated statistics; forget_profile() keeps the counts exact on every
# write, so the shorter TTL costs little and bounds a stale name or picture written elsewhere.
TTL_PROFILE_S = 600

# The format of every cached value. Bump it when the JSON a response carries changes, so a value
# the previous code wrote is a miss instead of being served (v2: unset fields omitted, issue 12;
# v3: a MOC detail's partsLists carry their parse status, its files only ready ones, issue 17).
# The keys stay the seed's, so an invalidation reaches values of either format.
VALUE_FORMAT = "v3"

# Budget of the AUTH token's fetch (connect/read timeout, one retry): Redis is optional, so a
# slow Secrets Manager must not hold a request for the default client's ~30 s.
SECRET_TIMEOUT_S = 1.0

# Deletes every key of a tag set, then the set: one round trip, atomic.
_INVALIDATE_LUA = """
local members = redis.call('SMEMBERS', KEYS[1])
for i = 1, #members, 500 do
  redis.call('DEL', unpack(members, i, math.min(i + 499, #members)))
end
redis.call('DEL', KEYS[1])
return #members
"""


@functools.cache
def breaker() -> CircuitBreaker:
    return CircuitBreaker(get_settings().cache_breaker_cooldown_s)


@functools.cache
def client() -> redis.Redis | None:
    """The container's Redis client, or None when REDIS_URL is unset (cache disabled)."""
    settings = get_settings()
    if not settings.redis_url:
        return None
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    password = None
    if settings.redis_auth_secret_arn:
        from lego_common import aws

        secret = aws.secret_json(settings.redis_auth_secret_arn, SECRET_TIMEOUT_S)
        password = str(secret.get("token") or secret.get("password") or secret.get("value"))
    timeout_s = settings.redis_timeout_ms / 1000
    return redis.Redis.from_url(
        settings.redis_url,
        password=password,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), 0),  # the breaker decides; redis-py's own retries would stack
        health_check_interval=0,
        decode_responses=True,
    )


def _guarded(operation: str, call: Callable[[redis.Redis], Any], default: Any = None) -> Any:
    """Run call on the client unless the breaker is open; any failure on the way to Redis (the
    client's construction and its AUTH secret included) or of Redis opens it."""
    if not get_settings().redis_url or not breaker().allow():
        return default
    import redis as redis_lib

    try:
        redis_client = client()
    except Exception as exc:  # e.g. Secrets Manager down, slow or denied: Redis stays optional
        return _unavailable(operation, exc, default)
    if redis_client is None:
        return default
    try:
        result = call(redis_client)
    except redis_lib.RedisError as exc:
        return _unavailable(operation, exc, default)
    breaker().record_success()
    return result


def _unavailable(operation: str, exc: Exception, default: Any) -> Any:
    breaker().record_failure()
    log.warning(
        "cache_unavailable",
        operation=operation,
        error=f"{type(exc).__name__}: {exc}"[:300],
        cooldown_s=breaker().cooldown_s,
    )
    return default


def get_text(key: str) -> str | None:
    """The cached JSON text under key, or None on a miss or when Redis is unavailable."""
    value: str | None = _guarded("get", lambda r: r.get(key))
    return value


def set_text(key: str, text: str, ttl_seconds: int, tag: str | None = None) -> None:
    """Store text under key for ttl_seconds; with tag, remember the key for invalidate_tag()."""

    def _set(r: redis.Redis) -> None:
        pipe = r.pipeline(transaction=False)
        pipe.set(key, text, ex=ttl_seconds)
        if tag is not None:
            pipe.sadd(tag, key)
            pipe.expire(tag, ttl_seconds, gt=True)
            pipe.expire(tag, ttl_seconds, nx=True)
        pipe.execute()

    _guarded("set", _set)


def _get_framed(key: str) -> tuple[str, str] | None:
    """(head, json) of the value under key, or None on a miss or a value of another format."""
    text = get_text(key)
    if text is None:
        return None
    header, sep, payload = text.partition("\n")
    value_format, _, head = header.partition(" ")
    if not sep or value_format != VALUE_FORMAT:
        return None
    return head, payload


def _set_framed(key: str, head: str, payload: str, ttl_seconds: int, tag: str | None) -> None:
    set_text(key, f"{VALUE_FORMAT} {head}\n{payload}", ttl_seconds, tag)


def cached(key: str, ttl_seconds: int, load: Callable[[], Any], tag: str | None = None) -> RawJson:
    """Cache-aside: the JSON text under key, or load() encoded, stored and returned."""
    hit = _get_framed(key)
    if hit is not None:
        return RawJson(hit[1])
    text = dumps(load())
    _set_framed(key, "", text, ttl_seconds, tag)
    return RawJson(text)


def cached_page(
    key: str,
    ttl_seconds: int,
    load: Callable[[], tuple[Any, int]],
    tag: str | None = None,
) -> tuple[RawJson, int]:
    """Cache-aside for a page of a list: (rows as JSON, total). The total is the value's head,
    so a hit gives it without decoding the rows."""
    hit = _get_framed(key)
    if hit is not None and hit[0].isdigit():
        return RawJson(hit[1]), int(hit[0])
    data, total = load()
    rows = dumps(data)
    _set_framed(key, str(int(total)), rows, ttl_seconds, tag)
    return RawJson(rows), int(total)


def cached_owned(
    owner: str, key: str, ttl_seconds: int, load: Callable[[], Any], tag: str | None = None
) -> RawJson:
    """Cache-aside for a key without the user in it (seed `moc:detail:{mocId}`): the value
    records its owner and a hit for anyone else is a miss, so load(), which filters by owner,
    decides (404) and another user's row is never served from the cache."""
    hit = _get_framed(key)
    if hit is not None and hit[0] == owner:
        return RawJson(hit[1])
    payload = dumps(load())
    if "\n" not in owner:
        _set_framed(key, owner, payload, ttl_seconds, tag)
    return RawJson(payload)


def delete(*keys: str) -> None:
    if keys:
        _guarded("delete", lambda r: r.delete(*keys))


def forget_profile(user_id: str) -> None:
    """Drop the user's cached profile (`profile:user:{userId}`), whose counts of MOCs, images
    and wishlist items must stay exact: every create and delete of those rows calls this after
    its commit (the profile function caches the whole profile for TTL_PROFILE_S)."""
    from lego_common import keys

    delete(keys.profile(user_id))


def invalidate_tag(tag: str) -> None:
    """Delete every key recorded under tag (and the tag), without scanning the keyspace."""
    _guarded("invalidate", lambda r: r.eval(_INVALIDATE_LUA, 1, tag))


def ping() -> None:
    """PING Redis, bypassing the breaker so health reports the real state; raises on error."""
    redis_client = client()
    if redis_client is None:
        raise RuntimeError("REDIS_URL is not set")
    redis_client.ping()


def reset() -> None:
    """Forget the client and breaker state (tests)."""
    existing = client() if client.cache_info().currsize else None
    if existing is not None:
        existing.close()
    client.cache_clear()
    breaker.cache_clear()
