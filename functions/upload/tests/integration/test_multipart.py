"""The multipart path (at most 4 MB in all): the same checks, stored at once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("services", "invoked")


def _form(parts: list[tuple[str, str, bytes]], field: str = "file") -> tuple[bytes, str]:
    boundary = f"----lego{uuid.uuid4().hex}"
    chunks = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
        f"Content-Type: {ctype}\r\n\r\n".encode()
        + data
        + b"\r\n"
        for name, ctype, data in parts
    ]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def _post(
    api: Callable[..., Any],
    user_id: str,
    moc: Any,
    body: bytes,
    ctype: str,
    route: str = "POST /api/mocs/{id}/files",
) -> Any:
    return api(route, user_id, id=moc, body=body, headers={"content-type": ctype})


def test_form_with_pdf_csv_and_a_bad_file(
    api: Callable[..., Any],
    user_id: str,
    moc_id: uuid.UUID,
    invoked: list[Any],
    make_pdf: Callable[[int], bytes],
    csv_bytes: bytes,
    s3_client: Any,
    bucket: str,
) -> None:
    body, ctype = _form(
        [
            ("a.pdf", "application/pdf", make_pdf(5000)),
            ("../../parts.csv", "text/csv", csv_bytes),
            ("fake.pdf", "application/pdf", b"MZ\x90\x00binary"),
        ]
    )
    status, resp = _post(api, user_id, moc_id, body, ctype)

    assert status == 201, resp
    files = resp["data"]["files"]
    assert [f["status"] for f in files] == ["ready", "ready", "rejected"]
    assert files[1]["file"]["filename"] == "parts.csv"
    assert files[1]["file"]["parse"] == {"status": "queued"}
    assert len(invoked) == 1
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix=f"mocs/{user_id}/{moc_id}/")
    assert listed["KeyCount"] == 2


def test_form_over_four_megabytes_is_413(
    api: Callable[..., Any], user_id: str, moc_id: uuid.UUID, make_pdf: Callable[[int], bytes]
) -> None:
    body, ctype = _form([("a.pdf", "application/pdf", make_pdf(4 * 1024 * 1024 + 70_000))])
    status, resp = _post(api, user_id, moc_id, body, ctype)
    assert status == 413
    assert resp["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_form_with_eleven_files_or_another_field_is_400(
    api: Callable[..., Any], user_id: str, moc_id: uuid.UUID, csv_bytes: bytes
) -> None:
    body, ctype = _form([("p.csv", "text/csv", csv_bytes)] * 11)
    assert _post(api, user_id, moc_id, body, ctype).status == 400
    body, ctype = _form([("p.csv", "text/csv", csv_bytes)], field="image")
    assert _post(api, user_id, moc_id, body, ctype).status == 400


def test_parts_list_form_takes_one_csv(
    api: Callable[..., Any],
    user_id: str,
    moc_id: uuid.UUID,
    invoked: list[Any],
    csv_bytes: bytes,
    make_pdf: Callable[[int], bytes],
) -> None:
    route = "POST /api/mocs/{id}/upload-parts-list"
    body, ctype = _form([("p.csv", "application/octet-stream", csv_bytes)])
    status, resp = _post(api, user_id, moc_id, body, ctype, route)
    assert status == 201, resp
    assert resp["data"]["ready"] == 1
    assert len(invoked) == 1
    body, ctype = _form([("a.pdf", "application/pdf", make_pdf(100))])
    assert _post(api, user_id, moc_id, body, ctype, route).status == 400
    body, ctype = _form([("p.csv", "text/csv", csv_bytes)] * 2)
    assert _post(api, user_id, moc_id, body, ctype, route).status == 400


def test_form_to_another_users_moc_is_404(
    api: Callable[..., Any], other_user_id: str, moc_id: uuid.UUID, csv_bytes: bytes
) -> None:
    body, ctype = _form([("p.csv", "text/csv", csv_bytes)])
    assert _post(api, other_user_id, moc_id, body, ctype).status == 404
