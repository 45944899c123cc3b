"""PostgreSQL through psycopg 3: one connection per container, created lazily, reused.

RDS Proxy friendly: no server-side prepared statements (prepare_threshold=None), autocommit
outside explicit transactions so no session sits idle in a transaction and gets pinned.
"""

from __future__ import annotations

import contextlib
import select
import threading
import time
from pathlib import Path
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

# An IAM auth token is valid for 15 minutes and checked only when a connection opens: reuse one
# for 10, so a reconnect storm signs once, and never hand out one about to expire.
TOKEN_REUSE_S = 600.0
_token: tuple[tuple[str | None, int, str, str], str, float] | None = None  # (for whom, token, at)


def _iam_token(settings: Settings, now: float | None = None) -> str:
    """A signed rds-db:connect token for DB_USER at DB_HOST (botocore's RDS signer, no call to
    AWS), cached per container until TOKEN_REUSE_S old."""
    global _token
    now = time.monotonic() if now is None else now
    whom = (settings.db_host, settings.db_port, settings.db_user, settings.aws_region)
    with _lock:
        if _token is not None and _token[0] == whom and now - _token[2] < TOKEN_REUSE_S:
            return _token[1]
        from lego_common import aws

        token: str = aws.client("rds").generate_db_auth_token(
            DBHostname=settings.db_host,
            Port=settings.db_port,
            DBUsername=settings.db_user,
            Region=settings.aws_region,
        )
        _token = (whom, token, now)
        return token


def password(settings: Settings) -> str | None:
    """The database password: an IAM token, the secret's value or DB_PASSWORD (the migrator too)."""
    if settings.db_iam_auth:
        return _iam_token(settings)
    if settings.db_secret_arn:
        from lego_common import aws

        secret = aws.secret_json(settings.db_secret_arn)
        return str(secret.get("password") or secret.get("value") or "")
    return settings.db_password


def sslrootcert_path(value: str) -> str:
    """DB_SSLROOTCERT as a file path: a relative one names a file shipped in the zip, relative
    to its root (the folder holding lego_common), e.g. lego_common/certs/amazon-root-ca.pem."""
    path = Path(value)
    if not path.is_absolute():
        path = Path(__file__).resolve().parent.parent / path
    return str(path)


def connect_kwargs(settings: Settings) -> dict[str, Any]:
    """psycopg.connect's arguments for these settings (the password is fetched separately).

    In AWS DB_SSLMODE=verify-full with DB_SSLROOTCERT: the proxy's certificate must chain to
    the shipped CA bundle and name the host, where `require` would take any certificate."""
    if not settings.db_host:
        raise ConfigurationError("environment variable DB_HOST is not set")
    kwargs: dict[str, Any] = {
        "host": settings.db_host,
        "port": settings.db_port,
        "dbname": settings.db_name,
        "user": settings.db_user,
        "sslmode": settings.db_sslmode,
        "connect_timeout": settings.db_connect_timeout_s,
        "application_name": f"{settings.service_name}-{settings.function_name}"[:63],
        "options": f"-c statement_timeout={settings.db_statement_timeout_ms}",
        "autocommit": True,
        "prepare_threshold": None,
    }
    if settings.db_sslrootcert:
        kwargs["sslrootcert"] = sslrootcert_path(settings.db_sslrootcert)
    return kwargs


def connect() -> psycopg.Connection[Any]:
    """Open a new connection from the settings (no pooling: one per container)."""
    settings = get_settings()
    kwargs = connect_kwargs(settings)
    try:
        return psycopg.connect(password=password(settings), **kwargs)
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


def _commit_unknown(conn: psycopg.Connection[Any], exc: Exception) -> CommitUnknownError:
    _drop(conn)
    log.warning("db_commit_unknown", error=str(exc).strip()[:300])
    return CommitUnknownError("database unavailable")


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
            raise _commit_unknown(conn, exc) from None


@contextlib.contextmanager
def pipelined_transaction() -> Iterator[psycopg.Connection[Any]]:
    """transaction() in pipeline mode: BEGIN travels with the block's first statements and
    COMMIT with its last, so the only round trips are where the block reads a result (a fetch)
    and the final sync. Inside, a statement's error surfaces at the next fetch or at the end,
    and rowcount is unknown until a fetch: for blocks that read results only by fetching.
    Errors are raised as transaction() raises them (a lost connection at the end is a
    CommitUnknownError: the COMMIT went with the last statements)."""
    from psycopg.pq import TransactionStatus

    with connection() as conn:
        committing = False
        try:
            with conn.pipeline():
                conn.execute("BEGIN")
                yield conn
                committing = True
                conn.execute("COMMIT")
        except psycopg.OperationalError as exc:
            if not committing:
                raise  # connection() answers 503: nothing was committed
            raise _commit_unknown(conn, exc) from None
        except BaseException:
            # a failed statement makes the server skip the rest of the pipeline, COMMIT included
            if not conn.broken and conn.info.transaction_status != TransactionStatus.IDLE:
                conn.execute("ROLLBACK")
            raise


def close() -> None:
    """Close the container's connection and forget the IAM token (tests, shutdown)."""
    global _conn, _token
    with _lock:
        if _conn is not None:
            with contextlib.suppress(Exception):
                _conn.close()
        _conn = None
        _token = None


def ping() -> None:
    """SELECT 1 on the container's connection (health check)."""
    with connection() as conn:
        conn.execute("SELECT 1")
