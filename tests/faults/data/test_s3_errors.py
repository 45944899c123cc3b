"""S3 answering 500, 503 SlowDown or timing out, through the gateway (issue 18): each failing
call is retried within bounds, then the route answers 503 SERVICE_UNAVAILABLE; no row is left
without its object and no object without its row. The faults come from a 'before-send' hook
on the S3 client lego_common.aws hands the handlers (see conftest.AwsFaults)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from lego_common import aws

from .conftest import (
    assert_unavailable,
    create_moc,
    png_bytes,
    read_timeout,
    s3_error,
    send_parts_csv,
)

if TYPE_CHECKING:
    from .conftest import AwsFaults, Caller

FAULTS = {
    "500 InternalError": lambda: s3_error(500, "InternalError"),
    "503 SlowDown": lambda: s3_error(503, "SlowDown"),
    "read timeout": read_timeout,
}
# What one failing S3 call may cost: botocore's standard mode (lego_common.aws: 3 retries, so 4
# tries) inside storage's tenacity policy (lego_common.retry: 3 attempts, at most 5 s)
MAX_ATTEMPTS_PER_CALL = 4 * 3
MAX_SECONDS_PER_CALL = 15.0


def _image_form(title: str = "Castle") -> dict[str, Any]:
    return {"files": {"image": ("castle.png", png_bytes(), "image/png")}, "data": {"title": title}}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_gallery_upload_s3_failing_answers_503_and_leaves_nothing(
    caller: Caller, aws_faults: AwsFaults, sql: Any, bucket_keys: Any, fault: str
) -> None:
    aws_faults.inject(aws.client("s3"), "PutObject", FAULTS[fault]())

    started = time.monotonic()
    response = caller.call("POST", "/api/images", **_image_form())
    took_s = time.monotonic() - started

    assert_unavailable(response)
    # the two puts run at once (storage.put_objects), each retried within its own bounds
    assert 1 < aws_faults.attempts["PutObject"] <= 2 * MAX_ATTEMPTS_PER_CALL
    assert took_s < MAX_SECONDS_PER_CALL
    rows = sql("SELECT count(*) FROM gallery_images WHERE user_id = %(u)s", {"u": caller.sub})
    assert rows == [(0,)]
    assert bucket_keys(f"images/{caller.sub}/") == []


def test_gallery_upload_thumbnail_put_failing_removes_the_image_object(
    caller: Caller, aws_faults: AwsFaults, sql: Any, bucket_keys: Any
) -> None:
    aws_faults.inject(
        aws.client("s3"),
        "PutObject",
        s3_error(500, "InternalError"),
        when=lambda request: "/thumbnails/" in request.url,
    )

    response = caller.call("POST", "/api/images", **_image_form())

    assert_unavailable(response)
    rows = sql("SELECT count(*) FROM gallery_images WHERE user_id = %(u)s", {"u": caller.sub})
    assert rows == [(0,)]
    assert bucket_keys(f"images/{caller.sub}/") == []  # the 2048 px object went too


def test_gallery_upload_one_transient_error_is_retried_to_success(
    caller: Caller, aws_faults: AwsFaults, sql: Any, bucket_keys: Any
) -> None:
    aws_faults.inject(aws.client("s3"), "PutObject", s3_error(503, "SlowDown"), times=1)

    response = caller.call("POST", "/api/images", **_image_form())

    assert response.status_code == 201, response.text
    image_id = response.json()["data"]["id"]
    assert aws_faults.attempts["PutObject"] == 1
    assert set(bucket_keys(f"images/{caller.sub}/")) == {
        f"images/{caller.sub}/{image_id}.webp",
        f"images/{caller.sub}/thumbnails/{image_id}.webp",
    }


def test_gallery_delete_s3_failing_leaves_objects_the_sweep_removes(
    caller: Caller, aws_faults: AwsFaults, bucket_keys: Any, handlers_paused: Any
) -> None:
    created = caller.call("POST", "/api/images", **_image_form())
    assert created.status_code == 201, created.text
    image_id = created.json()["data"]["id"]
    aws_faults.inject(aws.client("s3"), "DeleteObjects", s3_error(500, "InternalError"))

    deleted = caller.call("DELETE", f"/api/images/{image_id}")

    # the row goes first (the user asked for it gone); the objects wait for the sweep
    assert deleted.status_code == 200, deleted.text
    assert len(bucket_keys(f"images/{caller.sub}/")) == 2
    aws_faults.clear()
    from lego_gallery import sweep

    with handlers_paused():
        sweep.sweep(apply=True, min_age=timedelta(0))
    assert bucket_keys(f"images/{caller.sub}/") == []


def test_moc_delete_s3_failing_deletes_the_row_and_the_sweep_removes_the_objects(
    caller: Caller, aws_faults: AwsFaults, sql: Any, bucket_keys: Any, handlers_paused: Any
) -> None:
    moc_id = create_moc(caller)
    file_id = send_parts_csv(caller, moc_id)
    done = caller.call("POST", f"/api/mocs/{moc_id}/files/complete", json={"fileIds": [file_id]})
    assert done.status_code == 200, done.text
    prefix = f"mocs/{caller.sub}/{moc_id}/"
    s3 = aws.client("s3")
    aws_faults.inject(s3, "ListObjectsV2", s3_error(500, "InternalError"))
    aws_faults.inject(s3, "DeleteObjects", s3_error(500, "InternalError"))

    deleted = caller.call("DELETE", f"/api/mocs/{moc_id}")

    # the rows go first (never a row without its file); the object waits for the sweep
    assert deleted.status_code == 200, deleted.text
    assert sql("SELECT count(*) FROM moc_files WHERE moc_id = %(m)s", {"m": moc_id}) == [(0,)]
    assert len(bucket_keys(prefix)) == 1
    aws_faults.clear()
    from lego_upload import sweep

    with handlers_paused():
        swept = sweep.sweep(apply=True, orphans=True, min_age=timedelta(0))
    assert f"{prefix}{file_id}.csv" in swept.orphans
    assert bucket_keys(prefix) == []


def test_upload_completion_s3_failing_answers_503_and_the_file_stays_pending(
    caller: Caller, aws_faults: AwsFaults
) -> None:
    moc_id = create_moc(caller)
    file_id = send_parts_csv(caller, moc_id)
    aws_faults.inject(aws.client("s3"), "HeadObject", s3_error(503, "ServiceUnavailable"))
    path = f"/api/mocs/{moc_id}/files"

    failed = caller.call("POST", f"{path}/complete", json={"fileIds": [file_id]})

    assert_unavailable(failed)
    assert caller.call("GET", f"{path}/{file_id}").json()["data"]["status"] == "pending"
    aws_faults.clear()
    again = caller.call("POST", f"{path}/complete", json={"fileIds": [file_id]})
    assert again.status_code == 200, again.text
    assert again.json()["data"]["ready"] == 1


def test_wishlist_image_s3_failing_answers_503_and_leaves_the_item_unchanged(
    caller: Caller, aws_faults: AwsFaults, bucket_keys: Any
) -> None:
    created = caller.call("POST", "/api/wishlist", json={"title": "Millennium Falcon"})
    assert created.status_code == 201, created.text
    item_id = created.json()["data"]["id"]
    aws_faults.inject(aws.client("s3"), "PutObject", read_timeout())

    response = caller.call(
        "POST",
        f"/api/wishlist/{item_id}/image",
        files={"image": ("falcon.png", png_bytes(), "image/png")},
    )

    assert_unavailable(response)
    assert "imageUrl" not in caller.call("GET", f"/api/wishlist/{item_id}").json()["data"]
    assert bucket_keys(f"wishlist/{caller.sub}/") == []


def test_avatar_s3_failing_answers_503_and_leaves_picture_and_bucket_unchanged(
    caller: Caller, aws_faults: AwsFaults, bucket_keys: Any
) -> None:
    aws_faults.inject(aws.client("s3"), "PutObject", s3_error(500, "InternalError"))
    path = f"/api/users/{caller.sub}"

    response = caller.call(
        "POST", f"{path}/avatar", files={"image": ("me.png", png_bytes(), "image/png")}
    )

    assert_unavailable(response)
    assert "picture" not in caller.call("GET", path).json()["data"]
    assert bucket_keys(f"avatars/{caller.sub}/") == []
