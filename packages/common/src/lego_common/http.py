"""API Gateway HTTP API (payload 2.0) events in, seed envelopes and error bodies out.

A function's handler.py builds a route table (routeKey -> route function) and hands
it to dispatcher(). Route functions take a Request and return data; only this module
turns results and exceptions into HTTP responses.

JSON request bodies are checked before they are parsed, for every function: more than
MAX_JSON_BODY_BYTES is a 413 PAYLOAD_TOO_LARGE, more than MAX_JSON_DEPTH nested arrays/objects
a 400 VALIDATION_ERROR (json.loads recurses once per level: 100k levels would be a
RecursionError, a 500). No payload of this API nests deeper than a few levels.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import structlog

from lego_common import deadline, log, tracing
from lego_common.errors import (
    AppError,
    NotFoundError,
    PayloadTooLargeError,
    UnauthorizedError,
    ValidationError,
)
from lego_common.serialization import RawJson, dumps

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from pydantic import BaseModel

    ModelT = TypeVar("ModelT", bound=BaseModel)

_log = structlog.get_logger()
_JSON_HEADERS = {"content-type": "application/json"}

# Limits of a JSON request body (see the module docstring and docs/contracts.md).
MAX_JSON_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_AS_PARENS = bytes.maketrans(b"[{]}", b"(())")


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays/objects in raw JSON text, without parsing it (brackets
    inside strings do not count), or, when the text has no more than MAX_JSON_DEPTH opening
    brackets, their count (an upper bound: no need to look closer). Malformed text gives some
    number; json.loads judges it.

    At C speed (a reorder of 200 items has 201 objects: 140 us in a Python loop, 15 here):
    without a backslash, strings are what lies between quotes; then each pass of replace()
    removes every innermost pair, so balanced brackets need one pass per level."""
    openers = raw.count(b"[") + raw.count(b"{")
    if openers <= MAX_JSON_DEPTH:
        return openers
    outside = b"".join(raw.split(b'"')[::2]) if b"\\" not in raw else _JSON_STRING.sub(b"", raw)
    brackets = all_brackets = outside.translate(_AS_PARENS, _NOT_BRACKETS)
    depth = 0
    while brackets and depth <= MAX_JSON_DEPTH:
        inner_removed = brackets.replace(b"()", b"")
        if len(inner_removed) == len(brackets):
            return _walked_depth(all_brackets)  # unbalanced: malformed
        brackets, depth = inner_removed, depth + 1
    return depth


def _walked_depth(brackets: bytes) -> int:
    depth = deepest = 0
    for char in brackets:
        depth += 1 if char == ord("(") else -1
        deepest = max(deepest, depth)
    return deepest


# --- results a route function may return ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Created:
    """201 with the created resource in the envelope."""

    data: Any


@dataclass(frozen=True, slots=True)
class Page:
    """A page of a list: {"success": true, "data": [...], "total": N, "page": P}."""

    data: list[Any] | RawJson
    total: int
    page: int


@dataclass(frozen=True, slots=True)
class RawResponse:
    """A body sent as-is, without the envelope (health, the seed's own format)."""

    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)


# --- the request -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Request:
    """What a route function needs from a payload 2.0 event."""

    route_key: str
    method: str
    path: str
    request_id: str
    path_params: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    raw_body: bytes
    claims: Mapping[str, Any]

    @classmethod
    def from_event(cls, event: Mapping[str, Any], context: Any = None) -> Request:
        ctx = event.get("requestContext") or {}
        http = ctx.get("http") or {}
        request_id = (
            ctx.get("requestId") or getattr(context, "aws_request_id", None) or str(uuid.uuid4())
        )
        authorizer = ctx.get("authorizer") or {}
        claims = (authorizer.get("jwt") or {}).get("claims") or {}
        body = event.get("body") or ""
        if event.get("isBase64Encoded"):
            try:
                raw = base64.b64decode(body, validate=True)
            except (binascii.Error, ValueError):
                raise ValidationError("request body is not valid base64") from None
        else:
            raw = body.encode() if isinstance(body, str) else bytes(body)
        return cls(
            route_key=str(event.get("routeKey") or ""),
            method=str(http.get("method") or ""),
            path=str(event.get("rawPath") or http.get("path") or ""),
            request_id=str(request_id),
            path_params=event.get("pathParameters") or {},
            query=event.get("queryStringParameters") or {},
            headers={k.lower(): v for k, v in (event.get("headers") or {}).items()},
            raw_body=raw,
            claims=claims,
        )

    @property
    def user_id(self) -> str:
        """The caller: `sub` of the JWT the authorizer verified."""
        sub = self.claims.get("sub")
        if not sub:
            raise UnauthorizedError("missing or invalid token")
        return str(sub)

    def path_param(self, name: str) -> str:
        value = self.path_params.get(name)
        if not value:
            raise ValidationError(f"path parameter {name!r} is required")
        return value

    def path_uuid(self, name: str) -> uuid.UUID:
        """A path parameter that must be a UUID; anything else is a 400, not a 404."""
        value = self.path_param(name)
        try:
            return uuid.UUID(value)
        except ValueError:
            raise ValidationError.for_field(
                name, "must be a UUID", f"{name} must be a UUID"
            ) from None

    def json(self) -> Any:
        """The body parsed as JSON; malformed or too deep JSON is a 400 VALIDATION_ERROR, too
        large a 413 (limits checked before parsing)."""
        if not self.raw_body.strip():
            raise ValidationError("request body is required")
        if len(self.raw_body) > MAX_JSON_BODY_BYTES:
            raise PayloadTooLargeError(f"request body is larger than {MAX_JSON_BODY_BYTES} bytes")
        if json_depth(self.raw_body) > MAX_JSON_DEPTH:
            raise ValidationError(
                f"request body nests arrays/objects deeper than {MAX_JSON_DEPTH} levels"
            )
        try:
            return json.loads(self.raw_body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValidationError(f"request body is not valid JSON: {exc}") from None
        except RecursionError:  # json_depth is an estimate of malformed text: never a 500
            raise ValidationError("request body nests arrays/objects too deeply") from None

    def body_as(self, model: type[ModelT]) -> ModelT:
        from lego_common.validation import parse_model

        data = self.json()
        if not isinstance(data, dict):
            raise ValidationError("request body must be a JSON object")
        return parse_model(model, data)

    def query_as(self, model: type[ModelT]) -> ModelT:
        from lego_common.validation import parse_query

        return parse_query(model, self.query)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


# --- responses ---------------------------------------------------------------------------------


def _response(
    status: int, body_text: str, request_id: str, headers: Mapping[str, str] | None = None
) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {**_JSON_HEADERS, "x-request-id": request_id, **(headers or {})},
        "body": body_text,
        "isBase64Encoded": False,
    }


def json_response(
    status: int, body: Any, request_id: str, headers: Mapping[str, str] | None = None
) -> dict[str, Any]:
    return _response(status, dumps(body), request_id, headers)


def error_body(
    code: str, message: str, request_id: str, details: Any = None
) -> dict[str, dict[str, Any]]:
    """The seed's error body: {"error": {code, message, details?, timestamp, requestId}};
    seed 001 "Error Response Format" has `details?`: omitted when there are none, never null."""
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    error["timestamp"] = datetime.now(UTC).isoformat(timespec="milliseconds")
    error["requestId"] = request_id
    return {"error": error}


def error_response(exc: AppError, request_id: str) -> dict[str, Any]:
    """The error body of exc; an error that is not exposed (a ConfigurationError) answers its
    generic public_message, without details."""
    if not exc.expose:
        body = error_body(exc.code, exc.public_message, request_id)
    else:
        body = error_body(exc.code, exc.message, request_id, exc.details)
    return json_response(exc.status, body, request_id)


def _result_response(result: Any, request_id: str) -> dict[str, Any]:
    if isinstance(result, RawResponse):
        return json_response(result.status, result.body, request_id, result.headers)
    if isinstance(result, Created):
        return _envelope(201, result.data, "", request_id)
    if isinstance(result, Page):
        return _envelope(
            200, result.data, f',"total":{result.total},"page":{result.page}', request_id
        )
    return _envelope(200, result, "", request_id)


def _envelope(status: int, data: Any, extra: str, request_id: str) -> dict[str, Any]:
    # Built as text so cached RawJson data is spliced in without being decoded again; one
    # f-string is one copy of a page that may be ~50 KB (a chain of + copies it per operand).
    return _response(status, f'{{"success":true,"data":{dumps(data)}{extra}}}', request_id)


# --- dispatch ----------------------------------------------------------------------------------

_cold = True


def dispatcher(
    routes: Mapping[str, Callable[[Request], Any]],
) -> Callable[[Mapping[str, Any], Any], dict[str, Any]]:
    """Build a Lambda handler that dispatches payload 2.0 events on routeKey."""

    def lambda_handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
        global _cold
        log.configure()
        started = time.perf_counter()
        bound = None
        request_id = (event.get("requestContext") or {}).get("requestId") or str(uuid.uuid4())
        try:
            request = Request.from_event(event, context)
            request_id = request.request_id
            bound = log.bind(
                request_id=request_id,
                route=request.route_key,
                user_id=request.claims.get("sub"),
                cold_start=_cold,
            )
            route = routes.get(request.route_key)
            if route is None:
                raise NotFoundError(f"no route for {request.route_key or 'this request'}")
            with deadline.bounded(context), tracing.subsegment(request.route_key):
                response = _result_response(route(request), request_id)
        except AppError as exc:
            level = _log.warning if exc.status >= 500 else _log.info
            if not exc.expose:  # e.g. a missing or malformed setting: the operator must act
                level = _log.error
            level("request_failed", code=exc.code, status=exc.status, error=exc.message)
            response = error_response(exc, request_id)
        except Exception:
            # Unknown errors: full stack in the log, nothing internal in the body.
            _log.exception("request_crashed")
            response = json_response(
                500,
                error_body("INTERNAL_SERVER_ERROR", "An unexpected error occurred", request_id),
                request_id,
            )
        log.request_completed(
            response["statusCode"], round((time.perf_counter() - started) * 1000, 2)
        )
        if _cold:
            from lego_common import metrics

            metrics.emit("ColdStart", 1, unit="Count")
            _cold = False
        if bound is not None:
            log.reset(bound)
        return response

    return lambda_handler
