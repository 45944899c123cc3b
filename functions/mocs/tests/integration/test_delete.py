"""DELETE /api/mocs/{id}: rows cascade, S3 objects under mocs/{userId}/{mocId}/ go, cache and
index entries go; objects S3 could not delete are logged with their keys."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
import redis
import structlog

from lego_common import keys, storage

pytestmark = pytest.mark.usefixtures("services")


def _put(s3_client: Any, bucket: str, key: str) -> None:
    s3_client.put_object(Bucket=bucket, Key=key, Body=b"data")


def _keys_under(s3_client: Any, bucket: str, prefix: str) -> list[str]:
    listing = s3_client.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [obj["Key"] for obj in listing.get("Contents", [])]


def test_delete_moc_removes_rows_objects_and_cache_keeps_gallery_image(
    api: Callable[..., Any],
    new_moc: Callable[..., Any],
    rows: Any,
    db_conn: psycopg.Connection,
    redis_client: redis.Redis,
    s3_client: Any,
    bucket: str,
    user_id: str,
) -> None:
    moc, neighbour = new_moc(user_id), new_moc(user_id)
    file_id = rows.file(moc.id, user_id)
    rows.parts(moc.id, file_id, [1, 2])
    image_id = rows.linked_image(moc.id, user_id)
    prefix = keys.moc_files_prefix(user_id, moc.id)
    for name in ("a.pdf", "b.csv", "nested/c.xml"):
        _put(s3_client, bucket, prefix + name)
    neighbour_key = keys.moc_files_prefix(user_id, neighbour.id) + "keep.pdf"
    _put(s3_client, bucket, neighbour_key)
    api("GET /api/mocs/{id}", user_id, id=moc.id)  # cache the detail
    status, body = api("DELETE /api/mocs/{id}", user_id, id=moc.id)
    assert (status, body["data"]) == (200, {"id": str(moc.id), "deleted": True})
    for table in (
        "moc_instructions WHERE id",
        "moc_files WHERE moc_id",
        "moc_parts_lists WHERE moc_id",
        "moc_gallery_images WHERE moc_id",
    ):
        count = db_conn.execute(f"SELECT count(*) FROM {table} = %s", (moc.id,)).fetchone()
        assert count == (0,), table
    gallery = db_conn.execute("SELECT count(*) FROM gallery_images WHERE id = %s", (image_id,))
    assert gallery.fetchone() == (1,)
    assert _keys_under(s3_client, bucket, prefix) == []
    assert _keys_under(s3_client, bucket, neighbour_key) == [neighbour_key]
    assert not redis_client.exists(keys.moc_detail(moc.id))
    assert api("GET /api/mocs/{id}", user_id, id=moc.id)[0] == 404


def test_delete_moc_of_other_user_returns_404_and_keeps_row_and_objects(
    api: Callable[..., Any],
    new_moc: Callable[..., Any],
    db_conn: psycopg.Connection,
    s3_client: Any,
    bucket: str,
    user_id: str,
    other_user_id: str,
) -> None:
    moc = new_moc(user_id)
    key = keys.moc_files_prefix(user_id, moc.id) + "a.pdf"
    _put(s3_client, bucket, key)
    status, body = api("DELETE /api/mocs/{id}", other_user_id, id=moc.id)
    assert (status, body["error"]["code"]) == (404, "NOT_FOUND")
    row = db_conn.execute("SELECT count(*) FROM moc_instructions WHERE id = %s", (moc.id,))
    assert row.fetchone() == (1,)
    assert _keys_under(s3_client, bucket, key) == [key]


def test_delete_moc_missing_id_returns_404(api: Callable[..., Any], user_id: str) -> None:
    assert api("DELETE /api/mocs/{id}", user_id, id=uuid.uuid4())[0] == 404


def test_delete_moc_s3_failing_deletes_rows_and_logs_keys_for_retry(
    api: Callable[..., Any],
    new_moc: Callable[..., Any],
    db_conn: psycopg.Connection,
    s3_client: Any,
    bucket: str,
    user_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    moc = new_moc(user_id)
    prefix = keys.moc_files_prefix(user_id, moc.id)
    _put(s3_client, bucket, prefix + "a.pdf")

    def refuse(batch: list[str]) -> list[str]:  # S3 answering Errors for every key
        return list(batch)

    monkeypatch.setattr(storage, "delete_objects", refuse)
    with structlog.testing.capture_logs() as logs:
        status, _ = api("DELETE /api/mocs/{id}", user_id, id=moc.id)
    assert status == 200
    row = db_conn.execute("SELECT count(*) FROM moc_instructions WHERE id = %s", (moc.id,))
    assert row.fetchone() == (0,)
    failures = [e for e in logs if e["event"] == "moc_objects_not_deleted"]
    assert [(e["moc_id"], e["keys"]) for e in failures] == [(str(moc.id), [prefix + "a.pdf"])]
    assert failures[0]["log_level"] == "error"
