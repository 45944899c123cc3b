"""Real API Gateway HTTP API payload 2.0 events, for tests and the local gateway."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode


def http_event(
    route_key: str,
    *,
    user_id: str | None = None,
    path_params: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    claims: dict[str, Any] | None = None,
    request_id: str | None = None,
    raw_path: str | None = None,
) -> dict[str, Any]:
    """The event API Gateway sends for route_key ("GET /api/mocs/{id}").

    body: dict/list -> JSON text; str -> sent as-is; bytes -> base64 with isBase64Encoded.
    user_id (or claims) -> requestContext.authorizer.jwt.claims, as the JWT authorizer sets it.
    """
    method, _, template = route_key.partition(" ")
    path = raw_path or template
    for name, value in (path_params or {}).items():
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
    all_headers = {"host": "api.local", "user-agent": "lego-tests", **(headers or {})}
    is_base64 = False
    encoded_body: str | None = None
    if isinstance(body, bytes):
        encoded_body = base64.b64encode(body).decode()
        is_base64 = True
    elif isinstance(body, str):
        encoded_body = body
    elif body is not None:
        encoded_body = json.dumps(body)
        all_headers.setdefault("content-type", "application/json")
    now = datetime.now(UTC)
    request_context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "local",
        "domainName": "api.local",
        "domainPrefix": "api",
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": all_headers["user-agent"],
        },
        "requestId": request_id or str(uuid.uuid4()),
        "routeKey": route_key,
        "stage": "$default",
        "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(time.time() * 1000),
    }
    jwt_claims = dict(claims or {})
    if user_id is not None:
        jwt_claims.setdefault("sub", user_id)
    if jwt_claims:
        request_context["authorizer"] = {"jwt": {"claims": jwt_claims, "scopes": None}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": {k.lower(): v for k, v in all_headers.items()},
        "requestContext": request_context,
        "isBase64Encoded": is_base64,
    }
    if query:
        event["queryStringParameters"] = dict(query)
    if path_params:
        event["pathParameters"] = {k: str(v) for k, v in path_params.items()}
    if encoded_body is not None:
        event["body"] = encoded_body
    return event


def response_json(response: dict[str, Any]) -> Any:
    """The decoded JSON body of a handler's response."""
    return json.loads(response["body"])
