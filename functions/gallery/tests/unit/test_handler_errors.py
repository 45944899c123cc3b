"""The handler without the stack: 401 first, bodies and multipart forms refused before any
service call."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from lego_devstack.events import http_event, response_json
from lego_gallery import handler, service


@pytest.fixture(autouse=True)
def _no_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any service call here is a bug: the request must be refused before it."""

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the service must not be called")

    for name in ("upload_image", "confirm_upload", "request_upload", "flag_image"):
        monkeypatch.setattr(service, name, boom)


def _call(route: str, body: Any = None, headers: dict[str, str] | None = None, **path: str) -> Any:
    event = http_event(route, user_id="u1", body=body, headers=headers, path_params=path or None)
    response = handler.lambda_handler(event, None)
    return response["statusCode"], response_json(response)


def _form(parts: list[tuple[str, str | None, bytes]]) -> tuple[bytes, dict[str, str]]:
    boundary = "b0undary"
    chunks = []
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        chunks.append(
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
        )
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


def test_multipart_without_image_part_is_400() -> None:
    body, headers = _form([("title", None, b"x")])
    status, answer = _call("POST /api/images", body, headers)
    assert status == 400
    assert answer["error"]["details"]["fieldErrors"] == {"image": ["an image part is required"]}


def test_multipart_two_images_is_400() -> None:
    body, headers = _form(
        [("image", "a.jpg", b"1"), ("image", "b.jpg", b"2"), ("title", None, b"x")]
    )
    assert _call("POST /api/images", body, headers)[0] == 400


def test_multipart_unknown_field_is_400() -> None:
    body, headers = _form([("image", "a.jpg", b"1"), ("title", None, b"x"), ("userId", None, b"z")])
    status, answer = _call("POST /api/images", body, headers)
    assert status == 400
    assert "userId" in answer["error"]["details"]["fieldErrors"]


def test_multipart_empty_title_is_400_on_the_field() -> None:
    body, headers = _form([("image", "a.jpg", b"1"), ("title", None, b"")])
    status, answer = _call("POST /api/images", body, headers)
    assert status == 400
    assert "title" in answer["error"]["details"]["fieldErrors"]


def test_multipart_without_boundary_or_malformed_is_400() -> None:
    assert _call("POST /api/images", b"x", {"content-type": "multipart/form-data"})[0] == 400
    bad = b"--b0undary\r\nno headers end"
    headers = {"content-type": "multipart/form-data; boundary=b0undary"}
    assert _call("POST /api/images", bad, headers)[0] == 400


def test_multipart_image_over_4_mb_is_413_naming_the_direct_path() -> None:
    body, headers = _form(
        [("image", "a.jpg", b"\0" * (4 * 1024 * 1024 + 1)), ("title", None, b"x")]
    )
    status, answer = _call("POST /api/images", body, headers)
    assert status == 413
    assert answer["error"]["details"]["directUpload"] == "POST /api/images/uploads"


def test_body_over_the_multipart_cap_is_413_before_parsing() -> None:
    headers = {"content-type": "multipart/form-data; boundary=x"}
    assert _call("POST /api/images", b"\0" * (5 * 1024 * 1024), headers)[0] == 413


@pytest.mark.parametrize("body", [{"title": "x"}, [], "not json", {"uploadId": "x", "title": "t"}])
def test_json_create_without_a_valid_upload_id_is_400(body: Any) -> None:
    assert _call("POST /api/images", body)[0] == 400


def test_route_without_claims_is_401_before_the_body_is_read() -> None:
    event = http_event("POST /api/images/{id}/flag", path_params={"id": str(uuid.uuid4())})
    event["body"] = "{broken"
    assert handler.lambda_handler(event, None)["statusCode"] == 401
