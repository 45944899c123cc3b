"""PostgreSQL restarted mid-request (issue 18): a real restart (pg_ctl stop -m fast, then the
same server started again) during a burst of mixed writes from several users. Each request
either succeeds or answers 503 SERVICE_UNAVAILABLE in the seed's error body, never a 500; the
next requests reconnect; nothing is half written.

The gateway here runs Lambda-like containers (one per function, each with its own
connection), so several handlers are mid-request when the server goes away, as in production."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from lego_common import aws
from lego_devstack.faults import restart

from .conftest import (
    Caller,
    RunningGateway,
    assert_unavailable,
    create_moc,
    gateway_on,
    png_bytes,
    send_parts_csv,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import httpx
    import psycopg

    from lego_devstack.stack import Stack
    from lego_gateway.cognito import UserPool

USERS = 2
WORKERS_PER_USER = 2
WISHLIST_ITEMS = 4
# responses before the restart, and after the server is back, before the burst stops
BEFORE_RESTART = 8
AFTER_RESTART = 6


@pytest.fixture(scope="module")
def containers(lego_stack: Stack, user_pool: UserPool) -> Iterator[RunningGateway]:
    with gateway_on(lego_stack, user_pool, in_process=False) as running:
        yield running


class Burst:
    """One user's share of the burst: the writes it cycles through, and every answer."""

    def __init__(self, caller: Caller) -> None:
        self.caller = caller
        self.moc_id = create_moc(caller)
        self.file_id = send_parts_csv(caller, self.moc_id)
        self.items = [self._item(n) for n in range(WISHLIST_ITEMS)]
        self.answers: list[tuple[float, str, httpx.Response]] = []  # (sent at, write, answer)
        self._turn = 0
        self._lock = threading.Lock()

    def _item(self, n: int) -> str:
        response = self.caller.call("POST", "/api/wishlist", json={"title": f"Set {n}"})
        assert response.status_code == 201, response.text
        item_id: str = response.json()["data"]["id"]
        return item_id

    def writes(self) -> list[tuple[str, Callable[[], httpx.Response]]]:
        c, n = self.caller, uuid.uuid4().hex[:8]
        image = {"image": ("brick.png", png_bytes(), "image/png")}
        first, second = self.items[self._turn % 2], self.items[2 + self._turn % 2]
        moves = [{"id": first, "sortOrder": 3}, {"id": second, "sortOrder": 0}]
        complete = {"fileIds": [self.file_id]}
        return [
            ("create moc", lambda: c.call("POST", "/api/mocs", json=_moc(f"Burst {n}"))),
            (
                "patch moc",
                lambda: c.call("PATCH", f"/api/mocs/{self.moc_id}", json={"description": n}),
            ),
            ("upload image", lambda: c.call("POST", "/api/images", files=image, data={"title": n})),
            (
                "complete file",
                lambda: c.call("POST", f"/api/mocs/{self.moc_id}/files/complete", json=complete),
            ),
            ("create item", lambda: c.call("POST", "/api/wishlist", json={"title": f"Item {n}"})),
            ("reorder", lambda: c.call("POST", "/api/wishlist/reorder", json={"items": moves})),
        ]

    def run(self, stop: threading.Event, answered: Callable[[], None]) -> None:
        while not stop.is_set():
            with self._lock:
                self._turn += 1
                writes = self.writes()
            for name, send in writes:
                if stop.is_set():
                    return
                sent_at = time.monotonic()
                response = send()
                with self._lock:
                    self.answers.append((sent_at, name, response))
                answered()


@contextlib.contextmanager
def _requests_waiting_on_locks(stack: Stack, burst: Burst) -> Iterator[None]:
    """Hold the row locks of one user's MOC and wishlist until requests of the burst wait on
    them inside their transactions: the restart then surely hits requests mid-transaction."""
    blocker = stack.connect()
    try:
        blocker.execute(
            "SELECT 1 FROM moc_instructions WHERE id = %(m)s FOR UPDATE", {"m": burst.moc_id}
        )
        blocker.execute(
            "SELECT 1 FROM wishlist_user_counts WHERE user_id = %(u)s FOR UPDATE",
            {"u": burst.caller.sub},
        )
        with stack.connect(autocommit=True) as watcher:
            deadline = time.monotonic() + 60
            while _waiting_on_locks(watcher) < 2:
                assert time.monotonic() < deadline, "no request came to wait on the locks"
                time.sleep(0.05)
        yield
    finally:
        with contextlib.suppress(Exception):
            blocker.close()


def _waiting_on_locks(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND datname = current_database()"
    ).fetchone()
    return int(row[0]) if row else 0


def _moc(title: str) -> dict[str, Any]:
    return {"title": title, "type": "moc", "author": "Ann"}


def test_postgres_restart_mid_burst_answers_2xx_or_503_and_leaves_nothing_half_written(
    lego_stack: Stack, containers: RunningGateway, sql: Any, bucket_keys: Any
) -> None:
    callers = [Caller(containers.api, f"burst-{uuid.uuid4().hex[:8]}") for _ in range(USERS)]
    bursts = [Burst(caller) for caller in callers]
    postgres = restart.control(lego_stack, "postgres", mode="fast")
    stop = threading.Event()
    count = Counter[str]()
    count_lock = threading.Condition()

    def answered() -> None:
        with count_lock:
            count["answers"] += 1
            count_lock.notify_all()

    def wait_for_answers(n: int) -> None:
        with count_lock:
            assert count_lock.wait_for(lambda: count["answers"] >= n, timeout=60)

    with ThreadPoolExecutor(USERS * WORKERS_PER_USER) as pool:
        running = [
            pool.submit(b.run, stop, answered) for b in bursts for _ in range(WORKERS_PER_USER)
        ]
        wait_for_answers(BEFORE_RESTART)  # every container is warm by now
        with _requests_waiting_on_locks(lego_stack, bursts[0]):
            away_s = postgres.restart()  # kills the waiting requests mid-transaction
        back_at = time.monotonic()
        restarted_at = count["answers"]
        wait_for_answers(restarted_at + AFTER_RESTART)
        stop.set()
        for future in running:
            future.result()
    assert containers.functions.wait_for_events(60)

    answers = [a for b in bursts for a in b.answers]
    statuses = Counter(r.status_code for _, _, r in answers)
    assert set(statuses) <= {200, 201, 503}, {
        name: r.text for _, name, r in answers if r.status_code not in (200, 201, 503)
    }
    print(f"postgres away {away_s:.1f} s; answers {dict(statuses)}")  # for the report
    assert statuses[503] >= 1, f"the restart ({away_s:.1f} s) hit no request: {statuses}"
    for _, _, response in answers:
        if response.status_code == 503:
            assert_unavailable(response)
    # the next requests reconnect: whatever was sent once the server was back succeeded
    sent_later = [(name, r) for sent_at, name, r in answers if sent_at > back_at]
    assert sent_later
    assert [(name, r.text) for name, r in sent_later if r.status_code >= 300] == []
    for burst in bursts:
        for path in ("/api/mocs", "/api/images", "/api/wishlist", f"/api/mocs/{burst.moc_id}"):
            again = burst.caller.call("GET", path)
            assert again.status_code == 200, again.text
    for burst in bursts:
        _assert_nothing_half_written(burst, sql, bucket_keys)


def _assert_nothing_half_written(burst: Burst, sql: Any, bucket_keys: Any) -> None:
    user = burst.caller.sub
    # every image row has both objects
    for (image_id,) in sql("SELECT id FROM gallery_images WHERE user_id = %(u)s", {"u": user}):
        keys = set(bucket_keys(f"images/{user}/"))
        assert {
            f"images/{user}/{image_id}.webp",
            f"images/{user}/thumbnails/{image_id}.webp",
        } <= keys
    # every MOC's totalPieceCount is the sum of its parts list
    mismatched = sql(
        "SELECT m.id, m.total_piece_count, coalesce(sum(p.quantity), 0) FROM moc_instructions m"
        " LEFT JOIN moc_parts_lists p ON p.moc_id = m.id WHERE m.user_id = %(u)s"
        " GROUP BY m.id HAVING m.total_piece_count <> coalesce(sum(p.quantity), 0)",
        {"u": user},
    )
    assert mismatched == []
    # the wishlist's positions are 0..n-1, and its count is n
    positions = [
        p
        for (p,) in sql(
            "SELECT sort_order FROM wishlist_items WHERE user_id = %(u)s ORDER BY sort_order",
            {"u": user},
        )
    ]
    assert positions == list(range(len(positions)))
    assert sql(
        "SELECT item_count FROM wishlist_user_counts WHERE user_id = %(u)s", {"u": user}
    ) == [(len(positions),)]


# --- PostgreSQL gone between the object and the row ---------------------------------------------


@pytest.fixture
def postgres_down_after(lego_stack: Stack) -> Iterator[Callable[[Any, str], None]]:
    """`postgres_down_after(client, "PutObject")`: PostgreSQL stops as soon as that call has
    answered (an 'after-call' hook), so the handler's next statement finds no server; it is
    started again when the test ends."""
    postgres = restart.control(lego_stack, "postgres", mode="fast")
    stopped: list[bool] = []
    undo: list[Callable[[], None]] = []

    def _arm(client: Any, operation: str) -> None:
        event = f"after-call.{client.meta.service_model.service_id.hyphenize()}.{operation}"

        def _stop(**_: Any) -> None:
            if not stopped:
                stopped.append(True)
                postgres.stop()

        client.meta.events.register(event, _stop, unique_id="postgres-down-after")
        undo.append(lambda: client.meta.events.unregister(event, unique_id="postgres-down-after"))

    yield _arm
    for step in undo:
        step()
    if stopped:
        postgres.start()


def test_wishlist_image_db_gone_after_the_put_answers_503_and_removes_the_object(
    fault_api: Any, postgres_down_after: Any, bucket_keys: Any
) -> None:
    caller = Caller(fault_api, f"fault-{uuid.uuid4().hex[:10]}")
    created = caller.call("POST", "/api/wishlist", json={"title": "Death Star"})
    assert created.status_code == 201, created.text
    item_id = created.json()["data"]["id"]
    postgres_down_after(aws.client("s3"), "PutObject")

    response = caller.call(
        "POST",
        f"/api/wishlist/{item_id}/image",
        files={"image": ("star.png", png_bytes(), "image/png")},
    )

    assert_unavailable(response)
    assert bucket_keys(f"wishlist/{caller.sub}/") == []  # no object the row does not name


def test_gallery_upload_db_gone_after_the_puts_answers_503_and_removes_both_objects(
    fault_api: Any, postgres_down_after: Any, bucket_keys: Any
) -> None:
    caller = Caller(fault_api, f"fault-{uuid.uuid4().hex[:10]}")
    s3 = aws.client("s3")
    postgres_down_after(s3, "PutObject")  # the first put stops it: the thumbnail put still runs

    response = caller.call(
        "POST",
        "/api/images",
        files={"image": ("brick.png", png_bytes(), "image/png")},
        data={"title": "Brick"},
    )

    assert_unavailable(response)
    assert bucket_keys(f"images/{caller.sub}/") == []


# --- the connection lost inside COMMIT: the outcome is unknown ----------------------------------

DIES_AT_COMMIT = "dies at commit"


@pytest.fixture
def commit_dies(lego_stack: Stack) -> Iterator[str]:
    """A gallery image titled DIES_AT_COMMIT kills its backend inside COMMIT (a deferred
    constraint trigger): the client loses the connection with COMMIT on its way."""
    with lego_stack.connect(autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION fault_die_at_commit() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$"
        )
        conn.execute(
            "CREATE CONSTRAINT TRIGGER fault_die_at_commit AFTER INSERT ON gallery_images"
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
            f" WHEN (NEW.title = '{DIES_AT_COMMIT}') EXECUTE FUNCTION fault_die_at_commit()"
        )
    try:
        yield DIES_AT_COMMIT
    finally:
        with lego_stack.connect(autocommit=True) as conn:
            conn.execute("DROP TRIGGER fault_die_at_commit ON gallery_images")
            conn.execute("DROP FUNCTION fault_die_at_commit()")


def test_gallery_upload_commit_lost_keeps_the_objects_for_the_sweep(
    fault_api: Any, commit_dies: str, sql: Any, bucket_keys: Any, handlers_paused: Any
) -> None:
    caller = Caller(fault_api, f"fault-{uuid.uuid4().hex[:10]}")

    response = caller.call(
        "POST",
        "/api/images",
        files={"image": ("brick.png", png_bytes(), "image/png")},
        data={"title": commit_dies},
    )

    # the row may have been committed for all the handler knows: deleting the objects could
    # leave a row without them, so they stay, and the sweep removes them once no row names them
    assert_unavailable(response)
    assert sql("SELECT count(*) FROM gallery_images WHERE user_id = %(u)s", {"u": caller.sub}) == [
        (0,)
    ]
    assert len(bucket_keys(f"images/{caller.sub}/")) == 2
    from lego_gallery import sweep

    with handlers_paused():
        sweep.sweep(apply=True, min_age=timedelta(0))
    assert bucket_keys(f"images/{caller.sub}/") == []
