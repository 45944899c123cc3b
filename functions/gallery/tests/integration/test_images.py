"""Images through the handler on the real stack: upload (multipart), list, detail, patch,
delete, with their error codes and cross-user 404s."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("services")


def _keys(s3_client: Any, bucket: str, user_id: str) -> list[str]:
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix=f"images/{user_id}/")
    return sorted(obj["Key"] for obj in listed.get("Contents", []))


def test_upload_multipart_returns_201_with_urls_and_stores_both_objects(
    post_form: Callable[..., Any], make: Any, s3_client: Any, bucket: str, user_id: str
) -> None:
    status, body = post_form(
        user_id,
        {"title": "Castle front", "description": "grey", "tags": "castle, grey"},
        make.jpeg(3000, 1000),
    )

    assert status == 201, body
    image = body["data"]
    assert (image["title"], image["tags"], image["flagged"]) == (
        "Castle front",
        ["castle", "grey"],
        False,
    )
    assert image["imageUrl"].endswith(f"images/{user_id}/{image['id']}.webp")
    assert image["thumbnailUrl"].endswith(f"images/{user_id}/thumbnails/{image['id']}.webp")
    assert "albumId" not in image  # unset: omitted, never null
    assert _keys(s3_client, bucket, user_id) == sorted(
        [f"images/{user_id}/thumbnails/{image['id']}.webp", f"images/{user_id}/{image['id']}.webp"]
    )
    import io

    from PIL import Image as PILImage

    main = s3_client.get_object(Bucket=bucket, Key=f"images/{user_id}/{image['id']}.webp")
    thumb = s3_client.get_object(
        Bucket=bucket, Key=f"images/{user_id}/thumbnails/{image['id']}.webp"
    )
    assert PILImage.open(io.BytesIO(main["Body"].read())).size == (2048, 683)
    assert PILImage.open(io.BytesIO(thumb["Body"].read())).size == (400, 133)
    assert main["ContentType"] == "image/webp"


def test_upload_multipart_tags_as_repeated_fields_and_json(
    post_form: Callable[..., Any], make: Any, user_id: str
) -> None:
    _, repeated = post_form(user_id, {"title": "a", "tags": ["x", "y"]}, make.jpeg(32, 32))
    _, as_json = post_form(user_id, {"title": "b", "tags": '["p", "q"]'}, make.jpeg(32, 32))
    assert repeated["data"]["tags"] == ["x", "y"]
    assert as_json["data"]["tags"] == ["p", "q"]


def test_upload_multipart_without_title_takes_the_file_name(
    post_form: Callable[..., Any], make: Any, user_id: str
) -> None:
    status, body = post_form(user_id, {}, make.jpeg(32, 32), filename="IMG_1234.jpg")
    assert status == 201
    assert body["data"]["title"] == "IMG_1234"


def test_upload_multipart_without_image_part_returns_400(
    post_form: Callable[..., Any], user_id: str
) -> None:
    status, body = post_form(user_id, {"title": "nothing"}, None)
    assert status == 400
    assert body["error"]["details"]["fieldErrors"] == {"image": ["an image part is required"]}


def test_upload_multipart_unknown_or_server_owned_field_returns_400(
    post_form: Callable[..., Any], make: Any, user_id: str
) -> None:
    status, body = post_form(user_id, {"title": "x", "flagged": "true"}, make.jpeg(32, 32))
    assert status == 400
    assert "flagged" in body["error"]["details"]["fieldErrors"]


def test_upload_multipart_above_4_mb_returns_413_naming_the_direct_path(
    post_form: Callable[..., Any], s3_client: Any, bucket: str, user_id: str
) -> None:
    status, body = post_form(
        user_id, {"title": "big"}, b"\xff\xd8\xff" + b"\0" * (4 * 1024 * 1024 + 1)
    )
    assert status == 413
    assert body["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert "POST /api/images/uploads" in body["error"]["message"]
    assert _keys(s3_client, bucket, user_id) == []


def test_upload_pdf_declared_as_png_returns_400_and_stores_nothing(
    post_form: Callable[..., Any], s3_client: Any, bucket: str, sql: Any, user_id: str
) -> None:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    status, body = post_form(
        user_id, {"title": "doc"}, pdf, filename="doc.png", content_type="image/png"
    )
    assert status == 400
    assert body["error"]["details"]["detectedType"] == "pdf"
    assert _keys(s3_client, bucket, user_id) == []
    assert sql("SELECT count(*) FROM gallery_images WHERE user_id = %(u)s", {"u": user_id}) == [
        (0,)
    ]


def test_upload_truncated_jpeg_returns_400(
    post_form: Callable[..., Any], make: Any, user_id: str
) -> None:
    data = make.jpeg(800, 600)
    status, body = post_form(user_id, {"title": "cut"}, data[: len(data) // 2])
    assert status == 400
    assert "truncated or corrupt" in body["error"]["message"]


def test_upload_exif_orientation_6_with_gps_comes_back_upright_without_metadata(
    post_form: Callable[..., Any], s3_client: Any, bucket: str, user_id: str
) -> None:
    import io

    from PIL import Image as PILImage

    exif = PILImage.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    exif.get_ifd(0x8825)[2] = (51.0, 30.0, 0.0)  # GPSLatitude
    exif.get_ifd(0x8825)[1] = "N"
    buffer = io.BytesIO()
    PILImage.new("RGB", (600, 400), (10, 200, 10)).save(buffer, format="JPEG", exif=exif)

    status, body = post_form(user_id, {"title": "phone"}, buffer.getvalue())

    assert status == 201, body
    stored = s3_client.get_object(Bucket=bucket, Key=f"images/{user_id}/{body['data']['id']}.webp")
    out = PILImage.open(io.BytesIO(stored["Body"].read()))
    assert out.size == (400, 600)  # upright: the 600x400 frame turned
    assert not out.info.get("exif")
    assert not out.getexif()


def _png_header(width: int, height: int) -> bytes:
    import struct
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


def test_upload_100k_by_100k_png_header_returns_400_with_dimensions(
    post_form: Callable[..., Any], user_id: str
) -> None:
    status, body = post_form(
        user_id, {"title": "bomb"}, _png_header(100_000, 100_000), content_type="image/png"
    )
    assert status == 400
    assert (body["error"]["details"]["width"], body["error"]["details"]["height"]) == (
        100_000,
        100_000,
    )


def test_upload_eps_renamed_jpg_returns_400(post_form: Callable[..., Any], user_id: str) -> None:
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"
    status, body = post_form(user_id, {"title": "eps"}, eps, filename="photo.jpg")
    assert status == 400
    assert body["error"]["details"]["detectedType"] == "postscript"


def test_upload_animated_gif_keeps_the_first_frame(
    post_form: Callable[..., Any], s3_client: Any, bucket: str, user_id: str
) -> None:
    import io

    from PIL import Image as PILImage

    frames = [PILImage.new("RGB", (80, 60), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)

    status, body = post_form(user_id, {"title": "gif"}, buffer.getvalue(), content_type="image/gif")

    assert status == 201, body
    stored = s3_client.get_object(Bucket=bucket, Key=f"images/{user_id}/{body['data']['id']}.webp")
    out = PILImage.open(io.BytesIO(stored["Body"].read()))
    red, _green, blue = out.convert("RGB").getpixel((40, 30))
    assert red > 200
    assert blue < 60
    assert getattr(out, "n_frames", 1) == 1


def test_upload_into_other_users_album_returns_404(
    post_form: Callable[..., Any], make: Any, user_id: str, other_user_id: str
) -> None:
    album = make.album(other_user_id)
    status, _body = post_form(user_id, {"title": "x", "albumId": str(album.id)}, make.jpeg(32, 32))
    assert status == 404


def test_get_image_returns_moc_ids_and_other_user_gets_404(
    api: Callable[..., Any], make: Any, user_id: str, other_user_id: str
) -> None:
    image = make.image(user_id)
    moc_id = make.moc(user_id)
    assert (
        api("POST /api/images/{id}/mocs", user_id, id=image.id, body={"mocId": str(moc_id)})[0]
        == 200
    )

    status, body = api("GET /api/images/{id}", user_id, id=image.id)
    assert status == 200
    assert body["data"]["mocIds"] == [str(moc_id)]
    assert api("GET /api/images/{id}", other_user_id, id=image.id)[0] == 404
    assert api("GET /api/images/{id}", user_id, id=uuid.uuid4())[0] == 404
    assert api("GET /api/images/{id}", user_id, id="not-a-uuid")[0] == 400


def test_list_images_newest_first_with_filters(
    api: Callable[..., Any], make: Any, user_id: str, other_user_id: str
) -> None:
    album = make.album(user_id)
    first = make.image(user_id, tags=["castle"])
    second = make.image(user_id, albumId=str(album.id))
    third = make.image(user_id, tags=["castle"], title="Medieval keep")
    make.image(other_user_id)

    status, body = api("GET /api/images", user_id)
    assert status == 200
    assert [i["id"] for i in body["data"]] == [str(third.id), str(second.id), str(first.id)]
    assert (body["total"], body["page"]) == (3, 1)

    def ids(**query: str) -> list[str]:
        got = api("GET /api/images", user_id, query=query)
        assert got.status == 200, got.body
        return [i["id"] for i in got.body["data"]]

    assert ids(tag="castle") == [str(third.id), str(first.id)]
    assert ids(albumId=str(album.id)) == [str(second.id)]
    assert ids(albumId="none") == [str(third.id), str(first.id)]
    assert ids(limit="1", page="2") == [str(second.id)]
    assert ids(search="medeval keep") == [str(third.id)]  # OpenSearch absent: PostgreSQL


@pytest.mark.parametrize(
    "query",
    [{"page": "0"}, {"limit": "101"}, {"limit": "x"}, {"albumId": "abc"}, {"colour": "red"}],
)
def test_list_images_bad_query_returns_400(
    api: Callable[..., Any], user_id: str, query: dict[str, str]
) -> None:
    status, body = api("GET /api/images", user_id, query=query)
    assert status == 400
    assert body["error"]["code"] == "VALIDATION_ERROR"


def test_list_read_after_write_with_cache_on(
    api: Callable[..., Any], make: Any, redis_client: Any, user_id: str
) -> None:
    assert api("GET /api/images", user_id)[1]["total"] == 0
    assert redis_client.exists(f"gallery:images:user:{user_id}:1:20")
    image = make.image(user_id)
    assert [i["id"] for i in api("GET /api/images", user_id)[1]["data"]] == [str(image.id)]
    api("PATCH /api/images/{id}", user_id, id=image.id, body={"title": "Renamed"})
    assert api("GET /api/images", user_id)[1]["data"][0]["title"] == "Renamed"
    assert api("GET /api/images/{id}", user_id, id=image.id)[1]["data"]["title"] == "Renamed"


def test_patch_image_fields_and_album(
    api: Callable[..., Any], make: Any, user_id: str, other_user_id: str
) -> None:
    image = make.image(user_id, description="old")
    album = make.album(user_id)
    status, body = api(
        "PATCH /api/images/{id}",
        user_id,
        id=image.id,
        body={"title": "New", "tags": ["a"], "albumId": str(album.id), "description": None},
    )
    assert status == 200, body
    assert (body["data"]["title"], body["data"]["tags"], body["data"]["albumId"]) == (
        "New",
        ["a"],
        str(album.id),
    )
    assert "description" not in body["data"]
    assert api("GET /api/albums/{id}", user_id, id=album.id)[1]["data"]["imageCount"] == 1
    other_album = make.album(other_user_id)
    assert (
        api("PATCH /api/images/{id}", user_id, id=image.id, body={"albumId": str(other_album.id)})[
            0
        ]
        == 404
    )
    assert api("PATCH /api/images/{id}", other_user_id, id=image.id, body={"title": "x"})[0] == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": None},
        {"title": ""},
        {"flagged": True},
        {"imageUrl": "x"},
        {"tags": None},
        {"title": "t" * 201},
    ],
)
def test_patch_image_bad_body_returns_400(
    api: Callable[..., Any], make: Any, user_id: str, body: dict[str, Any]
) -> None:
    image = make.image(user_id)
    status, answer = api("PATCH /api/images/{id}", user_id, id=image.id, body=body)
    assert status == 400
    assert answer["error"]["code"] == "VALIDATION_ERROR"


def test_delete_image_removes_row_links_flags_and_objects(
    api: Callable[..., Any],
    make: Any,
    s3_client: Any,
    bucket: str,
    sql: Any,
    user_id: str,
    other_user_id: str,
) -> None:
    album = make.album(user_id)
    image = make.image(user_id, albumId=str(album.id))
    api("PATCH /api/albums/{id}", user_id, id=album.id, body={"coverImageId": str(image.id)})
    moc_id = make.moc(user_id)
    api("POST /api/images/{id}/mocs", user_id, id=image.id, body={"mocId": str(moc_id)})
    api("POST /api/images/{id}/flag", other_user_id, id=image.id, body={"reason": "spam"})

    assert api("DELETE /api/images/{id}", other_user_id, id=image.id)[0] == 404
    status, body = api("DELETE /api/images/{id}", user_id, id=image.id)

    assert (status, body["data"]) == (200, {"id": str(image.id), "deleted": True})
    assert _keys(s3_client, bucket, user_id) == []
    for table, column in (
        ("gallery_images", "id"),
        ("gallery_flags", "image_id"),
        ("moc_gallery_images", "gallery_image_id"),
    ):
        assert sql(f"SELECT count(*) FROM {table} WHERE {column} = %(i)s", {"i": image.id}) == [
            (0,)
        ]
    album_now = api("GET /api/albums/{id}", user_id, id=album.id)[1]["data"]
    assert "coverImageId" not in album_now
    assert album_now["imageCount"] == 0
    assert api("GET /api/images/{id}", user_id, id=image.id)[0] == 404
    assert api("DELETE /api/images/{id}", user_id, id=image.id)[0] == 404
