"""The direct-to-S3 path on moto: POST /api/images/uploads, the client's POST to S3, then
POST /api/images {uploadId, ...}."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.usefixtures("services")


def _ticket(
    api: Callable[..., Any], user_id: str, content_type: str = "image/jpeg", size: int = 1000
) -> dict[str, Any]:
    status, body = api(
        "POST /api/images/uploads", user_id, body={"contentType": content_type, "size": size}
    )
    assert status == 201, body
    ticket: dict[str, Any] = body["data"]
    return ticket


def _send(
    ticket: dict[str, Any], data: bytes, content_type: str | None = None
) -> requests.Response:
    fields = dict(ticket["fields"])
    if content_type is not None:
        fields["Content-Type"] = content_type
    return requests.post(ticket["url"], data=fields, files={"file": ("photo", data)}, timeout=10)


def test_presigned_post_policy_has_key_size_type_and_expiry(
    api: Callable[..., Any], user_id: str
) -> None:
    ticket = _ticket(api, user_id, "image/png", 5000)

    assert ticket["fields"]["key"] == f"uploads/{user_id}/{ticket['uploadId']}"
    assert ticket["maxBytes"] == 20 * 1024 * 1024
    policy = json.loads(base64.b64decode(ticket["fields"]["policy"]))
    assert ["content-length-range", 1, 20 * 1024 * 1024] in policy["conditions"]
    assert {"Content-Type": "image/png"} in policy["conditions"]
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    in_15_min = datetime.now(UTC) + timedelta(minutes=15)
    assert abs((expires - in_15_min).total_seconds()) < 60  # S3 refuses the POST after that
    assert abs((datetime.fromisoformat(ticket["expiresAt"]) - expires).total_seconds()) < 5


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"contentType": "image/jpeg", "size": 20 * 1024 * 1024 + 1}, 413),
        ({"contentType": "application/pdf", "size": 100}, 400),
        ({"contentType": "image/jpeg", "size": 0}, 400),
        ({"contentType": "image/jpeg"}, 400),
        ({"contentType": "image/jpeg", "size": "12"}, 400),
    ],
)
def test_request_upload_bad_request(
    api: Callable[..., Any], user_id: str, body: dict[str, Any], status: int
) -> None:
    assert api("POST /api/images/uploads", user_id, body=body)[0] == status


def test_direct_upload_confirm_stores_image_and_deletes_staged_object(
    api: Callable[..., Any], make: Any, s3_client: Any, bucket: str, user_id: str
) -> None:
    ticket = _ticket(api, user_id)
    sent = _send(ticket, make.jpeg(4000, 3000))
    assert sent.status_code in (200, 201, 204), sent.text

    status, body = api(
        "POST /api/images",
        user_id,
        body={"uploadId": ticket["uploadId"], "title": "Big", "tags": ["x"]},
    )

    assert status == 201, body
    image = body["data"]
    assert (image["title"], image["tags"]) == ("Big", ["x"])
    staged = s3_client.list_objects_v2(Bucket=bucket, Prefix=f"uploads/{user_id}/")
    assert staged.get("KeyCount", 0) == 0
    main = s3_client.head_object(Bucket=bucket, Key=f"images/{user_id}/{image['id']}.webp")
    assert main["ContentType"] == "image/webp"

    again = api(
        "POST /api/images", user_id, body={"uploadId": ticket["uploadId"], "title": "Other"}
    )
    assert again.status == 201
    assert again.body["data"] == image  # the first image, not a copy
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix=f"images/{user_id}/")
    assert listed["KeyCount"] == 2


def test_confirm_another_users_upload_returns_404(
    api: Callable[..., Any], make: Any, user_id: str, other_user_id: str
) -> None:
    ticket = _ticket(api, other_user_id)
    _send(ticket, make.jpeg(64, 64))
    status, body = api(
        "POST /api/images", user_id, body={"uploadId": ticket["uploadId"], "title": "Mine?"}
    )
    assert status == 404
    assert body["error"]["code"] == "NOT_FOUND"


def test_confirm_never_sent_or_expired_upload_returns_404(
    api: Callable[..., Any], user_id: str
) -> None:
    status, _ = api("POST /api/images", user_id, body={"uploadId": str(uuid.uuid4()), "title": "x"})
    assert status == 404


def test_confirm_wrong_type_sent_returns_400_and_keeps_no_image(
    api: Callable[..., Any], s3_client: Any, bucket: str, user_id: str
) -> None:
    ticket = _ticket(api, user_id)
    _send(ticket, b"%PDF-1.7\n" + b"x" * 100)  # declared a JPEG, sent a PDF
    status, body = api(
        "POST /api/images", user_id, body={"uploadId": ticket["uploadId"], "title": "x"}
    )
    assert status == 400
    assert body["error"]["details"]["detectedType"] == "pdf"
    assert s3_client.list_objects_v2(Bucket=bucket, Prefix=f"images/{user_id}/")["KeyCount"] == 0


def test_confirm_oversize_staged_object_returns_413(
    api: Callable[..., Any], s3_client: Any, bucket: str, user_id: str
) -> None:
    # S3 enforces content-length-range on the POST; an object that got there anyway is refused
    upload_id = uuid.uuid4()
    s3_client.put_object(
        Bucket=bucket, Key=f"uploads/{user_id}/{upload_id}", Body=b"\0" * (20 * 1024 * 1024 + 1)
    )
    status, body = api("POST /api/images", user_id, body={"uploadId": str(upload_id), "title": "x"})
    assert status == 413
    assert body["error"]["code"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize(
    "body",
    [
        {"title": "no upload id"},
        {"uploadId": "abc", "title": "x"},
        {"uploadId": str(uuid.uuid4())},
        {"uploadId": str(uuid.uuid4()), "title": "x", "imageUrl": "y"},
    ],
)
def test_confirm_bad_json_returns_400(
    api: Callable[..., Any], user_id: str, body: dict[str, Any]
) -> None:
    status, answer = api("POST /api/images", user_id, body=body)
    assert status == 400
    assert answer["error"]["code"] == "VALIDATION_ERROR"


def test_concurrent_confirm_losing_the_race_returns_the_first_image_and_leaves_no_object(
    api: Callable[..., Any],
    make: Any,
    s3_client: Any,
    bucket: str,
    monkeypatch: pytest.MonkeyPatch,
    user_id: str,
) -> None:
    from lego_gallery import repository

    ticket = _ticket(api, user_id)
    photo = make.jpeg(300, 200)
    _send(ticket, photo)
    first = api("POST /api/images", user_id, body={"uploadId": ticket["uploadId"], "title": "A"})
    assert first.status == 201
    # the second request read "no image yet" before the first committed: it processes and
    # puts its own objects, then the unique (user_id, upload_id) key refuses its row
    _send(ticket, photo)
    real = repository.select_image_by_upload
    calls: list[int] = []

    def stale_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(repository, "select_image_by_upload", stale_once)
    second = api("POST /api/images", user_id, body={"uploadId": ticket["uploadId"], "title": "B"})

    assert second.status == 201
    assert second.body["data"] == first.body["data"]
    assert s3_client.list_objects_v2(Bucket=bucket, Prefix=f"images/{user_id}/")["KeyCount"] == 2
