"""Payload format 2.0 events from real HTTP requests, and HTTP responses from handler results.

The event is lego_devstack.events.http_event's (the one the handler tests use), completed
with what only a real request has: the raw path and query, every header, cookies, the source IP.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from lego_devstack.events import http_event

# API Gateway passes these bodies as text; anything else is base64 with isBase64Encoded.
_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "application/problem+json",
)


def _is_text(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith(_TEXT_TYPES) or media.endswith(("+json", "+xml"))


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """The parts of an incoming request the event is built from."""

    method: str
    raw_path: str
    raw_query: str
    headers: list[tuple[str, str]]  # as received, names lower-case, repeats kept
    body: bytes
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"


def build_event(
    request: HttpRequest,
    *,
    route_key: str,
    path_params: dict[str, str],
    request_id: str,
    claims: dict[str, str] | None,
) -> dict[str, Any]:
    """The event API Gateway would hand the function for this request."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        if name == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        # HTTP API joins repeated headers with commas.
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    query: dict[str, str] = {}
    for name, value in parse_qsl(request.raw_query, keep_blank_values=True):
        query[name] = f"{query[name]},{value}" if name in query else value
    body: bytes | str | None = None
    if request.body:
        if _is_text(headers.get("content-type", "")):
            try:
                body = request.body.decode("utf-8")
            except UnicodeDecodeError:
                body = request.body
        else:
            body = request.body
    event = http_event(
        route_key,
        path_params=path_params or None,
        query=query or None,
        body=body,
        headers=headers,
        claims=claims,
        request_id=request_id,
        raw_path=request.raw_path,
    )
    # http_event fills test defaults; a real request has exactly its own headers.
    event["headers"] = headers
    event["rawQueryString"] = request.raw_query
    http = event["requestContext"]["http"]
    http["sourceIp"] = request.source_ip
    http["userAgent"] = headers.get("user-agent", "")
    http["protocol"] = request.protocol
    host = headers.get("host", "localhost")
    event["requestContext"]["domainName"] = host
    event["requestContext"]["domainPrefix"] = host.split(".", 1)[0]
    if cookies:
        event["cookies"] = cookies
    return event


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class BadLambdaResponseError(ValueError):
    """The function returned something API Gateway cannot turn into a response (500)."""


def response_from_result(result: Any) -> HttpResponse:
    """API Gateway's reading of a payload 2.0 result: a dict with statusCode is a response;
    any other JSON value is a 200 application/json body."""
    if not (isinstance(result, dict) and "statusCode" in result):
        try:
            text = json.dumps(result)
        except (TypeError, ValueError) as exc:
            raise BadLambdaResponseError(f"result is not JSON: {exc}") from None
        return HttpResponse(200, [("content-type", "application/json")], text.encode())
    status = result["statusCode"]
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise BadLambdaResponseError(f"statusCode {status!r} is not an HTTP status")
    headers = [(str(k).lower(), str(v)) for k, v in (result.get("headers") or {}).items()]
    headers.extend(("set-cookie", str(c)) for c in result.get("cookies") or [])
    raw = result.get("body")
    if raw is None:
        body = b""
    elif not isinstance(raw, str):
        raise BadLambdaResponseError("body must be a string")
    elif result.get("isBase64Encoded"):
        try:
            body = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise BadLambdaResponseError("isBase64Encoded body is not base64") from None
    else:
        body = raw.encode()
    return HttpResponse(status, headers, body)
