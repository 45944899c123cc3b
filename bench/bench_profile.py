"""profile benchmarks (issue 16 "Benchmark"), each against a floor measured in the same run:

- cached GET /api/users/{id} through lambda_handler vs a raw redis GET of the same key (back to
  back, and after the handler's CPU time, as bench_mocs);
- uncached GET (both keys deleted, untimed, before each call: the profile and its Cognito
  attributes) vs the same AdminGetUser call on moto plus the raw counts SQL, back to back (the
  work the route cannot avoid);
- GET after a count changed (only the profile key deleted, as a MOC, image or wishlist write
  does: the attributes come from their own cache entry) beside the uncached GET: what the
  attributes' own entry saves (no goal);
- the avatar pipeline on a 4000x3000 JPEG vs bare Pillow doing the same crop, resize and
  encode with draft mode (bench_images' floor).

The user owns 1,000 MOCs, 1,000 images and 100 wishlist items. Starts its own native stack
(PostgreSQL, Redis, moto), stops it at the end; handler logs go to /dev/null at the fd level.
Run alone: `uv run python -m bench profile`.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import TYPE_CHECKING, Any

from bench.bench_images import _floors, photo_jpeg
from bench.bench_mocs import _duty_cycle_floor_us
from bench.timing import native_stack, row, stdout_to_devnull

if TYPE_CHECKING:
    from collections.abc import Callable

ITERATIONS = 600
WARMUP = 60
ROUNDS = 10
AVATAR_ROUNDS = 7
GOAL_GET = "<= 1.5x"
GOAL_AVATAR = "<= 1.1x"


def _compare_us(
    subject: Callable[[], object],
    floor: Callable[[], object],
    before: Callable[[], object] = lambda: None,
) -> tuple[float, float]:
    """Medians in microseconds, sampled in alternating rounds; before() runs untimed first."""
    samples: tuple[list[float], list[float]] = ([], [])
    for fn in (subject, floor):
        for _ in range(WARMUP):
            before()
            fn()
    for _ in range(ROUNDS):
        for fn, into in ((subject, samples[0]), (floor, samples[1])):
            for _ in range(ITERATIONS // ROUNDS):
                before()
                started = time.perf_counter()
                fn()
                into.append(time.perf_counter() - started)
    subject_us, floor_us = (statistics.median(s) * 1e6 for s in samples)
    return subject_us, floor_us


def _seed(stack: Any, sub: str) -> None:
    with stack.connect(autocommit=True) as conn:
        conn.execute(
            "INSERT INTO moc_instructions (user_id, title, type, author)"
            " SELECT %(uid)s, 'MOC ' || n, 'moc', 'Ann' FROM generate_series(1, 1000) n",
            {"uid": sub},
        )
        conn.execute(
            "INSERT INTO gallery_images (user_id, title, image_url)"
            " SELECT %(uid)s, 'Photo ' || n, 'https://cdn/i.webp' FROM generate_series(1, 1000) n",
            {"uid": sub},
        )
        conn.execute(
            "INSERT INTO wishlist_items (user_id, title, sort_order)"
            " SELECT %(uid)s, 'Set ' || n, n - 1 FROM generate_series(1, 100) n",
            {"uid": sub},
        )
        conn.execute("VACUUM ANALYZE moc_instructions, gallery_images, wishlist_items")


def _measure_get(stack: Any) -> list[dict[str, Any]]:
    import redis

    from lego_common import aws, db, keys
    from lego_devstack import reset_clients
    from lego_devstack.events import http_event
    from lego_gateway.cognito import create_pool
    from lego_profile import repository
    from lego_profile.handler import lambda_handler

    pool = create_pool(stack.aws_endpoint_url)
    os.environ["COGNITO_USER_POOL_ID"] = pool.pool_id
    reset_clients()
    idp = aws.client("cognito-idp", 2.0)
    created = idp.admin_create_user(
        UserPoolId=pool.pool_id,
        Username="bench-ann",
        UserAttributes=[
            {"Name": "email", "Value": "ann@example.com"},
            {"Name": "name", "Value": "Ann"},
        ],
        MessageAction="SUPPRESS",
    )["User"]
    sub = next(a["Value"] for a in created["Attributes"] if a["Name"] == "sub")
    _seed(stack, sub)
    event = http_event(
        "GET /api/users/{id}",
        claims={"sub": sub, "username": "bench-ann"},
        path_params={"id": sub},
    )
    key = keys.profile(sub)
    r = redis.Redis.from_url(stack.redis_url, decode_responses=True)

    def get() -> object:
        response = lambda_handler(event, None)
        assert response["statusCode"] == 200, response
        return response

    get()
    cached_us, redis_us = _compare_us(get, lambda: r.get(key))
    # as bench_mocs: on a shared 2-core machine a loopback round trip right after CPU work costs
    # more than back to back; this floor has the handler's rhythm
    redis_after_work_us = _duty_cycle_floor_us(lambda: r.get(key), cached_us - redis_us)

    def floor() -> object:
        idp.admin_get_user(UserPoolId=pool.pool_id, Username="bench-ann")
        with db.connection() as conn:
            return repository.counts(conn, sub)

    attributes_key = keys.profile_attributes(sub)
    uncached_us, floor_us = _compare_us(get, floor, before=lambda: r.delete(key, attributes_key))

    get()  # the attributes cached again
    recount_us, _ = _compare_us(get, lambda: None, before=lambda: r.delete(key))
    r.close()
    return [
        row("profile cached GET", cached_us, "us", redis_us, "raw redis GET", GOAL_GET),
        row(
            "profile cached GET (vs duty-cycle floor)",
            cached_us,
            "us",
            redis_after_work_us,
            "raw redis GET after the handler's CPU time",
            GOAL_GET,
        ),
        row(
            "profile uncached GET",
            uncached_us,
            "us",
            floor_us,
            "AdminGetUser (moto) + raw counts SQL",
            GOAL_GET,
        ),
        row(
            "profile GET after a count changed (attributes cached)",
            recount_us,
            "us",
            uncached_us,
            "the uncached GET (AdminGetUser asked)",
        ),
    ]


def _measure_avatar() -> list[dict[str, Any]]:
    from lego_common import images

    data = photo_jpeg(4000, 3000)
    fns = {
        "avatar": lambda: images.process_avatar(data),
        "floor": _floors(data, images.WEBP_METHOD)["avatar_floor"],
    }
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for round_no in range(AVATAR_ROUNDS + 1):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            if round_no:
                samples[name].append((time.perf_counter() - started) * 1000)
    ms = {name: statistics.median(values) for name, values in samples.items()}
    return [
        row(
            "profile avatar pipeline (4000x3000 JPEG)",
            ms["avatar"],
            "ms",
            ms["floor"],
            "bare Pillow crop+resize+encode, draft",
            GOAL_AVATAR,
        )
    ]


def run() -> list[dict[str, Any]]:
    from lego_devstack import applied_env

    # _measure_get sets COGNITO_USER_POOL_ID to the pool it creates: restored here too
    with (
        native_stack() as stack,
        applied_env({"LOG_LEVEL": "INFO"}, unset=["COGNITO_USER_POOL_ID"], reset=False),
        stdout_to_devnull(),
    ):
        rows = _measure_get(stack)
    return rows + _measure_avatar()


if __name__ == "__main__":
    for result in run():
        ratio = f"{result['ratio']:.2f}x {result['floor_name']}" if result["ratio"] else ""
        print(f"{result['name']:<44} {result['value']:>9} {result['unit']:<3} {ratio}")
