"""The wishlist's "done when" journey over real HTTP (issue 15): a user creates items, filters by
category, moves one to the top with one reorder call and attaches a picture, then deletes the
item and its picture goes with it (the README shows each call with curl)."""

from __future__ import annotations

import io
import uuid

from lego_gateway.testing import LocalApi

BUCKET = "lego-moc-files-local"


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), (30, 90, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_create_filter_move_to_top_picture_and_delete(local_api: LocalApi) -> None:
    ann = f"ann-{uuid.uuid4().hex[:8]}"
    created = []
    for title, category in (
        ("Millennium Falcon", "Star Wars"),
        ("Fire Station", "City"),
        ("AT-AT", "star wars"),
    ):
        response = local_api.call(
            "POST", "/api/wishlist", ann, json={"title": title, "category": category}
        )
        assert response.status_code == 201, response.text
        created.append(response.json()["data"])
    assert [i["sortOrder"] for i in created] == [0, 1, 2]

    star_wars = local_api.call("GET", "/api/wishlist", ann, params={"category": "STAR WARS"})
    assert star_wars.status_code == 200
    assert [i["title"] for i in star_wars.json()["data"]] == ["Millennium Falcon", "AT-AT"]

    atat = created[2]
    moved = local_api.call(
        "POST", "/api/wishlist/reorder", ann, json={"items": [{"id": atat["id"], "sortOrder": 0}]}
    )
    assert moved.status_code == 200, moved.text
    assert [i["title"] for i in moved.json()["data"]] == [
        "AT-AT",
        "Millennium Falcon",
        "Fire Station",
    ]
    listed = local_api.call("GET", "/api/wishlist", ann).json()
    assert [i["id"] for i in listed["data"]] == [i["id"] for i in moved.json()["data"]]

    pictured = local_api.call(
        "POST",
        f"/api/wishlist/{atat['id']}/image",
        ann,
        files={"image": ("atat.jpg", _jpeg(), "image/jpeg")},
    )
    assert pictured.status_code == 200, pictured.text
    url = pictured.json()["data"]["imageUrl"]
    assert f"wishlist/{atat['userId']}/{atat['id']}.webp?v=" in url

    deleted = local_api.call("DELETE", f"/api/wishlist/{atat['id']}", ann)
    assert deleted.status_code == 200
    remaining = local_api.call("GET", "/api/wishlist", ann).json()
    assert [i["sortOrder"] for i in remaining["data"]] == [0, 1]
    assert remaining["total"] == 2
