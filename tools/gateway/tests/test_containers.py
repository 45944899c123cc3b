"""lego_gateway.containers: the event-loop path of an invocation (invoke_acquired) on real
container processes of a small test function: its answer, a handler error, a timeout (the
container is killed, as Lambda's hard stop) and a crash."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import pytest

from lego_gateway.containers import (
    ContainerCrashedError,
    ContainerPool,
    FunctionTimedOutError,
    HandlerRaisedError,
)
from lego_gateway.testing import process_ended

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

MODULE = "lego_containers_probe"
SOURCE = """
import os
import time

ROUTES = {"GET /probe": None}


def lambda_handler(event, context):
    action = event.get("action")
    if action == "sleep":
        time.sleep(30)
    if action == "raise":
        raise ValueError("boom")
    if action == "exit":
        os._exit(3)
    if action == "big":  # more than a pipe holds: read in several chunks
        return {"pid": os.getpid(), "blob": "x" * 1_000_000}
    return {"pid": os.getpid(), "echo": event.get("echo")}
"""


@pytest.fixture
def pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ContainerPool]:
    (tmp_path / f"{MODULE}.py").write_text(SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))  # spawned containers inherit sys.path
    pool = ContainerPool(max_per_function=2)
    yield pool
    pool.close()
    sys.modules.pop(MODULE, None)


def _warm(pool: ContainerPool) -> int:
    """One container started and idle (as after a first request); its pid."""
    assert pool.routes("probe", MODULE) == ["GET /probe"]
    assert pool.known_routes("probe") == (True, ["GET /probe"])
    answer = pool.invoke("probe", MODULE, {"echo": "warm"}, None, 10)
    return int(answer["pid"])


def _on_loop(pool: ContainerPool, event: dict[str, Any], timeout_s: float = 10) -> Any:
    """One invocation on uvloop, the gateway's loop (it makes the pipe non-blocking)."""
    import uvloop

    container = pool.acquire_idle("probe")
    assert container is not None
    return uvloop.run(pool.invoke_acquired(container, event, None, timeout_s))


def test_an_idle_container_answers_on_the_event_loop_and_stays_warm(pool: ContainerPool) -> None:
    pid = _warm(pool)
    assert _on_loop(pool, {"echo": "one"}) == {"pid": pid, "echo": "one"}
    assert _on_loop(pool, {"echo": "two"}) == {"pid": pid, "echo": "two"}  # kept, reused


def test_answers_and_events_larger_than_a_pipe_pass_whole(pool: ContainerPool) -> None:
    pid = _warm(pool)
    for _ in range(3):  # each time the loop has watched the pipe before
        answer = _on_loop(pool, {"action": "big", "echo": "y" * 300_000})
        assert answer["pid"] == pid
        assert len(answer["blob"]) == 1_000_000
    big_event = {"echo": "z" * 500_000}  # the thread path after the loop path: still blocking
    assert pool.invoke("probe", MODULE, big_event, None, 10)["echo"] == big_event["echo"]


def test_nothing_idle_before_the_first_start(pool: ContainerPool) -> None:
    assert pool.known_routes("probe") == (False, None)
    assert pool.acquire_idle("probe") is None


def test_a_handler_error_on_the_event_loop_keeps_the_container(pool: ContainerPool) -> None:
    pid = _warm(pool)
    with pytest.raises(HandlerRaisedError, match="boom"):
        _on_loop(pool, {"action": "raise"})
    assert _on_loop(pool, {"echo": "after"})["pid"] == pid


def test_a_timeout_on_the_event_loop_kills_the_container_at_once(pool: ContainerPool) -> None:
    pid = _warm(pool)
    started = time.perf_counter()
    with pytest.raises(FunctionTimedOutError):
        _on_loop(pool, {"action": "sleep"}, timeout_s=0.5)
    assert 0.5 <= time.perf_counter() - started < 3
    assert pool.acquire_idle("probe") is None  # not given back
    for _ in range(100):  # signalled before the answer; the join runs in a thread
        if process_ended(pid):
            break
        time.sleep(0.02)
    else:
        raise AssertionError(f"container {pid} still running")
    answer = pool.invoke("probe", MODULE, {"echo": "next"}, None, 10)
    assert answer["pid"] != pid  # a new container serves the next request


def test_a_crash_on_the_event_loop_is_a_crashed_container(pool: ContainerPool) -> None:
    pid = _warm(pool)
    with pytest.raises(ContainerCrashedError):
        _on_loop(pool, {"action": "exit"})
    assert pool.acquire_idle("probe") is None
    assert pool.invoke("probe", MODULE, {}, None, 10)["pid"] != pid
