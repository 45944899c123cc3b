"""Lambda-like containers: one worker process per concurrent invocation of a function.

A container imports one function's handler (a real cold start), keeps its clients (one
database connection, one Redis client) across invocations and runs one event at a time, as a
Lambda execution environment does. A function gets up to `max_per_function` containers, so a
slow request (an S3 delete through moto) does not hold up the others. Containers read their
events from a pipe and exit when the gateway closes it or dies.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess


class ContainerCrashedError(RuntimeError):
    """The container died or timed out during the invocation (a Lambda runtime error)."""


class HandlerRaisedError(RuntimeError):
    """The handler raised: the container is fine, the invocation failed (traceback inside)."""


def _serve(function: str, module_name: str, conn: Connection) -> None:
    """A container's main loop (in the worker process)."""
    import importlib

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the gateway decides when containers stop
    os.environ["AWS_LAMBDA_FUNCTION_NAME"] = function
    handler = None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        event, context = message
        try:
            if handler is None:
                handler = importlib.import_module(module_name).lambda_handler
            conn.send(("ok", handler(event, context)))
        except Exception:
            conn.send(("error", traceback.format_exc()))


@dataclass
class _Container:
    function: str
    process: BaseProcess
    conn: Connection

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


class ContainerPool:
    """Idle containers per function; a new one starts when all are busy, up to the maximum."""

    def __init__(self, max_per_function: int = 2, timeout_s: float = 30) -> None:
        self.max_per_function = max_per_function
        self.timeout_s = timeout_s
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._cond = threading.Condition()
        self._idle: dict[str, list[_Container]] = {}
        self._count: dict[str, int] = {}
        self._all: list[_Container] = []
        self._closed = False

    def _start(self, function: str, module_name: str) -> _Container:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve,
            args=(function, module_name, child),
            name=f"lambda-{function}",
            daemon=True,
        )
        process.start()
        child.close()
        return _Container(function, process, parent)

    def _acquire(self, function: str, module_name: str) -> _Container:
        with self._cond:
            while True:
                if self._closed:
                    raise ContainerCrashedError("the gateway is stopping")
                idle = self._idle.setdefault(function, [])
                while idle:
                    container = idle.pop()
                    if container.alive():
                        return container
                    self._forget(container)
                if self._count.get(function, 0) < self.max_per_function:
                    self._count[function] = self._count.get(function, 0) + 1
                    break
                self._cond.wait()
        try:
            container = self._start(function, module_name)
        except BaseException:
            with self._cond:
                self._count[function] -= 1
                self._cond.notify_all()
            raise
        with self._cond:
            self._all.append(container)
        return container

    def _forget(self, container: _Container) -> None:
        """Drop a dead container (the condition's lock is held)."""
        self._count[container.function] -= 1
        if container in self._all:
            self._all.remove(container)

    def _release(self, container: _Container, healthy: bool) -> None:
        with self._cond:
            if healthy and not self._closed:
                self._idle[container.function].append(container)
            else:
                self._forget(container)
            self._cond.notify_all()
        if not healthy:
            container.stop()

    def invoke(self, function: str, module_name: str, event: Any, context: Any) -> Any:
        """Run one event in a container of function; its result, or an error."""
        container = self._acquire(function, module_name)
        healthy = False
        try:
            container.conn.send((event, context))
            if not container.conn.poll(self.timeout_s):
                raise ContainerCrashedError(
                    f"Task timed out after {self.timeout_s:.2f} seconds ({function})"
                )
            status, value = container.conn.recv()
            healthy = True
        except (EOFError, OSError, BrokenPipeError) as exc:
            raise ContainerCrashedError(f"the {function} container died: {exc!r}") from None
        finally:
            self._release(container, healthy)
        if status == "error":
            raise HandlerRaisedError(value)
        return value

    def close(self) -> None:
        with self._cond:
            self._closed = True
            containers = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._cond.notify_all()
        deadline = time.monotonic() + 5
        for container in containers:
            container.stop()
            if time.monotonic() > deadline:
                break
