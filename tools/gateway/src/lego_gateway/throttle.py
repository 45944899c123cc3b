"""API Gateway's stage throttling, locally: one token bucket per route.

API Gateway (docs "Throttling requests to your HTTP API") counts a token per request: a bucket
holds up to `throttling_burst_limit` tokens and refills at `throttling_rate_limit` per second;
an empty bucket answers 429 {"message":"Too Many Requests"} and the function never runs. The
stage's default route settings apply to each route on its own, so one busy route does not
throttle the others. The limits are dev's, read from terraform/envs/dev/dev.tfvars (the values
Terraform gives the stage). `lego-dev serve --no-throttle` or LEGO_DEV_THROTTLE=off turns it
off for load tests, which measure our code rather than the limit.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lego_gateway import paths

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

DISABLE_ENV = "LEGO_DEV_THROTTLE"
DEV_TFVARS_RELPATH = ("terraform", "envs", "dev", "dev.tfvars")


@dataclass(frozen=True, slots=True)
class Limits:
    """A stage's default route throttling: bucket size and refill rate (requests/second)."""

    burst_limit: int
    rate_limit: float


@dataclass
class TokenBucket:
    """Starts full; `take` spends one token or says the request is throttled."""

    limits: Limits
    clock: Callable[[], float]
    tokens: float = field(init=False)
    refilled_at: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = float(self.limits.burst_limit)
        self.refilled_at = self.clock()

    def take(self) -> bool:
        now = self.clock()
        elapsed = max(0.0, now - self.refilled_at)
        self.tokens = min(
            float(self.limits.burst_limit), self.tokens + elapsed * self.limits.rate_limit
        )
        self.refilled_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class RouteThrottle:
    """A bucket per routeKey, made on the route's first request (thread-safe)."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def allow(self, route_key: str) -> bool:
        with self._lock:
            bucket = self._buckets.get(route_key)
            if bucket is None:
                bucket = self._buckets[route_key] = TokenBucket(self.limits, self._clock)
            return bucket.take()


class ThrottleSettingsError(ValueError):
    """dev.tfvars lacks the stage limits or holds values that are not positive numbers."""


def dev_tfvars_file() -> Path:
    return paths.repo_root().joinpath(*DEV_TFVARS_RELPATH)


def limits_from_tfvars(path: Path) -> Limits:
    """throttling_burst_limit and throttling_rate_limit of a tfvars file."""
    import hcl2  # deferred: only `serve` reads Terraform values

    with path.open() as handle:
        values = hcl2.load(handle)
    try:
        burst, rate = values["throttling_burst_limit"], values["throttling_rate_limit"]
    except KeyError as exc:
        raise ThrottleSettingsError(f"{path} does not set {exc.args[0]}") from None
    if not (isinstance(burst, int) and burst >= 1 and isinstance(rate, int | float) and rate > 0):
        raise ThrottleSettingsError(
            f"{path}: throttling_burst_limit must be a whole number >= 1 and "
            f"throttling_rate_limit a number > 0 (got {burst!r}, {rate!r})"
        )
    return Limits(burst, float(rate))


def is_disabled(environ: dict[str, str] | None = None) -> bool:
    """LEGO_DEV_THROTTLE=off (also 0, false, no) turns throttling off."""
    value = (os.environ if environ is None else environ).get(DISABLE_ENV, "")
    return value.strip().lower() in {"off", "0", "false", "no"}


def from_environment() -> RouteThrottle | None:
    """The throttle `lego-dev serve` applies: dev's limits, or None when turned off."""
    if is_disabled():
        return None
    return RouteThrottle(limits_from_tfvars(dev_tfvars_file()))
