"""A circuit breaker for optional dependencies (Redis, OpenSearch): after a failure, calls are
skipped for a cool-down, so a dead dependency costs one short timeout per window."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


class CircuitBreaker:
    """Open after a failure for cooldown_s; then calls go through again (no half-open state:
    concurrent callers may all try), a success keeps it closed, a failure reopens it."""

    def __init__(self, cooldown_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return self._clock() < self._open_until

    def allow(self) -> bool:
        return not self.is_open

    def record_failure(self) -> None:
        with self._lock:
            self._open_until = self._clock() + self.cooldown_s

    def record_success(self) -> None:
        self._open_until = 0.0
