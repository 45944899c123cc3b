"""One retry policy for every AWS call: which failures are worth another try, and the backoff.

botocore's own retries are off (ops.Deps.for_region), so this is the only layer. A failure is
transient when AWS says so (throttling, busy, 5xx) or when the request may never have arrived
(connection refused or reset, DNS, connect/read timeout). Everything else is raised at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential, wait_random

if TYPE_CHECKING:
    from collections.abc import Callable

    from tenacity import RetryCallState

    from lego_traffic.clock import Clock

T = TypeVar("T")
# Route53 allows 5 requests/s per account, CloudWatch GetMetricData 50/s: throttling and busy codes.
TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "PriorRequestNotComplete",
        "RequestLimitExceeded",
        "RequestTimeout",
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
        "InternalServiceError",
    }
)
MAX_ATTEMPTS = 6  # waits 0.5, 1, 2, 4, 8 s (+ jitter): about 16 s in all


def is_transient(exc: BaseException) -> bool:
    """Worth another try: throttled, busy, a 5xx, or the connection failed or timed out."""
    if isinstance(exc, ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return exc.response.get("Error", {}).get("Code") in TRANSIENT_CODES or status >= 500
    # EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError, ...
    return isinstance(exc, BotoConnectionError | HTTPClientError)


def describe(exc: BaseException) -> str:
    """The AWS error code, or the connection failure, in a few words."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "error"))
    return f"{type(exc).__name__} ({exc})"


def call_with_retry(
    clock: Clock,
    fn: Callable[[], T],
    *,
    service: str,
    on_retry: Callable[[str], None] | None = None,
    attempts: int = MAX_ATTEMPTS,
    until: float | None = None,
) -> T:
    """Run one AWS call, retrying transient failures with backoff 0.5, 1, 2, 4, 8 s + jitter.

    `attempts` bounds the tries; with `until` (a clock time) it retries until then instead: a
    rollback keeps trying for as long as it is allowed to, not for six tries.
    """

    def stop(state: RetryCallState) -> bool:
        if until is not None:
            return clock.now() + (state.upcoming_sleep or 0.0) >= until
        return bool(stop_after_attempt(attempts)(state))

    def before_sleep(state: RetryCallState) -> None:
        if on_retry is None or state.outcome is None:
            return
        exc = state.outcome.exception()
        assert exc is not None
        n = state.attempt_number
        left = f"{n}/{attempts - 1}" if until is None else f"{n}, {until - clock.now():.0f} s left"
        on_retry(
            f"{service} answered {describe(exc)}; retry {left} in {state.upcoming_sleep:.1f} s"
        )

    retrying = Retrying(
        retry=retry_if_exception(is_transient),
        wait=wait_exponential(multiplier=0.5, max=8.0) + wait_random(0, 0.5),
        stop=stop,
        sleep=clock.sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    return retrying(fn)
