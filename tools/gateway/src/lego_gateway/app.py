"""The local API Gateway: an ASGI app (starlette) that routes, authorizes and invokes.

Per request: match the route table (404 {"message":"Not Found"}), apply the route's throttle
(429) and the 10 MB payload limit (413), run the JWT authorizer on JWT routes (401
{"message":"Unauthorized"}), build the payload 2.0 event, call the function's handler, turn its
result into the HTTP response, and log one line (lego_gateway.terminal prints it). Also served,
local only: /openapi.yaml, /docs, and Lambda's Invoke API
(`POST /2015-03-31/functions/{name}/invocations`), which boto3 reaches through
AWS_ENDPOINT_URL_LAMBDA and which refuses web pages (invoke_refusal).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.routing import Route as StarletteRoute

from lego_common.http import error_body
from lego_gateway import docs, noop
from lego_gateway.auth import TokenRejectedError, claims_as_strings, token_from
from lego_gateway.events import (
    BadLambdaResponseError,
    HttpRequest,
    build_event,
    response_from_result,
)
from lego_gateway.functions import (
    FailedInvocationError,
    FunctionNotFoundError,
    NotImplementedRouteError,
)
from lego_gateway.terminal import RequestRecord

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from starlette.requests import Request

    from lego_gateway.auth import JwtAuthorizer
    from lego_gateway.functions import FunctionRegistry
    from lego_gateway.routes import Match, RouteTable
    from lego_gateway.throttle import RouteThrottle

log = logging.getLogger("lego_gateway")

# API Gateway HTTP API quotas: 10 MB request payload; Lambda's synchronous event limit is 6 MB.
MAX_REQUEST_BYTES = 10 * 1024 * 1024
MAX_EVENT_BYTES = 6 * 1024 * 1024
# seed "CORS Configuration" (the development origin)
CORS_ORIGINS = ["http://localhost:3002"]


@dataclass
class Gateway:
    """Everything a request needs: the route table, the authorizer and the functions."""

    routes: RouteTable
    authorizer: JwtAuthorizer
    functions: FunctionRegistry
    spec_path: Path
    throttle: RouteThrottle | None = None  # None: no limit (tests, load benchmarks)


def _apigw_error(status: int, message: str, request_id: str, **headers: str) -> Response:
    return JSONResponse(
        {"message": message}, status, headers={"apigw-requestid": request_id, **headers}
    )


async def _body_within_limit(request: Request) -> bytes | None:
    """The body, or None once it passes API Gateway's 10 MB (read no further than that)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower() == "localhost"


def invoke_refusal(headers: Mapping[str, str], client_host: str | None) -> Response | None:
    """Why a call of the local Invoke API is refused, as Lambda would answer it; None: allowed.

    The Invoke API trusts its event, claims included, so a web page must not reach it (issue 13
    item 11). Browsers always send Origin on a cross-origin POST, and without a CORS preflight
    (which only the dev origin passes) they can send only form or text/plain bodies. So: the
    caller is on this machine, its Origin (if any) is a loopback one, and the body is JSON or
    untyped (botocore sends Invoke without a Content-Type).
    """
    origin = headers.get("origin")
    if not _is_loopback(client_host) or (
        origin is not None and not _is_loopback(urlsplit(origin).hostname)
    ):
        return JSONResponse(
            {"Message": "the local Invoke API takes calls from this machine only, not a web page"},
            403,
            headers={"x-amzn-errortype": "AccessDeniedException"},
        )
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type not in {"", "application/json"}:
        return JSONResponse(
            {"Type": "User", "Message": "The content type of the Invoke request body is not JSON."},
            415,
            headers={"x-amzn-errortype": "UnsupportedMediaTypeException"},
        )
    return None


def not_implemented(function: str, route_key: str, request_id: str) -> Response:
    """501 in the seed's error body: the route exists in the table, its function does not yet."""
    body = error_body(
        "NOT_IMPLEMENTED",
        f"{route_key} is routed to function {function!r}, which has no handler for it yet",
        request_id,
        {"function": function, "routeKey": route_key},
    )
    return JSONResponse(body, 501, headers={"apigw-requestid": request_id})


def _invoke_implemented(
    functions: FunctionRegistry, function: str, route_key: str, event: Any, request_id: str
) -> Any:
    """The function's result; NotImplementedRouteError when its handler lacks the route."""
    if not functions.implements(function, route_key):
        raise NotImplementedRouteError(f"{function} does not implement {route_key}")
    return functions.invoke(function, event, request_id)


def _log_request(
    method: str, path: str, status: int, started: float, function: str, request_id: str
) -> None:
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    line = {
        "event": "request",
        "method": method,
        "path": path,
        "status": status,
        "latency_ms": latency_ms,
        "function": function,
        "requestId": request_id,
    }
    # the JSON message is the --json stream; `request` is what the readable terminal prints
    record = RequestRecord(time.time(), method, path, status, latency_ms, function, request_id)
    log.info(json.dumps(line), extra={"request": record})


def create_app(gateway: Gateway) -> Starlette:
    """The ASGI app for one gateway (uvicorn serves it; tests may call it in-process)."""

    async def api(request: Request) -> Response:
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        raw_path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
        match = gateway.routes.match(request.method, raw_path)
        status = 500
        try:
            if match is None:
                response = _apigw_error(404, "Not Found", request_id)
            else:
                response = await _dispatch(request, match, raw_path, request_id)
            status = response.status_code
            return response
        finally:
            function = match.route.function if match else "-"
            _log_request(request.method, raw_path, status, started, function, request_id)

    async def _dispatch(request: Request, match: Match, raw_path: str, request_id: str) -> Response:
        route = match.route
        # API Gateway refuses before the authorizer runs: throttled, then too large
        if gateway.throttle is not None and not gateway.throttle.allow(route.route_key):
            return _apigw_error(429, "Too Many Requests", request_id)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
            return _apigw_error(413, "Request Entity Too Large", request_id)
        claims: dict[str, str] | None = None
        if route.needs_token:
            try:
                token = token_from(request.headers)
                verified = await gateway.authorizer.verify_async(token)
            except TokenRejectedError as exc:
                log.info(
                    json.dumps(
                        {"event": "unauthorized", "reason": str(exc), "request_id": request_id}
                    )
                )
                return _apigw_error(
                    401,
                    "Unauthorized",
                    request_id,
                    **{"www-authenticate": 'Bearer error="invalid_token"'},
                )
            claims = claims_as_strings(verified)
        body = await _body_within_limit(request)
        if body is None:  # a chunked body with no Content-Length grew past the limit
            return _apigw_error(413, "Request Entity Too Large", request_id)
        client = request.client
        raw_headers = request.headers.raw
        event = build_event(
            HttpRequest(
                method=request.method,
                raw_path=raw_path,
                raw_query=request.scope.get("query_string", b"").decode("latin-1"),
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw_headers],
                body=body,
                source_ip=client.host if client else "127.0.0.1",
                protocol=f"HTTP/{request.scope.get('http_version', '1.1')}",
            ),
            route_key=route.route_key,
            path_params=match.path_params,
            request_id=request_id,
            claims=claims,
        )
        if len(body) > MAX_EVENT_BYTES // 2 and len(json.dumps(event)) > MAX_EVENT_BYTES:
            return _apigw_error(413, "Request Entity Too Large", request_id)
        try:
            functions = gateway.functions
            container = functions.idle_container(route.function, route.route_key, event)
            if container is not None:  # warm and idle: awaited on the event loop
                result = await functions.invoke_on(container, route.function, event, request_id)
            else:  # may start a container or wait for one: one thread hop
                result = await run_in_threadpool(
                    _invoke_implemented,
                    functions,
                    route.function,
                    route.route_key,
                    event,
                    request_id,
                )
            lambda_response = response_from_result(result)
        except (FunctionNotFoundError, NotImplementedRouteError):
            return not_implemented(route.function, route.route_key, request_id)
        except FailedInvocationError as exc:  # init failure 502, integration timeout 503
            return _apigw_error(exc.status, exc.message, request_id)
        except BadLambdaResponseError:
            log.exception("function %s returned a malformed response", route.function)
            return _apigw_error(500, "Internal Server Error", request_id)
        except Exception:
            # A handler crash (or import error) is a Lambda error: API Gateway answers 500.
            log.exception("function %s raised", route.function)
            return _apigw_error(500, "Internal Server Error", request_id)
        response = Response(lambda_response.body, lambda_response.status)
        response.raw_headers = [
            (b"content-length", str(len(lambda_response.body)).encode()),
            *((k.encode("latin-1"), v.encode("latin-1")) for k, v in lambda_response.headers),
            (b"apigw-requestid", request_id.encode()),
        ]
        return response

    async def invoke(request: Request) -> Response:
        """Lambda's Invoke API (the slice boto3's lambda.invoke uses)."""
        refusal = invoke_refusal(request.headers, request.client.host if request.client else None)
        if refusal is not None:
            return refusal
        name = request.path_params["name"].rsplit(":function:", 1)[-1].split(":", 1)[0]
        invocation_type = request.headers.get("x-amz-invocation-type", "RequestResponse")
        raw = await request.body()
        try:
            payload: Any = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError:
            return JSONResponse(
                {"Type": "User", "message": "Could not parse request body into json"},
                400,
                headers={"x-amzn-errortype": "InvalidRequestContentException"},
            )
        try:
            if invocation_type == "Event":
                request_id = await run_in_threadpool(gateway.functions.invoke_event, name, payload)
                return Response(b"", 202, headers={"x-amzn-requestid": request_id})
            if invocation_type == "DryRun":
                gateway.functions._load(name)
                return Response(b"", 204)
            request_id = str(uuid.uuid4())
            try:
                result = await run_in_threadpool(
                    gateway.functions.invoke, name, payload, request_id
                )
                body = json.dumps(result).encode()
                headers = {"x-amzn-requestid": request_id, "x-amz-executed-version": "$LATEST"}
            except (FunctionNotFoundError, NotImplementedRouteError):
                raise
            except Exception as exc:
                log.exception("function %s raised", name)
                body = json.dumps(
                    {"errorMessage": str(exc), "errorType": type(exc).__name__}
                ).encode()
                headers = {"x-amzn-requestid": request_id, "x-amz-function-error": "Unhandled"}
            return Response(body, 200, media_type="application/json", headers=headers)
        except (FunctionNotFoundError, NotImplementedRouteError) as exc:
            return JSONResponse(
                {"Type": "User", "Message": f"Function not found: {name} ({exc})"},
                404,
                headers={"x-amzn-errortype": "ResourceNotFoundException"},
            )

    async def openapi(request: Request) -> Response:
        return Response(gateway.spec_path.read_bytes(), media_type="application/yaml")

    routes = [
        StarletteRoute("/openapi.yaml", openapi, methods=["GET"]),
        *docs.routes(gateway.spec_path),
        StarletteRoute("/2015-03-31/functions/{name}/invocations", invoke, methods=["POST"]),
        *noop.routes(gateway.authorizer),  # the load benchmark's floor; off unless opted in
        StarletteRoute(
            "/{path:path}",
            api,
            methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        ),
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=CORS_ORIGINS,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Content-Type", "Authorization", "X-Requested-With", "X-CSRF-Token"],
            allow_credentials=True,
            max_age=3600,
        )
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        # Starlette's `{path:path}` stops at an encoded newline; API Gateway routes such a
        # path like any other, so the route table decides here too (a 400 for a bad id).
        return await api(request)

    return Starlette(routes=routes, middleware=middleware, exception_handlers={404: not_found})
