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

import contextlib
import signal
import threading
import time
from typing import TYPE_CHECKING, Any

from lego_common.errors import GatewayTimeoutError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import FrameType

# API Gateway HTTP API's integration timeout (terraform/modules/api timeout_milliseconds).
API_GATEWAY_TIMEOUT_MS = 30_000
# Time kept to roll back, log and answer once the timer fired.
MARGIN_MS = 1_000


class DeadlineExpired(KeyboardInterrupt):
    """The request's time ran out (raised by the timer; see the module docstring)."""


_armed = False


def budget_ms(context: Any, started_ms: float | None = None) -> float:
    """Milliseconds the work may still take (negative when already too late)."""
    started_ms = time.monotonic() * 1000 if started_ms is None else started_ms
    gateway_left = started_ms + API_GATEWAY_TIMEOUT_MS - time.monotonic() * 1000
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    lambda_left = float(remaining()) if callable(remaining) else gateway_left
    return min(lambda_left, gateway_left) - MARGIN_MS


def _expire(signum: int, frame: FrameType | None) -> None:
    if _armed:  # the block may have ended while the signal was on its way
        raise DeadlineExpired


@contextlib.contextmanager
def bounded(context: Any) -> Iterator[None]:
    """Run the block within the request's budget; GatewayTimeoutError when it runs out."""
    global _armed
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    budget = budget_ms(context)
    if budget <= 0:
        raise GatewayTimeoutError("the request ran out of time before it started")
    previous = signal.signal(signal.SIGALRM, _expire)
    _armed = True
    signal.setitimer(signal.ITIMER_REAL, budget / 1000)
    try:
        yield
    except DeadlineExpired:
        raise GatewayTimeoutError(
            f"the request did not finish within {budget / 1000:.1f} s"
        ) from None
    finally:
        _armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
