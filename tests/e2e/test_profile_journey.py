"""The profile's "done when" journey over real HTTP (issue 16): a user reads their profile,
renames themselves, uploads and replaces an avatar, sees totalMOCs follow their MOCs at once,
and removes the avatar; another user's profile stays out of reach. The local bucket is not
versioned (the unversioned path of the avatar code)."""

from __future__ import annotations

import base64
import io
import json
import uuid

from lego_gateway.testing import LocalApi


def _sub(local_api: LocalApi, user: str) -> str:
    """The caller's sub, as a web client reads it from its own token."""
    payload = local_api.token(user).split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["sub"])


def _jpeg(size: tuple[int, int]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 90, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_read_rename_avatar_counts_and_privacy(local_api: LocalApi) -> None:
    ann, bob = f"ann-{uuid.uuid4().hex[:8]}", f"bob-{uuid.uuid4().hex[:8]}"
    sub = _sub(local_api, ann)
    me = f"/api/users/{sub}"

    profile = local_api.call("GET", me, ann)
    assert profile.status_code == 200, profile.text
    assert profile.json()["data"]["email"] == f"{ann}@example.com"
    assert profile.json()["data"]["stats"]["totalMOCs"] == 0

    renamed = local_api.call("PATCH", me, ann, json={"name": "Ann the Builder"})
    assert renamed.status_code == 200, renamed.text
    assert local_api.call("GET", me, ann).json()["data"]["name"] == "Ann the Builder"

    pictures = []
    for size in ((600, 400), (300, 500)):
        sent = local_api.call(
            "POST", f"{me}/avatar", ann, files={"image": ("me.jpg", _jpeg(size), "image/jpeg")}
        )
        assert sent.status_code == 200, sent.text
        pictures.append(sent.json()["data"]["picture"])
    assert pictures[0] != pictures[1]

    moc = local_api.call(
        "POST", "/api/mocs", ann, json={"title": f"Castle {ann}", "type": "moc", "author": "Ann"}
    ).json()["data"]
    assert local_api.call("GET", me, ann).json()["data"]["stats"]["totalMOCs"] == 1
    assert local_api.call("DELETE", f"/api/mocs/{moc['id']}", ann).status_code == 200
    assert local_api.call("GET", me, ann).json()["data"]["stats"]["totalMOCs"] == 0

    assert local_api.call("GET", me, bob).status_code == 404
    assert local_api.call("PATCH", me, bob, json={"name": "Mallory"}).status_code == 404
    assert local_api.call("DELETE", f"{me}/avatar", bob).status_code == 404

    removed = local_api.call("DELETE", f"{me}/avatar", ann)
    assert removed.status_code == 200, removed.text
    assert "picture" not in removed.json()["data"]
    assert local_api.call("DELETE", f"{me}/avatar", ann).status_code == 404
