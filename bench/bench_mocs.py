"""mocs benchmarks (issue 4): each request path against the floor of the work it cannot avoid.

- cached GET /api/mocs/{id} through lambda_handler vs a raw redis GET of the same key;
- uncached GET /api/mocs (page of 20 from the 10,000 MOCs of one user, 100 users) through
  lambda_handler vs the raw SQL of that page.

Starts its own native stack (PostgreSQL, Redis, moto), seeds it with COPY, stops it at the end.
Handler logs go to /dev/null at the file-descriptor level: formatting them is still measured.
Run alone: `uv run python -m bench.bench_mocs` (prints the rows and where the time goes).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

from bench.timing import native_stack, row, stdout_to_devnull

if TYPE_CHECKING:
    from collections.abc import Callable

    import psycopg

MEASURED_USER = "bench-user-000"
USERS = 100
MEASURED_ROWS = 10_000
# The other 99 users hold 1,000 MOCs each (109,000 rows, ~12 s of COPY with the GIN indexes).
OTHER_ROWS = 1_000
ITERATIONS = 2_000
WARMUP = 200
GOAL = "<= 1.5x"
_WORDS = [
    "castle",
    "space",
    "city",
    "train",
    "pirate",
    "star",
    "technic",
    "ninjago",
    "creator",
    "modular",
    "house",
    "tower",
    "bridge",
    "ship",
    "dragon",
    "robot",
    "truck",
    "car",
    "plane",
    "harbor",
    "station",
    "market",
    "library",
]


def _median_us(fn: Callable[[], object], iterations: int = ITERATIONS) -> float:
    for _ in range(min(WARMUP, iterations)):
        fn()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1e6, 1)


def _compare(
    subject: Callable[[], object], floor: Callable[[], object], rounds: int = 20
) -> tuple[float, float]:
    """Medians of subject and floor, sampled in alternating rounds so that load from other
    processes on the machine weighs on both alike."""
    samples: tuple[list[float], list[float]] = ([], [])
    per_round = ITERATIONS // rounds
    for fn in (subject, floor):
        for _ in range(WARMUP):
            fn()
    for _ in range(rounds):
        for fn, into in ((subject, samples[0]), (floor, samples[1])):
            for _ in range(per_round):
                started = time.perf_counter()
                fn()
                into.append(time.perf_counter() - started)
    subject_us, floor_us = (round(statistics.median(s) * 1e6, 1) for s in samples)
    return subject_us, floor_us


def _duty_cycle_floor_us(floor: Callable[[], object], busy_us: float) -> float:
    """The floor timed after busy_us of CPU work each time (untimed), as inside a request.

    On a shared 2-core machine a loopback round trip costs 2-4x more when the caller has just
    computed for a while than back to back (the server process was descheduled), so the
    back-to-back floor flatters the server; this one has the handler's rhythm."""
    samples = []
    for n in range(WARMUP + ITERATIONS // 2):
        spin_until = time.perf_counter() + busy_us / 1e6
        while time.perf_counter() < spin_until:
            pass
        started = time.perf_counter()
        floor()
        if n >= WARMUP:
            samples.append(time.perf_counter() - started)
    return round(statistics.median(samples) * 1e6, 1)


def _seed(conn: psycopg.Connection[Any]) -> str:
    """COPY the MOCs; return the id of one MOC of the measured user."""
    rnd = random.Random(4)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    with (
        conn.cursor() as cur,
        cur.copy(
            "COPY moc_instructions (user_id, title, description, type, author, tags, created_at,"
            " updated_at) FROM STDIN"
        ) as copy,
    ):
        for user in range(USERS):
            user_id = f"bench-user-{user:03d}"
            for n in range(MEASURED_ROWS if user == 0 else OTHER_ROWS):
                at = base + timedelta(seconds=n * 60 + user)
                copy.write_row(
                    (
                        user_id,
                        " ".join(rnd.sample(_WORDS, 3)) + f" {n}",
                        " ".join(rnd.choices(_WORDS, k=12)),
                        "moc",
                        "Bench Author",
                        rnd.sample(_WORDS[:8], 2),
                        at,
                        at,
                    )
                )
    conn.execute("VACUUM ANALYZE moc_instructions")
    row = conn.execute(
        "SELECT id FROM moc_instructions WHERE user_id = %s ORDER BY created_at DESC LIMIT 1",
        (MEASURED_USER,),
    ).fetchone()
    assert row is not None
    return str(row[0])


def _row(name: str, value: float, floor: float | None, floor_name: str | None) -> dict[str, Any]:
    return row(name, value, "us", floor, floor_name, GOAL if floor else None)


def _measure(moc_id: str) -> list[dict[str, Any]]:
    import psycopg
    import redis

    from lego_common import cache, keys
    from lego_common.serialization import dumps
    from lego_devstack import reset_clients
    from lego_devstack.events import http_event
    from lego_mocs import repository
    from lego_mocs.handler import lambda_handler
    from lego_mocs.models import Moc

    rows: list[dict[str, Any]] = []

    # --- cached detail: handler vs redis GET of the same key ----------------------------------
    detail_event = http_event(
        "GET /api/mocs/{id}", user_id=MEASURED_USER, path_params={"id": moc_id}
    )
    first = lambda_handler(detail_event, None)
    assert first["statusCode"] == 200, first["body"]
    raw_redis = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
    detail_key = keys.moc_detail(moc_id)
    assert raw_redis.get(detail_key) is not None
    cached, redis_floor = _compare(
        lambda: lambda_handler(detail_event, None), lambda: raw_redis.get(detail_key)
    )
    rows.append(_row("mocs GET /api/mocs/{id} cached", cached, redis_floor, "redis GET same key"))
    get_after_work = _duty_cycle_floor_us(lambda: raw_redis.get(detail_key), cached - redis_floor)
    rows.append(
        _row(
            "mocs GET /api/mocs/{id} cached (vs duty-cycle floor)",
            cached,
            get_after_work,
            "redis GET same key, after the handler's CPU time",
        )
    )

    # --- uncached list: handler (cache off) vs the raw SQL it runs -----------------------------
    list_event = http_event("GET /api/mocs", user_id=MEASURED_USER, query={"limit": "20"})
    sql_conn = psycopg.connect(
        host=os.environ["DB_HOST"],
        port=int(os.environ["DB_PORT"]),
        user=os.environ["DB_USER"],
        password=os.environ["DB_PASSWORD"],
        dbname=os.environ["DB_NAME"],
        autocommit=True,
        prepare_threshold=None,  # as lego_common.db (RDS Proxy)
    )
    params = {"uid": MEASURED_USER, "limit": 20, "offset": 0, "tag": None}
    # the statement the handler sends: the page with its total (migration 0002's counter)
    handler_sql = repository._SELECT_PAGE.format(total=repository._TOTAL_ALL, tag_filter="")
    page_only_sql = repository._SELECT_PAGE.format(total="NULL", tag_filter="")

    redis_url = os.environ.pop("REDIS_URL")  # cache off: every request reads PostgreSQL
    reset_clients()
    assert lambda_handler(list_event, None)["statusCode"] == 200
    uncached, sql_floor = _compare(
        lambda: lambda_handler(list_event, None),
        lambda: sql_conn.execute(handler_sql, params).fetchall(),
    )
    rows.append(_row("mocs GET /api/mocs uncached", uncached, sql_floor, "raw SQL: page + total"))
    sql_after_work = _duty_cycle_floor_us(
        lambda: sql_conn.execute(handler_sql, params).fetchall(), uncached - sql_floor
    )
    rows.append(
        _row(
            "mocs GET /api/mocs uncached (vs duty-cycle floor)",
            uncached,
            sql_after_work,
            "raw SQL: page + total, after the handler's CPU time",
        )
    )
    uncached_again, page_floor = _compare(
        lambda: lambda_handler(list_event, None),
        lambda: sql_conn.execute(page_only_sql, params).fetchall(),
    )
    rows.append(
        _row(
            "mocs GET /api/mocs uncached (vs page only)",
            uncached_again,
            page_floor,
            "raw SQL: page without total",
        )
    )

    # where the rest goes (informational rows, no goal)
    with sql_conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        dict_rows = cur.execute(handler_sql, params).fetchall()
    adapter = TypeAdapter(list[Moc])
    page_models = adapter.validate_python(dict_rows)
    parts = {
        "SQL as dict rows (psycopg dict_row)": _median_us(
            lambda: (
                sql_conn.cursor(row_factory=psycopg.rows.dict_row)
                .execute(handler_sql, params)
                .fetchall()
            )
        ),
        "validate 20 rows into Moc (one TypeAdapter call)": _median_us(
            lambda: adapter.validate_python(dict_rows)
        ),
        "validate 20 rows with class_row-style Moc(**row)": _median_us(
            lambda: [Moc(**row) for row in dict_rows]
        ),
        "JSON of 20 Moc (lego_common dumps, one pydantic-core call)": _median_us(
            lambda: dumps(page_models)
        ),
        "JSON of 20 Moc (json.dumps + model_dump each, before)": _median_us(
            lambda: json.dumps([m.model_dump(mode="json", by_alias=True) for m in page_models])
        ),
        "count(*) of the user's 10k rows (what migration 0002 avoids)": _median_us(
            lambda: sql_conn.execute(
                "SELECT count(*) FROM moc_instructions WHERE user_id = %(uid)s", params
            ).fetchone(),
            300,
        ),
    }
    for name, value in parts.items():
        rows.append(_row(f"mocs list part: {name}", value, None, None))
    for name, value in _staged_list(handler_sql, params).items():
        rows.append(_row(f"mocs list in-request stage: {name}", value, None, None))

    # search with OpenSearch unconfigured: the pg_trgm fallback (cache still off)
    search_event = http_event(
        "GET /api/mocs", user_id=MEASURED_USER, query={"search": "castel", "limit": "20"}
    )
    assert lambda_handler(search_event, None)["statusCode"] == 200
    rows.append(
        _row(
            "mocs GET /api/mocs?search=castel fallback (pg_trgm, 10k MOCs)",
            _median_us(lambda: lambda_handler(search_event, None), 50),
            None,
            None,
        )
    )

    # the cache-miss path with Redis on: GET miss + SET/SADD/EXPIRE on top of the SQL
    os.environ["REDIS_URL"] = redis_url
    reset_clients()
    list_key = keys.moc_list(MEASURED_USER, 1, 20, "", "")

    def miss() -> None:
        raw_redis.delete(list_key)
        lambda_handler(list_event, None)

    miss_total, delete_only = _compare(miss, lambda: raw_redis.delete(list_key))
    rows.append(
        _row(
            "mocs GET /api/mocs cache miss (Redis on, DEL excluded)",
            round(miss_total - delete_only, 1),
            sql_floor,
            "raw SQL: page + total",
        )
    )
    lambda_handler(list_event, None)
    list_cached, list_redis_floor = _compare(
        lambda: lambda_handler(list_event, None), lambda: raw_redis.get(list_key)
    )
    rows.append(
        _row("mocs GET /api/mocs cached", list_cached, list_redis_floor, "redis GET same key")
    )
    cache.reset()
    sql_conn.close()
    raw_redis.close()
    return rows


def _staged_list(handler_sql: str, params: dict[str, Any]) -> dict[str, float]:
    """The uncached list request replayed stage by stage, each timed inside the same request,
    so the cost of running cold right after waiting on a socket lands on the right stage."""
    import psycopg
    import structlog

    from lego_common import db, http
    from lego_common.serialization import dumps
    from lego_devstack.events import http_event
    from lego_mocs.models import Moc, MocListQuery

    event = http_event("GET /api/mocs", user_id=MEASURED_USER, query={"limit": "20"})
    adapter = TypeAdapter(list[Moc])
    logger = structlog.get_logger()
    names = (
        "parse event + query",
        "SQL round trip (dict rows)",
        "validate rows",
        "JSON",
        "log line",
    )
    samples: dict[str, list[float]] = {name: [] for name in names}
    for n in range(WARMUP + ITERATIONS):
        marks = [time.perf_counter()]
        http.Request.from_event(event).query_as(MocListQuery)
        marks.append(time.perf_counter())
        with db.connection() as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
            fetched = cur.execute(handler_sql, params).fetchall()
        marks.append(time.perf_counter())
        models = adapter.validate_python(fetched)
        marks.append(time.perf_counter())
        dumps(models)
        marks.append(time.perf_counter())
        logger.info("request_completed", status=200, duration_ms=0.5)
        marks.append(time.perf_counter())
        if n >= WARMUP:
            for i, name in enumerate(names):
                samples[name].append(marks[i + 1] - marks[i])
    return {name: round(statistics.median(v) * 1e6, 1) for name, v in samples.items()}


def _handler_overhead_profile() -> list[dict[str, Any]]:
    """The fixed cost of a request through the dispatcher, by part (cache hit path)."""
    import structlog

    from lego_common import http, log
    from lego_common.serialization import RawJson
    from lego_devstack.events import http_event

    event = http_event("GET /api/mocs/{id}", user_id=MEASURED_USER, path_params={"id": "x"})
    noop = http.dispatcher({"GET /api/mocs/{id}": lambda req: RawJson('{"a":1}')})
    log.configure()
    logger = structlog.get_logger()
    parts = {
        "dispatcher round trip, no I/O (parse, log, envelope)": _median_us(
            lambda: noop(event, None)
        ),
        "Request.from_event": _median_us(lambda: http.Request.from_event(event)),
        "one structlog JSON line to stdout": _median_us(
            lambda: logger.info("request_completed", status=200, duration_ms=0.1)
        ),
    }
    return [_row(f"handler part: {name}", value, None, None) for name, value in parts.items()]


def run() -> list[dict[str, Any]]:
    from lego_devstack import applied_env

    with (
        native_stack() as stack,
        # search falls back to PostgreSQL
        applied_env({"LOG_LEVEL": "INFO"}, unset=["OPENSEARCH_URL"], reset=False),
    ):
        with stack.connect(autocommit=True) as conn:
            started = time.perf_counter()
            moc_id = _seed(conn)
            seed_s = time.perf_counter() - started
        with stdout_to_devnull():
            rows = _measure(moc_id)
            rows += _handler_overhead_profile()
    rows.append(row("mocs bench seed (COPY 109k rows + VACUUM)", seed_s, "s"))
    return rows


if __name__ == "__main__":
    for result in run():
        ratio = f"{result['ratio']:.2f}x {result['floor_name']}" if result["ratio"] else ""
        print(f"{result['name']:<62} {result['value']:>9} {result['unit']:<3} {ratio}")
