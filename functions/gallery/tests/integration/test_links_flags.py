"""MOC links of images and albums (idempotent, both ids the caller's, the MOC detail follows)
and flags (202 for any well-formed id)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.usefixtures("services")


def test_link_image_is_idempotent_and_shows_in_both_details(
    api: Callable[..., Any], make: Any, sql: Any, redis_client: Any, user_id: str
) -> None:
    image = make.image(user_id)
    moc_id = make.moc(user_id)
    redis_client.set(f"moc:detail:{moc_id}", "v2 stale\n{}")  # what the mocs function cached

    for _ in range(2):
        status, body = api(
            "POST /api/images/{id}/mocs", user_id, id=image.id, body={"mocId": str(moc_id)}
        )
        assert status == 200
        assert body["data"] == {"imageId": str(image.id), "mocId": str(moc_id), "linked": True}
    assert sql("SELECT count(*) FROM moc_gallery_images WHERE moc_id = %(m)s", {"m": moc_id}) == [
        (1,)
    ]
    assert not redis_client.exists(f"moc:detail:{moc_id}")
    assert api("GET /api/images/{id}", user_id, id=image.id)[1]["data"]["mocIds"] == [str(moc_id)]

    for _ in range(2):
        status, body = api(
            "DELETE /api/images/{id}/mocs/{mocId}", user_id, id=image.id, mocId=moc_id
        )
        assert status == 200
        assert body["data"]["linked"] is False
    assert api("GET /api/images/{id}", user_id, id=image.id)[1]["data"]["mocIds"] == []


def test_link_image_other_users_image_or_moc_returns_404(
    api: Callable[..., Any], make: Any, user_id: str, other_user_id: str
) -> None:
    mine, theirs = make.image(user_id), make.image(other_user_id)
    my_moc, their_moc = make.moc(user_id), make.moc(other_user_id)
    link = "POST /api/images/{id}/mocs"
    assert api(link, user_id, id=theirs.id, body={"mocId": str(my_moc)})[0] == 404
    assert api(link, user_id, id=mine.id, body={"mocId": str(their_moc)})[0] == 404
    assert api(link, user_id, id=mine.id, body={"mocId": "x"})[0] == 400
    assert api(link, user_id, id=mine.id, body={})[0] == 400
    unlink = "DELETE /api/images/{id}/mocs/{mocId}"
    assert api(unlink, user_id, id=mine.id, mocId=their_moc)[0] == 404
    assert api(unlink, user_id, id=mine.id, mocId="x")[0] == 400


def test_link_album_is_idempotent_and_cross_user_404(
    api: Callable[..., Any], make: Any, user_id: str, other_user_id: str
) -> None:
    album = make.album(user_id)
    moc_id = make.moc(user_id)
    for _ in range(2):
        status, body = api(
            "POST /api/albums/{id}/mocs", user_id, id=album.id, body={"mocId": str(moc_id)}
        )
        assert status == 200
        assert body["data"] == {"albumId": str(album.id), "mocId": str(moc_id), "linked": True}
    assert api("GET /api/albums/{id}", user_id, id=album.id)[1]["data"]["mocIds"] == [str(moc_id)]
    assert (
        api("POST /api/albums/{id}/mocs", other_user_id, id=album.id, body={"mocId": str(moc_id)})[
            0
        ]
        == 404
    )
    assert (
        api(
            "POST /api/albums/{id}/mocs",
            user_id,
            id=album.id,
            body={"mocId": str(make.moc(other_user_id))},
        )[0]
        == 404
    )

    status, _ = api("DELETE /api/albums/{id}/mocs/{mocId}", user_id, id=album.id, mocId=moc_id)
    assert status == 200
    assert api("GET /api/albums/{id}", user_id, id=album.id)[1]["data"]["mocIds"] == []
    assert (
        api("DELETE /api/albums/{id}/mocs/{mocId}", other_user_id, id=album.id, mocId=moc_id)[0]
        == 404
    )


def test_flag_marks_image_one_row_per_reporter_and_answers_the_same_for_missing_ids(
    api: Callable[..., Any], make: Any, sql: Any, user_id: str, other_user_id: str
) -> None:
    image = make.image(user_id)
    api("GET /api/images/{id}", user_id, id=image.id)  # cached unflagged

    first = api("POST /api/images/{id}/flag", other_user_id, id=image.id, body={"reason": "spam"})
    again = api(
        "POST /api/images/{id}/flag", other_user_id, id=image.id, body={"reason": "still spam"}
    )
    missing_id = uuid.uuid4()
    missing = api(
        "POST /api/images/{id}/flag", other_user_id, id=missing_id, body={"reason": "spam"}
    )

    assert first == (202, {"success": True, "data": {"imageId": str(image.id), "received": True}})
    assert again.status == 202
    assert missing == (
        202,
        {"success": True, "data": {"imageId": str(missing_id), "received": True}},
    )
    assert sql(
        "SELECT user_id, reason FROM gallery_flags WHERE image_id = %(i)s", {"i": image.id}
    ) == [(other_user_id, "spam")]
    detail = api("GET /api/images/{id}", user_id, id=image.id)[1]["data"]
    assert detail["flagged"] is True
    assert other_user_id not in str(detail)  # the owner never learns who


@pytest.mark.parametrize(
    "body", [{}, {"reason": ""}, {"reason": "r" * 1001}, {"reason": "x", "flagged": False}]
)
def test_flag_bad_body_returns_400(
    api: Callable[..., Any], user_id: str, body: dict[str, Any]
) -> None:
    assert api("POST /api/images/{id}/flag", user_id, id=uuid.uuid4(), body=body)[0] == 400


def test_flag_non_uuid_id_returns_400(api: Callable[..., Any], user_id: str) -> None:
    assert api("POST /api/images/{id}/flag", user_id, id="abc", body={"reason": "x"})[0] == 400
