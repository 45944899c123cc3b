"""Lambda-like containers: one worker process per concurrent invocation of a function.

A container imports one function's handler when it starts (the init phase of a real cold
start), reports how that went, keeps its clients (one database connection, one Redis client)
across invocations and runs one event at a time, as a Lambda execution environment does. A
function gets up to `max_per_function` containers, so a slow request (an S3 delete through
moto) does not hold up the others.

Hot reload (lego_gateway.reload) bumps a function's generation: idle containers of an older
generation stop at once, busy ones when their invocation ends, and one new container is
started ahead of the next request. That one forks from a fork server that imported the
third-party libraries once (RELOAD_PRELOAD) and imports our code afresh: ~0.1 s instead of a
full cold start; every other container starts as a fresh interpreter (a real cold start).
An init failure (a syntax or import error) is reported by the container, which then exits:
every request answers InitFailedError until a save fixes it.

Nothing outlives the gateway: a container asks the kernel for SIGKILL when the thread that
started it dies (PR_SET_PDEATHSIG), and containers are started from one long-lived thread, so
that thread is the gateway process's lifetime (request threads come and go). The fork server
exits when the gateway dies (multiprocessing's alive pipe), and takes its children with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

# Lambda's init phase may take up to 10 s before the invocation fails.
INIT_TIMEOUT_S = 10.0
# Third-party libraries a reload does not change: containers started by a reload fork from a
# server that imported them once, and import only our code (lego_common, the handler) afresh.
RELOAD_PRELOAD = [
    "psycopg",
    "redis",
    "pydantic",
    "structlog",
    "boto3",
    "botocore.client",
    "opensearchpy",
    "PIL.Image",
]


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class ContainerCrashedError(RuntimeError):
    """The container died during the invocation (a Lambda runtime error)."""


class FunctionTimedOutError(ContainerCrashedError):
    """The invocation ran past its limit; the container was killed (Lambda's hard stop)."""

    def __init__(self, function: str, limit_s: float) -> None:
        super().__init__(f"Task timed out after {limit_s:.2f} seconds ({function})")
        self.function = function
        self.limit_s = limit_s


class InitFailedError(RuntimeError):
    """The handler module could not be imported (Runtime.ImportModuleError); traceback inside."""


class HandlerRaisedError(RuntimeError):
    """The handler raised: the container is fine, the invocation failed (traceback inside)."""


def _serve(function: str, module_name: str, conn: Connection) -> None:
    """A container's main loop (in the worker process): init, report, then one event at a time."""
    import importlib

    from lego_devstack.lifetime import die_with_parent

    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the gateway decides when containers stop
    os.environ["AWS_LAMBDA_FUNCTION_NAME"] = function
    try:
        module = importlib.import_module(module_name)
        handler = module.lambda_handler
        routes = getattr(module, "ROUTES", None)
    except BaseException:  # SyntaxError, ImportError, an exception at import: an init failure
        conn.send(("init_error", traceback.format_exc()))
        return
    conn.send(("ready", sorted(routes) if routes is not None else None))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        event, context = message
        try:
            conn.send(("ok", handler(event, context)))
        except Exception:
            conn.send(("error", traceback.format_exc()))


@dataclass
class _Container:
    function: str
    process: BaseProcess
    conn: Connection
    generation: int
    routes: list[str] | None = None

    def alive(self) -> bool:
        return self.process.is_alive()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.send(None)
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)
        self.conn.close()

    def kill(self) -> None:
        """Lambda's hard stop: no clean-up in the container."""
        with contextlib.suppress(Exception):
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class ContainerPool:
    """Idle containers per function; a new one starts when all are busy, up to the maximum."""

    def __init__(self, max_per_function: int = 2) -> None:
        self.max_per_function = max_per_function
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._reload_context = multiprocessing.get_context("forkserver")
        self._reload_context.set_forkserver_preload(RELOAD_PRELOAD)
        # One long-lived thread starts every container (see the module docstring).
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lambda-spawner")
        self._cond = threading.Condition()
        self._idle: dict[str, list[_Container]] = {}
        self._count: dict[str, int] = {}
        self._generation: dict[str, int] = {}
        self._routes: dict[str, tuple[int, list[str] | None]] = {}
        self._warming: set[str] = set()
        # The traceback of the current generation's import failure: the code only changes
        # with a save (a new generation), so later requests answer it without a new container.
        self._init_failure: dict[str, tuple[int, str]] = {}
        self._all: list[_Container] = []
        self._closed = False

    # --- starting ------------------------------------------------------------------------------

    def start_reload_server(self) -> None:
        """Start the fork server for reloads now (in the background), not at the first save."""
        from multiprocessing import forkserver

        self._spawner.submit(forkserver.ensure_running)

    def _spawn(
        self, function: str, module_name: str, reloaded: bool
    ) -> tuple[BaseProcess, Connection]:
        # A first start is a real cold start (a fresh interpreter); a reload's is quicker.
        context: Any = self._reload_context if reloaded else self._context
        parent, child = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(function, module_name, child),
            name=f"lambda-{function}",
            daemon=True,
        )
        process.start()
        child.close()
        return process, parent

    def _start(
        self, function: str, module_name: str, generation: int, reloaded: bool = False
    ) -> _Container:
        """A new container, initialised: InitFailedError when its handler does not import."""
        spawned = self._spawner.submit(self._spawn, function, module_name, reloaded)
        process, conn = spawned.result()
        container = _Container(function, process, conn, generation)
        try:
            if not conn.poll(INIT_TIMEOUT_S):
                raise InitFailedError(f"{function}: init did not finish in {INIT_TIMEOUT_S:.0f} s")
            status, value = conn.recv()
        except (EOFError, OSError) as exc:
            container.kill()
            raise InitFailedError(f"{function}: the container died during init ({exc!r})") from None
        except BaseException:
            container.kill()
            raise
        if status != "ready":
            container.kill()
            with self._cond:
                self._init_failure[function] = (generation, value)
            raise InitFailedError(value)
        container.routes = value
        with self._cond:
            self._routes[function] = (generation, value)
        return container

    def _acquire(self, function: str, module_name: str) -> _Container:
        with self._cond:
            while True:
                if self._closed:
                    raise ContainerCrashedError("the gateway is stopping")
                current = self._generation.get(function, 0)
                failure = self._init_failure.get(function)
                if failure is not None and failure[0] == current:
                    raise InitFailedError(failure[1])
                container = self._pop_idle(function, current)
                if container is not None:
                    return container
                # A container being warmed after a reload is nearly ready: wait for it rather
                # than start a second one on a 2-core machine.
                if function in self._warming:
                    self._cond.wait(0.05)
                    continue
                if self._count.get(function, 0) < self.max_per_function:
                    self._count[function] = self._count.get(function, 0) + 1
                    break
                self._cond.wait()
        return self._started(function, module_name, current)

    def _pop_idle(self, function: str, generation: int) -> _Container | None:
        """An idle container of generation, if any; stale or dead ones stop (lock held)."""
        idle = self._idle.setdefault(function, [])
        while idle:
            container = idle.pop()
            if container.alive() and container.generation == generation:
                return container
            self._forget(container)
            threading.Thread(target=container.stop, daemon=True).start()
        return None

    def acquire_idle(self, function: str) -> _Container | None:
        """An idle container of the current code without waiting or starting one; None when
        there is none (or an init failure to report): then invoke() decides."""
        with self._cond:
            if self._closed or function in self._warming:
                return None
            current = self._generation.get(function, 0)
            failure = self._init_failure.get(function)
            if failure is not None and failure[0] == current:
                return None
            return self._pop_idle(function, current)

    def known_routes(self, function: str) -> tuple[bool, list[str] | None]:
        """(known, ROUTES keys) of the current code, without starting a container."""
        with self._cond:
            known = self._routes.get(function)
            if known is not None and known[0] == self._generation.get(function, 0):
                return True, known[1]
        return False, None

    def _started(
        self, function: str, module_name: str, generation: int, reloaded: bool = False
    ) -> _Container:
        """Start a container in a slot already counted; the slot is freed if it fails."""
        try:
            container = self._start(function, module_name, generation, reloaded)
        except BaseException:
            with self._cond:
                self._count[function] -= 1
                self._cond.notify_all()
            raise
        with self._cond:
            self._all.append(container)
        return container

    def _forget(self, container: _Container) -> None:
        """Drop a container from the books (the condition's lock is held)."""
        self._count[container.function] -= 1
        if container in self._all:
            self._all.remove(container)

    def _release(self, container: _Container, healthy: bool, wait: bool = True) -> None:
        """Back to the idle list, or stopped (killed when unhealthy); with wait=False the stop
        runs in a thread (the event loop must not block on a process join)."""
        with self._cond:
            fresh = container.generation == self._generation.get(container.function, 0)
            keep = healthy and fresh and not self._closed
            if keep:
                self._idle.setdefault(container.function, []).append(container)
            else:
                self._forget(container)
            self._cond.notify_all()
        if not keep:
            end = container.stop if healthy else container.kill
            if wait:
                end()
                return
            if not healthy:
                container.process.kill()  # the hard stop at once; only the join waits
            threading.Thread(target=end, daemon=True).start()

    # --- invoking ------------------------------------------------------------------------------

    def routes(self, function: str, module_name: str) -> list[str] | None:
        """The ROUTES keys the function's current code declares (a container reports them at
        init, so the gateway never imports handler code); InitFailedError when it does not
        import."""
        known, routes = self.known_routes(function)
        if known:
            return routes
        container = self._acquire(function, module_name)
        self._release(container, healthy=True)
        return container.routes

    def invoke(
        self, function: str, module_name: str, event: Any, context: Any, timeout_s: float
    ) -> Any:
        """Run one event in a container of function; its result, or an error. Past timeout_s
        the container is killed, as Lambda stops a function at its timeout."""
        container = self._acquire(function, module_name)
        healthy = False
        try:
            container.conn.send((event, context))
            if not container.conn.poll(timeout_s):
                raise FunctionTimedOutError(function, timeout_s)
            status, value = container.conn.recv()
            healthy = True
        except (EOFError, OSError) as exc:
            raise ContainerCrashedError(f"the {function} container died: {exc!r}") from None
        finally:
            self._release(container, healthy)
        if status == "error":
            raise HandlerRaisedError(value)
        return value

    async def invoke_acquired(
        self, container: _Container, event: Any, context: Any, timeout_s: float
    ) -> Any:
        """invoke() on a container acquire_idle() gave, awaiting its answer on the running
        event loop: no worker thread, so a request crosses two thread wake-ups fewer, each
        ~0.3-0.5 ms on this VM when the CPU was idle (docs/capacity.md)."""
        loop = asyncio.get_running_loop()
        healthy = False
        try:
            container.conn.send((event, context))  # small events only: the pipe takes them
            answered: asyncio.Future[None] = loop.create_future()
            fd = container.conn.fileno()
            loop.add_reader(fd, _resolve, answered)
            try:
                await asyncio.wait_for(answered, timeout_s)
            except TimeoutError:
                raise FunctionTimedOutError(container.function, timeout_s) from None
            finally:
                loop.remove_reader(fd)
                # uvloop (libuv) made the pipe non-blocking: a large answer read, or a large
                # event written, would then stop half way with EAGAIN
                os.set_blocking(fd, True)
            status, value = container.conn.recv()  # readable: the answer (or EOF) is there
            healthy = True
        except (EOFError, OSError) as exc:
            raise ContainerCrashedError(
                f"the {container.function} container died: {exc!r}"
            ) from None
        finally:
            self._release(container, healthy, wait=False)
        if status == "error":
            raise HandlerRaisedError(value)
        return value

    # --- hot reload ----------------------------------------------------------------------------

    def running_functions(self) -> set[str]:
        """Functions with at least one container (started or starting)."""
        with self._cond:
            return {function for function, count in self._count.items() if count > 0}

    def reload(self, function: str, module_name: str, warm: bool = True) -> None:
        """New code for function: retire its containers and, when warm, start one with it.

        Idle containers stop now, busy ones when their invocation ends; the new container's
        init runs on the caller's thread (the reloader's) and a request arriving meanwhile
        waits for it rather than paying a second cold start. An init failure is raised for
        the caller to show."""
        with self._cond:
            self._generation[function] = self._generation.get(function, 0) + 1
            self._routes.pop(function, None)
            self._init_failure.pop(function, None)
            generation = self._generation[function]
            stale = self._idle.pop(function, [])
            for container in stale:
                self._forget(container)
            warm = warm and not self._closed
            if warm:
                self._count[function] = self._count.get(function, 0) + 1
                self._warming.add(function)
        for container in stale:  # in the background: the new container need not wait
            threading.Thread(target=container.stop, daemon=True).start()
        if not warm:
            return
        try:
            container = self._started(function, module_name, generation, reloaded=True)
        finally:
            with self._cond:
                self._warming.discard(function)
                self._cond.notify_all()
        self._release(container, healthy=True)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            containers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._cond.notify_all()
        deadline = time.monotonic() + 5
        for container in containers:
            if time.monotonic() > deadline:
                container.kill()
            else:
                container.stop()
        self._spawner.shutdown(wait=False)
        self._stop_reload_server()

    @staticmethod
    def _stop_reload_server() -> None:
        """Stop the fork server and wait for it. It would exit by itself just after this
        process, but whoever checks that nothing is left must not race it. `_stop` is the
        stdlib's own (its tests use it); if it ever goes, the server still exits on its own."""
        from multiprocessing import forkserver

        stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
        if callable(stop):
            with contextlib.suppress(Exception):
                stop()
