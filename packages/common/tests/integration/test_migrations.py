"""The schema migrations: upgrade from an empty database, re-run, roll back and re-apply."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import psycopg
import pytest

from lego_common.config import Settings
from lego_schema import migrate

ALL_MIGRATIONS = sorted(
    path.stem
    for path in migrate.MIGRATIONS_DIR.glob("*.sql")
    if not path.stem.endswith(".rollback")
)
TABLES = {
    "gallery_images",
    "gallery_albums",
    "gallery_flags",
    "moc_instructions",
    "moc_files",
    "moc_gallery_images",
    "moc_gallery_albums",
    "moc_parts_lists",
    "wishlist_items",
}


@pytest.fixture
def empty_database(migrator_settings: Settings) -> Iterator[Settings]:
    settings = migrator_settings
    name = f"lego_migrate_{uuid.uuid4().hex[:12]}"
    conninfo = dict(
        host=settings.db_host,
        port=settings.db_port,
        user=settings.db_user,
        password=settings.db_password,
        dbname=settings.db_name,
        autocommit=True,
    )
    with psycopg.connect(**conninfo) as conn:  # type: ignore[arg-type]
        conn.execute(f'CREATE DATABASE "{name}"')
    yield replace(settings, db_name=name)
    with psycopg.connect(**conninfo) as conn:  # type: ignore[arg-type]
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _tables(settings: Settings) -> set[str]:
    with psycopg.connect(
        host=settings.db_host,
        port=settings.db_port,
        user=settings.db_user,
        password=settings.db_password,
        dbname=settings.db_name,
    ) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return {r[0] for r in rows}


def test_upgrade_from_empty_creates_every_table(empty_database: Settings) -> None:
    applied = migrate.apply(empty_database)
    assert applied == ALL_MIGRATIONS
    assert applied[0] == "0001_initial_schema"
    assert _tables(empty_database) >= TABLES
    assert migrate.status(empty_database).pending == []


def test_rerunning_apply_is_a_clean_no_op(empty_database: Settings) -> None:
    migrate.apply(empty_database)
    assert migrate.apply(empty_database) == []
    assert _tables(empty_database) >= TABLES


def test_rollback_all_then_reapply_restores_the_schema(empty_database: Settings) -> None:
    migrate.apply(empty_database)
    rolled_back = [migrate.rollback_last(empty_database) for _ in ALL_MIGRATIONS]
    assert rolled_back == [[m] for m in reversed(ALL_MIGRATIONS)]
    assert not TABLES & _tables(empty_database)
    assert migrate.apply(empty_database) == ALL_MIGRATIONS
    assert _tables(empty_database) >= TABLES


def test_schema_enforces_seed_constraints(db_conn: psycopg.Connection, user_id: str) -> None:
    insert = (
        "INSERT INTO moc_instructions (user_id, title, type, author, brand) "
        "VALUES (%s, %s, %s, %s, %s)"
    )
    db_conn.execute(insert, (user_id, "Castle", "moc", "me", None))
    with pytest.raises(psycopg.errors.UniqueViolation), db_conn.transaction():
        db_conn.execute(insert, (user_id, "Castle", "moc", "me", None))
    with pytest.raises(psycopg.errors.CheckViolation), db_conn.transaction():
        db_conn.execute(insert, (user_id, "No author", "moc", None, None))
    with pytest.raises(psycopg.errors.CheckViolation), db_conn.transaction():
        db_conn.execute(insert, (user_id, "No brand", "set", None, None))
    with pytest.raises(psycopg.errors.CheckViolation), db_conn.transaction():
        db_conn.execute(insert, (user_id, "Bad type", "kit", "me", None))
