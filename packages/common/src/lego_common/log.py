"""structlog configured for JSON lines: configure() binds service, function, colour and version
once per container; the dispatcher binds request_id, route, user_id and cold_start per request."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from structlog.tracebacks import ExceptionDictTransformer

_configured = False


def configure(level: str | None = None) -> None:
    """Configure structlog once per container: JSON to stdout, ISO timestamps, bound context."""
    global _configured
    if _configured:
        return
    from lego_common.config import get_settings

    settings = get_settings()
    level_name = (level or settings.log_level).upper()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            # show_locals=False: frame locals hold the request (headers, tokens, bodies)
            structlog.processors.ExceptionRenderer(
                ExceptionDictTransformer(show_locals=False, use_rich=False)
            ),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level_name, logging.INFO)
        ),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(
        service=settings.service_name,
        function=settings.function_name,
        colour=settings.deploy_colour,
        version=settings.app_version,
    )
    _configured = True


def bind_request(**values: Any) -> None:
    """Bind per-request keys (request_id, user_id, route) for every log line of this request."""
    structlog.contextvars.bind_contextvars(**values)


def unbind_request(*keys: str) -> None:
    structlog.contextvars.unbind_contextvars(*keys)
