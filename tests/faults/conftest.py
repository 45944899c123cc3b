"""The fault suite's stack (issue 18): the lego_stack services, Redis behind a fault proxy, and
the local gateway serving the real handlers in this process (so a test can inject the breaker's
clock and capture logs), reached over HTTP with real tokens from the local Cognito pool."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
import pytest

from lego_devstack.faults import FaultProxy, ManualClock
from lego_devstack.stack import free_port
from lego_gateway.testing import LocalApi

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lego_devstack.stack import Stack


@dataclass
class FaultStack:
    api: LocalApi
    redis_proxy: FaultProxy
    stack: Stack


def _host_port(url: str) -> tuple[str, int]:
    netloc = httpx.URL(url).netloc.decode()
    host, _, port = netloc.rpartition(":")
    return host, int(port)


@pytest.fixture(scope="session")
def fault_stack(lego_stack: Stack) -> Iterator[FaultStack]:
    from lego_common import cache
    from lego_devstack import applied_env
    from lego_gateway.app import create_app
    from lego_gateway.cognito import create_pool
    from lego_gateway.stack import ServerThread, build_gateway, function_env

    assert lego_stack.redis_url is not None
    redis_host, redis_port = _host_port(lego_stack.redis_url)
    with FaultProxy((redis_host, redis_port)) as proxy:
        pool = create_pool(lego_stack.aws_endpoint_url)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = function_env(lego_stack, pool, url) | {
            "REDIS_URL": f"redis://127.0.0.1:{proxy.port}/0",
        }
        with applied_env(env):
            server = ServerThread(
                create_app(build_gateway(lego_stack, pool, in_process=True)), "127.0.0.1", port
            )
            server.start()
            state = {
                "user_pool_id": pool.pool_id,
                "client_id": pool.client_id,
                "aws_endpoint_url": lego_stack.aws_endpoint_url,
            }
            try:
                with httpx.Client(base_url=url, timeout=30) as client:
                    yield FaultStack(LocalApi(url, state, client), proxy, lego_stack)
            finally:
                server.stop()
                cache.reset()


@pytest.fixture
def faults(fault_stack: FaultStack, services: Stack) -> Iterator[FaultStack]:
    """The fault stack with fresh clients (a new container) and Redis healed after the test."""
    yield fault_stack
    fault_stack.redis_proxy.heal()


@pytest.fixture
def clock(faults: FaultStack) -> ManualClock:
    """The cache breaker's clock (and so the outbox sweep's), moved by the test."""
    from lego_common import cache

    manual = ManualClock()
    cache.breaker().clock = manual
    return manual
