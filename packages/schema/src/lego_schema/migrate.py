"""Apply the versioned migrations in ./migrations with yoyo (locking, history table, rollbacks)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import psycopg
import structlog
import tenacity

from lego_common.errors import ConfigurationError, ServiceUnavailableError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lego_common.config import Settings

log = structlog.get_logger()

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Issue 20 item 3: Terraform invokes migrate once the RDS Proxy target is registered, minutes
# before it is available; wait that long for the database, then fail with a clear error.
CONNECT_TIMEOUT_ENV = "MIGRATE_CONNECT_TIMEOUT_S"
DEFAULT_CONNECT_TIMEOUT_S = 300.0

# Issue 13 item 2: the role the functions log in as (created by migration 0006) and where its
# password comes from: the secret RDS Proxy reads for it (AWS) or a plain value (local stack).
APP_ROLE = "lego_app"
APP_PASSWORD_ENV = "APP_DB_PASSWORD"
APP_SECRET_ENV = "APP_DB_SECRET_ARN"


class DatabaseNotReadyError(ServiceUnavailableError):
    """The database did not accept a connection within the migrator's connect budget."""


@dataclass(frozen=True)
class ConnectRetry:
    """How long and how often to retry the first connection (exponential backoff with jitter)."""

    total_s: float = DEFAULT_CONNECT_TIMEOUT_S
    first_wait_s: float = 1.0
    max_wait_s: float = 15.0

    @classmethod
    def from_env(cls) -> ConnectRetry:
        """The default policy, with total_s from MIGRATE_CONNECT_TIMEOUT_S when it is set."""
        raw = os.environ.get(CONNECT_TIMEOUT_ENV, "").strip()
        if not raw:
            return cls()
        try:
            total_s = float(raw)
        except ValueError:
            total_s = -1.0
        if not total_s >= 0:  # also rejects nan
            raise ConfigurationError(
                f"environment variable {CONNECT_TIMEOUT_ENV} must be a number of seconds >= 0, "
                f"got {raw!r}"
            )
        return cls(total_s=total_s)

    def capped(self, total_s: float) -> ConnectRetry:
        """This policy with at most total_s seconds in all (the Lambda's remaining time)."""
        return replace(self, total_s=max(0.0, min(self.total_s, total_s)))


@dataclass(frozen=True)
class Status:
    applied: list[str]
    pending: list[str]


def database_uri(settings: Settings) -> str:
    """A yoyo URI for the configured database, with the same password source as the functions."""
    from lego_common.db import password as db_password
    from lego_common.db import sslrootcert_path

    host = settings.require("db_host", "DB_HOST")
    password = db_password(settings) or ""
    rootcert = (
        f"&sslrootcert={quote(sslrootcert_path(settings.db_sslrootcert), safe='/')}"
        if settings.db_sslrootcert
        else ""
    )
    return (
        f"postgresql+psycopg://{quote(settings.db_user, safe='')}:{quote(password, safe='')}"
        f"@{host}:{settings.db_port}/{quote(settings.db_name, safe='')}"
        f"?sslmode={settings.db_sslmode}&connect_timeout={settings.db_connect_timeout_s}"
        f"{rootcert}"
    )


def connect(settings: Settings, retry: ConnectRetry | None = None) -> Any:
    """A yoyo backend, retrying refused or timed-out connections within retry.total_s.

    Each attempt builds the URI again, so an IAM auth token is fresh for every try.
    """
    from yoyo import get_backend

    policy = retry or ConnectRetry.from_env()
    where = f"{settings.db_host}:{settings.db_port}/{settings.db_name}"

    def log_wait(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "database_not_ready",
            database=where,
            attempt=state.attempt_number,
            wait_s=round(state.upcoming_sleep, 2),
            waited_s=round(state.seconds_since_start or 0.0, 1),
            total_s=policy.total_s,
            error=str(error).strip()[:300],
        )

    retrying = tenacity.Retrying(
        # stop_before_delay: never start a wait that would end past the budget
        stop=tenacity.stop_before_delay(policy.total_s),
        wait=tenacity.wait_exponential_jitter(
            multiplier=policy.first_wait_s, max=policy.max_wait_s, jitter=policy.first_wait_s
        ),
        retry=tenacity.retry_if_exception_type(psycopg.OperationalError),
        before_sleep=log_wait,
    )
    try:
        return retrying(lambda: get_backend(database_uri(settings)))
    except tenacity.RetryError as exc:
        last = exc.last_attempt.exception()
        attempts = exc.last_attempt.attempt_number
        waited = retrying.statistics.get("delay_since_first_attempt", 0.0)
        message = (
            f"database {where} not ready after {attempts} attempt(s) over {waited:.0f} s "
            f"({CONNECT_TIMEOUT_ENV}={policy.total_s:g}): {str(last).strip()[:300]}"
        )
        log.error("database_not_ready_gave_up", database=where, attempts=attempts)
        raise DatabaseNotReadyError(message) from last


@contextlib.contextmanager
def _backend_and_migrations(settings: Settings, retry: ConnectRetry | None) -> Iterator[Any]:
    """The connected backend and the migrations; the connection is closed afterwards."""
    from yoyo import read_migrations

    backend = connect(settings, retry)
    try:
        yield backend, read_migrations(str(MIGRATIONS_DIR))
    finally:
        backend.connection.close()


def apply(settings: Settings, retry: ConnectRetry | None = None) -> list[str]:
    """Apply every pending migration under yoyo's lock; return the ids applied (may be empty)."""
    with _backend_and_migrations(settings, retry) as (backend, migrations), backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
        _set_app_password(backend.connection)
    applied = [m.id for m in pending]
    log.info("migrations_applied", applied=applied)
    return applied


def app_password() -> str | None:
    """The app role's password: APP_DB_PASSWORD, or the `password` of the APP_DB_SECRET_ARN
    secret (the one RDS Proxy logs in with); None when neither is set (nothing to change)."""
    plain = os.environ.get(APP_PASSWORD_ENV, "")
    if plain:
        return plain
    arn = os.environ.get(APP_SECRET_ENV, "")
    if not arn:
        return None
    from lego_common import aws

    password = aws.secret_json(arn).get("password")
    if not isinstance(password, str) or not password:
        raise ConfigurationError(f"the secret in {APP_SECRET_ENV} has no password")
    return password


def _set_app_password(connection: Any) -> None:
    """Give the app role the configured password on every apply: a rotated secret takes
    effect at the next deploy, and the value never sits in a migration or in yoyo's history."""
    password = app_password()
    if password is None:
        return
    from psycopg import sql

    # libpq hashes it here (SCRAM-SHA-256): the statement, which the server may log
    # (log_statement = ddl), carries the verifier, never the password.
    verifier = connection.pgconn.encrypt_password(password.encode(), APP_ROLE.encode())
    with connection.cursor() as cur:
        # ALTER ROLE takes no bind parameters: the verifier goes in as a quoted literal.
        cur.execute(
            sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD {}").format(
                sql.Identifier(APP_ROLE), sql.Literal(verifier.decode())
            )
        )
    connection.commit()
    log.info("app_role_password_set", role=APP_ROLE)


def status(settings: Settings, retry: ConnectRetry | None = None) -> Status:
    with _backend_and_migrations(settings, retry) as (backend, migrations), backend.lock():
        pending = {m.id for m in backend.to_apply(migrations)}
    ids = [m.id for m in migrations]
    return Status(
        applied=[i for i in ids if i not in pending], pending=[i for i in ids if i in pending]
    )


def rollback_last(settings: Settings, retry: ConnectRetry | None = None) -> list[str]:
    """Roll back the most recently applied migration; return its id (or [])."""
    with _backend_and_migrations(settings, retry) as (backend, migrations), backend.lock():
        candidates = backend.to_rollback(migrations)[:1]
        backend.rollback_migrations(candidates)
    return [m.id for m in candidates]
