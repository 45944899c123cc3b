"""What `make dev` prints: one line per request with the handlers' log lines indented under it.

    02:08:40  POST   /api/mocs                         201    23.8 ms  mocs      warm
        moc_created  moc_id=766c0b89-...  user_id=95b85d1e-...

The handlers run in container processes and write structlog JSON to their stdout; `install`
points this process's fd 1 (which the containers inherit) at a pipe, and a pump thread reads
it, keeps each line under its request id, and prints it after that request's line (cold or
warm comes from the handler's `request_completed` line). Status colours only on a TTY.
`lego-dev serve --json` (LEGO_DEV_LOG_FORMAT=json) keeps the raw stream instead: the gateway's
JSON request lines on stderr and the handlers' JSON lines on stdout, for tools.

The formatting functions are pure (unit-tested); only `install` and the pump touch fds.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

FORMAT_ENV = "LEGO_DEV_LOG_FORMAT"
INDENT = "    "
# Keys every handler line carries, which the request line above it already says.
_CONTEXT_KEYS = frozenset(
    {"event", "level", "timestamp", "service", "function", "colour", "version", "request_id",
     "route", "user_id", "cold_start", "exception"}
)  # fmt: skip
_STATUS_COLOURS = {2: "\033[32m", 3: "\033[36m", 4: "\033[33m", 5: "\033[31m"}
_LEVEL_COLOURS = {"warning": "\033[33m", "error": "\033[31m", "critical": "\033[31m"}
_RESET = "\033[0m"
# A request line waits this long for its handler lines to come through the pipe.
HANDLER_LINES_WAIT_S = 0.2
# Lines of a request id never printed as a request (async Event invocations) go out after this.
ORPHAN_LINES_WAIT_S = 1.0


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the gateway saw it (app._log_request's fields)."""

    at: float  # time.time() when it completed
    method: str
    path: str
    status: int
    latency_ms: float
    function: str
    request_id: str


def json_mode(environ: Mapping[str, str] | None = None) -> bool:
    return (os.environ if environ is None else environ).get(FORMAT_ENV, "").lower() == "json"


# --- pure formatting ---------------------------------------------------------------------------


def request_line(record: RequestRecord, start: str | None, colour: bool) -> str:
    """time, method, path, status, duration, function, cold/warm (`-`: no handler ran)."""
    clock = time.strftime("%H:%M:%S", time.localtime(record.at))
    status = f"{record.status:>3}"
    if colour:
        status = f"{_STATUS_COLOURS.get(record.status // 100, '')}{status}{_RESET}"
    return (
        f"{clock}  {record.method:<6} {record.path:<34} {status} "
        f"{record.latency_ms:>8.1f} ms  {record.function:<9} {start or '-'}"
    ).rstrip()


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return json.dumps(text) if (" " in text or not text) else text


def _exception_lines(exception: Any) -> list[str]:
    """structlog's ExceptionDictTransformer output as a short traceback (innermost last)."""
    if not isinstance(exception, list):
        return [str(exception)]
    lines: list[str] = []
    for chained in exception:
        for frame in chained.get("frames", []):
            lines.append(f'  File "{frame.get("filename")}", line {frame.get("lineno")}, '
                         f"in {frame.get('name')}")  # fmt: skip
        lines.append(f"{chained.get('exc_type')}: {chained.get('exc_value')}")
    return lines


def handler_lines(raw: str, colour: bool) -> list[str]:
    """A handler's output line, readable and indented: `event key=value ...`; a JSON line with
    an exception gets its traceback; anything that is not a JSON object is kept as it is."""
    try:
        entry = json.loads(raw)
    except ValueError:
        entry = None
    if not isinstance(entry, dict):
        return [INDENT + raw.rstrip()]
    if "_aws" in entry:  # an EMF metric line is for CloudWatch; --json keeps it
        return []
    level = str(entry.get("level", "info")).lower()
    head = str(entry.get("event", ""))
    if level != "info":
        head = f"{level.upper()} {head}"
        if colour and level in _LEVEL_COLOURS:
            head = f"{_LEVEL_COLOURS[level]}{head}{_RESET}"
    pairs = "  ".join(f"{k}={_value(v)}" for k, v in entry.items() if k not in _CONTEXT_KEYS)
    lines = [INDENT + f"{head}  {pairs}".rstrip()]
    if "exception" in entry:
        lines.extend(INDENT * 2 + line for line in _exception_lines(entry["exception"]))
    return lines


def request_id_of(raw: str) -> str | None:
    try:
        entry = json.loads(raw)
    except ValueError:
        return None
    value = entry.get("request_id") if isinstance(entry, dict) else None
    return value if isinstance(value, str) else None


def cold_or_warm(raw_lines: Iterable[str]) -> str | None:
    """'cold' or 'warm' from the handler's request_completed line, if it logged one."""
    for raw in raw_lines:
        with contextlib.suppress(ValueError, AttributeError):
            entry = json.loads(raw)
            if "cold_start" in entry:
                return "cold" if entry["cold_start"] else "warm"
    return None


def startup_lines(url: str) -> list[str]:
    """What to do next, printed under the ready line."""
    return [
        f"  docs     {url}/docs  (Swagger UI; Authorize with a token)",
        "  token    make token USER=alice   (Authorization: Bearer <token>)",
        "  data     make seed               (alice and bob: MOCs, albums, images, wishlist)",
    ]


# --- the live terminal -------------------------------------------------------------------------


@dataclass
class _Pending:
    record: RequestRecord
    queued_at: float


@dataclass
class Terminal:
    """Orders request lines and handler lines; `pump` runs on its own thread."""

    out: IO[str]
    colour: bool
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _lines: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    _requests: list[_Pending] = field(default_factory=list)
    _printed: dict[str, float] = field(default_factory=dict)

    def request_done(self, record: RequestRecord) -> None:
        with self._lock:
            self._requests.append(_Pending(record, time.monotonic()))

    def handler_output(self, raw: str) -> None:
        request_id = request_id_of(raw)
        with self._lock:
            if request_id is None or request_id in self._printed:
                self._write(handler_lines(raw, self.colour))
            else:
                self._lines.setdefault(request_id, []).append((time.monotonic(), raw))

    def flush(self, now: float | None = None) -> None:
        """Print requests whose handler lines are in (or waited for long enough)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            waiting: list[_Pending] = []
            for pending in self._requests:
                raws = [raw for _, raw in self._lines.get(pending.record.request_id, [])]
                start = cold_or_warm(raws)
                ran = pending.record.function != "-"
                if start is None and ran and now - pending.queued_at < HANDLER_LINES_WAIT_S:
                    waiting.append(pending)
                    continue
                self._lines.pop(pending.record.request_id, None)
                self._printed[pending.record.request_id] = now
                self._write([request_line(pending.record, start, self.colour)])
                for raw in raws:
                    self._write(handler_lines(raw, self.colour))
            self._requests = waiting
            for request_id, entries in list(self._lines.items()):
                if now - entries[0][0] > ORPHAN_LINES_WAIT_S:
                    del self._lines[request_id]
                    for _, raw in entries:
                        self._write(handler_lines(raw, self.colour))
            for request_id, printed_at in list(self._printed.items()):
                if now - printed_at > 10 * ORPHAN_LINES_WAIT_S:
                    del self._printed[request_id]

    def gateway_output(self, text: str) -> None:
        """A gateway log message (not a request line): under its request if it names one."""
        if request_id_of(text) is not None:  # e.g. why the authorizer refused
            self.handler_output(text)
            return
        with self._lock:
            self._write([INDENT + line for line in text.splitlines()])

    def _write(self, lines: list[str]) -> None:
        # a closed or broken terminal must not stop the pump: the containers would block
        with contextlib.suppress(OSError, ValueError):
            self.out.write("".join(line + "\n" for line in lines))
            self.out.flush()

    def pump(self, read_fd: int) -> None:
        """Read the containers' output until the pipe closes, flushing as time passes.

        Never stops early: a container writing to a pipe nobody drains would block."""
        buffer = b""
        while True:
            ready, _, _ = select.select([read_fd], [], [], 0.05)
            if ready:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    break
                buffer += chunk
                *complete, buffer = buffer.split(b"\n")
                for line in complete:
                    if line.strip():
                        self._safely(self.handler_output, line.decode("utf-8", "replace"))
            self._safely(self.flush)
        self._safely(self.flush, float("inf"))

    def _safely(self, step: Callable[..., None], *args: Any) -> None:
        try:
            step(*args)
        except Exception as exc:  # a formatting bug must not stop the pump
            self._write([f"{INDENT}(terminal: {type(exc).__name__}: {exc})"])


class _RequestHandler(logging.Handler):
    """Gateway log records: request lines go to the terminal, anything else is indented."""

    def __init__(self, terminal: Terminal) -> None:
        super().__init__()
        self.terminal = terminal
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        request: RequestRecord | None = getattr(record, "request", None)
        if request is not None:
            self.terminal.request_done(request)
            return
        self.terminal.gateway_output(self.format(record))


def install() -> Terminal | None:
    """Take over this process's stdout for the readable view (None in --json mode).

    Call before any container starts: they inherit fd 1, which becomes the pump's pipe."""
    if json_mode():
        return None
    sys.stdout.flush()
    terminal_fd = os.dup(1)
    read_fd, write_fd = os.pipe()
    os.dup2(write_fd, 1)
    os.close(write_fd)
    out = os.fdopen(terminal_fd, "w", buffering=1, encoding="utf-8", errors="replace")
    terminal = Terminal(out, colour=out.isatty())
    sys.stdout = out  # this process's own prints (the ready line) go straight to the terminal
    gateway_log = logging.getLogger("lego_gateway")
    for handler in list(gateway_log.handlers):
        gateway_log.removeHandler(handler)
    gateway_log.addHandler(_RequestHandler(terminal))
    gateway_log.setLevel(logging.INFO)
    gateway_log.propagate = False
    threading.Thread(target=terminal.pump, args=(read_fd,), name="terminal", daemon=True).start()
    return terminal
