"""A synchronous request's deadline: answer 504 GATEWAY_TIMEOUT before anyone gives up on it.

The time left is the shorter of Lambda's (context.get_remaining_time_in_millis()) and API
Gateway's (30 s from when the handler started), less MARGIN_MS to roll back and answer. When it
runs out, a SIGALRM timer interrupts the work in progress with DeadlineExpired, a
KeyboardInterrupt on purpose:
- `except Exception` (a degraded cache or search path) does not swallow it;
- psycopg cancels the running statement on the server for it, so the transaction's block rolls
  back and the connection stays usable: nothing is left half done.
Leaving bounded() turns it into GatewayTimeoutError (seed "Error Codes": GATEWAY_TIMEOUT 504).
Lambda runs a handler on the main thread; elsewhere (a test's thread) no timer is armed.
"""

from __future__ import annotations

import signal
import threading
import time
from typing import TYPE_CHECKING, Any

from lego_common.errors import GatewayTimeoutError

if TYPE_CHECKING:
    from types import FrameType

# API Gateway HTTP API's integration timeout (terraform/modules/api timeout_milliseconds).
API_GATEWAY_TIMEOUT_MS = 30_000
# Time kept to roll back, log and answer once the timer fired.
MARGIN_MS = 1_000
_MAIN_THREAD = threading.main_thread()


class DeadlineExpired(KeyboardInterrupt):
    """The request's time ran out (raised by the timer; see the module docstring)."""


_armed = False
_installed = False
_previous: Any = None


def budget_ms(context: Any, started_ms: float | None = None) -> float:
    """Milliseconds the work may still take (negative when already too late)."""
    started_ms = time.monotonic() * 1000 if started_ms is None else started_ms
    gateway_left = started_ms + API_GATEWAY_TIMEOUT_MS - time.monotonic() * 1000
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    lambda_left = float(remaining()) if callable(remaining) else gateway_left
    return min(lambda_left, gateway_left) - MARGIN_MS


def _expire(signum: int, frame: FrameType | None) -> None:
    if _armed:
        raise DeadlineExpired
    if callable(_previous):  # not ours (the block ended while the signal was on its way)
        _previous(signum, frame)


class _Bounded:
    """The context manager bounded() returns: a class, not a generator (the hot path)."""

    __slots__ = ("_budget_ms", "_context")

    def __init__(self, context: Any) -> None:
        self._context = context
        self._budget_ms: float | None = None

    def __enter__(self) -> None:
        global _armed, _installed, _previous
        if threading.current_thread() is not _MAIN_THREAD:
            return
        budget = budget_ms(self._context)
        if budget <= 0:
            raise GatewayTimeoutError("the request ran out of time before it started")
        if not _installed:  # once per container: signal.signal costs more than the timer
            _previous = signal.signal(signal.SIGALRM, _expire)
            _installed = True
        _armed = True
        signal.setitimer(signal.ITIMER_REAL, budget / 1000)
        self._budget_ms = budget

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> None:
        global _armed
        if self._budget_ms is None:
            return
        _armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        if exc_type is not None and issubclass(exc_type, DeadlineExpired):
            raise GatewayTimeoutError(
                f"the request did not finish within {self._budget_ms / 1000:.1f} s"
            ) from None


def bounded(context: Any) -> _Bounded:
    """Run the block within the request's budget; GatewayTimeoutError when it runs out."""
    return _Bounded(context)
