"""The functions, found lazily and run the way Lambda runs them.

Every handler is `lego_<function>.handler.lambda_handler`. By default each invocation runs in
a container process of its function (lego_gateway.containers: per-function cold start, clients
kept, one event at a time, several containers when requests overlap). Without a pool (tests
that inject fake handlers), handlers run in this process one at a time, because lego_common's
clients are per process. Asynchronous (Event) invocations run on a background thread.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from lego_gateway.containers import ContainerPool

log = logging.getLogger("lego_gateway")


class FunctionNotFoundError(LookupError):
    """No folder under functions/ has this name (Lambda's ResourceNotFoundException)."""


class NotImplementedRouteError(LookupError):
    """The function has no handler yet, or its ROUTES lacks the route."""


@dataclass(frozen=True, slots=True)
class LambdaContext:
    """The attributes of Lambda's context object that handlers read."""

    function_name: str
    aws_request_id: str
    deadline_ms: int
    memory_limit_in_mb: int = 1024
    function_version: str = "$LATEST"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return "local"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self.deadline_ms - int(time.time() * 1000))


def handler_module(function: str) -> str:
    return f"lego_{function}.handler"


def discover_functions(functions_dir: Path) -> set[str]:
    """Every function folder (functions/<name>/pyproject.toml), routed or not (csv_parser)."""
    return {p.parent.name for p in functions_dir.glob("*/pyproject.toml")}


class FunctionRegistry:
    """Lazy handlers by function name, one invocation at a time, Event invocations queued."""

    def __init__(
        self,
        functions: set[str],
        handlers: Mapping[str, Callable[[dict[str, Any], Any], Any]] | None = None,
        timeout_s: int = 30,
        containers: ContainerPool | None = None,
    ) -> None:
        self.functions = set(functions) | set(handlers or {})
        self._handlers: dict[str, Callable[[dict[str, Any], Any], Any]] = dict(handlers or {})
        self._routes: dict[str, set[str] | None] = {}
        self._import_lock = threading.Lock()
        self._invoke_lock = threading.Lock()
        self._background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="lambda-event")
        self._pending: set[Future[None]] = set()
        self.timeout_s = timeout_s
        self.containers = containers
        self._injected = set(handlers or {})

    def has_handler(self, function: str) -> bool:
        """True when lego_<function>.handler exists (without importing it)."""
        if function in self._handlers:
            return True
        try:
            return importlib.util.find_spec(handler_module(function)) is not None
        except ModuleNotFoundError:  # the package lego_<function> itself is absent
            return False

    def _load(self, function: str) -> Callable[[dict[str, Any], Any], Any]:
        if function not in self.functions:
            raise FunctionNotFoundError(function)
        with self._import_lock:
            if function in self._handlers:
                return self._handlers[function]
            if not self.has_handler(function):
                raise NotImplementedRouteError(f"function {function!r} has no handler yet")
            module = importlib.import_module(handler_module(function))
            handler: Callable[[dict[str, Any], Any], Any] = module.lambda_handler
            routes = getattr(module, "ROUTES", None)
            self._routes[function] = set(routes) if routes is not None else None
            self._handlers[function] = handler
            return handler

    def implements(self, function: str, route_key: str) -> bool:
        """A route is implemented when its handler exists and its ROUTES names the route."""
        try:
            self._load(function)
        except (FunctionNotFoundError, NotImplementedRouteError):
            return False
        routes = self._routes.get(function)
        return routes is None or route_key in routes

    def invoke(self, function: str, event: dict[str, Any], request_id: str | None = None) -> Any:
        """Run the handler synchronously (RequestResponse) and return its result."""
        handler = self._load(function)
        context = LambdaContext(
            function_name=function,
            aws_request_id=request_id or str(uuid.uuid4()),
            deadline_ms=int(time.time() * 1000) + self.timeout_s * 1000,
        )
        if self.containers is not None and function not in self._injected:
            return self.containers.invoke(function, handler_module(function), event, context)
        with self._invoke_lock:
            return handler(event, context)

    def invoke_event(self, function: str, payload: dict[str, Any]) -> str:
        """Queue an Event invocation (Lambda answers 202 at once); returns its request id."""
        self._load(function)  # unknown or missing functions fail now, as Invoke does
        request_id = str(uuid.uuid4())

        def _run() -> None:
            started = time.perf_counter()
            try:
                self.invoke(function, payload, request_id)
                outcome = "ok"
            except Exception:
                log.exception("async invocation of %s failed", function)
                outcome = "error"
            log.info(
                "event function=%s requestId=%s outcome=%s latency_ms=%.1f",
                function,
                request_id,
                outcome,
                (time.perf_counter() - started) * 1000,
            )

        future = self._background.submit(_run)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        return request_id

    def wait_for_events(self, timeout_s: float = 30) -> bool:
        """Block until every queued Event invocation has finished (tests); False on timeout."""
        deadline = time.monotonic() + timeout_s
        while self._pending:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def close(self) -> None:
        self._background.shutdown(wait=True, cancel_futures=False)
        if self.containers is not None:
            self.containers.close()
