"""The presigned flow on moto with real HTTP POSTs: tickets, the client's POSTs, completion."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from lego_csv_parser.handler import lambda_handler as csv_parser

pytestmark = pytest.mark.usefixtures("services", "invoked")

TEN_MB = 10 * 1024 * 1024


def _decl(filename: str, content_type: str, data: bytes) -> dict[str, Any]:
    return {"filename": filename, "contentType": content_type, "size": len(data)}


def _tickets(api: Callable[..., Any], user_id: str, moc: Any, *decls: dict[str, Any]) -> Any:
    status, body = api("POST /api/mocs/{id}/files", user_id, id=moc, body={"files": list(decls)})
    assert status == 201, body
    return body["data"]["files"]


def _complete(api: Callable[..., Any], user_id: str, moc: Any, *ids: str) -> Any:
    return api("POST /api/mocs/{id}/files/complete", user_id, id=moc, body={"fileIds": list(ids)})


def _send(ticket: dict[str, Any], data: bytes) -> requests.Response:
    upload = ticket["upload"]
    return requests.post(
        upload["url"], data=upload["fields"], files={"file": ("f", data)}, timeout=30
    )


def test_ticket_policy_key_type_size_and_expiry(
    api: Callable[..., Any], user_id: str, moc_id: uuid.UUID, sql: Callable[..., Any]
) -> None:
    (ticket,) = _tickets(api, user_id, moc_id, _decl("castle.pdf", "application/pdf", b"x" * 500))

    fields = ticket["upload"]["fields"]
    assert fields["key"] == f"mocs/{user_id}/{moc_id}/{ticket['id']}.pdf"
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert ["content-length-range", 1, TEN_MB] in policy["conditions"]
    assert {"Content-Type": "application/pdf"} in policy["conditions"]
    assert {"key": fields["key"]} in policy["conditions"]
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert abs((expires - datetime.now(UTC) - timedelta(minutes=15)).total_seconds()) < 60
    assert ticket["status"] == "pending"
    rows = sql("SELECT status FROM moc_files WHERE id = %(id)s", {"id": ticket["id"]})
    assert rows == [("pending",)]


def test_pdf_and_csv_end_to_end_parse_turns_ready(
    api: Callable[..., Any],
    user_id: str,
    moc_id: uuid.UUID,
    invoked: list[Any],
    sql: Callable[..., Any],
    make_pdf: Callable[[int], bytes],
    csv_bytes: bytes,
) -> None:
    pdf = make_pdf(9 * 1024 * 1024)
    tickets = _tickets(
        api,
        user_id,
        moc_id,
        _decl("Castle.pdf", "application/pdf", pdf),
        _decl("parts.csv", "text/csv", csv_bytes),
    )
    for ticket, data in zip(tickets, (pdf, csv_bytes), strict=True):
        assert _send(ticket, data).status_code in (200, 201, 204)

    status, body = _complete(api, user_id, moc_id, *(t["id"] for t in tickets))

    assert status == 200, body
    done = body["data"]
    assert (done["ready"], done["rejected"], done["pending"]) == (2, 0, 0)
    csv_file = done["files"][1]["file"]
    assert csv_file["parse"] == {"status": "queued"}
    assert [name for name, _ in invoked] == ["csv_parser"]
    event = invoked[0][1]
    assert event["fileId"] == tickets[1]["id"]
    assert event["mocId"] == str(moc_id)

    assert csv_parser(event, None)["outcome"] == "ready"
    status, body = api(
        "GET /api/mocs/{id}/files/{fileId}", user_id, id=moc_id, fileId=tickets[1]["id"]
    )
    assert status == 200
    assert body["data"]["parse"]["status"] == "ready"
    assert body["data"]["parse"]["rowsStored"] == 2
    total = sql("SELECT total_piece_count FROM moc_instructions WHERE id = %(m)s", {"m": moc_id})
    assert total == [(10,)]
    from lego_devstack.api import Api
    from lego_mocs.handler import lambda_handler as mocs

    detail = Api(mocs)("GET /api/mocs/{id}", user_id, id=moc_id).body["data"]
    assert detail["totalPieceCount"] == 10
    assert detail["partsLists"] == [
        {
            "fileId": tickets[1]["id"],
            "originalFilename": "parts.csv",
            "rowCount": 2,
            "totalQuantity": 10,
            "status": "ready",
        }
    ]
    assert len(detail["files"]) == 2

    status, body = api(
        "GET /api/mocs/{id}/files/{fileId}", user_id, id=moc_id, fileId=tickets[0]["id"]
    )
    pdf_file = body["data"]
    assert pdf_file["status"] == "ready"
    assert "parse" not in pdf_file
    download = requests.get(pdf_file["downloadUrl"], timeout=30)
    assert download.status_code == 200
    assert download.content == pdf
    assert "Castle.pdf" in download.headers["Content-Disposition"]

    # completing again is idempotent: still ready, no second parse queued
    status, body = _complete(api, user_id, moc_id, tickets[1]["id"])
    assert body["data"]["files"][0]["status"] == "ready"
    assert len(invoked) == 1


def test_ten_files_with_one_bad(
    api: Callable[..., Any],
    user_id: str,
    moc_id: uuid.UUID,
    s3_client: Any,
    bucket: str,
    make_pdf: Callable[[int], bytes],
) -> None:
    good = make_pdf(3000)
    bad = b"MZ\x90\x00" + b"\x00" * 2996  # an executable declared as PDF
    payloads = [good] * 9 + [bad]
    tickets = _tickets(
        api,
        user_id,
        moc_id,
        *(_decl(f"p{i}.pdf", "application/pdf", d) for i, d in enumerate(payloads)),
    )
    for ticket, data in zip(tickets, payloads, strict=True):
        _send(ticket, data)

    status, body = _complete(api, user_id, moc_id, *(t["id"] for t in tickets))

    assert status == 200
    outcomes = body["data"]["files"]
    assert [o["status"] for o in outcomes] == ["ready"] * 9 + ["rejected"]
    assert outcomes[9]["code"] == "VALIDATION_ERROR"
    assert "not a PDF, XML or CSV" in outcomes[9]["reason"]
    keys = {
        o["Key"]
        for o in s3_client.list_objects_v2(Bucket=bucket, Prefix=f"mocs/{user_id}/")["Contents"]
    }
    assert tickets[9]["upload"]["fields"]["key"] not in keys
    assert len(keys) == 9


@pytest.mark.parametrize(
    ("filename", "content_type", "data", "reason"),
    [
        ("parts.csv", "text/csv", b"%PDF-1.7\n" + b"0" * 200, "the content is PDF"),
        (
            "bomb.xml",
            "application/xml",
            b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "bbbb">'
            b'<!ENTITY c "&b;&b;&b;">]><a>&c;</a>',
            "DTD",
        ),
        ("empty.csv", "text/csv", b"\n\n\n", "not a PDF, XML or CSV"),
        ("nul.csv", "text/csv", b"Part ID\x00,Part Name\n", "not a PDF, XML or CSV"),
    ],
)
def test_sniffing_rejects_and_deletes(
    api: Callable[..., Any],
    user_id: str,
    moc_id: uuid.UUID,
    s3_client: Any,
    bucket: str,
    sql: Callable[..., Any],
    filename: str,
    content_type: str,
    data: bytes,
    reason: str,
) -> None:
    (ticket,) = _tickets(api, user_id, moc_id, _decl(filename, content_type, data))
    _send(ticket, data)

    _, body = _complete(api, user_id, moc_id, ticket["id"])

    outcome = body["data"]["files"][0]
    assert outcome["status"] == "rejected", outcome
    assert reason in outcome["reason"]
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix=f"mocs/{user_id}/")
    assert listed.get("KeyCount", 0) == 0
    assert sql("SELECT 1 FROM moc_files WHERE id = %(id)s", {"id": ticket["id"]}) == []


def test_object_bigger_than_declared_is_rejected(
    api: Callable[..., Any],
    user_id: str,
    moc_id: uuid.UUID,
    s3_client: Any,
    bucket: str,
    make_pdf: Callable[[int], bytes],
) -> None:
    (ticket,) = _tickets(api, user_id, moc_id, _decl("a.pdf", "application/pdf", b"x" * 1000))
    # moto may not enforce the policy: put a larger object under the ticket's key directly
    key = ticket["upload"]["fields"]["key"]
    s3_client.put_object(Bucket=bucket, Key=key, Body=make_pdf(5000))

    _, body = _complete(api, user_id, moc_id, ticket["id"])

    outcome = body["data"]["files"][0]
    assert (outcome["status"], outcome["code"]) == ("rejected", "VALIDATION_ERROR")
    assert "5000 bytes, 1000 were declared" in outcome["reason"]
    assert s3_client.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount", 0) == 0


def test_object_over_ten_megabytes_is_rejected(
    api: Callable[..., Any],
    user_id: str,
    moc_id: uuid.UUID,
    s3_client: Any,
    bucket: str,
    make_pdf: Callable[[int], bytes],
) -> None:
    (ticket,) = _tickets(api, user_id, moc_id, _decl("a.pdf", "application/pdf", b"x" * TEN_MB))
    s3_client.put_object(
        Bucket=bucket, Key=ticket["upload"]["fields"]["key"], Body=make_pdf(TEN_MB + 1)
    )
    _, body = _complete(api, user_id, moc_id, ticket["id"])
    assert body["data"]["files"][0]["code"] == "PAYLOAD_TOO_LARGE"


def test_not_sent_yet_stays_pending_and_expired_ticket_is_rejected(
    api: Callable[..., Any],
    user_id: str,
    moc_id: uuid.UUID,
    sql: Callable[..., Any],
    make_pdf: Callable[[int], bytes],
) -> None:
    pdf = make_pdf(1000)
    (ticket,) = _tickets(api, user_id, moc_id, _decl("a.pdf", "application/pdf", pdf))
    _, body = _complete(api, user_id, moc_id, ticket["id"])
    assert body["data"]["files"][0]["status"] == "pending"

    _send(ticket, pdf)
    sql(
        "UPDATE moc_files SET expires_at = now() - interval '1 minute' WHERE id = %(id)s",
        {"id": ticket["id"]},
    )
    _, body = _complete(api, user_id, moc_id, ticket["id"])
    outcome = body["data"]["files"][0]
    assert outcome["status"] == "rejected"
    assert "expired" in outcome["reason"]


@pytest.mark.parametrize(
    ("files", "status"),
    [
        ([{"filename": "a.pdf", "contentType": "application/pdf", "size": TEN_MB + 1}], 413),
        ([{"filename": "a.pdf", "contentType": "application/pdf", "size": 1}] * 11, 400),
        ([{"filename": "a.exe", "contentType": "application/pdf", "size": 1}], 400),
        ([{"filename": "a.docx", "contentType": "application/msword", "size": 1}], 400),
        ([{"filename": "../../a.pdf", "contentType": "application/pdf", "size": 1}], 400),
        ([{"filename": "a\r\n.pdf", "contentType": "application/pdf", "size": 1}], 400),
        ([{"filename": "a.pdf", "contentType": "text/csv", "size": 1}], 400),
        ([], 400),
    ],
)
def test_bad_ticket_requests(
    api: Callable[..., Any], user_id: str, moc_id: uuid.UUID, files: list[Any], status: int
) -> None:
    got, body = api("POST /api/mocs/{id}/files", user_id, id=moc_id, body={"files": files})
    assert got == status, body


def test_another_users_moc_and_file_are_404(
    api: Callable[..., Any],
    user_id: str,
    other_user_id: str,
    moc_id: uuid.UUID,
    make_pdf: Callable[[int], bytes],
) -> None:
    decl = _decl("a.pdf", "application/pdf", b"x" * 10)
    status, _ = api("POST /api/mocs/{id}/files", other_user_id, id=moc_id, body={"files": [decl]})
    assert status == 404
    (ticket,) = _tickets(api, user_id, moc_id, decl)
    for route in ("GET /api/mocs/{id}/files/{fileId}", "DELETE /api/mocs/{id}/files/{fileId}"):
        assert api(route, other_user_id, id=moc_id, fileId=ticket["id"]).status == 404
        assert api(route, user_id, id=moc_id, fileId=uuid.uuid4()).status == 404
    assert _complete(api, other_user_id, moc_id, ticket["id"]).status == 404
    _, body = _complete(api, user_id, moc_id, str(uuid.uuid4()))
    assert body["data"]["files"][0]["code"] == "NOT_FOUND"


def test_moc_deleted_mid_upload_is_404_and_objects_deleted(
    api: Callable[..., Any],
    user_id: str,
    moc_id: uuid.UUID,
    s3_client: Any,
    bucket: str,
    sql: Callable[..., Any],
    make_pdf: Callable[[int], bytes],
) -> None:
    pdf = make_pdf(1000)
    (ticket,) = _tickets(api, user_id, moc_id, _decl("a.pdf", "application/pdf", pdf))
    sql("DELETE FROM moc_instructions WHERE id = %(m)s", {"m": moc_id})
    _send(ticket, pdf)

    status, _ = _complete(api, user_id, moc_id, ticket["id"])

    assert status == 404
    listed = s3_client.list_objects_v2(Bucket=bucket, Prefix=f"mocs/{user_id}/{moc_id}/")
    assert listed.get("KeyCount", 0) == 0


def test_delete_parts_list_removes_parts_and_recalculates_total(
    api: Callable[..., Any],
    user_id: str,
    moc_id: uuid.UUID,
    invoked: list[Any],
    s3_client: Any,
    bucket: str,
    sql: Callable[..., Any],
    csv_bytes: bytes,
) -> None:
    tickets = _tickets(
        api,
        user_id,
        moc_id,
        _decl("a.csv", "text/csv", csv_bytes),
        _decl("b.csv", "text/csv", csv_bytes),
    )
    for t in tickets:
        _send(t, csv_bytes)
    _complete(api, user_id, moc_id, *(t["id"] for t in tickets))
    for _, event in invoked:
        csv_parser(event, None)
    total = "SELECT total_piece_count FROM moc_instructions WHERE id = %(m)s"
    assert sql(total, {"m": moc_id}) == [(20,)]

    status, body = api(
        "DELETE /api/mocs/{id}/files/{fileId}", user_id, id=moc_id, fileId=tickets[0]["id"]
    )

    assert status == 200, body
    assert body["data"] == {"id": tickets[0]["id"], "deleted": True, "totalPieceCount": 10}
    assert sql(total, {"m": moc_id}) == [(10,)]
    key = tickets[0]["upload"]["fields"]["key"]
    assert s3_client.list_objects_v2(Bucket=bucket, Prefix=key).get("KeyCount", 0) == 0


def test_upload_parts_list_is_the_same_flow_for_one_csv(
    api: Callable[..., Any], user_id: str, moc_id: uuid.UUID, invoked: list[Any], csv_bytes: bytes
) -> None:
    status, body = api(
        "POST /api/mocs/{id}/upload-parts-list",
        user_id,
        id=moc_id,
        body=_decl("p.csv", "text/csv", csv_bytes),
    )
    assert status == 201, body
    (ticket,) = body["data"]["files"]
    _send(ticket, csv_bytes)
    _, body = _complete(api, user_id, moc_id, ticket["id"])
    assert body["data"]["ready"] == 1
    assert len(invoked) == 1
    status, _ = api(
        "POST /api/mocs/{id}/upload-parts-list",
        user_id,
        id=moc_id,
        body={"filename": "a.pdf", "contentType": "application/pdf", "size": 5},
    )
    assert status == 400


def test_moc_detail_hides_pending_files_and_shows_a_queued_parse(
    api: Callable[..., Any], user_id: str, moc_id: uuid.UUID, csv_bytes: bytes
) -> None:
    from lego_devstack.api import Api
    from lego_mocs.handler import lambda_handler as mocs

    (ticket,) = _tickets(api, user_id, moc_id, _decl("p.csv", "text/csv", csv_bytes))
    detail = Api(mocs)("GET /api/mocs/{id}", user_id, id=moc_id).body["data"]
    assert (detail["files"], detail["partsLists"]) == ([], [])

    _send(ticket, csv_bytes)
    _complete(api, user_id, moc_id, ticket["id"])
    detail = Api(mocs)("GET /api/mocs/{id}", user_id, id=moc_id).body["data"]
    assert [f["id"] for f in detail["files"]] == [ticket["id"]]
    assert detail["partsLists"] == [
        {
            "fileId": ticket["id"],
            "originalFilename": "p.csv",
            "rowCount": 0,
            "totalQuantity": 0,
            "status": "queued",
        }
    ]


def test_ticket_reused_after_completion_is_not_parsed(
    api: Callable[..., Any],
    user_id: str,
    moc_id: uuid.UUID,
    invoked: list[Any],
    sql: Callable[..., Any],
    csv_bytes: bytes,
) -> None:
    (ticket,) = _tickets(api, user_id, moc_id, _decl("p.csv", "text/csv", csv_bytes))
    _send(ticket, csv_bytes)
    _complete(api, user_id, moc_id, ticket["id"])
    other = csv_bytes.replace(b",4,", b",9,")
    assert _send(ticket, other).status_code in (200, 201, 204)  # within its 15 minutes

    assert csv_parser(invoked[0][1], None)["outcome"] == "failed"

    _, body = api("GET /api/mocs/{id}/files/{fileId}", user_id, id=moc_id, fileId=ticket["id"])
    assert body["data"]["parse"]["message"] == "the object changed after its upload was completed"
    assert sql("SELECT count(*) FROM moc_parts_lists WHERE moc_id = %(m)s", {"m": moc_id}) == [(0,)]
