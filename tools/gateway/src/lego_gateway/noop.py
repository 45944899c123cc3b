"""The load benchmark's floor: a route that verifies the JWT as every protected route does and
calls no function, so bench/bench_load.py can tell the cost of the harness and the gateway
from what the functions and their dependencies add.

Off unless LEGO_DEV_BENCH_NOOP=1 (only the benchmark's stack sets it): `make dev` never serves it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from lego_gateway.auth import TokenRejectedError, token_from

if TYPE_CHECKING:
    from starlette.requests import Request

    from lego_gateway.auth import JwtAuthorizer

NOOP_PATH = "/__bench/noop"
ENABLE_ENV = "LEGO_DEV_BENCH_NOOP"


def routes(authorizer: JwtAuthorizer) -> list[Route]:
    """GET /__bench/noop when LEGO_DEV_BENCH_NOOP=1, else nothing."""
    if os.environ.get(ENABLE_ENV) != "1":
        return []

    async def noop(request: Request) -> Response:
        try:
            token = token_from(request.headers)
            # the same path as the real routes (lego_gateway.app), so the floor pays what they pay
            claims = await authorizer.verify_async(token)
        except TokenRejectedError:
            return JSONResponse({"message": "Unauthorized"}, 401)
        return JSONResponse({"sub": claims["sub"]})

    return [Route(NOOP_PATH, noop, methods=["GET"])]
