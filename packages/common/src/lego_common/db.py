"""PostgreSQL through psycopg 3: one connection per container, created lazily, reused.

RDS Proxy friendly: no server-side prepared statements (prepare_threshold=None), autocommit
outside explicit transactions so no session sits idle in a transaction and gets pinned.
"""

from __future__ import annotations

import contextlib
import select
import threading
from typing import TYPE_CHECKING, Any

import psycopg
import structlog

from lego_common.config import get_settings
from lego_common.errors import ConfigurationError, ServiceUnavailableError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lego_common.config import Settings

log = structlog.get_logger()

_conn: psycopg.Connection[Any] | None = None
_lock = threading.RLock()


def password(settings: Settings) -> str | None:
    """The database password: an IAM token, the secret's value or DB_PASSWORD (the migrator too)."""
    if settings.db_iam_auth:
        from lego_common import aws

        # A 15-minute token: only used to open the connection, so reconnects mint a new one.
        token: str = aws.client("rds").generate_db_auth_token(
            DBHostname=settings.db_host,
            Port=settings.db_port,
            DBUsername=settings.db_user,
            Region=settings.aws_region,
        )
        return token
    if settings.db_secret_arn:
        from lego_common import aws

        secret = aws.secret_json(settings.db_secret_arn)
        return str(secret.get("password") or secret.get("value") or "")
    return settings.db_password


def connect() -> psycopg.Connection[Any]:
    """Open a new connection from the settings (no pooling: one per container)."""
    settings = get_settings()
    if not settings.db_host:
        raise ConfigurationError("environment variable DB_HOST is not set")
    try:
        return psycopg.connect(
            host=settings.db_host,
            port=settings.db_port,
            dbname=settings.db_name,
            user=settings.db_user,
            password=password(settings),
            sslmode=settings.db_sslmode,
            connect_timeout=settings.db_connect_timeout_s,
            application_name=f"{settings.service_name}-{settings.function_name}"[:63],
            options=f"-c statement_timeout={settings.db_statement_timeout_ms}",
            autocommit=True,
            prepare_threshold=None,
        )
    except psycopg.OperationalError as exc:
        log.warning("db_connect_failed", error=str(exc).strip()[:300])
        raise ServiceUnavailableError("database unavailable") from None


def _looks_dead(conn: psycopg.Connection[Any]) -> bool:
    """True when the server has closed the idle connection (costs no round trip).

    An idle connection has nothing to read; if its socket is readable the server sent
    EOF or a FATAL (restart, pg_terminate_backend, proxy idle timeout).
    """
    if conn.closed or conn.broken:
        return True
    try:
        readable, _, _ = select.select([conn.fileno()], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def get_connection() -> psycopg.Connection[Any]:
    """The container's connection; reconnects once if the previous one died while idle."""
    global _conn
    with _lock:
        if _conn is not None and _looks_dead(_conn):
            log.warning("db_reconnecting")
            with contextlib.suppress(Exception):
                _conn.close()
            _conn = None
        if _conn is None:
            _conn = connect()
        return _conn


def _drop(conn: psycopg.Connection[Any]) -> None:
    global _conn
    with _lock:
        if _conn is conn:
            _conn = None
    with contextlib.suppress(Exception):
        conn.close()


@contextlib.contextmanager
def connection() -> Iterator[psycopg.Connection[Any]]:
    """The connection in autocommit mode, for reads. Connection failures become 503; a value
    the database or the driver cannot take or give back (psycopg.DataError: out of range,
    malformed) is the request's fault, a 400, whichever function sent it (the one place)."""
    conn = get_connection()
    try:
        yield conn
    except psycopg.OperationalError as exc:
        _drop(conn)
        log.warning("db_operation_failed", error=str(exc).strip()[:300])
        raise ServiceUnavailableError("database unavailable") from None
    except psycopg.DataError as exc:
        # the message may quote the value: logged, never sent back
        log.info("db_data_rejected", error=str(exc).strip()[:300], sqlstate=exc.sqlstate)
        raise ValidationError("a value is out of range or malformed") from None


class CommitUnknownError(ServiceUnavailableError):
    """The connection failed during COMMIT itself: the transaction may have been committed.
    A writer that undoes its side effects on failure (objects it put) must keep them: the
    sweeps remove objects no row names, nothing restores an object a committed row names."""


@contextlib.contextmanager
def transaction() -> Iterator[psycopg.Connection[Any]]:
    """A transaction: commits when the block ends, rolls back on any exception. A connection
    lost during the COMMIT raises CommitUnknownError (a 503 whose writes may have landed)."""
    with connection() as conn:
        committing = False
        try:
            with conn.transaction():
                yield conn
                committing = True
        except psycopg.OperationalError as exc:
            if not committing:
                raise  # connection() answers 503: nothing was committed
            _drop(conn)
            log.warning("db_commit_unknown", error=str(exc).strip()[:300])
            raise CommitUnknownError("database unavailable") from None


def close() -> None:
    """Close the container's connection (tests, shutdown)."""
    global _conn
    with _lock:
        if _conn is not None:
            with contextlib.suppress(Exception):
                _conn.close()
        _conn = None


def ping() -> None:
    """SELECT 1 on the container's connection (health check)."""
    with connection() as conn:
        conn.execute("SELECT 1")
