"""The local stack `make dev` runs: the test stack's services (Docker compose where Docker
answers, native servers otherwise), migrated, with the bucket and a Cognito pool, and the
gateway serving the real handlers in front of them."""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lego_gateway import paths
from lego_gateway.app import Gateway
from lego_gateway.auth import JwtAuthorizer
from lego_gateway.cognito import UserPool, create_pool
from lego_gateway.containers import ContainerPool
from lego_gateway.functions import FunctionRegistry, discover_functions, load_function_settings
from lego_gateway.routes import RouteTable

if TYPE_CHECKING:
    import contextlib
    from collections.abc import Callable
    from pathlib import Path

    import uvicorn

    from lego_devstack.stack import Stack

# Every process we start, and the handlers we run, see dummy credentials and no IMDS.
AWS_DEFAULTS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def function_env(stack: Stack, pool: UserPool, gateway_url: str) -> dict[str, str]:
    """The environment of every function locally: the stack's, plus what Terraform would set
    for the pool and the async target, with Lambda's Invoke API pointed at the gateway."""
    return {
        **stack.env(),
        "COGNITO_USER_POOL_ID": pool.pool_id,
        "CSV_PARSER_FUNCTION_NAME": "csv_parser",
        "AWS_ENDPOINT_URL_LAMBDA": gateway_url,
        "SERVICE_NAME": "lego-projects-api",
        "DEPLOY_COLOUR": "green",
        "APP_VERSION": "local",
    }


def prepare(stack: Stack) -> UserPool:
    """Migrate and create the bucket as the tests do, then the user pool (the env must already
    point at stack)."""
    from lego_devstack.stack import prepare as prepare_services

    prepare_services(stack)
    return create_pool(stack.aws_endpoint_url)


def build_gateway(
    stack: Stack,
    pool: UserPool,
    handlers: dict[str, Callable[[dict[str, Any], Any], Any]] | None = None,
    *,
    containers: int = 2,
    in_process: bool = False,
) -> Gateway:
    """The gateway for stack and pool: each function in its own container processes (up to
    `containers` at once per function), or all in this process when in_process."""
    return Gateway(
        routes=RouteTable.load(paths.routes_file()),
        authorizer=JwtAuthorizer(
            issuer=pool.issuer,
            audiences=frozenset({pool.client_id}),
            jwks_url=pool.jwks_url(stack.aws_endpoint_url),
        ),
        functions=FunctionRegistry(
            discover_functions(paths.functions_dir()),
            handlers,
            containers=None if in_process else ContainerPool(max_per_function=containers),
            settings=load_function_settings(paths.stack_variables_file()),
        ),
        spec_path=paths.spec_file(),
    )


@dataclass
class ServerThread:
    """uvicorn on a background thread; the caller's thread keeps its signal handlers."""

    app: Any
    host: str
    port: int
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    error: BaseException | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout_s: float = 30) -> None:
        import uvicorn

        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self.port,
            log_level="warning",
            access_log=False,  # the gateway logs one line per request itself
            # C parser and event loop: h11 and asyncio's loop were a third of the gateway's
            # CPU per request under load (docs/capacity.md)
            http="httptools",
            proxy_headers=False,  # loopback only: no proxy in front to trust
            loop="uvloop",
            lifespan="off",
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)
        server = self.server

        def _run() -> None:
            try:
                server.run()
            except BaseException as exc:  # surfaced by start(); SystemExit on bind errors
                self.error = exc

        self.thread = threading.Thread(target=_run, name="gateway", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the gateway could not listen on {self.url} (port in use?): {self.error!r}"
                )
            time.sleep(0.02)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(10)


def services() -> contextlib.AbstractContextManager[Stack]:
    """The services, the way the tests get them (LEGO_STACK=auto|docker|native)."""
    from lego_devstack.stack import running

    return running()


def write_state(path: Path, stack: Stack, pool: UserPool, url: str) -> None:
    """What `make token` and scripts need to reach this stack (local-only values)."""
    state = {
        "url": url,
        "pid": os.getpid(),
        "mode": stack.mode,
        "aws_endpoint_url": stack.aws_endpoint_url,
        "region": pool.region,
        "user_pool_id": pool.pool_id,
        "client_id": pool.client_id,
        "issuer": pool.issuer,
        "db_host": stack.db_host,
        "db_port": stack.db_port,
        "redis_url": stack.redis_url,
        "opensearch_url": stack.opensearch_url,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n")
    tmp.replace(path)


def read_state(path: Path) -> dict[str, Any]:
    try:
        state: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise SystemExit(f"no local stack: {path} is missing; start one with `make dev`") from None
    return state
