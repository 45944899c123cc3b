"""Issue 13 item 1, no orphans: files a MOC delete could not remove are kept in
moc_pending_deletes and deleted by the hourly schedule (the mocs handler's EventBridge path),
through the real code on moto with botocore hooks making S3 refuse."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from lego_common import keys
from lego_mocs.handler import lambda_handler

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = pytest.mark.usefixtures("services")

SCHEDULE_EVENT = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}


def _deny(operation: str) -> Callable[..., None]:
    def deny(**_: Any) -> None:
        error = {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}
        raise ClientError(error, operation)  # type: ignore[arg-type]

    return deny


def _keys_under(s3_client: Any, bucket: str, prefix: str) -> list[str]:
    listing = s3_client.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(obj["Key"] for obj in listing.get("Contents", []))


def _pending(sql: Callable[..., Any], prefix: str) -> list[tuple[Any, ...]]:
    return sql(
        "SELECT attempts, next_attempt_at > now() FROM moc_pending_deletes"
        " WHERE prefix = %(prefix)s",
        {"prefix": prefix},
    )


def test_listing_denied_keeps_the_prefix_and_the_schedule_deletes_the_files_later(
    api: Callable[..., Any],
    new_moc: Callable[..., Any],
    sql: Callable[..., Any],
    s3_client: Any,
    bucket: str,
    user_id: str,
) -> None:
    moc = new_moc(user_id)
    prefix = keys.moc_files_prefix(user_id, moc.id)
    for name in ("a.pdf", "b.csv"):
        s3_client.put_object(Bucket=bucket, Key=prefix + name, Body=b"data")
    deny = _deny("ListObjectsV2")
    s3_client.meta.events.register("before-call.s3.ListObjectsV2", deny)
    status, _ = api("DELETE /api/mocs/{id}", user_id, id=moc.id)
    s3_client.meta.events.unregister("before-call.s3.ListObjectsV2", deny)
    assert status == 200
    assert _keys_under(s3_client, bucket, prefix) == [prefix + "a.pdf", prefix + "b.csv"]
    assert _pending(sql, prefix) == [(0, False)]  # due at once

    result = lambda_handler(SCHEDULE_EVENT)  # other tests' prefixes may be due as well
    assert result["deleted"] >= 1
    assert result["failed"] == 0
    assert _keys_under(s3_client, bucket, prefix) == []
    assert _pending(sql, prefix) == []


def test_a_refusal_during_the_sweep_backs_off_and_is_counted_until_it_succeeds(
    api: Callable[..., Any],
    new_moc: Callable[..., Any],
    sql: Callable[..., Any],
    s3_client: Any,
    bucket: str,
    user_id: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    moc = new_moc(user_id)
    prefix = keys.moc_files_prefix(user_id, moc.id)
    s3_client.put_object(Bucket=bucket, Key=prefix + "locked.pdf", Body=b"data")
    deny = _deny("DeleteObjects")
    s3_client.meta.events.register("before-call.s3.DeleteObjects", deny)
    try:
        assert api("DELETE /api/mocs/{id}", user_id, id=moc.id)[0] == 200
        assert _pending(sql, prefix) == [(0, False)]
        capsys.readouterr()
        result = lambda_handler(SCHEDULE_EVENT)
        assert result["failed"] >= 1
        assert '"MocObjectsNotDeleted"' in capsys.readouterr().out  # the alarm stays up
        assert _pending(sql, prefix) == [(1, True)]  # postponed, not due again yet
        lambda_handler(SCHEDULE_EVENT)
        assert _pending(sql, prefix) == [(1, True)]  # not retried before its time
    finally:
        s3_client.meta.events.unregister("before-call.s3.DeleteObjects", deny)
    assert _keys_under(s3_client, bucket, prefix) == [prefix + "locked.pdf"]

    sql(
        "UPDATE moc_pending_deletes SET next_attempt_at = now() WHERE prefix = %(prefix)s",
        {"prefix": prefix},
    )  # its hour has come
    assert lambda_handler(SCHEDULE_EVENT)["failed"] == 0
    assert _keys_under(s3_client, bucket, prefix) == []
    assert _pending(sql, prefix) == []


def test_a_second_failed_delete_of_the_same_prefix_keeps_one_row(
    sql: Callable[..., Any], user_id: str
) -> None:
    from lego_mocs import service

    prefix = keys.moc_files_prefix(user_id, "00000000-0000-0000-0000-000000000001")
    service._keep_for_retry(user_id, prefix)
    service._keep_for_retry(user_id, prefix)
    assert _pending(sql, prefix) == [(0, False)]
