"""POST and DELETE /api/users/{id}/avatar: the pipeline, one stored object, `picture` and the
object always agreeing (Cognito failing after the S3 write puts the previous avatar back)."""

from __future__ import annotations

import io
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from lego_common import aws, keys
from lego_profile.models import AVATAR_MAX_BYTES

if TYPE_CHECKING:
    from collections.abc import Callable


def _versions(key: str) -> list[dict[str, Any]]:
    from lego_common import storage

    listed = aws.client("s3").list_object_versions(Bucket=storage.bucket(), Prefix=key)
    return [v for v in listed.get("Versions", []) if v["Key"] == key]


def _current(key: str) -> bytes:
    from lego_common import storage

    return storage.get_object(key)


def _decoded(data: bytes) -> Any:
    from PIL import Image

    im = Image.open(io.BytesIO(data))
    im.load()
    return im


def _exif6_portrait() -> bytes:
    """Stored 400x200 (left half red, right half blue) with EXIF orientation 6: shown upright
    as 200x400, red on top."""
    from PIL import Image

    im = Image.new("RGB", (400, 200), (220, 0, 0))
    im.paste((0, 0, 220), (200, 0, 400, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    im.save(buffer, format="JPEG", exif=exif.tobytes(), quality=95)
    return buffer.getvalue()


def _wide_png_with_alpha() -> bytes:
    """900x300: red | green | blue thirds, half transparent; the centred square is green."""
    from PIL import Image

    im = Image.new("RGBA", (900, 300), (255, 0, 0, 128))
    im.paste((0, 255, 0, 128), (300, 0, 600, 300))
    im.paste((0, 0, 255, 128), (600, 0, 900, 300))
    buffer = io.BytesIO()
    im.save(buffer, format="PNG")
    return buffer.getvalue()


def _assert_clean_square(data: bytes) -> Any:
    im = _decoded(data)
    assert im.format == "WEBP"
    assert im.size == (256, 256)
    assert not {"exif", "icc_profile", "xmp"} & set(im.info)
    return im


def test_portrait_jpeg_with_exif_orientation_6(post_avatar: Any, user: Any) -> None:
    status, body = post_avatar(user, _exif6_portrait())
    assert status == 200, body
    key = keys.avatar_object(user.sub)
    assert body["data"]["picture"].split("?v=")[0].endswith(key)
    im = _assert_clean_square(_current(key)).convert("RGB")
    # upright 200x400 (red over blue), centred square of 200: the middle 100 rows of each half
    top, bottom = im.getpixel((128, 20)), im.getpixel((128, 235))
    assert top[0] > 150 and top[2] < 80, top  # noqa: PT018
    assert bottom[2] > 150 and bottom[0] < 80, bottom  # noqa: PT018


def test_wide_png_with_alpha_is_cropped_to_its_centre(post_avatar: Any, user: Any) -> None:
    status, _ = post_avatar(user, _wide_png_with_alpha())
    assert status == 200
    im = _assert_clean_square(_current(keys.avatar_object(user.sub)))
    assert im.mode == "RGBA"
    for xy in ((5, 5), (128, 128), (250, 250)):
        r, g, b, a = im.getpixel(xy)
        assert g > 200 and r < 40 and b < 40 and 100 < a < 160, (xy, im.getpixel(xy))  # noqa: PT018


def test_cmyk_jpeg(post_avatar: Any, make: Any, user: Any) -> None:
    status, _ = post_avatar(user, make.image((640, 480), "CMYK"))
    assert status == 200
    im = _assert_clean_square(_current(keys.avatar_object(user.sub)))
    assert im.mode == "RGB"


def test_two_replacements_leave_one_object_and_change_picture(
    post_avatar: Any, call: Any, make: Any, user: Any
) -> None:
    pictures = []
    for colour_size in ((300, 300), (320, 240), (500, 400)):
        status, body = post_avatar(user, make.image(colour_size))
        assert status == 200
        pictures.append(body["data"]["picture"])
        assert call("GET /api/users/{id}", user).body["data"]["picture"] == pictures[-1]
    assert len(set(pictures)) == 3
    assert len(_versions(keys.avatar_object(user.sub))) == 1


def _failing(code: str, http_status: int) -> Callable[..., Any]:
    """Cognito answering code (e.g. TooManyRequestsException 400, InternalErrorException 500)."""
    from botocore.exceptions import ClientError

    def fail(**_: Any) -> Any:
        raise ClientError(
            {
                "Error": {"Code": code, "Message": "nope"},
                "ResponseMetadata": {"HTTPStatusCode": http_status},
            },
            "AdminUpdateUserAttributes",
        )

    return fail


def test_cognito_failing_after_the_s3_write_restores_the_previous_avatar(
    post_avatar: Any, call: Any, make: Any, user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = keys.avatar_object(user.sub)
    status, body = post_avatar(user, make.image((300, 300)))
    first_picture, first_bytes = body["data"]["picture"], _current(key)
    idp = aws.client("cognito-idp", 2.0)
    monkeypatch.setattr(
        idp, "admin_update_user_attributes", _failing("TooManyRequestsException", 400)
    )
    status, body = post_avatar(user, make.image((640, 480)))
    assert status == 503
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
    monkeypatch.undo()
    assert _current(key) == first_bytes
    assert len(_versions(key)) == 1
    assert call("GET /api/users/{id}", user).body["data"]["picture"] == first_picture


def test_cognito_failing_on_a_first_upload_leaves_no_object(
    post_avatar: Any, call: Any, make: Any, user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    idp = aws.client("cognito-idp", 2.0)
    monkeypatch.setattr(
        idp, "admin_update_user_attributes", _failing("InternalErrorException", 500)
    )
    status, _ = post_avatar(user, make.image((300, 300)))
    assert status == 503
    monkeypatch.undo()
    assert _versions(keys.avatar_object(user.sub)) == []
    assert "picture" not in call("GET /api/users/{id}", user).body["data"]


def test_delete_twice_gives_200_then_404_and_nothing_stays(
    post_avatar: Any, call: Any, make: Any, user: Any
) -> None:
    post_avatar(user, make.image((300, 300)))
    post_avatar(user, make.image((200, 300)))
    status, body = call("DELETE /api/users/{id}/avatar", user)
    assert status == 200
    assert "picture" not in body["data"]
    from lego_common import storage

    listed = aws.client("s3").list_object_versions(
        Bucket=storage.bucket(), Prefix=keys.avatar_object(user.sub)
    )
    assert not listed.get("Versions")
    assert not listed.get("DeleteMarkers")
    status, body = call("DELETE /api/users/{id}/avatar", user)
    assert status == 404
    assert body["error"]["code"] == "NOT_FOUND"


def test_delete_removes_versions_a_crash_left_behind(
    post_avatar: Any, call: Any, make: Any, user: Any
) -> None:
    from lego_common import storage

    key = keys.avatar_object(user.sub)
    post_avatar(user, make.image((300, 300)))
    for _ in range(2):  # as if two earlier replacements died before deleting the old version
        storage.put_object(key, _current(key), "image/webp")
    assert len(_versions(key)) == 3
    assert call("DELETE /api/users/{id}/avatar", user).status == 200
    assert _versions(key) == []


def test_another_users_id_and_a_random_id_cannot_upload(
    post_avatar: Any, call: Any, make: Any, user: Any, other: Any
) -> None:
    for target in (other.sub, uuid.uuid4()):
        status, body = post_avatar(user, make.image((300, 300)), id=target)
        assert status == 404
        assert body["error"]["code"] == "NOT_FOUND"
    assert _versions(keys.avatar_object(user.sub)) == []
    assert _versions(keys.avatar_object(other.sub)) == []
    assert "picture" not in call("GET /api/users/{id}", other).body["data"]


def test_more_than_4_mb_is_413_naming_the_limit(post_avatar: Any, user: Any) -> None:
    status, body = post_avatar(user, b"\xff\xd8\xff" + b"\0" * AVATAR_MAX_BYTES)
    assert status == 413
    assert body["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert body["error"]["details"]["maxBytes"] == AVATAR_MAX_BYTES


@pytest.mark.parametrize(
    ("content", "field", "content_type"),
    [
        (b"%PDF-1.7 not an image", "image", None),
        (b"\x89PNG\r\n\x1a\n truncated", "image", None),
        (b"", "avatar", None),
        (b'{"image": "x"}', None, "application/json"),
    ],
)
def test_bad_avatar_bodies_are_400(
    call: Any, make: Any, user: Any, content: bytes, field: str | None, content_type: str | None
) -> None:
    if field is None:
        body, headers = content, {"content-type": str(content_type)}
    else:
        body, headers = make.form(content, field)
    status, answer = call("POST /api/users/{id}/avatar", user, body=body, headers=headers)
    assert status == 400, answer
    assert answer["error"]["code"] == "VALIDATION_ERROR"
