"""Fixtures of the gallery tests: the handler `api` calls, images made in the tests, and
factories for albums, images and MOCs. Every test gets fresh users (lego_common's `user_id`)."""

from __future__ import annotations

import io
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from lego_devstack.plugin import execute_sql
from lego_gallery import service
from lego_gallery.handler import lambda_handler
from lego_gallery.models import AlbumCreate, ImageFields

if TYPE_CHECKING:
    from collections.abc import Callable

    from lego_devstack.api import Handler
    from lego_gallery.models import Album, Image


@pytest.fixture
def handler() -> Handler:
    """The handler lego_common's `api` fixture calls."""
    return lambda_handler


def jpeg_bytes(
    width: int = 640, height: int = 480, colour: tuple[int, int, int] = (200, 30, 30), **save: Any
) -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, format="JPEG", **save)
    return buffer.getvalue()


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGBA", (width, height), (0, 128, 255, 128)).save(buffer, format="PNG")
    return buffer.getvalue()


def multipart_body(
    fields: dict[str, str | list[str]],
    image: bytes | None,
    *,
    filename: str = "photo.jpg",
    content_type: str = "image/jpeg",
) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it, and its Content-Type header."""
    boundary = f"----lego{uuid.uuid4().hex}"
    chunks: list[bytes] = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            chunks.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{item}\r\n".encode()
            )
    if image is not None:
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="image";'
            f' filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + image
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def make_image(user_id: str, **fields: Any) -> Image:
    """An image through the service (the multipart path, without HTTP)."""
    data = ImageFields.model_validate({"title": f"Photo {uuid.uuid4().hex[:8]}", **fields})
    return service.upload_image(user_id, data, jpeg_bytes(320, 240))


def make_album(user_id: str, **fields: Any) -> Album:
    return service.create_album(user_id, AlbumCreate.model_validate({"title": "Castles", **fields}))


def make_moc(user_id: str, title: str | None = None) -> uuid.UUID:
    """A MOC row as the mocs function writes it (the gallery only links to it)."""
    moc_id = uuid.uuid4()
    execute_sql(
        "INSERT INTO moc_instructions (id, user_id, title, type, author)"
        " VALUES (%(id)s, %(uid)s, %(title)s, 'moc', 'Ann')",
        {"id": moc_id, "uid": user_id, "title": title or f"MOC {moc_id.hex[:8]}"},
    )
    return moc_id


# Factories as fixtures: with --import-mode=importlib a test module cannot import conftest.
@pytest.fixture
def make() -> Any:
    """make.jpeg/png/multipart: inputs; make.image/album/moc: rows (need `services`)."""

    class Make:
        jpeg = staticmethod(jpeg_bytes)
        png = staticmethod(png_bytes)
        multipart = staticmethod(multipart_body)
        image = staticmethod(make_image)
        album = staticmethod(make_album)
        moc = staticmethod(make_moc)

    return Make


@pytest.fixture
def post_form(api: Callable[..., Any]) -> Callable[..., Any]:
    """POST /api/images as multipart/form-data (base64-encoded, as API Gateway sends it)."""

    def post(user_id: str, fields: dict[str, Any], image: bytes | None, **kw: Any) -> Any:
        body, content_type = multipart_body(fields, image, **kw)
        return api(
            "POST /api/images",
            user_id,
            body=body,
            headers={"content-type": content_type},
        )

    return post
