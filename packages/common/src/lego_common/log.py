"""structlog configured for JSON lines: configure() binds service, function, colour and version
once per container; the dispatcher binds request_id, route, user_id and cold_start per request.

The context lives in one ContextVar holding a dict (not structlog's one variable per key): a
request binds and unbinds it with one set/reset, and the processor merges it without copying
the whole context (the cached GET is ~50 us in all, bench/bench_mocs.py).

request_completed() writes the one line every request logs without structlog's pipeline: the
same JSON as the configured chain would render (a test compares them), in about a third of the
CPU, because on a cache hit that line was a third of the handler's own work (issues 15/16)."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import structlog
from structlog.tracebacks import ExceptionDictTransformer

if TYPE_CHECKING:
    from collections.abc import Mapping, MutableMapping

_configured = False
_info_enabled = True
# json.dumps with a `default` builds a new encoder per call: build it once
_ENCODER = json.JSONEncoder(default=repr)
_EMPTY: Mapping[str, Any] = {}
# The container's keys (service, function, colour, version), then the request's.
_context: ContextVar[Mapping[str, Any]] = ContextVar("lego_log_context", default=_EMPTY)


def merge_context(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """structlog processor: the bound context, without overriding the call's own keys."""
    for key, value in _context.get().items():
        event_dict.setdefault(key, value)
    return event_dict


def configure(level: str | None = None) -> None:
    """Configure structlog once per container: JSON to stdout, ISO timestamps, bound context."""
    global _configured, _info_enabled
    if _configured:
        return
    from lego_common.config import get_settings

    settings = get_settings()
    level_name = (level or settings.log_level).upper()
    level_no = logging.getLevelNamesMapping().get(level_name, logging.INFO)
    _info_enabled = level_no <= logging.INFO
    structlog.configure(
        processors=[
            merge_context,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            # show_locals=False: frame locals hold the request (headers, tokens, bodies)
            structlog.processors.ExceptionRenderer(
                ExceptionDictTransformer(show_locals=False, use_rich=False)
            ),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level_no),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    bind(
        service=settings.service_name,
        function=settings.function_name,
        colour=settings.deploy_colour,
        version=settings.app_version,
    )
    _configured = True


def bind(**values: Any) -> Token[Mapping[str, Any]]:
    """Add keys to every later log line of this context (a request, an event); pass the token
    to reset() to drop them again."""
    return _context.set({**_context.get(), **values})


def reset(token: Token[Mapping[str, Any]]) -> None:
    """Back to the context before the bind() that returned token."""
    _context.reset(token)


def request_completed(status: int, duration_ms: float) -> None:
    """The dispatcher's `request_completed` info line, as the configured structlog chain renders
    it (call keys, bound context, level, UTC ISO timestamp; json.dumps with structlog's default
    separators), written without the chain's per-call copies and processor calls."""
    if not _info_enabled:
        return
    # structlog's order: the call's keyword arguments, then the event name
    event: dict[str, Any] = {
        "status": status,
        "duration_ms": duration_ms,
        "event": "request_completed",
    }
    for key, value in _context.get().items():
        event.setdefault(key, value)
    event["level"] = "info"
    event["timestamp"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    # one write per line (print writes the text and the newline separately)
    sys.stdout.write(_ENCODER.encode(event) + "\n")
    sys.stdout.flush()
