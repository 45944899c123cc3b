"""Faults: S3 down or failing half-way, the insert failing after both objects went in, Redis
down, OpenSearch down. No fault leaves an object without a row, nor a row without objects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from structlog.testing import capture_logs

from lego_common import storage
from lego_devstack import reset_clients
from lego_gallery import repository

pytestmark = pytest.mark.usefixtures("services")


def _objects(s3_client: Any, bucket: str, user_id: str) -> int:
    count: int = s3_client.list_objects_v2(Bucket=bucket, Prefix=f"images/{user_id}/")["KeyCount"]
    return count


def _rows(sql: Any, user_id: str) -> int:
    found: int = sql("SELECT count(*) FROM gallery_images WHERE user_id = %(u)s", {"u": user_id})[
        0
    ][0]
    return found


@pytest.fixture
def s3_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """AWS_ENDPOINT_URL pointed at a closed port: every S3 call fails to connect."""
    from lego_devstack.stack import free_port

    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    reset_clients()
    yield
    monkeypatch.undo()
    reset_clients()


def test_s3_down_upload_returns_503_and_no_row(
    post_form: Callable[..., Any], make: Any, sql: Any, s3_down: None, user_id: str
) -> None:
    status, body = post_form(user_id, {"title": "x"}, make.jpeg(64, 64))
    assert status == 503
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert _rows(sql, user_id) == 0


def test_s3_down_confirm_returns_503(api: Callable[..., Any], s3_down: None, user_id: str) -> None:
    import uuid

    confirm = api("POST /api/images", user_id, body={"uploadId": str(uuid.uuid4()), "title": "x"})
    assert confirm.status == 503


def test_s3_failing_after_one_put_leaves_no_object_and_no_row(
    post_form: Callable[..., Any],
    make: Any,
    sql: Any,
    s3_client: Any,
    bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    user_id: str,
) -> None:
    real_put = storage.put_object
    calls: list[str] = []

    def put_then_fail(key: str, body: bytes, content_type: str, **extra: Any) -> None:
        calls.append(key)
        if len(calls) > 1:
            raise ConnectionError("S3 went away")
        real_put(key, body, content_type, **extra)

    monkeypatch.setattr(storage, "put_object", put_then_fail)
    status, _ = post_form(user_id, {"title": "x"}, make.jpeg(900, 600))

    assert status == 503
    assert len(calls) == 2
    assert _objects(s3_client, bucket, user_id) == 0
    assert _rows(sql, user_id) == 0


def test_insert_failing_after_both_puts_deletes_the_objects(
    post_form: Callable[..., Any],
    make: Any,
    sql: Any,
    s3_client: Any,
    bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    user_id: str,
) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("insert failed")

    monkeypatch.setattr(repository, "insert_image", fail)
    status, body = post_form(user_id, {"title": "x"}, make.jpeg(900, 600))

    assert status == 500
    assert body["error"]["code"] == "INTERNAL_SERVER_ERROR"
    assert _objects(s3_client, bucket, user_id) == 0
    assert _rows(sql, user_id) == 0


def test_delete_with_s3_down_commits_and_logs_the_keys(
    api: Callable[..., Any], make: Any, sql: Any, monkeypatch: pytest.MonkeyPatch, user_id: str
) -> None:
    image = make.image(user_id)
    monkeypatch.setattr(storage, "delete_objects", lambda keys: list(keys))
    with capture_logs() as logs:
        status, _ = api("DELETE /api/images/{id}", user_id, id=image.id)
    assert status == 200
    assert _rows(sql, user_id) == 0
    failed = [e for e in logs if e["event"] == "gallery_objects_not_deleted"]
    assert failed[0]["keys"] == [
        f"images/{user_id}/{image.id}.webp",
        f"images/{user_id}/thumbnails/{image.id}.webp",
    ]


def test_redis_down_every_route_still_answers(
    api: Callable[..., Any],
    post_form: Callable[..., Any],
    make: Any,
    redis_outage: Callable[[], Any],
    user_id: str,
) -> None:
    album = make.album(user_id)
    with redis_outage(), capture_logs() as logs:
        status, body = post_form(
            user_id, {"title": "x", "albumId": str(album.id)}, make.jpeg(64, 64)
        )
        assert status == 201
        image_id = body["data"]["id"]
        assert api("GET /api/images", user_id)[1]["total"] == 1
        assert api("GET /api/images/{id}", user_id, id=image_id)[0] == 200
        assert api("GET /api/albums", user_id)[1]["data"][0]["imageCount"] == 1
        assert api("GET /api/albums/{id}", user_id, id=album.id)[0] == 200
        assert api("PATCH /api/images/{id}", user_id, id=image_id, body={"title": "y"})[0] == 200
        assert api("DELETE /api/images/{id}", user_id, id=image_id)[0] == 200
    assert any(e["event"] == "cache_unavailable" for e in logs)


def test_opensearch_down_search_falls_back_and_writes_succeed(
    api: Callable[..., Any],
    post_form: Callable[..., Any],
    make: Any,
    no_opensearch: Any,
    user_id: str,
) -> None:
    with capture_logs() as logs:
        status, body = post_form(
            user_id, {"title": "Medieval castle", "tags": "castle"}, make.jpeg(64, 64)
        )
        assert status == 201
        make.image(user_id, title="Space shuttle")
        found = api("GET /api/images", user_id, query={"search": "castle"})
    assert found.status == 200
    assert [i["id"] for i in found.body["data"]] == [body["data"]["id"]]
    assert found.body["total"] == 1
    events = {e["event"] for e in logs}
    assert "search_index_failed" in events
    assert "search_unavailable_fallback" in events
