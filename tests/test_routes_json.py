"""functions/routes.json, the one route table, against the handlers: every function with a
handler serves exactly its routes there, and every JWT route refuses a request without the
authorizer's claims. (The gateway, the spec and Terraform have their own tests of the file.)"""

from __future__ import annotations

import importlib
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

from lego_devstack.events import http_event, response_json

FUNCTIONS_DIR = Path(__file__).resolve().parents[1] / "functions"
ROUTES: dict[str, dict[str, str]] = json.loads((FUNCTIONS_DIR / "routes.json").read_text())[
    "routes"
]
# functions whose folder has a handler.py yet (the others are still to be written)
IMPLEMENTED = sorted(
    {
        route["function"]
        for route in ROUTES.values()
        if any((FUNCTIONS_DIR / route["function"] / "src").glob("*/handler.py"))
    }
)


def _handler_module(function: str) -> Any:
    return importlib.import_module(f"lego_{function}.handler")


def test_every_route_names_a_function_folder_and_an_authorization() -> None:
    for route_key, route in ROUTES.items():
        assert re.fullmatch(r"(GET|POST|PATCH|PUT|DELETE) /\S*", route_key), route_key
        assert (FUNCTIONS_DIR / route["function"] / "pyproject.toml").is_file(), route_key
        assert route["authorization"] in {"JWT", "NONE"}, route_key


def test_only_the_health_check_is_public() -> None:
    # seed 001: every route needs the Cognito JWT but GET /health
    assert {key for key, r in ROUTES.items() if r["authorization"] == "NONE"} == {"GET /health"}


@pytest.mark.parametrize("function", IMPLEMENTED)
def test_handler_serves_exactly_its_routes_of_routes_json(function: str) -> None:
    mine = {key for key, route in ROUTES.items() if route["function"] == function}
    assert set(_handler_module(function).ROUTES) == mine


@pytest.mark.parametrize(
    "route_key",
    sorted(
        key
        for key, route in ROUTES.items()
        if route["function"] in IMPLEMENTED and route["authorization"] == "JWT"
    ),
)
def test_jwt_route_without_claims_returns_401(route_key: str) -> None:
    names = re.findall(r"\{(\w+)\}", route_key)
    event = http_event(route_key, path_params={name: str(uuid.uuid4()) for name in names})
    response = _handler_module(ROUTES[route_key]["function"]).lambda_handler(event, None)
    assert response["statusCode"] == 401
    assert response_json(response)["error"]["code"] == "UNAUTHORIZED"
