"""/docs: Swagger UI over /openapi.yaml, from the assets the swagger-ui-bundle wheel vendors
(the machine has no internet, so no CDN)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Mount
from starlette.routing import Route as StarletteRoute
from starlette.staticfiles import StaticFiles

if TYPE_CHECKING:
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
      url: "/openapi.yaml",
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


def routes() -> list[BaseRoute]:
    from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

    return [
        StarletteRoute("/docs", page, methods=["GET"]),
        StarletteRoute("/docs/", slash, methods=["GET"]),
        Mount("/docs/static", app=StaticFiles(directory=swagger_ui_path), name="swagger-ui"),
    ]
