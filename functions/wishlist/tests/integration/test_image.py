"""Item images: POST (multipart, 800x800 WebP, replaced in place with a new URL version),
DELETE, the 413, bad images, S3 failures, and the object removed with the item."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from structlog.testing import capture_logs

from lego_common import storage

pytestmark = pytest.mark.usefixtures("services")


def _keys(s3_client: Any, bucket: str, user_id: str) -> list[str]:
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix=f"wishlist/{user_id}/")
    return sorted(obj["Key"] for obj in listed.get("Contents", []))


def test_image_fits_800_webp_and_sets_a_versioned_url(
    post_image: Callable[..., Any], make: Any, s3_client: Any, bucket: str, user_id: str
) -> None:
    from PIL import Image as PILImage

    item = make.item(user_id)
    status, body = post_image(user_id, item["id"], make.jpeg(4000, 3000))
    assert status == 200, body
    key = f"wishlist/{user_id}/{item['id']}.webp"
    url = body["data"]["imageUrl"]
    assert key in url
    assert "?v=" in url
    stored = s3_client.get_object(Bucket=bucket, Key=key)
    assert stored["ContentType"] == "image/webp"
    picture = PILImage.open(io.BytesIO(stored["Body"].read()))
    assert (picture.format, picture.size) == ("WEBP", (800, 600))


def test_small_image_is_never_upscaled(
    post_image: Callable[..., Any], make: Any, s3_client: Any, bucket: str, user_id: str
) -> None:
    from PIL import Image as PILImage

    item = make.item(user_id)
    assert post_image(user_id, item["id"], make.jpeg(300, 200)).status == 200
    stored = s3_client.get_object(Bucket=bucket, Key=f"wishlist/{user_id}/{item['id']}.webp")
    assert PILImage.open(io.BytesIO(stored["Body"].read())).size == (300, 200)


def test_replaced_twice_leaves_one_object_and_changes_the_url_each_time(
    api: Callable[..., Any],
    post_image: Callable[..., Any],
    make: Any,
    s3_client: Any,
    bucket: str,
    user_id: str,
) -> None:
    item = make.item(user_id)
    api("GET /api/wishlist", user_id)
    api("GET /api/wishlist/{id}", user_id, id=item["id"])
    urls = [
        post_image(user_id, item["id"], make.jpeg(64, 64, colour)).body["data"]["imageUrl"]
        for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))
    ]
    assert len(set(urls)) == 3
    assert _keys(s3_client, bucket, user_id) == [f"wishlist/{user_id}/{item['id']}.webp"]
    # read-after-write through the cache
    _, got = api("GET /api/wishlist/{id}", user_id, id=item["id"])
    _, listed = api("GET /api/wishlist", user_id)
    assert got["data"]["imageUrl"] == listed["data"][0]["imageUrl"] == urls[-1]


def test_delete_image_clears_url_and_object(
    api: Callable[..., Any],
    post_image: Callable[..., Any],
    make: Any,
    s3_client: Any,
    bucket: str,
    user_id: str,
) -> None:
    item = make.item(user_id)
    post_image(user_id, item["id"], make.jpeg(64, 64))
    status, body = api("DELETE /api/wishlist/{id}/image", user_id, id=item["id"])
    assert status == 200, body
    assert "imageUrl" not in body["data"]
    assert _keys(s3_client, bucket, user_id) == []
    again = api("DELETE /api/wishlist/{id}/image", user_id, id=item["id"])
    assert again.status == 200  # idempotent


def test_deleting_the_item_removes_its_image(
    api: Callable[..., Any],
    post_image: Callable[..., Any],
    make: Any,
    s3_client: Any,
    bucket: str,
    user_id: str,
) -> None:
    item = make.item(user_id)
    post_image(user_id, item["id"], make.jpeg(64, 64))
    assert api("DELETE /api/wishlist/{id}", user_id, id=item["id"]).status == 200
    assert _keys(s3_client, bucket, user_id) == []


def test_object_delete_failure_is_logged_with_its_key(
    api: Callable[..., Any],
    post_image: Callable[..., Any],
    make: Any,
    monkeypatch: pytest.MonkeyPatch,
    user_id: str,
) -> None:
    item = make.item(user_id)
    post_image(user_id, item["id"], make.jpeg(64, 64))
    monkeypatch.setattr(storage, "delete_objects", lambda keys: list(keys))
    with capture_logs() as logs:
        status, _ = api("DELETE /api/wishlist/{id}", user_id, id=item["id"])
    assert status == 200
    failed = [e for e in logs if e["event"] == "wishlist_object_not_deleted"]
    assert failed[0]["keys"] == [f"wishlist/{user_id}/{item['id']}.webp"]


def test_other_users_item_is_404_and_nothing_stored(
    post_image: Callable[..., Any],
    make: Any,
    s3_client: Any,
    bucket: str,
    user_id: str,
    other_user_id: str,
) -> None:
    theirs = make.item(other_user_id)
    assert post_image(user_id, theirs["id"], make.jpeg(64, 64)).status == 404
    assert post_image(user_id, str(uuid.uuid4()), make.jpeg(64, 64)).status == 404
    assert _keys(s3_client, bucket, other_user_id) == []
    assert _keys(s3_client, bucket, user_id) == []


def test_more_than_4_mb_is_413_naming_the_limit(
    post_image: Callable[..., Any], make: Any, user_id: str
) -> None:
    item = make.item(user_id)
    status, body = post_image(user_id, item["id"], b"\xff\xd8\xff" + b"0" * (4 * 1024 * 1024))
    assert status == 413
    assert body["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert str(4 * 1024 * 1024) in body["error"]["message"]


@pytest.mark.parametrize("content", [b"%PDF-1.4 not an image", b"\xff\xd8\xff\xe0broken", b""])
def test_not_an_image_is_400(
    post_image: Callable[..., Any], make: Any, user_id: str, content: bytes
) -> None:
    item = make.item(user_id)
    status, body = post_image(user_id, item["id"], content)
    assert status == 400, body
    assert body["error"]["code"] == "VALIDATION_ERROR"


def test_json_body_or_unknown_part_is_400(
    api: Callable[..., Any], post_image: Callable[..., Any], make: Any, user_id: str
) -> None:
    item = make.item(user_id)
    as_json = api("POST /api/wishlist/{id}/image", user_id, id=item["id"], body={"x": 1})
    assert as_json.status == 400
    extra = post_image(user_id, item["id"], make.jpeg(32, 32), title="x")
    assert extra.status == 400


@pytest.fixture
def s3_down(monkeypatch: pytest.MonkeyPatch) -> Any:
    """AWS_ENDPOINT_URL pointed at a closed port: every S3 call fails to connect."""
    from lego_devstack import reset_clients
    from lego_devstack.stack import free_port

    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
    reset_clients()
    yield
    monkeypatch.undo()
    reset_clients()


def test_s3_down_is_503_and_the_item_unchanged(
    api: Callable[..., Any], post_image: Callable[..., Any], make: Any, user_id: str, s3_down: None
) -> None:
    item = make.item(user_id)
    status, body = post_image(user_id, item["id"], make.jpeg(64, 64))
    assert status == 503
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
    _, got = api("GET /api/wishlist/{id}", user_id, id=item["id"])
    assert got["data"] == item


def _cmyk_jpeg() -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("CMYK", (1000, 500), (0, 200, 200, 0)).save(buffer, "JPEG")
    return buffer.getvalue()


def _animated_gif() -> bytes:
    from PIL import Image as PILImage

    frames = [PILImage.new("P", (900, 900), colour) for colour in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


def _png_16_bit() -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("I;16", (1600, 400), 40000).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make_input", "size"),
    [(_cmyk_jpeg, (800, 400)), (_animated_gif, (800, 800)), (_png_16_bit, (800, 200))],
)
def test_cmyk_animated_and_16_bit_inputs_become_one_webp(
    post_image: Callable[..., Any],
    make: Any,
    s3_client: Any,
    bucket: str,
    user_id: str,
    make_input: Callable[[], bytes],
    size: tuple[int, int],
) -> None:
    from PIL import Image as PILImage

    item = make.item(user_id)
    status, body = post_image(user_id, item["id"], make_input())
    assert status == 200, body
    stored = s3_client.get_object(Bucket=bucket, Key=f"wishlist/{user_id}/{item['id']}.webp")
    picture = PILImage.open(io.BytesIO(stored["Body"].read()))
    assert (picture.format, picture.size, getattr(picture, "n_frames", 1)) == ("WEBP", size, 1)
