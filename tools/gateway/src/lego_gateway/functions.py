"""The functions, found lazily and run the way Lambda runs them.

Every handler is `lego_<function>.handler.lambda_handler`. By default each invocation runs in
a container process of its function (lego_gateway.containers: per-function cold start, clients
kept, one event at a time, several containers when requests overlap). Without a pool (tests
that inject fake handlers), handlers run in this process one at a time, because lego_common's
clients are per process. Asynchronous (Event) invocations run on a background thread.

Each function's timeout and memory come from the Terraform functions map
(terraform/modules/stack/variables.tf, the one place they are set). A container is killed at
its function's timeout, and an API request waits at most API Gateway's 30 s integration
timeout: the answers are API Gateway's (FailedInvocationError: 500 for a Lambda error or
timeout, 502 for an init failure, 503 for the integration timeout).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import os
import threading
import time
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lego_gateway.containers import FunctionTimedOutError, InitFailedError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from pathlib import Path

    from lego_gateway.containers import ContainerPool

log = logging.getLogger("lego_gateway")

# API Gateway HTTP API's maximum integration timeout (terraform/modules/api timeout_milliseconds);
# the variable shortens it for the gateway's own tests only.
INTEGRATION_TIMEOUT_S = float(os.environ.get("LEGO_GATEWAY_INTEGRATION_TIMEOUT_S", "30"))
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MEMORY_MB = 1024
# An API event up to this size goes to an idle container straight from the event loop; a larger
# one through a worker thread, as writing it to the pipe may block until the container reads.
ASYNC_EVENT_MAX = 256 * 1024


@dataclass(frozen=True, slots=True)
class FunctionSettings:
    """What the Terraform functions map says about one function (the local gateway's share)."""

    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_mb: int = DEFAULT_MEMORY_MB


def load_function_settings(variables_tf: Path) -> dict[str, FunctionSettings]:
    """timeout_s and memory_mb of every function in the default of the stack module's
    `functions` variable, parsed with python-hcl2 (the HCL is the single source)."""
    import hcl2

    with variables_tf.open() as handle:
        document = hcl2.load(handle)
    for block in document.get("variable", []):
        for name, body in block.items():
            if name.strip('"') == "functions":
                return {
                    function: FunctionSettings(float(entry["timeout_s"]), int(entry["memory_mb"]))
                    for function, entry in body["default"].items()
                }
    raise LookupError(f"no `functions` variable in {variables_tf}")


class FailedInvocationError(RuntimeError):
    """The invocation failed in a way API Gateway answers itself: status and message of its
    {"message": ...} body (the traceback goes to the terminal, never to the client)."""

    def __init__(self, status: int, message: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.message = message


def _wait_s(settings: FunctionSettings, event: Mapping[str, Any]) -> float:
    """How long the caller waits: the function's timeout, and at most API Gateway's for an API
    request."""
    if _is_http_api_event(event):
        return min(settings.timeout_s, INTEGRATION_TIMEOUT_S)
    return settings.timeout_s


def _is_http_api_event(event: Any) -> bool:
    """An API Gateway payload 2.0 event (the API), not a direct Invoke payload."""
    return isinstance(event, dict) and event.get("version") == "2.0" and "routeKey" in event


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
        containers: ContainerPool | None = None,
        settings: Mapping[str, FunctionSettings] | None = None,
    ) -> None:
        self.functions = set(functions) | set(handlers or {})
        self._handlers: dict[str, Callable[[dict[str, Any], Any], Any]] = dict(handlers or {})
        self._routes: dict[str, set[str] | None] = {}
        self._import_lock = threading.Lock()
        self._invoke_lock = threading.Lock()
        self._background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="lambda-event")
        self._pending: set[Future[None]] = set()
        self.settings: dict[str, FunctionSettings] = dict(settings or {})
        self.containers = containers
        self._injected = set(handlers or {})
        self._handler_found: set[str] = set()
        self._init_failures_shown: dict[str, str] = {}

    def has_handler(self, function: str) -> bool:
        """True when lego_<function>.handler exists (without importing it); a yes is kept
        (a handler file does not go away while lego-dev runs), a no is asked again."""
        if function in self._handlers or function in self._handler_found:
            return True
        try:
            found = importlib.util.find_spec(handler_module(function)) is not None
        except ModuleNotFoundError:  # the package lego_<function> itself is absent
            return False
        if found:
            self._handler_found.add(function)
        return found

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

    def _in_containers(self, function: str) -> bool:
        return self.containers is not None and function not in self._injected

    def implements(self, function: str, route_key: str) -> bool:
        """A route is implemented when its handler exists and its ROUTES names the route.
        With containers, a container reports ROUTES (this process never imports handler
        code, so a reload is seen); a handler that fails to import counts as implemented,
        and its invocation answers the init failure."""
        if self.containers is not None and function not in self._injected:
            if function not in self.functions:
                return False
            if not self.has_handler(function):
                return False
            try:
                routes = self.containers.routes(function, handler_module(function))
            except InitFailedError:
                return True
            return routes is None or route_key in routes
        try:
            self._load(function)
        except (FunctionNotFoundError, NotImplementedRouteError):
            return False
        routes_known = self._routes.get(function)
        return routes_known is None or route_key in routes_known

    def invoke(self, function: str, event: dict[str, Any], request_id: str | None = None) -> Any:
        """Run the handler synchronously (RequestResponse) and return its result.

        In a container, the function's timeout is enforced (the container is killed) and an
        API request is also bounded by API Gateway's 30 s; either raises FailedInvocationError
        with API Gateway's answer, as does an init failure."""
        settings = self.settings.get(function, FunctionSettings())
        context = self._context(function, settings, request_id)
        if self.containers is None or function in self._injected:
            handler = self._load(function)
            with self._invoke_lock:
                return handler(event, context)
        self.check_invocable(function)
        wait_s = _wait_s(settings, event)
        with self._api_gateway_answers(function, settings, wait_s):
            return self.containers.invoke(
                function, handler_module(function), event, context, wait_s
            )

    def idle_container(self, function: str, route_key: str, event: dict[str, Any]) -> Any:
        """A warm, idle container for an API request that invoke_on() can run without a
        thread, or None (not in containers, routes not known yet, none idle, a large event):
        then implements() and invoke() in a thread. NotImplementedRouteError when the
        function's known ROUTES lack route_key."""
        if not self._in_containers(function) or len(event.get("body") or "") > ASYNC_EVENT_MAX:
            return None
        assert self.containers is not None
        known, routes = self.containers.known_routes(function)
        if not known:
            return None
        if routes is not None and route_key not in routes:
            raise NotImplementedRouteError(f"{function} does not implement {route_key}")
        return self.containers.acquire_idle(function)

    async def invoke_on(
        self, container: Any, function: str, event: dict[str, Any], request_id: str
    ) -> Any:
        """invoke() on the container idle_container() gave, awaited on the event loop."""
        assert self.containers is not None
        settings = self.settings.get(function, FunctionSettings())
        wait_s = _wait_s(settings, event)
        context = self._context(function, settings, request_id)
        with self._api_gateway_answers(function, settings, wait_s):
            return await self.containers.invoke_acquired(container, event, context, wait_s)

    @staticmethod
    def _context(function: str, settings: FunctionSettings, request_id: str | None) -> Any:
        return LambdaContext(
            function_name=function,
            aws_request_id=request_id or str(uuid.uuid4()),
            deadline_ms=int(time.time() * 1000 + settings.timeout_s * 1000),
            memory_limit_in_mb=settings.memory_mb,
        )

    @contextlib.contextmanager
    def _api_gateway_answers(
        self, function: str, settings: FunctionSettings, wait_s: float
    ) -> Iterator[None]:
        """An init failure or a timeout as FailedInvocationError with API Gateway's answer."""
        try:
            yield
        except InitFailedError as exc:
            if self._init_failures_shown.get(function) != str(exc):  # once per failure
                self._init_failures_shown[function] = str(exc)
                log.error("function %s failed to initialise:\n%s", function, exc)
            else:
                log.error("function %s failed to initialise (traceback above)", function)
            raise FailedInvocationError(502, "Internal Server Error", "init failed") from None
        except FunctionTimedOutError as exc:
            log.error("function %s: %s", function, exc)
            if wait_s < settings.timeout_s:  # API Gateway gave up first
                raise FailedInvocationError(503, "Service Unavailable", str(exc)) from None
            raise FailedInvocationError(500, "Internal Server Error", str(exc)) from None

    def check_invocable(self, function: str) -> None:
        """FunctionNotFoundError / NotImplementedRouteError now, as Invoke fails at once."""
        if not self._in_containers(function):
            self._load(function)
        elif function not in self.functions:
            raise FunctionNotFoundError(function)
        elif not self.has_handler(function):
            raise NotImplementedRouteError(f"function {function!r} has no handler yet")

    def invoke_event(self, function: str, payload: dict[str, Any]) -> str:
        """Queue an Event invocation (Lambda answers 202 at once); returns its request id."""
        self.check_invocable(function)
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
