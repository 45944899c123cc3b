"""Albums through the handler: list (unpaged, imageCount), create, detail (newest images and
MOC links), patch (coverImageId), delete (images kept)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("services")


def test_create_album_returns_201_without_unset_fields(
    api: Callable[..., Any], user_id: str
) -> None:
    status, body = api("POST /api/albums", user_id, body={"title": "Castles"})
    assert status == 201
    album = body["data"]
    assert (album["title"], album["userId"], album["imageCount"]) == ("Castles", user_id, 0)
    assert "description" not in album
    assert "coverImageId" not in album


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": ""},
        {"title": "t" * 201},
        {"title": "x", "description": "d" * 2001},
        {"title": "x", "coverImageId": str(uuid.uuid4())},
        {"title": "x", "id": str(uuid.uuid4())},
    ],
)
def test_create_album_bad_body_returns_400(
    api: Callable[..., Any], user_id: str, body: dict[str, Any]
) -> None:
    status, answer = api("POST /api/albums", user_id, body=body)
    assert status == 400
    assert answer["error"]["code"] == "VALIDATION_ERROR"


def test_album_titles_are_not_unique(api: Callable[..., Any], user_id: str) -> None:
    assert api("POST /api/albums", user_id, body={"title": "Same"})[0] == 201
    assert api("POST /api/albums", user_id, body={"title": "Same"})[0] == 201


def test_list_albums_unpaged_with_image_counts_and_cache_invalidated(
    api: Callable[..., Any], make: Any, redis_client: Any, user_id: str, other_user_id: str
) -> None:
    older = make.album(user_id, title="Older")
    newer = make.album(user_id, title="Newer")
    make.album(other_user_id)
    make.image(user_id, albumId=str(older.id))
    make.image(user_id, albumId=str(older.id))

    status, body = api("GET /api/albums", user_id)
    assert status == 200
    assert [(a["id"], a["imageCount"]) for a in body["data"]] == [
        (str(newer.id), 0),
        (str(older.id), 2),
    ]
    assert (body["total"], body["page"]) == (2, 1)
    assert redis_client.exists(f"gallery:albums:user:{user_id}")

    make.image(user_id, albumId=str(newer.id))  # a write invalidates the cached list
    counts = [a["imageCount"] for a in api("GET /api/albums", user_id)[1]["data"]]
    assert counts == [1, 2]


def test_get_album_detail_newest_images_and_cross_user_404(
    api: Callable[..., Any], make: Any, user_id: str, other_user_id: str
) -> None:
    album = make.album(user_id, description="grey ones")
    first = make.image(user_id, albumId=str(album.id))
    second = make.image(user_id, albumId=str(album.id))
    make.image(user_id)

    status, body = api("GET /api/albums/{id}", user_id, id=album.id)
    assert status == 200
    detail = body["data"]
    assert [i["id"] for i in detail["images"]] == [str(second.id), str(first.id)]
    assert (detail["imageCount"], detail["description"], detail["mocIds"]) == (2, "grey ones", [])
    assert api("GET /api/albums/{id}", other_user_id, id=album.id)[0] == 404
    assert api("GET /api/albums/{id}", user_id, id=uuid.uuid4())[0] == 404
    assert api("GET /api/albums/{id}", user_id, id="nope")[0] == 400


def test_patch_album_title_description_and_cover(
    api: Callable[..., Any], make: Any, user_id: str, other_user_id: str
) -> None:
    album = make.album(user_id, description="old")
    inside = make.image(user_id, albumId=str(album.id))
    outside = make.image(user_id)
    api("GET /api/albums/{id}", user_id, id=album.id)  # cached, then invalidated by the patch

    status, body = api(
        "PATCH /api/albums/{id}",
        user_id,
        id=album.id,
        body={"title": "New", "description": None, "coverImageId": str(inside.id)},
    )
    assert status == 200, body
    assert (body["data"]["title"], body["data"]["coverImageId"]) == ("New", str(inside.id))
    assert "description" not in body["data"]
    assert api("GET /api/albums/{id}", user_id, id=album.id)[1]["data"]["title"] == "New"

    status, body = api(
        "PATCH /api/albums/{id}", user_id, id=album.id, body={"coverImageId": str(outside.id)}
    )
    assert status == 400
    assert "coverImageId" in body["error"]["details"]["fieldErrors"]
    assert api("PATCH /api/albums/{id}", other_user_id, id=album.id, body={"title": "x"})[0] == 404
    assert api("PATCH /api/albums/{id}", user_id, id=album.id, body={})[0] == 400
    assert api("PATCH /api/albums/{id}", user_id, id=album.id, body={"title": None})[0] == 400
    assert api("PATCH /api/albums/{id}", user_id, id=album.id, body={"imageCount": 3})[0] == 400

    status, body = api("PATCH /api/albums/{id}", user_id, id=album.id, body={"coverImageId": None})
    assert status == 200
    assert "coverImageId" not in body["data"]


def test_moving_the_cover_image_out_clears_the_cover(
    api: Callable[..., Any], make: Any, user_id: str
) -> None:
    album = make.album(user_id)
    image = make.image(user_id, albumId=str(album.id))
    api("PATCH /api/albums/{id}", user_id, id=album.id, body={"coverImageId": str(image.id)})
    api("PATCH /api/images/{id}", user_id, id=image.id, body={"albumId": None})
    assert "coverImageId" not in api("GET /api/albums/{id}", user_id, id=album.id)[1]["data"]


def test_delete_album_keeps_its_images(
    api: Callable[..., Any], make: Any, sql: Any, user_id: str, other_user_id: str
) -> None:
    album = make.album(user_id)
    image = make.image(user_id, albumId=str(album.id))
    api("GET /api/images/{id}", user_id, id=image.id)  # cached with its albumId

    assert api("DELETE /api/albums/{id}", other_user_id, id=album.id)[0] == 404
    status, body = api("DELETE /api/albums/{id}", user_id, id=album.id)

    assert (status, body["data"]) == (200, {"id": str(album.id), "deleted": True})
    detail = api("GET /api/images/{id}", user_id, id=image.id)
    assert detail.status == 200
    assert "albumId" not in detail.body["data"]
    assert api("GET /api/albums/{id}", user_id, id=album.id)[0] == 404
    assert api("GET /api/albums", user_id)[1]["total"] == 0
    assert api("DELETE /api/albums/{id}", user_id, id=album.id)[0] == 404
