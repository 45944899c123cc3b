"""Redis cache-aside with the seed's keys and TTLs, guarded by a circuit breaker.

Redis is an optimisation, never a dependency (seed "Graceful Degradation"): when it fails, or
anything on the way to it does (the AUTH token's Secrets Manager fetch down or slow), the
breaker opens, the request pays at most one short timeout, a warning is logged, and every call
until the cool-down ends skips Redis and goes to the source.

Correctness beyond the TTL (issue 18, docs/reliability.md): a miss reads the owner's
generation (`gen:user:{userId}`) before it loads, and stores its page with a script that writes
only if the generation has not moved; a write bumps it (INCR) and deletes the keys it names
after its commit, so a reader that loaded before the write cannot put the old page back. The
hit path stays one GET. The write's transaction also inserts a row in
cache_invalidation_outbox, and the invalidation script marks that row delivered in Redis. A
sweep (at container start, when the breaker closes and every OUTBOX_SWEEP_S) claims the rows:
delivered ones just go; one Redis never took (Redis down) is replayed first (the user's
generation bumped, every key the user has cached deleted). So a write pays no database round
trip for its outbox beyond the INSERT inside its own transaction.

Invalidation never scans the keyspace: it also deletes the keys named and the members of tag
sets (e.g. all list pages of one user), in the same atomic script.

A value is "<VALUE_FORMAT> <head>\n<json>": head is the page total, the owner or empty. The
JSON is the wire JSON of the response (serialization.dumps), spliced into it on a hit.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

from lego_common.breaker import CircuitBreaker
from lego_common.config import get_settings
from lego_common.serialization import RawJson, dumps

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import psycopg
    import redis
    from redis.commands.core import Script

log = structlog.get_logger()

# seed 001 "Cache TTLs"
TTL_LIST_S = 300  # short: list queries
TTL_DETAIL_S = 600  # medium: detail queries
TTL_STATS_S = 1800  # long: aggregated statistics
# The whole profile (Cognito attributes + counts): seed 001 "User Profile Lambda" says 10 minutes,
# "Cache TTLs" 30 for aggregated statistics; every write bumps the owner's generation, so the
# shorter TTL costs little and bounds a stale name or picture written elsewhere.
TTL_PROFILE_S = 600

# The format of every cached value. Bump it when the JSON a response carries changes, so a value
# the previous code wrote is a miss instead of being served (v2: unset fields omitted, issue 12;
# v3: a MOC detail's partsLists carry their parse status, its files only ready ones, issue 17).
# The keys stay the seed's, so an invalidation reaches values of either format.
VALUE_FORMAT = "v3"

# A generation outlives any load it guards (a bump refreshes it); one that expired or was
# evicted is reborn from the server's clock (microseconds), never equal to one a loader holds.
GENERATION_TTL_S = 2 * TTL_STATS_S
# How often a container replays invalidations other containers could not deliver: the bound on
# staleness when one container cannot reach Redis while another can (docs/reliability.md).
OUTBOX_SWEEP_S = 10
_OUTBOX_BATCH = 500
# How long Redis remembers that an outbox row was delivered: many sweeps long. A row swept
# after its mark expired (no container ran meanwhile) is replayed: a spare invalidation.
DELIVERED_TTL_S = 900

# Budget of the AUTH token's fetch (connect/read timeout, one retry): Redis is optional, so a
# slow Secrets Manager must not hold a request for the default client's ~30 s.
SECRET_TIMEOUT_S = 1.0

_GENERATION_LUA = """
local function generation(key, ttl)
  local value = redis.call('GET', key)
  if not value then
    local now = redis.call('TIME')
    value = now[1] .. string.format('%06d', now[2])
    redis.call('SET', key, value, 'EX', ttl)
  end
  return value
end
"""

# KEYS: generation, value, then the sets that remember it (the user's keys, a tag); ARGV: the
# generation read before loading ('' when there was none), text, ttl. A loader whose generation
# moved meanwhile (a write bumped it) stores nothing.
_WRITE_LUA = """
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
for i = 3, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[2])
  redis.call('EXPIRE', KEYS[i], ARGV[3], 'GT')
  redis.call('EXPIRE', KEYS[i], ARGV[3], 'NX')
end
return 1
"""

# KEYS: generations, then tag sets, then delivery marks, then plain keys; ARGV: counts of the
# first three, the generations' TTL, the marks' TTL. Bumps every generation, deletes the keys and
# every tag's members and sets the marks (the outbox rows this invalidation delivers): atomic.
_INVALIDATE_LUA = (
    _GENERATION_LUA
    + """
local generations, tags, marks = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local ttl, marks_ttl = ARGV[4], ARGV[5]
for i = 1, generations do
  generation(KEYS[i], ttl)
  redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], ttl)
end
local doomed = {}
for i = generations + 1, generations + tags do
  for _, member in ipairs(redis.call('SMEMBERS', KEYS[i])) do
    doomed[#doomed + 1] = member
  end
  doomed[#doomed + 1] = KEYS[i]
end
for i = generations + tags + 1, generations + tags + marks do
  redis.call('SET', KEYS[i], '1', 'EX', marks_ttl)
end
for i = generations + tags + marks + 1, #KEYS do
  doomed[#doomed + 1] = KEYS[i]
end
for i = 1, #doomed, 500 do
  redis.call('DEL', unpack(doomed, i, math.min(i + 499, #doomed)))
end
return #doomed
"""
)


@dataclass(frozen=True)
class Invalidation:
    """A write's pending invalidation: the user whose cache it makes stale and the cursors of
    its outbox INSERTs (none when the cache is off, or when nothing was staged yet). The ids
    are read only after the commit, so a pipelined transaction sends the INSERT with its COMMIT.
    """

    user_id: str
    staged: tuple[psycopg.Cursor[Any], ...] = ()

    def merged(self, other: Invalidation) -> Invalidation:
        """Both pending invalidations (the same user's), for a request of several transactions."""
        return Invalidation(self.user_id, self.staged + other.staged)

    def outbox_ids(self) -> list[int]:
        """The outbox rows this invalidation delivers (read once, after the commit)."""
        rows = (cursor.fetchone() for cursor in self.staged)
        return [int(row[0]) for row in rows if row is not None]


class _Outbox:
    """When this container last replayed the outbox (None: never, i.e. a cold start)."""

    def __init__(self) -> None:
        self.swept_at: float | None = None
        self.lock = threading.Lock()


_outbox = _Outbox()


def generation_key(user_id: str) -> str:
    """The Redis key of a user's cache generation."""
    return f"gen:user:{user_id}"


def delivered_key(outbox_id: int) -> str:
    """The Redis mark saying that the invalidation of one outbox row reached Redis."""
    return f"cache:outbox:delivered:{outbox_id}"


def user_keys_key(user_id: str) -> str:
    """The set of every key cached for a user: what a replayed invalidation deletes."""
    return f"cache:user:{user_id}:keys"


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
        # one invocation at a time per container: one connection, no pool checkout per command
        # (the pool's get/release and pid check were ~8 % of a container's CPU under load)
        single_connection_client=True,
    )


@dataclass(frozen=True)
class _Scripts:
    write: Script
    invalidate: Script


@functools.cache
def _scripts(redis_client: redis.Redis) -> _Scripts:
    """The scripts, run by EVALSHA (redis-py loads them on NOSCRIPT)."""
    return _Scripts(
        redis_client.register_script(_WRITE_LUA),
        redis_client.register_script(_INVALIDATE_LUA),
    )


def _guarded(operation: str, call: Callable[[redis.Redis], Any], default: Any = None) -> Any:
    """Run call on the client unless the breaker is open; any failure on the way to Redis (the
    client's construction and its AUTH secret included) or of Redis opens it. The outbox is
    replayed first at a cold start, on the trial that may close the breaker and every
    OUTBOX_SWEEP_S."""
    if not get_settings().redis_url or not breaker().allow():
        return default
    is_trial = breaker().is_open  # half-open: Redis may hold entries a failed write left stale
    import redis as redis_lib

    try:
        redis_client = client()
    except Exception as exc:  # e.g. Secrets Manager down, slow or denied: Redis stays optional
        return _unavailable(operation, exc, default)
    if redis_client is None:
        return default
    try:
        if is_trial or _sweep_due():
            _replay_outbox(redis_client)
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


# --- the outbox of invalidations -----------------------------------------------------------------

_INSERT_OUTBOX = "INSERT INTO cache_invalidation_outbox (user_id) VALUES (%(uid)s) RETURNING id"
_PEEK_OUTBOX = "SELECT 1 FROM cache_invalidation_outbox LIMIT 1"
_CLAIM_OUTBOX = (
    "SELECT id, user_id FROM cache_invalidation_outbox ORDER BY id LIMIT %(n)s"
    " FOR UPDATE SKIP LOCKED"
)
_DELETE_OUTBOX = "DELETE FROM cache_invalidation_outbox WHERE id = ANY(%(ids)s)"


def stage_invalidation(conn: psycopg.Connection[Any], user_id: str) -> Invalidation:
    """Record, in the write's own transaction, that user_id's cache goes stale with it; pass the
    result to invalidate() after the commit."""
    if not get_settings().redis_url:
        return Invalidation(user_id)
    return Invalidation(user_id, (conn.execute(_INSERT_OUTBOX, {"uid": user_id}),))


def invalidate(staged: Invalidation, *keys: str, tags: Iterable[str] = ()) -> None:
    """After the commit: bump the user's generation, delete keys and tags' members and mark the
    outbox rows delivered, in one round trip. Redis unavailable: the rows stay unmarked and the
    next sweep replays them."""
    tag_list = list(tags)
    marks = [delivered_key(outbox_id) for outbox_id in staged.outbox_ids()]
    _guarded(
        "invalidate",
        lambda r: _invalidate_script(
            r, [generation_key(staged.user_id)], tag_list, marks, list(keys)
        ),
    )


def _invalidate_script(
    redis_client: redis.Redis,
    generations: list[str],
    tags: list[str],
    marks: list[str],
    keys: list[str],
) -> Any:
    return _scripts(redis_client).invalidate(
        keys=[*generations, *tags, *marks, *keys],
        args=[len(generations), len(tags), len(marks), GENERATION_TTL_S, DELIVERED_TTL_S],
        client=redis_client,
    )


def _sweep_due() -> bool:
    swept_at = _outbox.swept_at
    return swept_at is None or breaker().clock() - swept_at >= OUTBOX_SWEEP_S


def _replay_outbox(redis_client: redis.Redis) -> None:
    """Sweep the outbox: claim a batch of rows, replay those Redis has no delivery mark for
    (bump their users' generations, delete every key those users have cached), then delete the
    batch and the marks; a Redis error propagates to the breaker and keeps the rows.
    PostgreSQL down: logged, tried again after OUTBOX_SWEEP_S, and the cache still serves (seed
    "Graceful Degradation": no write can commit meanwhile). A row whose writer has committed
    but not yet reached Redis is replayed too: a spare invalidation, never a missed one."""
    from lego_common import db

    with _outbox.lock:
        started_at = breaker().clock()
        replayed = swept = 0
        try:
            with db.connection() as conn:
                pending = conn.execute(_PEEK_OUTBOX).fetchone() is not None
            while pending:
                with db.transaction() as conn:
                    rows = conn.execute(_CLAIM_OUTBOX, {"n": _OUTBOX_BATCH}).fetchall()
                    if rows:
                        marks = [delivered_key(int(outbox_id)) for outbox_id, _ in rows]
                        delivered = redis_client.mget(marks)
                        users = sorted(
                            {
                                str(user)
                                for (_, user), mark in zip(rows, delivered, strict=True)
                                if mark is None
                            }
                        )
                        _invalidate_script(  # which keys is lost: all of them
                            redis_client,
                            [*map(generation_key, users)],
                            [*map(user_keys_key, users)],
                            [],
                            marks,
                        )
                        conn.execute(_DELETE_OUTBOX, {"ids": [int(i) for i, _ in rows]})
                        replayed += sum(mark is None for mark in delivered)
                swept += len(rows)
                pending = len(rows) == _OUTBOX_BATCH
        except Exception as exc:
            import redis as redis_lib

            if isinstance(exc, redis_lib.RedisError):
                raise
            log.warning("cache_outbox_replay_failed", error=f"{type(exc).__name__}: {exc}"[:300])
            replayed = 0
        _outbox.swept_at = started_at
    if replayed:
        log.warning("cache_outbox_replayed", invalidations=replayed, swept=swept)


# --- reads ---------------------------------------------------------------------------------------


def get_text(key: str) -> str | None:
    """The raw text under key, or None on a miss or when Redis is unavailable."""
    value: str | None = _guarded("get", lambda r: r.get(key))
    return value


def set_text(key: str, text: str, ttl_seconds: int, tag: str | None = None) -> None:
    """Store raw text under key for ttl_seconds; with tag, remember the key for invalidate_tag()."""

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
    """(head, json) of the value under key, or None on a miss or a value of another format.
    The hit path: one GET, nothing else."""
    text = get_text(key)
    if text is None:
        return None
    header, sep, payload = text.partition("\n")
    value_format, _, head = header.partition(" ")
    if not sep or value_format != VALUE_FORMAT:
        return None
    return head, payload


def _generation(user_id: str) -> str | None:
    """On a miss, before loading: the user's generation ('' when none), None when Redis is
    unavailable (then nothing is stored)."""
    value: str | None = _guarded("get", lambda r: r.get(generation_key(user_id)) or "")
    return value


def _set_framed(
    user_id: str,
    generation: str | None,
    key: str,
    head: str,
    payload: str,
    ttl_seconds: int,
    tag: str | None,
) -> None:
    if generation is None:
        return
    text = f"{VALUE_FORMAT} {head}\n{payload}"
    sets = [user_keys_key(user_id), *([tag] if tag else [])]
    _guarded(
        "set",
        lambda r: _scripts(r).write(
            keys=[generation_key(user_id), key, *sets],
            args=[generation, text, ttl_seconds],
            client=r,
        ),
    )


def cached(
    user_id: str, key: str, ttl_seconds: int, load: Callable[[], Any], tag: str | None = None
) -> RawJson:
    """Cache-aside for user_id's data: the JSON text under key, or load() encoded, stored and
    returned."""
    hit = _get_framed(key)
    if hit is not None:
        return RawJson(hit[1])
    generation = _generation(user_id)
    text = dumps(load())
    _set_framed(user_id, generation, key, "", text, ttl_seconds, tag)
    return RawJson(text)


def cached_page(
    user_id: str,
    key: str,
    ttl_seconds: int,
    load: Callable[[], tuple[Any, int]],
    tag: str | None = None,
) -> tuple[RawJson, int]:
    """Cache-aside for a page of user_id's list: (rows as JSON, total). The total is the
    value's head, so a hit gives it without decoding the rows."""
    hit = _get_framed(key)
    if hit is not None and hit[0].isdigit():
        return RawJson(hit[1]), int(hit[0])
    generation = _generation(user_id)
    data, total = load()
    rows = dumps(data)
    _set_framed(user_id, generation, key, str(int(total)), rows, ttl_seconds, tag)
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
    generation = _generation(owner)
    payload = dumps(load())
    if "\n" not in owner:
        _set_framed(owner, generation, key, owner, payload, ttl_seconds, tag)
    return RawJson(payload)


# --- raw invalidation (no generation: tests and tools) -------------------------------------------


def delete(*keys: str) -> None:
    if keys:
        _guarded("delete", lambda r: r.delete(*keys))


def invalidate_tag(tag: str) -> None:
    """Delete every key recorded under tag (and the tag), without scanning the keyspace."""
    _guarded("invalidate", lambda r: _invalidate_script(r, [], [tag], [], []))


def ping() -> None:
    """PING Redis, bypassing the breaker so health reports the real state; raises on error."""
    redis_client = client()
    if redis_client is None:
        raise RuntimeError("REDIS_URL is not set")
    redis_client.ping()


def reset() -> None:
    """Forget the client, breaker and outbox state, as a new container would (tests)."""
    existing = client() if client.cache_info().currsize else None
    if existing is not None:
        existing.close()
    client.cache_clear()
    _scripts.cache_clear()
    breaker.cache_clear()
    _outbox.swept_at = None
