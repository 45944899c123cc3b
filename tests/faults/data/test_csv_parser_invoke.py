"""The upload function's asynchronous invoke of csv_parser failing (issue 18): Lambda's Invoke
API answers 500 (a 'before-send' hook on the upload's Lambda client). The completion still
answers 200, the file stays `ready` with its parse `queued`, and the parse is replayed: by a
second completion of the file, or by the upload sweep (the hourly schedule), which queues
every ready parts list without a parse result again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from lego_common import aws
from lego_upload import sweep

from .conftest import PARTS_CSV_PIECES, create_moc, json_error, send_parts_csv

if TYPE_CHECKING:
    from .conftest import AwsFaults, Caller, RunningGateway


@pytest.fixture
def unqueued_parts_list(
    caller: Caller, aws_faults: AwsFaults, gateway: RunningGateway
) -> tuple[str, str]:
    """A MOC whose parts list completed while the invoke of csv_parser failed: (moc, file)."""
    moc_id = create_moc(caller)
    file_id = send_parts_csv(caller, moc_id)
    aws_faults.inject(aws.client("lambda"), "Invoke", json_error(500, "ServiceException"))

    done = caller.call("POST", f"/api/mocs/{moc_id}/files/complete", json={"fileIds": [file_id]})

    assert done.status_code == 200, done.text
    assert done.json()["data"]["ready"] == 1
    assert aws_faults.attempts["Invoke"] > 1  # retried, then given up (logged)
    assert gateway.functions.wait_for_events(30)
    aws_faults.clear()
    return moc_id, file_id


def _parse_status(caller: Caller, moc_id: str, file_id: str) -> tuple[str, str]:
    got = caller.call("GET", f"/api/mocs/{moc_id}/files/{file_id}").json()["data"]
    return got["status"], got["parse"]["status"]


def test_invoke_failing_leaves_the_file_ready_and_its_parse_queued(
    caller: Caller, unqueued_parts_list: tuple[str, str], sql: Any
) -> None:
    moc_id, file_id = unqueued_parts_list

    assert _parse_status(caller, moc_id, file_id) == ("ready", "queued")
    assert sql("SELECT count(*) FROM moc_file_parses WHERE file_id = %(f)s", {"f": file_id}) == [
        (0,)
    ]
    assert caller.call("GET", f"/api/mocs/{moc_id}").json()["data"]["totalPieceCount"] == 0


def test_second_completion_replays_the_parse(
    caller: Caller, unqueued_parts_list: tuple[str, str], gateway: RunningGateway
) -> None:
    moc_id, file_id = unqueued_parts_list

    again = caller.call("POST", f"/api/mocs/{moc_id}/files/complete", json={"fileIds": [file_id]})

    assert again.status_code == 200, again.text
    assert gateway.functions.wait_for_events(60)
    assert _parse_status(caller, moc_id, file_id) == ("ready", "ready")
    moc = caller.call("GET", f"/api/mocs/{moc_id}").json()["data"]
    assert moc["totalPieceCount"] == PARTS_CSV_PIECES


def test_sweep_replays_the_parse_once_past_its_grace(
    caller: Caller,
    unqueued_parts_list: tuple[str, str],
    gateway: RunningGateway,
    handlers_paused: Any,
) -> None:
    moc_id, file_id = unqueued_parts_list
    later = datetime.now(UTC) + sweep.GRACE + timedelta(minutes=1)
    with handlers_paused():
        assert file_id not in sweep.requeue_unparsed(apply=False)  # within the grace

        requeued = sweep.requeue_unparsed(apply=True, now=later)

    assert file_id in requeued
    assert gateway.functions.wait_for_events(60)
    assert _parse_status(caller, moc_id, file_id) == ("ready", "ready")
    moc = caller.call("GET", f"/api/mocs/{moc_id}").json()["data"]
    assert moc["totalPieceCount"] == PARTS_CSV_PIECES
    with handlers_paused():
        assert file_id not in sweep.requeue_unparsed(apply=False, now=later)  # parsed: done
