"""Apply the versioned migrations in ./migrations with yoyo (locking, history table, rollbacks)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import structlog

if TYPE_CHECKING:
    from lego_common.config import Settings

log = structlog.get_logger()

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class Status:
    applied: list[str]
    pending: list[str]


def database_uri(settings: Settings) -> str:
    """A yoyo URI for the configured database, with the same password source as the functions."""
    from lego_common.db import password as db_password

    host = settings.require("db_host", "DB_HOST")
    password = db_password(settings) or ""
    return (
        f"postgresql+psycopg://{quote(settings.db_user, safe='')}:{quote(password, safe='')}"
        f"@{host}:{settings.db_port}/{quote(settings.db_name, safe='')}"
        f"?sslmode={settings.db_sslmode}"
    )


def _backend_and_migrations(settings: Settings):  # type: ignore[no-untyped-def]
    from yoyo import get_backend, read_migrations

    return get_backend(database_uri(settings)), read_migrations(str(MIGRATIONS_DIR))


def apply(settings: Settings) -> list[str]:
    """Apply every pending migration under yoyo's lock; return the ids applied (may be empty)."""
    backend, migrations = _backend_and_migrations(settings)
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    applied = [m.id for m in pending]
    log.info("migrations_applied", applied=applied)
    return applied


def status(settings: Settings) -> Status:
    backend, migrations = _backend_and_migrations(settings)
    with backend.lock():
        pending = {m.id for m in backend.to_apply(migrations)}
    ids = [m.id for m in migrations]
    return Status(
        applied=[i for i in ids if i not in pending], pending=[i for i in ids if i in pending]
    )


def rollback_last(settings: Settings) -> list[str]:
    """Roll back the most recently applied migration; return its id (or [])."""
    backend, migrations = _backend_and_migrations(settings)
    with backend.lock():
        candidates = backend.to_rollback(migrations)[:1]
        backend.rollback_migrations(candidates)
    return [m.id for m in candidates]
