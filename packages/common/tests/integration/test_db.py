"""lego_common.db against the real PostgreSQL of the stack."""

from __future__ import annotations

import time

import psycopg
import pytest
import structlog

from lego_common import db
from lego_common.errors import ServiceUnavailableError

pytestmark = pytest.mark.usefixtures("services")


def test_connection_is_created_once_and_reused() -> None:
    first = db.get_connection()
    db.ping()
    assert db.get_connection() is first
    assert first.prepare_threshold is None  # RDS Proxy: no server-side prepared statements


def test_transaction_commits_on_success(db_conn: psycopg.Connection, user_id: str) -> None:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO wishlist_items (user_id, title, sort_order) VALUES (%s, 't', 0)",
            (user_id,),
        )
    row = db_conn.execute("SELECT count(*) FROM wishlist_items WHERE user_id = %s", (user_id,))
    assert row.fetchone() == (1,)


def test_transaction_rolls_back_on_error(db_conn: psycopg.Connection, user_id: str) -> None:
    with pytest.raises(RuntimeError), db.transaction() as conn:
        conn.execute(
            "INSERT INTO wishlist_items (user_id, title, sort_order) VALUES (%s, 't', 0)",
            (user_id,),
        )
        raise RuntimeError("boom")
    row = db_conn.execute("SELECT count(*) FROM wishlist_items WHERE user_id = %s", (user_id,))
    assert row.fetchone() == (0,)


_INSERT_ITEM = (
    "INSERT INTO wishlist_items (user_id, title, sort_order) VALUES (%(u)s, %(t)s, %(n)s)"
)


def _count(db_conn: psycopg.Connection, user_id: str) -> int:
    row = db_conn.execute("SELECT count(*) FROM wishlist_items WHERE user_id = %s", (user_id,))
    return int(row.fetchone()[0])  # type: ignore[index]


def test_pipelined_transaction_commits_and_reads_results(
    db_conn: psycopg.Connection, user_id: str
) -> None:
    with db.pipelined_transaction() as conn:
        conn.execute(_INSERT_ITEM, {"u": user_id, "t": "a", "n": 0})
        cursor = conn.execute(
            _INSERT_ITEM + " RETURNING sort_order", {"u": user_id, "t": "b", "n": 1}
        )
        assert cursor.fetchone() == (1,)  # a fetch inside the block syncs what came before
        last = conn.execute(_INSERT_ITEM + " RETURNING title", {"u": user_id, "t": "c", "n": 2})
    assert last.fetchone() == ("c",)  # read after the block: it travelled with the COMMIT
    assert _count(db_conn, user_id) == 3
    assert db.get_connection().info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def test_pipelined_transaction_failing_last_statement_commits_nothing(
    db_conn: psycopg.Connection, user_id: str
) -> None:
    with pytest.raises(psycopg.errors.NotNullViolation), db.pipelined_transaction() as conn:
        conn.execute(_INSERT_ITEM, {"u": user_id, "t": "a", "n": 0})
        conn.execute(_INSERT_ITEM, {"u": user_id, "t": None, "n": 1})  # fails at the sync

    assert _count(db_conn, user_id) == 0
    assert db.get_connection().info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    db.ping()  # the same connection goes on


def test_pipelined_transaction_rolls_back_on_an_error_of_the_block(
    db_conn: psycopg.Connection, user_id: str
) -> None:
    with pytest.raises(RuntimeError), db.pipelined_transaction() as conn:
        conn.execute(_INSERT_ITEM + " RETURNING 1", {"u": user_id, "t": "a", "n": 0}).fetchone()
        raise RuntimeError("boom")

    assert _count(db_conn, user_id) == 0
    assert db.get_connection().info.transaction_status == psycopg.pq.TransactionStatus.IDLE


def test_pipelined_transaction_connection_lost_is_commit_unknown() -> None:
    # the COMMIT went with the last statements: whether it ran is not known
    with pytest.raises(db.CommitUnknownError), db.pipelined_transaction() as conn:
        conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    db.ping()


def _wait_until_gone(conn: psycopg.Connection, pid: int) -> None:
    """pg_terminate_backend only signals: wait until the backend has really exited."""
    for _ in range(200):
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
        conn.commit()
        if row.fetchone() == (0,):
            return
        time.sleep(0.01)
    raise AssertionError(f"backend {pid} still alive")


def test_broken_connection_reconnects_once_transparently(db_conn: psycopg.Connection) -> None:
    old = db.get_connection()
    pid = old.info.backend_pid
    db_conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
    db_conn.commit()
    _wait_until_gone(db_conn, pid)
    with structlog.testing.capture_logs() as logs:
        db.ping()  # the dead connection is noticed and replaced: no error reaches the caller
    assert db.get_connection().info.backend_pid != pid
    assert any(entry["event"] == "db_reconnecting" for entry in logs)


def test_connection_lost_during_commit_raises_commit_unknown() -> None:
    with db.connection() as conn:  # a deferred trigger kills the backend inside COMMIT
        conn.execute("CREATE TEMP TABLE commit_dies (n int)")
        conn.execute(
            "CREATE FUNCTION pg_temp.die() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$"
        )
        conn.execute(
            "CREATE CONSTRAINT TRIGGER die AFTER INSERT ON commit_dies DEFERRABLE INITIALLY"
            " DEFERRED FOR EACH ROW EXECUTE FUNCTION pg_temp.die()"
        )

    with pytest.raises(db.CommitUnknownError), db.transaction() as conn:
        conn.execute("INSERT INTO commit_dies VALUES (1)")

    db.ping()  # the next call has a new connection


def test_connection_lost_before_commit_is_plain_service_unavailable() -> None:
    with pytest.raises(ServiceUnavailableError) as info, db.transaction() as conn:
        conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    assert not isinstance(info.value, db.CommitUnknownError)  # nothing can have been committed
    db.ping()


@pytest.mark.usefixtures("db_down")
def test_unreachable_database_raises_service_unavailable() -> None:
    with pytest.raises(ServiceUnavailableError) as info:
        db.ping()
    assert info.value.status == 503
    assert info.value.code == "SERVICE_UNAVAILABLE"


@pytest.mark.usefixtures("db_down")
def test_data_route_with_database_down_answers_503_service_unavailable() -> None:
    from lego_common import http
    from lego_devstack.events import http_event, response_json

    def count_items(req: http.Request) -> int:
        with db.connection() as conn:
            row = conn.execute("SELECT count(*) FROM wishlist_items").fetchone()
        return int(row[0]) if row else 0

    response = http.dispatcher({"GET /n": count_items})(http_event("GET /n", user_id="u"), None)
    assert response["statusCode"] == 503
    error = response_json(response)["error"]
    assert error["code"] == "SERVICE_UNAVAILABLE"
    assert error["message"] == "database unavailable"


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT %(v)s::int",  # 22P02 sent by the server
        "SELECT %(v)s::timestamptz",  # 22007 sent by the server
        "SELECT '0001-01-01T00:00:00+14:00'::timestamptz",  # stored fine, psycopg cannot load it
    ],
)
def test_data_error_of_any_route_answers_400_validation_error(statement: str) -> None:
    from lego_common import http
    from lego_devstack.events import http_event, response_json

    def read(req: http.Request) -> str:
        with db.connection() as conn:
            row = conn.execute(statement, {"v": "not a number"}).fetchone()
        return str(row)

    response = http.dispatcher({"GET /v": read})(http_event("GET /v", user_id="u"), None)
    error = response_json(response)["error"]
    assert (response["statusCode"], error["code"]) == (400, "VALIDATION_ERROR")
    assert "not a number" not in error["message"]
    db.ping()  # the connection is still usable afterwards
