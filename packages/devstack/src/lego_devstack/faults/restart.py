"""Restart control of the test stack's servers: PostgreSQL, Redis and moto, native or Docker.

Native: PostgreSQL is stopped with `pg_ctl stop` (fast: sessions terminated, open transactions
rolled back; immediate: a crash, recovery at the next start) and started again by the stack's
own supervisor, with the same command line and port, so `Stack.stop()` still owns the process.
Redis and moto are stopped and started by their supervisors. moto keeps its state in memory: a
restart loses buckets and pools, so only a test that prepares them again restarts it.
Docker: `docker compose stop/start <service>`, checked to come back on the same host port
(not run on this machine: no Docker engine).
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from lego_devstack.stack import (
    COMPOSE_FILE,
    StackError,
    _pg_bin,
    _pg_user,
    port_open,
    wait_for,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from lego_devstack.stack import PostgresServer, Stack

ShutdownMode = Literal["smart", "fast", "immediate"]
Service = Literal["postgres", "redis", "moto"]


@dataclass(frozen=True)
class ServerControl:
    """Stop and start one server of the stack; restart() does both."""

    name: str
    stop: Callable[[], None]
    start: Callable[[], None]

    def restart(self) -> float:
        """Stop, then start; returns the seconds the server was away."""
        started = time.monotonic()
        self.stop()
        self.start()
        return time.monotonic() - started

    @contextlib.contextmanager
    def stopped(self) -> Iterator[None]:
        """The server is down for the block and up again after it, whatever the block did."""
        self.stop()
        try:
            yield
        finally:
            self.start()


def control(stack: Stack, service: Service, *, mode: ShutdownMode = "fast") -> ServerControl:
    """The control of service on stack; mode is PostgreSQL's shutdown mode (native only)."""
    if stack.mode == "docker":
        return _compose_control(stack, service)
    if service == "postgres" and stack.postgres is not None:
        server = stack.postgres
        return ServerControl("postgres", lambda: _pg_stop(server, mode), lambda: _pg_start(server))
    if service == "redis" and stack.redis is not None:
        return ServerControl("redis", stack.redis.stop, stack.redis.start)
    if service == "moto" and stack.moto is not None:
        return ServerControl("moto", stack.moto.stop, stack.moto.start)
    raise StackError(f"no {service} server of this stack to control")


def _pg_stop(server: PostgresServer, mode: ShutdownMode) -> None:
    user = _pg_user()
    prefix = ["runuser", "-u", user, "--"] if user else []
    pg_ctl = str(_pg_bin() / "pg_ctl")
    data = str(server.root / "pgdata")
    result = subprocess.run(
        [*prefix, pg_ctl, "stop", "-D", data, "-m", mode, "-w", "-t", "30"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise StackError(f"pg_ctl stop failed:\n{result.stdout}\n{result.stderr}")
    if server.process is not None and server.process.popen is not None:
        server.process.popen.wait(10)  # the supervisor's child (runuser) ends with postgres


def _pg_start(server: PostgresServer) -> None:
    if server.process is None:
        raise StackError("PostgreSQL was never started")
    server.process.start()  # the same argv and port as the first start
    wait_for(server._accepts, "PostgreSQL (restart)", 30, server.root / "postgres.log")


# the port each service listens on inside its container (tests/docker-compose.yml)
_CONTAINER_PORTS = {"postgres": 5432, "redis": 6379, "moto": 5000}


def _compose_control(stack: Stack, service: Service, project: str | None = None) -> ServerControl:
    """docker compose stop/start of one service of tests/docker-compose.yml (pytest-docker's
    project is named pytest<pid>). The host port is published anew at start: a service that
    comes back on another port fails loudly, since the stack's clients know the old one."""
    import os

    name = project or f"pytest{os.getpid()}"
    compose = ["docker", "compose", "-f", str(COMPOSE_FILE), "-p", name]
    host_port = _stack_ports(stack)[service]

    def _stop() -> None:
        subprocess.run([*compose, "stop", service], check=True, capture_output=True, timeout=120)

    def _start() -> None:
        subprocess.run([*compose, "start", service], check=True, capture_output=True, timeout=120)
        published = subprocess.run(
            [*compose, "port", service, str(_CONTAINER_PORTS[service])],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout.strip()
        if not published.endswith(f":{host_port}"):
            raise StackError(f"{service} came back on {published}, not on port {host_port}")
        wait_for(lambda: port_open(host_port, stack.db_host), service, 60, None)

    return ServerControl(service, _stop, _start)


def _stack_ports(stack: Stack) -> dict[str, int]:
    return {
        "postgres": stack.db_port,
        "redis": int(stack.redis_url.rsplit(":", 1)[1].split("/", 1)[0]),
        "moto": int(stack.aws_endpoint_url.rsplit(":", 1)[1]),
    }
