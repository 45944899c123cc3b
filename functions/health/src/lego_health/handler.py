"""GET /health (no auth): 200 when healthy or degraded, 503 when the database is down."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lego_common import http
from lego_health import service

if TYPE_CHECKING:
    from lego_common.http import Request


def get_health(_req: Request) -> http.RawResponse:
    report = service.check_health()
    status = 503 if report["status"] == service.UNHEALTHY else 200
    return http.RawResponse(status, report, {"cache-control": "no-store"})


ROUTES = {"GET /health": get_health}
lambda_handler = http.dispatcher(ROUTES)
