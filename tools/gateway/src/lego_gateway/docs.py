"""/docs: Swagger UI over the spec, from the assets the swagger-ui-bundle wheel vendors (the
machine has no internet, so no CDN). The page reads /docs/openapi.json: docs/openapi.yaml with
its local server pointed at this gateway's own address, so "Try it out" reaches the gateway
that served the page whatever its port (`make dev PORT=8080`, a test's free port)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Mount
from starlette.routing import Route as StarletteRoute
from starlette.staticfiles import StaticFiles

if TYPE_CHECKING:
    from pathlib import Path

    from starlette.requests import Request
    from starlette.routing import BaseRoute

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>LEGO Projects API (local)</title>
  <link rel="stylesheet" href="/docs/static/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/static/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/docs/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      persistAuthorization: true,
    });
  </script>
</body>
</html>
"""


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(PAGE)


async def slash(request: Request) -> RedirectResponse:
    return RedirectResponse("/docs")


@functools.cache
def _load_spec(spec_path: Path, mtime_ns: int) -> dict[str, Any]:
    import yaml  # type: ignore[import-untyped]

    spec: dict[str, Any] = yaml.safe_load(spec_path.read_text())
    return spec


def spec_for(spec_path: Path, origin: str) -> dict[str, Any]:
    """The spec with its loopback servers replaced by origin (the other servers kept)."""
    spec = _load_spec(spec_path, spec_path.stat().st_mtime_ns)
    servers = [
        server
        for server in spec.get("servers", [])
        if not server.get("url", "").startswith(("http://127.0.0.1", "http://localhost"))
    ]
    local = {"url": origin, "description": "This local gateway (`make dev`)"}
    return {**spec, "servers": [local, *servers]}


def routes(spec_path: Path) -> list[BaseRoute]:
    from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

    async def spec(request: Request) -> JSONResponse:
        return JSONResponse(spec_for(spec_path, str(request.base_url).rstrip("/")))

    return [
        StarletteRoute("/docs", page, methods=["GET"]),
        StarletteRoute("/docs/openapi.json", spec, methods=["GET"]),
        StarletteRoute("/docs/", slash, methods=["GET"]),
        Mount("/docs/static", app=StaticFiles(directory=swagger_ui_path), name="swagger-ui"),
    ]
