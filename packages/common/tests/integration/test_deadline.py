"""lego_common.deadline through the dispatcher, on the real PostgreSQL: a handler that overruns
answers 504 GATEWAY_TIMEOUT before Lambda's hard stop, and its transaction is rolled back."""

from __future__ import annotations

import json
import time
from typing import Any

import psycopg
import pytest

from lego_common import db, deadline, http
from lego_common.http import Request

pytestmark = pytest.mark.usefixtures("services")


class Context:
    """Lambda's context with `timeout_ms` left when the invocation starts."""

    aws_request_id = "req-deadline"

    def __init__(self, timeout_ms: int) -> None:
        self._deadline = time.monotonic() * 1000 + timeout_ms

    def get_remaining_time_in_millis(self) -> int:
        return int(self._deadline - time.monotonic() * 1000)


def _event(route_key: str, user_id: str) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": "/x",
        "requestContext": {
            "requestId": "req-deadline",
            "http": {"method": "POST", "path": "/x"},
            "authorizer": {"jwt": {"claims": {"sub": user_id}}},
        },
    }


def _insert_then_stall(req: Request) -> dict[str, str]:
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO wishlist_items (user_id, title, sort_order) VALUES (%s, 'half', 0)",
            (req.user_id,),
        )
        conn.execute("SELECT pg_sleep(30)")  # a statement that would outlive the function
    return {"done": "yes"}


def _pipelined_insert_then_stall(req: Request) -> dict[str, str]:
    with db.pipelined_transaction() as conn:  # as the wishlist reorder runs
        conn.execute(
            "INSERT INTO wishlist_items (user_id, title, sort_order) VALUES (%s, 'half', 0)",
            (req.user_id,),
        )
        conn.execute("SELECT pg_sleep(30)").fetchone()
    return {"done": "yes"}


def _swallowing_stall(req: Request) -> dict[str, str]:
    try:  # a degraded-dependency path that catches everything must not hide the deadline
        time.sleep(30)
    except Exception:
        return {"swallowed": "yes"}
    return {"done": "yes"}


HANDLER = http.dispatcher(
    {
        "POST /stall": _insert_then_stall,
        "POST /stall-pipelined": _pipelined_insert_then_stall,
        "POST /swallow": _swallowing_stall,
    }
)


@pytest.mark.parametrize("route", ["POST /stall", "POST /stall-pipelined"])
def test_an_overrunning_handler_answers_504_before_the_hard_stop_and_rolls_back(
    db_conn: psycopg.Connection, user_id: str, route: str
) -> None:
    timeout_ms = 2500
    started = time.monotonic()
    response = HANDLER(_event(route, user_id), Context(timeout_ms))
    elapsed_ms = (time.monotonic() - started) * 1000

    assert response["statusCode"] == 504
    error = json.loads(response["body"])["error"]
    assert error["code"] == "GATEWAY_TIMEOUT"
    assert error["requestId"] == "req-deadline"
    assert elapsed_ms < timeout_ms  # answered before Lambda would have killed it
    assert elapsed_ms >= timeout_ms - deadline.MARGIN_MS - 100
    rows = db_conn.execute("SELECT count(*) FROM wishlist_items WHERE user_id = %s", (user_id,))
    assert rows.fetchone() == (0,)  # the insert was rolled back
    # the statement was cancelled on the server: the container's connection is usable at once
    with db.connection() as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    active = db_conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%%'"
        " AND state = 'active'"
    )
    assert active.fetchone() == (0,)


def test_except_exception_does_not_swallow_the_deadline(user_id: str) -> None:
    response = HANDLER(_event("POST /swallow", user_id), Context(1500))

    assert response["statusCode"] == 504
    assert json.loads(response["body"])["error"]["code"] == "GATEWAY_TIMEOUT"


def test_the_budget_is_the_shorter_of_lambda_and_api_gateway() -> None:
    assert deadline.budget_ms(Context(5000)) == pytest.approx(4000, abs=50)
    # a 900 s function behind API Gateway still answers within its 30 s
    assert deadline.budget_ms(Context(900_000)) == pytest.approx(29_000, abs=50)
    assert deadline.budget_ms(None) == pytest.approx(29_000, abs=50)


def test_a_request_that_finishes_in_time_leaves_no_timer_behind(user_id: str) -> None:
    fast = http.dispatcher({"POST /fast": lambda req: {"ok": req.user_id}})
    response = fast(_event("POST /fast", user_id), Context(1200))
    assert response["statusCode"] == 200
    time.sleep(0.4)  # past the 200 ms budget: a timer left armed would have fired by now
