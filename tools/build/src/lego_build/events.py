"""API Gateway HTTP API (payload format 2.0) events for the smoke test and benchmark."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

SMOKE_USER_ID = "00000000-0000-4000-8000-0000000005e1"
# The caller's own id, so owner-only routes such as GET /api/users/{id} are not refused early.
SMOKE_PATH_ID = SMOKE_USER_ID
_PARAM = re.compile(r"\{([^}/+]+)\+?\}")


def load_routes(root: Path) -> dict[str, dict[str, str]]:
    """functions/routes.json `routes`: routeKey -> {function, authorization}."""
    data = json.loads((root / "functions" / "routes.json").read_text())
    routes: dict[str, dict[str, str]] = data["routes"]
    return routes


def smoke_route(routes: dict[str, dict[str, str]], function: str) -> str | None:
    """The route to call for a function: a GET without path params if it has one."""
    keys = [key for key, route in routes.items() if route["function"] == function]
    if not keys:
        return None

    def rank(key: str) -> tuple[int, int, str]:
        return (not key.startswith("GET "), "{" in key, key)

    return sorted(keys, key=rank)[0]


def http_event(
    route_key: str,
    *,
    authorized: bool = True,
    user_id: str = SMOKE_USER_ID,
    body: str | None = None,
) -> dict[str, Any]:
    """A payload-2.0 event as API Gateway sends it for `route_key` (path params filled)."""
    method, template = route_key.split(" ", 1)
    params = {name: SMOKE_PATH_ID for name in _PARAM.findall(template)}
    path = _PARAM.sub(SMOKE_PATH_ID, template)
    request_context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "smoke0api1",
        "domainName": "smoke0api1.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "smoke0api1",
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "192.0.2.10",
            "userAgent": "lego-build-smoke",
        },
        "requestId": "smoke-request-0001",
        "routeKey": route_key,
        "stage": "$default",
        "time": "25/Nov/2026:12:00:00 +0000",
        "timeEpoch": 1795608000000,
    }
    if authorized:
        request_context["authorizer"] = {
            "jwt": {
                "claims": {"sub": user_id, "token_use": "access", "scope": "openid"},
                "scopes": None,
            }
        }
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "accept": "application/json",
            "content-type": "application/json",
            "host": request_context["domainName"],
            "user-agent": "lego-build-smoke",
            "x-forwarded-for": "192.0.2.10",
            "x-forwarded-proto": "https",
        },
        "requestContext": request_context,
        "isBase64Encoded": False,
    }
    if params:
        event["pathParameters"] = params
    if body is not None:
        event["body"] = body
    return event


def smoke_event(routes: dict[str, dict[str, str]], route: str) -> dict[str, Any]:
    """The event the smoke test and benchmark send: JWT claims if the route needs them,
    and an empty JSON object as the body of a write."""
    method = route.split(" ", 1)[0]
    return http_event(
        route,
        authorized=routes[route]["authorization"] != "NONE",
        body="{}" if method in ("POST", "PUT", "PATCH") else None,
    )
