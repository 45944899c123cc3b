"""The gallery's "done when" journey over real HTTP (issue 14): a phone photo (EXIF orientation 6
with GPS) uploaded both ways comes back upright without GPS, joins an album and a MOC, and once
deleted leaves nothing in S3. The local stack has no CDN: image URLs are the local S3 (moto)
path, read here with S3 credentials (moto refuses anonymous reads)."""

from __future__ import annotations

import io
import uuid
from typing import Any

import httpx

from lego_gateway.testing import LocalApi


def _phone_photo() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was held upright: rotate 90 degrees clockwise to display
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (48.0, 51.0, 24.0)
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (180, 40, 40)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


BUCKET = "lego-moc-files-local"


def _s3(local_api: LocalApi) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=local_api.state["aws_endpoint_url"],
        region_name="us-east-1",
        aws_access_key_id="testing",  # moto's; never a real credential
        aws_secret_access_key="testing",
    )


def _key(url: str) -> str:
    return url.split(f"/{BUCKET}/", 1)[1]


def _exists(s3: Any, url: str) -> bool:
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=_key(url))
    return any(obj["Key"] == _key(url) for obj in listed.get("Contents", []))


def _check_stored(s3: Any, url: str) -> None:
    from PIL import Image

    data = s3.get_object(Bucket=BUCKET, Key=_key(url))["Body"].read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP"
    assert image.size == (900, 1200)  # upright
    assert not image.getexif()  # no EXIF, so no GPS


def test_phone_photo_both_ways_album_moc_and_delete(local_api: LocalApi) -> None:
    bob = f"bob-{uuid.uuid4().hex[:8]}"
    photo = _phone_photo()

    # multipart, as the seed's form
    by_form = local_api.call(
        "POST",
        "/api/images",
        bob,
        data={"title": "Front", "tags": "castle"},
        files={"image": ("IMG_0001.JPG", photo, "image/jpeg")},
    )
    assert by_form.status_code == 201, by_form.text
    first = by_form.json()["data"]

    # direct to S3: ticket, POST to S3, confirm
    ticket = local_api.call(
        "POST", "/api/images/uploads", bob, json={"contentType": "image/jpeg", "size": len(photo)}
    )
    assert ticket.status_code == 201, ticket.text
    upload = ticket.json()["data"]
    sent = httpx.post(
        upload["url"], data=upload["fields"], files={"file": ("p.jpg", photo)}, timeout=30
    )
    assert sent.status_code in (200, 201, 204), sent.text
    confirmed = local_api.call(
        "POST", "/api/images", bob, json={"uploadId": upload["uploadId"], "title": "Back"}
    )
    assert confirmed.status_code == 201, confirmed.text
    second = confirmed.json()["data"]

    s3 = _s3(local_api)
    for image in (first, second):
        _check_stored(s3, image["imageUrl"])
        assert _exists(s3, image["thumbnailUrl"])

    album = local_api.call("POST", "/api/albums", bob, json={"title": "Castle"}).json()["data"]
    moved = local_api.call(
        "PATCH", f"/api/images/{first['id']}", bob, json={"albumId": album["id"]}
    )
    assert moved.status_code == 200
    moc = local_api.call(
        "POST", "/api/mocs", bob, json={"title": f"Castle {bob}", "type": "moc", "author": "bob"}
    ).json()["data"]
    assert local_api.call("GET", f"/api/mocs/{moc['id']}", bob).json()["data"]["images"] == []
    linked = local_api.call(
        "POST", f"/api/images/{first['id']}/mocs", bob, json={"mocId": moc["id"]}
    )
    assert linked.status_code == 200
    detail = local_api.call("GET", f"/api/mocs/{moc['id']}", bob).json()["data"]
    assert [i["id"] for i in detail["images"]] == [first["id"]]  # at once, despite the cache
    album_detail = local_api.call("GET", f"/api/albums/{album['id']}", bob).json()["data"]
    assert [i["id"] for i in album_detail["images"]] == [first["id"]]

    for image in (first, second):
        deleted = local_api.call("DELETE", f"/api/images/{image['id']}", bob)
        assert deleted.status_code == 200
        for url in (image["imageUrl"], image["thumbnailUrl"]):
            assert not _exists(s3, url)
    assert local_api.call("GET", f"/api/mocs/{moc['id']}", bob).json()["data"]["images"] == []
    assert local_api.call("GET", "/api/images", bob).json()["total"] == 0
