"""Fixtures of the mocs tests: the handler `api` calls, factories for MOCs and the rows that
hang off them. Every test gets fresh users (lego_common's `user_id`), so order never matters."""

from __future__ import annotations

import threading
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from lego_common import db
from lego_devstack.plugin import execute_sql
from lego_mocs import service
from lego_mocs.handler import lambda_handler
from lego_mocs.models import MocCreate

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import psycopg

    from lego_devstack.api import Handler
    from lego_mocs.models import Moc


@pytest.fixture
def handler() -> Handler:
    """The handler lego_common's `api` fixture calls."""
    return lambda_handler


def moc_fields(**overrides: Any) -> dict[str, Any]:
    """A valid create body (camelCase, as clients send it) with a unique title."""
    return {"title": f"MOC {uuid.uuid4().hex[:10]}", "type": "moc", "author": "Ann", **overrides}


def make_moc(user_id: str, **overrides: Any) -> Moc:
    """Create a MOC through the service (the same path as POST /api/mocs)."""
    return service.create_moc(user_id, MocCreate.model_validate(moc_fields(**overrides)))


def add_file(moc_id: object, user_id: str, *, name: str = "parts.csv") -> uuid.UUID:
    file_id = uuid.uuid4()
    key = f"mocs/{user_id}/{moc_id}/{file_id}.csv"
    execute_sql(
        "INSERT INTO moc_files (id, moc_id, file_type, file_url, s3_key, original_filename,"
        " mime_type, size_bytes) VALUES (%(id)s, %(moc)s, 'parts-list', %(url)s, %(key)s,"
        " %(name)s, 'text/csv', 42)",
        {"id": file_id, "moc": moc_id, "url": f"https://cdn/{key}", "key": key, "name": name},
    )
    return file_id


def add_parts(moc_id: object, file_id: object, quantities: list[int]) -> None:
    execute_sql(
        "INSERT INTO moc_parts_lists (moc_id, file_id, part_id, part_name, quantity, color)"
        " SELECT %(moc)s, %(file)s, 'p' || n, 'Brick', q, 'Red'"
        " FROM unnest(%(qs)s::int[]) WITH ORDINALITY AS t(q, n)",
        {"moc": moc_id, "file": file_id, "qs": quantities},
    )


def add_linked_image(moc_id: object, user_id: str) -> uuid.UUID:
    image_id = uuid.uuid4()
    execute_sql(
        "INSERT INTO gallery_images (id, user_id, title, image_url, tags)"
        " VALUES (%(id)s, %(uid)s, 'Front view', 'https://cdn/i.webp', '{castle}')",
        {"id": image_id, "uid": user_id},
    )
    execute_sql(
        "INSERT INTO moc_gallery_images (moc_id, gallery_image_id) VALUES (%(moc)s, %(id)s)",
        {"id": image_id, "moc": moc_id},
    )
    return image_id


# Factories as fixtures: with --import-mode=importlib a test module cannot import conftest.
@pytest.fixture
def new_moc(services: object) -> Callable[..., Moc]:
    return make_moc


@pytest.fixture
def moc_body() -> Callable[..., dict[str, Any]]:
    return moc_fields


@pytest.fixture
def rows(services: object) -> Any:
    """add_file / add_parts / add_linked_image: rows the upload and gallery functions write."""

    class Rows:
        file = staticmethod(add_file)
        parts = staticmethod(add_parts)
        linked_image = staticmethod(add_linked_image)

    return Rows


@pytest.fixture
def connection_per_thread(services: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each thread gets its own database connection, as each Lambda container has one."""
    local = threading.local()
    opened: list[psycopg.Connection[Any]] = []

    def get_connection() -> psycopg.Connection[Any]:
        if not hasattr(local, "conn"):
            local.conn = db.connect()
            opened.append(local.conn)
        conn: psycopg.Connection[Any] = local.conn
        return conn

    monkeypatch.setattr(db, "get_connection", get_connection)
    yield
    for conn in opened:
        conn.close()
