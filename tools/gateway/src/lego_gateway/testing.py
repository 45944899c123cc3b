"""Test helpers for the local stack: `lego-dev serve` (what `make dev` runs) as a subprocess on
a free port, reached over HTTP with real tokens from its Cognito pool (e2e tests, benchmarks)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import psutil

from lego_devstack.stack import free_port, port_open
from lego_gateway.cognito import UserPool, token_for

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

READY_TIMEOUT_S = 300  # the Docker stack waits for OpenSearch
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def service_ports(state: dict[str, Any]) -> list[int]:
    """The ports of the services a stack started (PostgreSQL, Redis, moto)."""
    return [
        int(state["db_port"]),
        int(state["redis_url"].rsplit(":", 1)[1].split("/", 1)[0]),
        int(state["aws_endpoint_url"].rsplit(":", 1)[1]),
    ]


def process_ended(pid: int) -> bool:
    """Whether `pid` has exited: gone, or a zombie its parent has not reaped yet.

    One call, not `pid_exists` then `status`: the parent may reap the process between the two.
    """
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_ready(process: subprocess.Popen[bytes], stdout: Path, state: Path) -> str:
    """The ready line, once the stack printed it; fails with the log tail if it died first."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        first = stdout.read_text(errors="replace").split("\n", 1)[0]
        if first.startswith("LEGO Projects API on ") and state.exists():
            return first
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"the local stack did not become ready:\n{stdout.read_text()[-3000:]}")


@dataclass
class LocalApi:
    """A running local stack: its URL, state file contents and a token per user."""

    url: str
    state: dict[str, Any]
    client: httpx.Client
    _tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    def token(self, user: str, token_use: str = "access") -> str:
        key = (user, token_use)
        if key not in self._tokens:
            pool = UserPool(self.state["user_pool_id"], self.state["client_id"], "us-east-1")
            self._tokens[key] = token_for(pool, self.state["aws_endpoint_url"], user, token_use)
        return self._tokens[key]

    def call(
        self, method: str, path: str, user: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if user is not None:
            headers["authorization"] = f"Bearer {self.token(user)}"
        return self.client.request(method, path, headers=headers, **kwargs)


@contextlib.contextmanager
def running_stack(
    tmp: Path, port: int | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[LocalApi]:
    """`lego-dev serve` as a child process; SIGTERM at the end, services checked gone."""
    port = port or free_port()
    state_path = tmp / "dev-stack.json"
    stdout = tmp / "stdout.log"
    env = {
        **os.environ,
        **AWS_ENV,
        "LEGO_DEV_STATE": str(state_path),
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    with stdout.open("wb") as out, (tmp / "stderr.log").open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "lego_gateway.cli", "serve", "--port", str(port)],
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    try:
        wait_ready(process, stdout, state_path)
        state = json.loads(state_path.read_text())
        with httpx.Client(base_url=state["url"], timeout=30) as client:
            yield LocalApi(state["url"], state, client)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    ports = service_ports(state)
    assert not any(port_open(p) for p in ports), f"services still listening on {ports}"
