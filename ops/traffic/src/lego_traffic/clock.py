"""Time seam: the rollout, the INSYNC wait and the retries only see this, so tests drive time."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (UTC)."""

    def sleep(self, seconds: float) -> None:
        """Block for `seconds` (a fake clock just advances)."""


class RealClock:
    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


def iso(epoch_s: float) -> str:
    """ISO-8601 UTC with a Z, second precision: what the audit log and JSON output carry."""
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
