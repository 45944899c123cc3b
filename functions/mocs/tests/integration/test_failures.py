"""Error paths of the MOC routes on the real stack: a connection lost mid-query, S3 refusing
deletes or listings (MocObjectsNotDeleted), the search index refusing a delete, the seed TTL
of each cache key."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
import redis
import structlog
from botocore.exceptions import ClientError

from lego_common import db, keys
from lego_devstack.stack import Stack

pytestmark = pytest.mark.usefixtures("services")


def _wait_for_lock_wait(conn: psycopg.Connection[Any], pid: int) -> None:
    for _ in range(500):
        row = conn.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,))
        if row.fetchone() == ("Lock",):
            return
        time.sleep(0.01)
    raise AssertionError(f"backend {pid} never waited on the lock")


def test_connection_lost_during_query_returns_503_then_a_fresh_connection(
    api: Callable[..., Any], new_moc: Callable[..., Any], services: Stack, user_id: str
) -> None:
    new_moc(user_id)
    app_pid = db.get_connection().info.backend_pid
    locker, killer = services.connect(), services.connect(autocommit=True)
    answers: list[Any] = []
    try:
        locker.execute("LOCK TABLE moc_instructions IN ACCESS EXCLUSIVE MODE")
        reader = threading.Thread(target=lambda: answers.append(api("GET /api/mocs", user_id)))
        reader.start()
        _wait_for_lock_wait(killer, app_pid)  # the app's query is running, blocked
        killer.execute("SELECT pg_terminate_backend(%s)", (app_pid,))
        reader.join(10)
    finally:
        locker.rollback()
        locker.close()
        killer.close()
    assert [(a[0], a[1]["error"]["code"]) for a in answers] == [(503, "SERVICE_UNAVAILABLE")]
    status, body = api("GET /api/mocs", user_id)
    assert (status, body["total"]) == (200, 1)
    assert db.get_connection().info.backend_pid != app_pid


def _metric_values(stdout: str, name: str) -> list[float]:
    lines = [json.loads(line) for line in stdout.splitlines() if line.startswith('{"_aws"')]
    return [line[name] for line in lines if name in line]


def _put(s3_client: Any, bucket: str, *object_keys: str) -> None:
    for key in object_keys:
        s3_client.put_object(Bucket=bucket, Key=key, Body=b"data")


def test_delete_moc_s3_refusing_one_key_emits_metric_and_logs_that_key(
    api: Callable[..., Any],
    new_moc: Callable[..., Any],
    s3_client: Any,
    bucket: str,
    user_id: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    moc = new_moc(user_id)
    prefix = keys.moc_files_prefix(user_id, moc.id)
    refused = prefix + "locked.pdf"
    _put(s3_client, bucket, prefix + "a.pdf", refused)

    def keep_refused(params: dict[str, Any], **_: Any) -> None:  # S3 leaves it in place...
        objects = params["Delete"]["Objects"]
        params["Delete"]["Objects"] = [o for o in objects if o["Key"] != refused]

    def report_refused(parsed: dict[str, Any], **_: Any) -> None:  # ...and lists it in Errors
        parsed.setdefault("Errors", []).append(
            {"Key": refused, "Code": "AccessDenied", "Message": "Access Denied"}
        )

    s3_client.meta.events.register("provide-client-params.s3.DeleteObjects", keep_refused)
    s3_client.meta.events.register("after-call.s3.DeleteObjects", report_refused)
    capsys.readouterr()
    with structlog.testing.capture_logs() as logs:
        status, _ = api("DELETE /api/mocs/{id}", user_id, id=moc.id)
    assert status == 200
    assert _metric_values(capsys.readouterr().out, "MocObjectsNotDeleted") == [1]
    failures = [e for e in logs if e["event"] == "moc_objects_not_deleted"]
    assert [e["keys"] for e in failures] == [[refused]]
    listing = s3_client.list_objects_v2(Bucket=bucket, Prefix=prefix)
    assert [o["Key"] for o in listing["Contents"]] == [refused]


def test_delete_moc_s3_listing_denied_emits_metric_and_logs_the_prefix(
    api: Callable[..., Any],
    new_moc: Callable[..., Any],
    db_conn: psycopg.Connection,
    s3_client: Any,
    user_id: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    moc = new_moc(user_id)
    prefix = keys.moc_files_prefix(user_id, moc.id)

    def deny(**_: Any) -> None:  # what the mocs role got without s3:ListBucket (issue 13 #1)
        error = {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}
        raise ClientError(error, "ListObjectsV2")  # type: ignore[arg-type]

    s3_client.meta.events.register("before-call.s3.ListObjectsV2", deny)
    capsys.readouterr()
    with structlog.testing.capture_logs() as logs:
        status, _ = api("DELETE /api/mocs/{id}", user_id, id=moc.id)
    assert status == 200
    assert _metric_values(capsys.readouterr().out, "MocObjectsNotDeleted") == [1]
    assert [e["keys"] for e in logs if e["event"] == "moc_objects_not_deleted"] == [[prefix]]
    listing_errors = [e for e in logs if e["event"] == "s3_delete_failed"]
    assert [(e["prefix"], e["log_level"]) for e in listing_errors] == [(prefix, "error")]
    row = db_conn.execute("SELECT count(*) FROM moc_instructions WHERE id = %s", (moc.id,))
    assert row.fetchone() == (0,)


@pytest.mark.usefixtures("no_opensearch")
def test_delete_moc_search_index_delete_failing_returns_200_and_logs_id_for_reindex(
    api: Callable[..., Any], new_moc: Callable[..., Any], user_id: str
) -> None:
    moc = new_moc(user_id)
    with structlog.testing.capture_logs() as logs:
        status, body = api("DELETE /api/mocs/{id}", user_id, id=moc.id)
    assert (status, body["data"]) == (200, {"id": str(moc.id), "deleted": True})
    failures = [e for e in logs if e["event"] == "search_delete_failed"]
    assert [(e["doc_id"], e["log_level"]) for e in failures] == [(str(moc.id), "warning")]
    assert api("GET /api/mocs/{id}", user_id, id=moc.id)[0] == 404


def _redis_now_ms(client: redis.Redis) -> int:
    seconds, micros = client.time()
    return int(seconds) * 1000 + int(micros) // 1000


def test_moc_cache_keys_carry_the_seed_ttls(
    api: Callable[..., Any], new_moc: Callable[..., Any], redis_client: redis.Redis, user_id: str
) -> None:
    """Seed 001 "Cache TTLs": lists 300 s, details 600 s. Redis' own clock brackets the write
    (TIME before and after, PEXPIRETIME of each key, in ms): no assumption on how fast the
    test runs."""
    moc = new_moc(user_id)
    before = _redis_now_ms(redis_client)
    api("GET /api/mocs", user_id)
    api("GET /api/mocs", user_id, query={"search": "x", "tag": "y"})
    api("GET /api/mocs/{id}", user_id, id=moc.id)
    after = _redis_now_ms(redis_client)
    expected = {
        keys.moc_list(user_id, 1, 20): 300,
        keys.moc_list(user_id, 1, 20, "x", "y"): 300,
        keys.moc_list_tag(user_id): 300,
        keys.moc_detail(moc.id): 600,
    }
    for key, ttl in expected.items():
        expires_at = int(redis_client.execute_command("PEXPIRETIME", key))
        assert before + ttl * 1000 <= expires_at <= after + ttl * 1000, key
