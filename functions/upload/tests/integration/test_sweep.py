"""The sweep: expired pending uploads lose object and row; orphans under mocs/ are found."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lego_upload import sweep
from lego_upload.handler import lambda_handler

pytestmark = pytest.mark.usefixtures("services")


def test_expired_pending_upload_loses_object_and_row(
    api: Callable[..., Any],
    user_id: str,
    moc_id: uuid.UUID,
    sql: Callable[..., Any],
    s3_client: Any,
    bucket: str,
    make_pdf: Callable[[int], bytes],
) -> None:
    decl = {"filename": "a.pdf", "contentType": "application/pdf", "size": 1000}
    _, body = api("POST /api/mocs/{id}/files", user_id, id=moc_id, body={"files": [decl] * 2})
    expired, fresh = body["data"]["files"]
    for ticket in (expired, fresh):
        s3_client.put_object(
            Bucket=bucket, Key=ticket["upload"]["fields"]["key"], Body=make_pdf(1000)
        )
    sql(
        "UPDATE moc_files SET expires_at = now() - interval '1 hour' WHERE id = %(id)s",
        {"id": expired["id"]},
    )

    dry = sweep.sweep(apply=False)
    assert expired["upload"]["fields"]["key"] in dry.expired
    assert sql("SELECT 1 FROM moc_files WHERE id = %(id)s", {"id": expired["id"]}) == [(1,)]

    assert (
        lambda_handler({"source": "aws.events", "detail-type": "Scheduled Event"}, None)["failed"]
        == 0
    )

    assert sql("SELECT 1 FROM moc_files WHERE id = %(id)s", {"id": expired["id"]}) == []
    prefix = f"mocs/{user_id}/{moc_id}/"
    keys = {o["Key"] for o in s3_client.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]}
    assert keys == {fresh["upload"]["fields"]["key"]}


def test_orphan_objects_are_found(
    user_id: str, moc_id: uuid.UUID, s3_client: Any, bucket: str
) -> None:
    key = f"mocs/{user_id}/{moc_id}/{uuid.uuid4()}.pdf"
    s3_client.put_object(Bucket=bucket, Key=key, Body=b"%PDF-1.4")
    assert key in sweep.find_orphans(timedelta(0))
    # a dry run: the moto bucket is shared by the whole session
    result = sweep.sweep(apply=False, orphans=True, min_age=timedelta(0))
    assert key in result.orphans
    assert s3_client.list_objects_v2(Bucket=bucket, Prefix=key)["KeyCount"] == 1


def test_ready_parts_list_never_parsed_is_queued_again_once_past_its_grace(
    api: Callable[..., Any],
    user_id: str,
    moc_id: uuid.UUID,
    invoked: list[tuple[str, dict[str, Any]]],
    csv_bytes: bytes,
) -> None:
    boundary = f"----lego{uuid.uuid4().hex}"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="parts.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + csv_bytes
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, sent = api(
        "POST /api/mocs/{id}/files",
        user_id,
        id=moc_id,
        body=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert status == 201, sent
    file_id = sent["data"]["files"][0]["id"]
    assert len(invoked) == 1  # the hand-off csv_parser never received (no parse row follows)
    later = datetime.now(UTC) + sweep.GRACE + timedelta(minutes=1)

    assert file_id not in sweep.requeue_unparsed(apply=False)  # within the grace
    assert file_id in sweep.requeue_unparsed(apply=False, now=later)
    assert len(invoked) == 1  # a dry run queues nothing
    assert file_id in sweep.requeue_unparsed(apply=True, now=later)

    replayed = [payload for _, payload in invoked[1:] if payload["fileId"] == file_id]
    assert replayed == [invoked[0][1]]  # the same event the completion sent
