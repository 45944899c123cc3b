"""The route table (functions/routes.json) and API Gateway's matching of a request to a route.

HTTP API semantics: `{name}` matches one path segment, the method must match exactly, and a
request that matches no route gets 404 {"message":"Not Found"} before any function runs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from pathlib import Path

_PARAM = re.compile(r"\{([A-Za-z0-9_]+)\}")


@dataclass(frozen=True, slots=True)
class Route:
    """One entry of the route table."""

    route_key: str
    method: str
    template: str
    function: str
    authorization: str  # "JWT" or "NONE"
    pattern: re.Pattern[str]

    @property
    def needs_token(self) -> bool:
        return self.authorization == "JWT"


@dataclass(frozen=True, slots=True)
class Match:
    route: Route
    path_params: dict[str, str]


def _compile(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    position = 0
    for param in _PARAM.finditer(template):
        parts.append(re.escape(template[position : param.start()]))
        parts.append(f"(?P<{param.group(1)}>[^/]+)")
        position = param.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts) + r"\Z")


class RouteTable:
    """functions/routes.json, compiled; literal segments win over parameters like API Gateway."""

    def __init__(self, routes: dict[str, dict[str, str]]) -> None:
        compiled: list[Route] = []
        for route_key, target in routes.items():
            method, _, template = route_key.partition(" ")
            authorization = target.get("authorization", "JWT")
            if authorization not in {"JWT", "NONE"}:
                raise ValueError(f"{route_key}: authorization must be JWT or NONE")
            compiled.append(
                Route(
                    route_key,
                    method.upper(),
                    template,
                    target["function"],
                    authorization,
                    _compile(template),
                )
            )
        # API Gateway prefers the most specific route: fewer parameters first.
        self.routes = sorted(compiled, key=lambda r: (template_params(r.template), r.route_key))

    @classmethod
    def load(cls, path: Path) -> RouteTable:
        data = json.loads(path.read_text())
        return cls(data["routes"])

    @property
    def route_keys(self) -> set[str]:
        return {route.route_key for route in self.routes}

    @property
    def functions(self) -> set[str]:
        return {route.function for route in self.routes}

    def match(self, method: str, path: str) -> Match | None:
        """The route for this request, with its (URL-decoded) path parameters, or None."""
        method = method.upper()
        for route in self.routes:
            if route.method != method:
                continue
            found = route.pattern.match(path)
            if found is not None:
                return Match(route, {k: unquote(v) for k, v in found.groupdict().items()})
        return None


def template_params(template: str) -> int:
    return len(_PARAM.findall(template))
