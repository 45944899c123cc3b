"""The sweep: expired pending uploads lose object and row; orphans under mocs/ are found."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
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
