"""Progress lines while waiting: human text, or one JSON object per line with --json."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from lego_traffic.clock import iso

if TYPE_CHECKING:
    from lego_traffic.clock import Clock


class Reporter:
    def __init__(self, stream: TextIO, clock: Clock, *, as_json: bool) -> None:
        self.stream = stream
        self.clock = clock
        self.as_json = as_json

    def progress(self, event: str, message: str, **fields: Any) -> None:
        now = self.clock.now()
        if self.as_json:
            line = json.dumps(
                {"ts": iso(now), "event": event, "message": message, **fields}, default=str
            )
        else:
            line = f"[{iso(now)[11:19]}] {message}"
        self.stream.write(line + "\n")
        self.stream.flush()

    def warn(self, message: str) -> None:
        self.progress("warning", f"WARNING: {message}")
