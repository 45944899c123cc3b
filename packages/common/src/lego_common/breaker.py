"""A circuit breaker for optional dependencies (Redis, OpenSearch): after a failure, calls are
skipped for a cool-down, so a dead dependency costs one short timeout per window."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


class CircuitBreaker:
    """The rule:

    - closed: allow() is True; record_failure() opens it for cooldown_s;
    - open: allow() is False until the cool-down ends;
    - then half-open: allow() is True for exactly one caller, the trial, and False for every
      other caller until the trial reports: record_success() closes the breaker,
      record_failure() opens it for another cool-down. A trial that never reports is given
      up one cool-down later, and the next caller becomes the trial.

    So a dead dependency costs one call per cool-down, however many callers there are.
    """

    def __init__(self, cooldown_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.cooldown_s = cooldown_s
        self.clock = clock  # public: tests advance an injected clock instead of sleeping
        self._retry_at: float | None = None  # None: closed; else when the next trial may go
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        """True while open or half-open (a failure not yet followed by a success)."""
        return self._retry_at is not None

    def allow(self) -> bool:
        with self._lock:
            if self._retry_at is None:
                return True
            now = self.clock()
            if now < self._retry_at:
                return False
            self._retry_at = now + self.cooldown_s  # this caller is the trial; others wait
            return True

    def record_failure(self) -> None:
        with self._lock:
            self._retry_at = self.clock() + self.cooldown_s

    def record_success(self) -> None:
        with self._lock:
            self._retry_at = None
