"""pytest plugin (entry point `lego_stack`): the service fixtures every test folder shares.

Integration tests ask for `services`; unit tests ask for nothing and start nothing.
Fixtures every test folder shares belong here (the `api` fixture of issue 12 section 2 too);
a function's own factories stay in its conftest.py.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from lego_devstack import applied_env, reset_clients
from lego_devstack.api import api  # noqa: F401  (the `api` fixture, registered here)
from lego_devstack.events import http_event
from lego_devstack.stack import COMPOSE_FILE, Stack, chosen_mode, start_native

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    import psycopg
    import redis

    from lego_common.config import Settings
    from lego_devstack.iam import CallRecorder

_recorder_key: pytest.StashKey[CallRecorder] = pytest.StashKey()

OPENSEARCH_SKIP_REASON = (
    "needs OpenSearch: it runs only on the Docker stack (no OpenSearch package exists for "
    "the native stack); the PostgreSQL fallback is tested everywhere"
)


RECORD_AWS_CALLS_ENV = "LEGO_RECORD_AWS_CALLS"


def _declared_calls_path() -> Path:
    from lego_devstack.paths import find_repo_root

    return find_repo_root() / "tests" / "iam" / "aws_calls.json"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "opensearch: needs a real OpenSearch server")
    # Issue 13 item 1: record the AWS calls function code makes (lego_devstack.iam).
    from lego_devstack.iam import CallRecorder, function_packages, operator_modules
    from lego_devstack.paths import find_repo_root

    root = find_repo_root()
    recorder = CallRecorder(function_packages(root), operator_modules(root))
    recorder.install()
    config.stash[_recorder_key] = recorder


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the session when function code made an AWS call tests/iam/aws_calls.json does not
    declare (its policy was never checked); LEGO_RECORD_AWS_CALLS=1 adds them to the file."""
    from lego_devstack.iam import load_declared, merged_json, undeclared

    recorder = session.config.stash.get(_recorder_key, None)
    path = _declared_calls_path()
    if recorder is None or not path.is_file():
        return
    declared = load_declared(path)
    if os.environ.get(RECORD_AWS_CALLS_ENV) == "1":
        path.write_text(merged_json(recorder, declared))
        return
    missing = undeclared(recorder, declared)
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = [
            f"AWS calls made by function code but not in {path.name} (run the tests with "
            f"{RECORD_AWS_CALLS_ENV}=1 to add them, then grant them in terraform/modules/stack):",
            *missing,
        ]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def docker_compose_file() -> str:
    """pytest-docker: our compose file."""
    return str(COMPOSE_FILE)


def _prepare(stack: Stack) -> None:
    import structlog

    from lego_common import log
    from lego_devstack.stack import prepare

    log.configure()
    # tests capture logs with structlog.testing.capture_logs(): loggers must not be cached
    structlog.configure(cache_logger_on_first_use=False)
    prepare(stack)


@pytest.fixture(scope="session")
def lego_stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    """PostgreSQL + Redis + moto (+ OpenSearch on Docker), migrated, for the whole session."""
    mode = chosen_mode()
    if mode == "docker":
        from lego_devstack.stack import stack_from_compose

        services = request.getfixturevalue("docker_services")
        ip = request.getfixturevalue("docker_ip")
        stack = stack_from_compose(services.port_for, ip)

        def _redis(action: str) -> None:
            services._docker_compose.execute(f"{action} redis")

        stack_redis_control[id(stack)] = _redis
    else:
        stack = start_native()
    try:
        with applied_env(stack.env()):
            _prepare(stack)
            yield stack
    finally:
        stack.stop()


# docker mode: how to stop/start Redis for fault tests
stack_redis_control: dict[int, Callable[[str], None]] = {}


@pytest.fixture
def services(lego_stack: Stack) -> Iterator[Stack]:
    """The session stack with fresh breakers/clients before and after the test."""
    reset_clients()
    yield lego_stack
    reset_clients()


@pytest.fixture
def opensearch(services: Stack) -> Stack:
    """The stack, when it has OpenSearch; otherwise the test is skipped with the reason."""
    if not services.opensearch_url:
        pytest.skip(OPENSEARCH_SKIP_REASON)
    return services


@pytest.fixture
def no_opensearch(services: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """The stack with OPENSEARCH_URL pointed at a closed port: search must fall back."""
    from lego_devstack.stack import free_port

    monkeypatch.setenv("OPENSEARCH_URL", f"http://127.0.0.1:{free_port()}")
    reset_clients()
    yield services
    monkeypatch.undo()
    reset_clients()


@contextlib.contextmanager
def redis_stopped(stack: Stack) -> Iterator[None]:
    """Stop the stack's Redis for the block, then start it again on the same port."""
    if stack.redis is not None:
        stack.redis.stop()
        try:
            yield
        finally:
            stack.redis.start()
        return
    control = stack_redis_control[id(stack)]
    control("stop")
    try:
        yield
    finally:
        control("start")


@pytest.fixture
def redis_outage(services: Stack) -> Callable[[], contextlib.AbstractContextManager[None]]:
    """`with redis_outage(): ...` stops Redis for the block (a real outage, not a mock)."""
    return lambda: redis_stopped(services)


@pytest.fixture
def db_down(services: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """PostgreSQL unreachable: DB_HOST/DB_PORT point at a closed port for the test."""
    from lego_devstack.stack import free_port

    monkeypatch.setenv("DB_HOST", "127.0.0.1")
    monkeypatch.setenv("DB_PORT", str(free_port()))
    reset_clients()
    yield
    monkeypatch.undo()
    reset_clients()


@pytest.fixture
def db_conn(services: Stack) -> Iterator[psycopg.Connection[Any]]:
    """A separate connection inside a transaction that is rolled back after the test."""
    conn = services.connect()
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


@pytest.fixture
def migrator_settings(services: Stack) -> Settings:
    """Settings as the migrator (the schema owner), where the functions' are the app role's."""
    from lego_devstack.stack import owner_settings

    return owner_settings()


@pytest.fixture
def redis_client(services: Stack) -> Iterator[redis.Redis]:
    """A plain Redis client to the stack (to look at what the cache wrote)."""
    import redis

    client = redis.Redis.from_url(services.redis_url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture
def s3_client(services: Stack) -> Any:
    from lego_common import aws

    return aws.client("s3")


@pytest.fixture
def bucket(services: Stack) -> str:
    return services.env()["S3_BUCKET"]


@pytest.fixture
def user_id() -> str:
    """A fresh user per test: rows of other tests never interfere."""
    return f"user-{uuid.uuid4()}"


def execute_sql(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Run committed SQL on the app's connection (rows another function would have written)."""
    from lego_common import db

    with db.transaction() as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []


@pytest.fixture
def sql(services: object) -> Callable[[str, dict[str, Any]], list[tuple[Any, ...]]]:
    """Run one statement in its own committed transaction; rows back when it returns any."""
    return execute_sql


@pytest.fixture
def moc_id(sql: Callable[[str, dict[str, Any]], Any], user_id: str) -> uuid.UUID:
    """A MOC of user_id, inserted straight into the table (for functions that hang off MOCs)."""
    moc = uuid.uuid4()
    sql(
        "INSERT INTO moc_instructions (id, user_id, title, type, author)"
        " VALUES (%(id)s, %(uid)s, %(title)s, 'moc', 'Ann')",
        {"id": moc, "uid": user_id, "title": f"MOC {moc.hex[:8]}"},
    )
    return moc


@pytest.fixture
def other_user_id() -> str:
    return f"user-{uuid.uuid4()}"


@pytest.fixture(scope="session")
def routes_json() -> dict[str, dict[str, str]]:
    """functions/routes.json's routes: routeKey -> {"function", "authorization"}."""
    import json

    from lego_devstack.paths import find_repo_root

    routes: dict[str, dict[str, str]] = json.loads(
        (find_repo_root() / "functions" / "routes.json").read_text()
    )["routes"]
    return routes


@pytest.fixture
def make_event() -> Callable[..., dict[str, Any]]:
    """The payload 2.0 event builder (see lego_devstack.events.http_event)."""
    return http_event
