"""Fixtures of the wishlist tests: the handler `api` calls, item and image factories. Every test
gets fresh users (the lego_stack plugin's `user_id`)."""

from __future__ import annotations

import io
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from lego_common import db
from lego_wishlist.handler import lambda_handler

if TYPE_CHECKING:
    from collections.abc import Callable

    from lego_devstack.api import Handler


@pytest.fixture
def handler() -> Handler:
    return lambda_handler


def jpeg_bytes(
    width: int = 640, height: int = 480, colour: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def multipart_body(parts: dict[str, bytes | str]) -> tuple[bytes, str]:
    boundary = f"----lego{uuid.uuid4().hex}"
    chunks: list[bytes] = []
    for name, value in parts.items():
        if isinstance(value, bytes):
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}";'
                f' filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
                + value
                + b"\r\n"
            )
        else:
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def make(api: Callable[..., Any]) -> Any:
    """make.item(user, **fields) -> the created item (JSON); make.items(user, n) -> ids."""

    class Make:
        jpeg = staticmethod(jpeg_bytes)
        multipart = staticmethod(multipart_body)

        @staticmethod
        def item(user_id: str, **fields: Any) -> dict[str, Any]:
            status, body = api("POST /api/wishlist", user_id, body={"title": "Set", **fields})
            assert status == 201, body
            item: dict[str, Any] = body["data"]
            return item

        @staticmethod
        def items(user_id: str, n: int) -> list[str]:
            return [Make.item(user_id, title=f"Item {i}")["id"] for i in range(n)]

    return Make


@pytest.fixture
def post_image(api: Callable[..., Any]) -> Callable[..., Any]:
    def post(user_id: str, item_id: str, image: bytes, **extra: bytes | str) -> Any:
        body, content_type = multipart_body({"image": image, **extra})
        return api(
            "POST /api/wishlist/{id}/image",
            user_id,
            body=body,
            headers={"content-type": content_type},
            id=item_id,
        )

    return post


@pytest.fixture
def positions(services: object) -> Callable[[str], list[tuple[str, int]]]:
    """(id, sort_order) of a user's rows, in position order, straight from PostgreSQL."""

    def read(user_id: str) -> list[tuple[str, int]]:
        with db.connection() as conn:
            rows = conn.execute(
                "SELECT id::text, sort_order FROM wishlist_items WHERE user_id = %(u)s"
                " ORDER BY sort_order",
                {"u": user_id},
            ).fetchall()
        return [(r[0], r[1]) for r in rows]

    return read
