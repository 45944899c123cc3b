"""csv_parser's entry point: an asynchronous event from upload, no route table."""

from __future__ import annotations

from typing import Any

import structlog

from lego_common import log as logging
from lego_csv_parser import service

log = structlog.get_logger()


def lambda_handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Parse the file the event names. A malformed event is logged and dropped (a retry cannot
    fix it); every other failure raises, so Lambda retries and then sends the event to the
    on-failure destination."""
    logging.configure()
    try:
        parsed = service.ParseEvent.from_event(event)
    except (KeyError, TypeError, ValueError) as exc:
        log.error("csv_parse_event_invalid", error=type(exc).__name__)
        return {"outcome": "invalid"}
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    bound = logging.bind(file_id=str(parsed.file_id))
    try:
        return {"outcome": service.parse_parts_list(parsed, remaining)}
    finally:
        logging.reset(bound)
