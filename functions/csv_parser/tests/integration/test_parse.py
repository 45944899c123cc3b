"""csv_parser on the real stack: PostgreSQL, moto S3; idempotency, failures, the 10 MB file."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import pytest

from lego_common import aws, cache, keys
from lego_csv_parser import service
from lego_csv_parser.handler import lambda_handler

if TYPE_CHECKING:
    from collections.abc import Callable
    from uuid import UUID

pytestmark = pytest.mark.usefixtures("services")

HEADER = b"Part ID,Part Name,Quantity,Color\r\n"


def big_csv(rows: int) -> bytes:
    line = "{i},Brick 2 x 4 with a reasonably long name number {i},{q},Reddish Brown\r\n"
    return HEADER + "".join(line.format(i=i, q=i % 7 + 1) for i in range(rows)).encode()


def _state(sql: Callable[..., Any], event: dict[str, Any]) -> tuple[int, int, list[Any]]:
    parts = sql("SELECT count(*) FROM moc_parts_lists WHERE moc_id = %(m)s", {"m": event["mocId"]})
    total = sql(
        "SELECT total_piece_count FROM moc_instructions WHERE id = %(m)s", {"m": event["mocId"]}
    )
    parses = sql(
        "SELECT status, rows_stored, rows_rejected, report FROM moc_file_parses"
        " WHERE file_id = %(f)s",
        {"f": event["fileId"]},
    )
    return parts[0][0], total[0][0], parses


def test_clean_file_stores_rows_updates_total_and_invalidates(
    csv_file: Callable[[bytes], dict[str, Any]], sql: Callable[..., Any], user_id: str
) -> None:
    event = csv_file(HEADER + b"3001,Brick,4,Red\r\n3002,Plate,6,Blue\r\n")
    cache.set_text(keys.moc_detail(event["mocId"]), "{}", 60)

    assert lambda_handler(event, None) == {"outcome": "ready"}

    count, total, parses = _state(sql, event)
    assert (count, total) == (2, 10)
    assert [p[:3] for p in parses] == [("ready", 2, 0)]
    assert cache.get_text(keys.moc_detail(event["mocId"])) is None


def test_bad_rows_give_partial_with_report(
    csv_file: Callable[[bytes], dict[str, Any]], sql: Callable[..., Any]
) -> None:
    event = csv_file(HEADER + b"3001,Brick,4,Red\r\n3002,,x,Blue\r\n")
    assert lambda_handler(event, None)["outcome"] == "partial"
    count, total, parses = _state(sql, event)
    assert (count, total) == (1, 4)
    status, stored, rejected, report = parses[0]
    assert (status, stored, rejected) == ("partial", 1, 1)
    assert {"row": 3, "column": "Part Name", "reason": "required"} in report["errors"]


def test_no_header_fails_and_stores_nothing(
    csv_file: Callable[[bytes], dict[str, Any]], sql: Callable[..., Any]
) -> None:
    event = csv_file(b"3001,Brick,4,Red\r\n")
    assert lambda_handler(event, None)["outcome"] == "failed"
    count, total, parses = _state(sql, event)
    assert (count, total) == (0, 0)
    assert parses[0][0] == "failed"
    assert "header row lacks" in parses[0][3]["message"]


def test_ten_megabyte_file(
    csv_file: Callable[[bytes], dict[str, Any]], sql: Callable[..., Any]
) -> None:
    data = big_csv(130_000)
    assert len(data) > 10_000_000 - 2_000_000
    event = csv_file(data)
    assert lambda_handler(event, None)["outcome"] == "ready"
    count, total, _ = _state(sql, event)
    assert count == 130_000
    assert total == sum(i % 7 + 1 for i in range(130_000))


def test_same_event_twice_gives_one_parts_list(
    csv_file: Callable[[bytes], dict[str, Any]], sql: Callable[..., Any]
) -> None:
    event = csv_file(HEADER + b"3001,Brick,4,Red\r\n")
    assert lambda_handler(event, None)["outcome"] == "ready"
    assert lambda_handler(event, None)["outcome"] == "duplicate"
    count, total, parses = _state(sql, event)
    assert (count, total, len(parses)) == (1, 4, 1)


def test_same_event_in_parallel_gives_one_parts_list(
    csv_file: Callable[[bytes], dict[str, Any]], sql: Callable[..., Any]
) -> None:
    from lego_common import db

    event = csv_file(big_csv(20_000))
    parsed = service.ParseEvent.from_event(event)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            conn = db.connect()  # each thread its own connection, as two Lambda containers
            try:
                _with_connection(conn, lambda: outcomes.append(service.parse_parts_list(parsed)))
            finally:
                conn.close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def _with_connection(conn: Any, call: Callable[[], None]) -> None:
        barrier.wait()
        call_with(conn, call)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert sorted(outcomes) == ["duplicate", "ready"]
    count, _, parses = _state(sql, event)
    assert (count, len(parses)) == (20_000, 1)


def call_with(conn: Any, call: Callable[[], None]) -> None:
    """Run call with lego_common.db handing out conn (thread-local for this test)."""

    _local.conn = conn
    call()


_local = threading.local()


@pytest.fixture(autouse=True)
def _thread_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    from lego_common import db

    original = db.get_connection

    def get_connection() -> Any:
        conn = getattr(_local, "conn", None)
        return conn if conn is not None else original()

    monkeypatch.setattr(db, "get_connection", get_connection)


def test_s3_failing_half_way_stores_nothing_and_the_retry_succeeds(
    csv_file: Callable[[bytes], dict[str, Any]],
    sql: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = csv_file(big_csv(50_000))
    real_open = service._open

    class Broken:
        def __init__(self, body: Any) -> None:
            self.body, self.read_bytes = body, 0

        def read(self, n: int) -> bytes:
            if self.read_bytes > 1_000_000:
                raise ConnectionError("connection reset by peer")
            data: bytes = self.body.read(n)
            self.read_bytes += len(data)
            return data

        def close(self) -> None:
            self.body.close()

    monkeypatch.setattr(service, "_open", lambda e, etag=None: Broken(real_open(e, etag)))
    with pytest.raises(ConnectionError):
        lambda_handler(event, None)
    assert _state(sql, event) == (0, 0, [])

    monkeypatch.setattr(service, "_open", real_open)
    assert lambda_handler(event, None)["outcome"] == "ready"
    assert _state(sql, event)[0] == 50_000


def test_out_of_time_rolls_back(
    csv_file: Callable[[bytes], dict[str, Any]], sql: Callable[..., Any]
) -> None:
    event = csv_file(big_csv(50_000))
    calls = iter([60_000] + [5_000] * 1000)

    class Context:
        def get_remaining_time_in_millis(self) -> int:
            return next(calls)

    with pytest.raises(service.OutOfTime):
        lambda_handler(event, Context())
    assert _state(sql, event) == (0, 0, [])


def test_moc_gone_stores_nothing(
    csv_file: Callable[[bytes], dict[str, Any]], sql: Callable[..., Any], moc_id: UUID
) -> None:
    event = csv_file(HEADER + b"3001,Brick,4,Red\r\n")
    sql("DELETE FROM moc_instructions WHERE id = %(m)s", {"m": moc_id})
    assert lambda_handler(event, None)["outcome"] == "gone"


def test_malformed_event_is_dropped() -> None:
    assert lambda_handler({"bucket": "b"}, None) == {"outcome": "invalid"}


def test_another_users_moc_is_gone(
    csv_file: Callable[[bytes], dict[str, Any]], other_user_id: str
) -> None:
    event = {**csv_file(HEADER + b"1,a,1,b\n"), "userId": other_user_id}
    assert lambda_handler(event, None)["outcome"] == "gone"
    aws.reset()
