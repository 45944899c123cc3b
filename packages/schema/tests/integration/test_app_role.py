"""Issue 13 item 2: the functions log in as `lego_app` (migration 0006), which can do the DML
the functions need and no DDL; the migrator owns the schema and sets the role's password."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import psycopg
import pytest

from lego_common import db
from lego_schema import migrate

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lego_common.config import Settings
    from lego_devstack.stack import Stack


@pytest.fixture
def app_conn(services: Stack) -> Iterator[psycopg.Connection]:
    conn = services.connect(as_app=True)
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


def test_functions_connect_as_the_app_role_without_any_elevated_attribute(
    services: Stack,
) -> None:
    with db.connection() as conn:
        row = conn.execute(
            "SELECT current_user, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls"
            " FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    assert row == ("lego_app", False, False, False, False)


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TABLE moc_instructions",
        "CREATE TABLE app_made (id int)",
        "ALTER TABLE moc_files ADD COLUMN extra text",
        "TRUNCATE moc_instructions",
        "CREATE INDEX app_made_idx ON moc_instructions (title)",
        "SELECT * FROM _yoyo_migration",
        "CREATE ROLE app_made_role",
    ],
)
def test_app_role_cannot_change_the_schema_or_read_migration_history(
    app_conn: psycopg.Connection, statement: str
) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_conn.execute(statement)


def test_app_role_does_the_dml_the_functions_need(app_conn: psycopg.Connection) -> None:
    user = f"user-{uuid.uuid4()}"
    moc = app_conn.execute(
        "INSERT INTO moc_instructions (user_id, title, type, author) VALUES (%s, 'T', 'moc', 'A')"
        " RETURNING id",
        (user,),
    ).fetchone()
    assert moc is not None
    app_conn.execute("UPDATE moc_instructions SET title = 'U' WHERE id = %s", (moc[0],))
    # the statement trigger of migration 0002 keeps moc_user_counts as the app role writes
    assert app_conn.execute(
        "SELECT moc_count FROM moc_user_counts WHERE user_id = %s", (user,)
    ).fetchone() == (1,)
    assert app_conn.execute("DELETE FROM moc_instructions WHERE id = %s", (moc[0],)).rowcount == 1
    # LOCK ... ACCESS EXCLUSIVE (a fault test) needs UPDATE or DELETE, both granted
    app_conn.execute("LOCK TABLE wishlist_items IN ACCESS EXCLUSIVE MODE")


def test_every_table_of_the_app_is_granted_and_no_yoyo_table_is(services: Stack) -> None:
    with services.connect() as conn:
        rows = conn.execute(
            "SELECT tablename, has_table_privilege('lego_app', tablename::regclass,"
            " 'SELECT,INSERT,UPDATE,DELETE') FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    granted = {name: ok for name, ok in rows}
    yoyo = {name for name in granted if name.startswith("_yoyo") or name.startswith("yoyo")}
    assert yoyo
    assert not any(granted[name] for name in yoyo)
    assert all(ok for name, ok in granted.items() if name not in yoyo), granted


def test_migrator_sets_the_app_password_from_the_environment(
    services: Stack, migrator_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lego_devstack.stack import APP_DB_PASSWORD

    new_password = f"rotated-{uuid.uuid4().hex}"
    monkeypatch.setenv(migrate.APP_PASSWORD_ENV, new_password)
    try:
        assert migrate.apply(migrator_settings) == []  # nothing pending: the password still set
        with pytest.raises(psycopg.OperationalError):
            services.connect(as_app=True).close()  # the old password no longer works
        psycopg.connect(
            host=migrator_settings.db_host,
            port=migrator_settings.db_port,
            dbname=migrator_settings.db_name,
            user="lego_app",
            password=new_password,
        ).close()
    finally:
        monkeypatch.setenv(migrate.APP_PASSWORD_ENV, APP_DB_PASSWORD)
        migrate.apply(migrator_settings)
    services.connect(as_app=True).close()


def test_app_password_is_read_from_the_proxy_secret(
    services: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from lego_common import aws

    arn = aws.client("secretsmanager").create_secret(
        Name=f"lego-app-db-{uuid.uuid4().hex[:8]}",
        SecretString=json.dumps({"username": "lego_app", "password": "from-the-secret"}),
    )["ARN"]
    monkeypatch.delenv(migrate.APP_PASSWORD_ENV, raising=False)
    monkeypatch.setenv(migrate.APP_SECRET_ENV, arn)
    assert migrate.app_password() == "from-the-secret"
    monkeypatch.delenv(migrate.APP_SECRET_ENV)
    assert migrate.app_password() is None
