"""The uploads' "done when" journey over real HTTP (issue 17): a 9 MB PDF and a parts CSV go
straight to S3 with presigned POSTs, completion makes them ready, the gateway's Invoke API runs
csv_parser asynchronously, the parse status turns `ready` and the MOC's totalPieceCount changes.
"""

from __future__ import annotations

import time
import uuid

import httpx

from lego_gateway.testing import LocalApi

CSV = b"Part ID;Part Name;Quantity;Color\r\n3001;Brick 2 x 4;4;Red\r\n3020;Plate 2 x 4;6;Blue\r\n"


def test_pdf_and_parts_csv_through_presigned_posts(local_api: LocalApi) -> None:
    user = f"builder-{uuid.uuid4().hex[:8]}"
    created = local_api.call(
        "POST", "/api/mocs", user, json={"title": "Castle", "type": "moc", "author": "Ann"}
    )
    assert created.status_code == 201, created.text
    moc_id = created.json()["data"]["id"]
    pdf = b"%PDF-1.7\n" + b"0" * (9 * 1024 * 1024)
    files = [
        {"filename": "castle.pdf", "contentType": "application/pdf", "size": len(pdf)},
        {"filename": "parts.csv", "contentType": "text/csv", "size": len(CSV)},
    ]

    tickets = local_api.call("POST", f"/api/mocs/{moc_id}/files", user, json={"files": files})
    assert tickets.status_code == 201, tickets.text
    issued = tickets.json()["data"]["files"]
    for ticket, data in zip(issued, (pdf, CSV), strict=True):
        sent = httpx.post(
            ticket["upload"]["url"],
            data=ticket["upload"]["fields"],
            files={"file": ("f", data)},
            timeout=60,
        )
        assert sent.status_code in (200, 201, 204), sent.text

    ids = [t["id"] for t in issued]
    done = local_api.call("POST", f"/api/mocs/{moc_id}/files/complete", user, json={"fileIds": ids})
    assert done.status_code == 200, done.text
    assert done.json()["data"]["ready"] == 2

    status = "queued"
    deadline = time.monotonic() + 60
    while status == "queued" and time.monotonic() < deadline:
        time.sleep(0.5)
        got = local_api.call("GET", f"/api/mocs/{moc_id}/files/{ids[1]}", user)
        status = got.json()["data"]["parse"]["status"]
    assert status == "ready"
    moc = local_api.call("GET", f"/api/mocs/{moc_id}", user).json()["data"]
    assert moc["totalPieceCount"] == 10
    assert [p["totalQuantity"] for p in moc["partsLists"]] == [10]
