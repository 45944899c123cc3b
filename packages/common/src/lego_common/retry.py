"""tenacity policies for transient failures only: bounded in attempts and in total time,
exponential backoff with jitter (seed 001 "Retry Logic"). 4xx answers are never retried."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import tenacity

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

# botocore error codes worth another try; everything else (4xx, validation) fails at once.
_TRANSIENT_AWS_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "PriorRequestNotComplete",
        "SlowDown",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalError",
        "InternalFailure",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


def is_transient(exc: BaseException) -> bool:
    """True for errors another attempt may fix: network failures, throttling, 429 and 5xx."""
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    response = getattr(exc, "response", None)  # botocore ClientError
    if isinstance(response, dict):
        error = response.get("Error") or {}
        status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
        return (
            error.get("Code") in _TRANSIENT_AWS_CODES
            or status == 429
            or (isinstance(status, int) and status >= 500)
        )
    status_code = getattr(exc, "status_code", None)  # opensearch-py TransportError
    if isinstance(status_code, int):
        return status_code == 429 or status_code >= 500
    name = type(exc).__name__
    return name in {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError"}


def policy(
    *,
    attempts: int = 3,
    max_total_s: float = 5.0,
    base_delay_s: float = 0.1,
    max_delay_s: float = 2.0,
    retry_if: Callable[[BaseException], bool] = is_transient,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
) -> tenacity.Retrying:
    """A Retrying: stop after attempts or max_total_s, backoff with jitter, re-raise the last.

    sleep and clock: seams for tests (a fake clock whose sleep advances it); max_total_s is
    measured on clock (default time.monotonic) from the start of the first attempt."""
    extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
    out_of_time: tenacity.stop.stop_base = tenacity.stop_after_delay(max_total_s)
    if clock is not None:
        out_of_time = _StopAfterDelay(max_total_s, clock)
        extra["before"] = out_of_time.start
    return tenacity.Retrying(
        stop=tenacity.stop_after_attempt(attempts) | out_of_time,
        wait=tenacity.wait_exponential_jitter(
            multiplier=base_delay_s, max=max_delay_s, jitter=base_delay_s
        ),
        retry=tenacity.retry_if_exception(retry_if),
        reraise=True,
        **extra,
    )


class _StopAfterDelay(tenacity.stop.stop_base):
    """tenacity's stop_after_delay on an injected clock (tenacity reads time.monotonic)."""

    def __init__(self, max_total_s: float, clock: Callable[[], float]) -> None:
        self.max_total_s = max_total_s
        self.clock = clock
        self.started: dict[int, float] = {}

    def start(self, state: tenacity.RetryCallState) -> None:
        if state.attempt_number == 1:
            self.started = {id(state): self.clock()}

    def __call__(self, state: tenacity.RetryCallState) -> bool:
        started = self.started.get(id(state), self.clock())
        return self.clock() - started >= self.max_total_s


def call(fn: Callable[[], T], **kwargs: Any) -> T:
    """Run fn under policy(**kwargs)."""
    return policy(**kwargs)(fn)
