"""migrate against a PostgreSQL that is not there yet (issue 20 item 3: the RDS Proxy target is
registered minutes before it is available): it waits with bounded backoff, then migrates or fails
clearly. A throwaway cluster from the stack's own helpers plays the late database."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import structlog

from lego_common.config import Settings, load_settings
from lego_devstack.stack import (
    DB_NAME,
    DB_PASSWORD,
    DB_USER,
    PostgresServer,
    free_port,
)
from lego_schema import cli, handler, migrate
from lego_schema.migrate import ConnectRetry, DatabaseNotReadyError

if TYPE_CHECKING:
    from collections.abc import Iterator

ALL_MIGRATIONS = sorted(
    path.stem
    for path in migrate.MIGRATIONS_DIR.glob("*.sql")
    if not path.stem.endswith(".rollback")
)
FAST = ConnectRetry(total_s=30, first_wait_s=0.2, max_wait_s=1.0)
LATE_START_S = 2.0


def _settings(port: int) -> Settings:
    return replace(
        load_settings(),
        db_host="127.0.0.1",
        db_port=port,
        db_name=DB_NAME,
        db_user=DB_USER,
        db_password=DB_PASSWORD,
        db_secret_arn=None,
        db_iam_auth=False,
        db_sslmode="disable",
        db_connect_timeout_s=1,
    )


@pytest.fixture
def stopped_postgres() -> Iterator[PostgresServer]:
    """A cluster with the lego role and database, stopped: its port refuses connections."""
    root = Path(tempfile.mkdtemp(prefix="lego-migrate-late-"))
    os.chmod(root, 0o755)  # postgres runs as another user when we are root
    server = PostgresServer(root / "postgres")
    try:
        server.start()
        server.stop()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _waits(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for entry in logs if entry["event"] == "database_not_ready"]


def test_apply_database_starts_late_waits_then_migrates(
    stopped_postgres: PostgresServer,
) -> None:
    assert stopped_postgres.process is not None
    late = threading.Timer(LATE_START_S, stopped_postgres.process.start)
    started = time.monotonic()
    late.start()
    try:
        with structlog.testing.capture_logs() as logs:
            applied = migrate.apply(_settings(stopped_postgres.port), FAST)
    finally:
        late.cancel()
    elapsed = time.monotonic() - started

    assert applied == ALL_MIGRATIONS
    waits = _waits(logs)
    assert len(waits) >= 2
    assert [w["attempt"] for w in waits] == list(range(1, len(waits) + 1))
    assert all(0 < w["wait_s"] <= FAST.max_wait_s + FAST.first_wait_s for w in waits)
    assert all(w["log_level"] == "warning" and w["error"] for w in waits)
    assert LATE_START_S <= elapsed < LATE_START_S + 10


def test_apply_database_never_up_gives_up_within_budget() -> None:
    port = free_port()
    retry = ConnectRetry(total_s=1.5, first_wait_s=0.2, max_wait_s=0.5)
    started = time.monotonic()

    with (
        structlog.testing.capture_logs() as logs,
        pytest.raises(DatabaseNotReadyError) as error,
    ):
        migrate.apply(_settings(port), retry)

    elapsed = time.monotonic() - started
    assert elapsed < retry.total_s + 1  # bounded: no wait starts past the budget
    message = error.value.message
    assert f"database 127.0.0.1:{port}/{DB_NAME} not ready after" in message
    assert "MIGRATE_CONNECT_TIMEOUT_S=1.5" in message
    assert error.value.status == 503
    assert len(_waits(logs)) >= 2
    assert logs[-1]["event"] == "database_not_ready_gave_up"


def test_cli_apply_database_never_up_exits_2_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    monkeypatch.setenv("DB_HOST", "127.0.0.1")
    monkeypatch.setenv("DB_PORT", str(port))
    monkeypatch.setenv("DB_PASSWORD", "unused")
    monkeypatch.setenv("MIGRATE_CONNECT_TIMEOUT_S", "0")

    code = cli.main(["apply"])

    assert code == 2
    err = capsys.readouterr().err
    assert "not ready after 1 attempt(s)" in err
    assert "MIGRATE_CONNECT_TIMEOUT_S=0" in err


class _LambdaContext:
    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_handler_wait_ends_before_the_lambda_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    from lego_common.config import reset

    monkeypatch.setenv("DB_HOST", "127.0.0.1")
    monkeypatch.setenv("DB_PORT", str(free_port()))
    monkeypatch.setenv("DB_PASSWORD", "unused")
    monkeypatch.delenv("MIGRATE_CONNECT_TIMEOUT_S", raising=False)
    reset()
    monkeypatch.setattr(handler.log, "configure", lambda: None)  # keep test log capture
    started = time.monotonic()
    try:
        # 61 s left: 60 s stay reserved for the migrations, so the wait gets 1 s, not 300 s
        with pytest.raises(DatabaseNotReadyError, match="MIGRATE_CONNECT_TIMEOUT_S=1"):
            handler.lambda_handler({}, _LambdaContext(remaining_ms=61_000))
    finally:
        monkeypatch.undo()
        reset()
    assert time.monotonic() - started < 5
