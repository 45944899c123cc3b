"""Health of the three dependencies, checked concurrently, each under its own deadline
(seed 001 "1. Health Check Lambda")."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import structlog

from lego_common import cache, db, search
from lego_common.config import get_settings

if TYPE_CHECKING:
    from collections.abc import Callable

log = structlog.get_logger()

HEALTHY = "healthy"
DEGRADED = "degraded"
UNHEALTHY = "unhealthy"

# Per-component deadlines: the whole check stays well under a second.
TIMEOUTS_S = {"database": 0.8, "redis": 0.3, "opensearch": 0.5}
_CHECKS: dict[str, Callable[[], None]] = {
    "database": db.ping,
    "redis": cache.ping,
    "opensearch": search.ping,
}
# The clock the deadlines are measured on (tests move a fake one instead of waiting).
clock: Callable[[], float] = time.monotonic
# One small pool per container, reused: threads are not created per request.
_pool = ThreadPoolExecutor(max_workers=len(_CHECKS), thread_name_prefix="health")


@dataclass(frozen=True, slots=True)
class ComponentResult:
    status: str
    latency_ms: float
    error: str | None = None


def _check_body(result: ComponentResult) -> dict[str, Any]:
    # an unset field is omitted, never null (issue 12): `error` only when the check failed
    body: dict[str, Any] = {"status": result.status, "latencyMs": result.latency_ms}
    if result.error is not None:
        body["error"] = result.error
    return body


def _timed(check: Callable[[], None]) -> ComponentResult:
    started = time.perf_counter()
    try:
        check()
    except Exception as exc:
        # The body is public: name the failure class only, never hosts or messages.
        return ComponentResult(UNHEALTHY, _ms(started), type(exc).__name__)
    return ComponentResult(HEALTHY, _ms(started))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def overall_status(components: dict[str, str]) -> str:
    """unhealthy without the database; degraded without Redis or OpenSearch; else healthy."""
    if components["database"] != HEALTHY:
        return UNHEALTHY
    if components["redis"] != HEALTHY or components["opensearch"] != HEALTHY:
        return DEGRADED
    return HEALTHY


def _build_clients() -> None:
    """Create the clients (first call imports redis/opensearch-py) before the deadlines start:
    a cold container must not report a dependency down because an import was slow."""
    for build in (cache.client, search.client):
        try:
            build()
        except Exception as exc:  # the check itself reports the failure
            log.warning("health_client_failed", error=type(exc).__name__)


def check_health() -> dict[str, Any]:
    """The seed's health body plus per-component latency, version and deploy colour."""
    settings = get_settings()
    _build_clients()
    started = clock()
    futures = {name: _pool.submit(_timed, check) for name, check in _CHECKS.items()}
    results: dict[str, ComponentResult] = {}
    for name, future in futures.items():
        remaining = max(0.0, started + TIMEOUTS_S[name] - clock())
        try:
            results[name] = future.result(timeout=remaining)
        except TimeoutError:  # the thread finishes on its own; this request stops waiting
            results[name] = ComponentResult(UNHEALTHY, TIMEOUTS_S[name] * 1000, "Timeout")
    components = {name: result.status for name, result in results.items()}
    status = overall_status(components)
    if status != HEALTHY:
        log.warning(
            "health_not_ok",
            status=status,
            failures={n: r.error for n, r in results.items() if r.error},
        )
    return {
        "status": status,
        "service": settings.service_name,
        "components": components,
        "checks": {name: _check_body(r) for name, r in results.items()},
        "version": settings.app_version,
        "colour": settings.deploy_colour,
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }
