"""The route table: one list for the gateway, the spec and Terraform's api module."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from lego_gateway import paths
from lego_gateway.routes import RouteTable

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _table_keys() -> set[str]:
    return set(json.loads(paths.routes_file().read_text())["routes"])


def test_gateway_serves_exactly_the_route_table() -> None:
    table = RouteTable.load(paths.routes_file())

    assert table.route_keys == _table_keys()
    for route in table.routes:
        path = route.template.replace("{id}", "0b7c6f0e-4a47-4c39-9d52-7f1f0f3b2a11")
        match = table.match(route.method, path)
        assert match is not None
        assert match.route.route_key == route.route_key


def test_openapi_spec_lists_the_route_table_routes() -> None:
    spec = yaml.safe_load(paths.spec_file().read_text())
    spec_keys = {
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }

    assert spec_keys == _table_keys()


def test_public_routes_are_exactly_the_spec_operations_without_security() -> None:
    spec = yaml.safe_load(paths.spec_file().read_text())
    public_in_spec = {
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS and operation.get("security") == []
    }
    table = RouteTable.load(paths.routes_file())

    assert public_in_spec == {r.route_key for r in table.routes if not r.needs_token}


def test_terraform_api_module_reads_the_route_table() -> None:
    root = paths.repo_root() / "terraform"
    module_files = sorted((root / "modules" / "api").glob("*.tf"))
    assert module_files, "terraform/modules/api is missing"
    module = "\n".join(f.read_text() for f in module_files)
    # The stack composition calls it (envs call only the stack); any caller must decode routes.json.
    callers = [
        f
        for f in sorted([*root.glob("modules/*/*.tf"), *root.glob("envs/*/*.tf")])
        if re.search(r'source\s*=\s*"\.\./(\.\./modules/)?api"', f.read_text())
    ]

    # The module routes whatever it is given; every caller decodes routes.json.
    assert "var.routes" in module
    assert callers, "nothing calls terraform/modules/api"
    for caller in callers:
        text = caller.read_text()
        assert re.search(r"jsondecode\(file\([^)]*functions/routes\.json", text), caller
    code = "\n".join(line for line in module.splitlines() if "description" not in line)
    hard_coded = set(re.findall(r'"((?:GET|POST|PATCH|PUT|DELETE) /[^"]*)"', code))
    assert not hard_coded, f"route keys hard-coded in terraform/modules/api: {hard_coded}"


@pytest.mark.parametrize(
    ("method", "path", "route_key", "params"),
    [
        ("GET", "/health", "GET /health", {}),
        ("get", "/api/mocs", "GET /api/mocs", {}),
        ("POST", "/api/wishlist/reorder", "POST /api/wishlist/reorder", {}),
        ("GET", "/api/wishlist/reorder", "GET /api/wishlist/{id}", {"id": "reorder"}),
        ("POST", "/api/mocs/abc/files", "POST /api/mocs/{id}/files", {"id": "abc"}),
        ("GET", "/api/users/a%20b", "GET /api/users/{id}", {"id": "a b"}),
    ],
)
def test_match_request_returns_route_and_decoded_params(
    method: str, path: str, route_key: str, params: dict[str, str]
) -> None:
    match = RouteTable.load(paths.routes_file()).match(method, path)

    assert match is not None
    assert match.route.route_key == route_key
    assert match.path_params == params


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nope"),
        ("PUT", "/api/mocs"),
        ("GET", "/api/mocs/"),
        ("GET", "/api/mocs/a/b"),
        ("POST", "/health"),
        ("GET", "/api/mocs//files"),
    ],
)
def test_match_unknown_request_returns_none(method: str, path: str) -> None:
    assert RouteTable.load(paths.routes_file()).match(method, path) is None
