"""Foundation benchmarks: health cold start, cache-aside hit, primary-key read through db."""

from __future__ import annotations

import json
import os
import uuid
from typing import Any

from bench.timing import fresh_interpreter_ms, median_us, native_stack, row

_HEALTH_FIRST_RESPONSE = (
    "from lego_health.handler import lambda_handler;"
    "from lego_devstack.events import http_event;"
    "r = lambda_handler(http_event('GET /health'), None);"
    "assert r['statusCode'] in (200, 503)"
)


def run() -> list[dict[str, Any]]:
    rows = []
    bare = fresh_interpreter_ms("pass")
    health_import = fresh_interpreter_ms("import lego_health.handler")
    rows.append(
        row("health cold import, workspace venv", health_import, "ms", bare, "python -c pass")
    )
    with native_stack() as stack:
        first_response = fresh_interpreter_ms(_HEALTH_FIRST_RESPONSE, env=stack.env())
        rows.append(
            row(
                "health cold start to first response, venv",
                first_response,
                "ms",
                bare,
                "python -c pass",
                goal="<= 500 ms (seed); <= 150 ms (build issue)",
            )
        )
        rows += _cache_rows(stack)
        rows += _db_rows(stack)
    return rows


def _cache_rows(stack: Any) -> list[dict[str, Any]]:
    import redis

    from lego_common import cache

    value = json.dumps({"id": str(uuid.uuid4()), "title": "x" * 1900})  # ~2 KB
    cache.set_text("bench:hit", value, 600)
    raw = redis.Redis.from_url(stack.redis_url, decode_responses=True)
    floor = median_us(lambda: raw.get("bench:hit"))
    document = json.loads(value)  # the first call stores it stamped with the user's generation
    hit = median_us(lambda: cache.cached("bench-user", "bench:hit", 600, lambda: document))
    raw.close()
    return [row("cache-aside hit (2 KB JSON)", hit, "us", floor, "raw redis GET", goal="<= 1.5x")]


def _db_rows(stack: Any) -> list[dict[str, Any]]:
    from lego_common import db

    user = f"bench-{uuid.uuid4()}"
    with db.transaction() as conn:
        moc_id = conn.execute(
            "INSERT INTO moc_instructions (user_id, title, type, author) "
            "VALUES (%s, 'Bench', 'moc', 'me') RETURNING id",
            (user,),
        ).fetchone()[0]  # type: ignore[index]
    sql = "SELECT id, title, type, author FROM moc_instructions WHERE id = %s AND user_id = %s"
    raw = stack.connect(autocommit=True, prepare_threshold=None)

    def through_db() -> Any:
        with db.connection() as conn:
            return conn.execute(sql, (moc_id, user)).fetchone()

    floor = median_us(lambda: raw.execute(sql, (moc_id, user)).fetchone())
    ours = median_us(through_db)
    raw.close()
    return [row("primary-key read through db", ours, "us", floor, "raw psycopg", goal="<= 1.5x")]


if __name__ == "__main__":
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    for r in run():
        print(r)
