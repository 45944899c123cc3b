"""The handler's route table is the mocs part of functions/routes.json, and requests that fail
before any I/O (auth, ids, bodies) answer the seed's error body."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lego_devstack.events import http_event, response_json
from lego_mocs.handler import ROUTES, lambda_handler

ROUTES_JSON = Path(__file__).resolve().parents[3] / "routes.json"


def test_routes_match_the_mocs_entries_of_routes_json() -> None:
    table = json.loads(ROUTES_JSON.read_text())["routes"]
    assert set(ROUTES) == {key for key, route in table.items() if route["function"] == "mocs"}


@pytest.mark.parametrize(
    "route_key", ["GET /api/mocs/{id}", "PATCH /api/mocs/{id}", "DELETE /api/mocs/{id}"]
)
def test_id_route_non_uuid_id_returns_400(route_key: str) -> None:
    event = http_event(
        route_key, user_id="u1", path_params={"id": "not-a-uuid"}, body={"title": "x"}
    )
    response = lambda_handler(event, None)
    assert response["statusCode"] == 400
    error = response_json(response)["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["fieldErrors"] == {"id": ["must be a UUID"]}
    assert error["requestId"] == event["requestContext"]["requestId"]


@pytest.mark.parametrize("body", ['{"title": ', "[1, 2]", "", '"text"'])
def test_create_malformed_json_returns_400(body: str) -> None:
    response = lambda_handler(http_event("POST /api/mocs", user_id="u1", body=body), None)
    assert response["statusCode"] == 400
    assert response_json(response)["error"]["code"] == "VALIDATION_ERROR"


def test_create_wrong_types_returns_400_with_field_details() -> None:
    body = {"title": 5, "type": "moc", "author": "Ann", "partsCount": "many"}
    response = lambda_handler(http_event("POST /api/mocs", user_id="u1", body=body), None)
    assert response["statusCode"] == 400
    assert set(response_json(response)["error"]["details"]["fieldErrors"]) == {
        "title",
        "partsCount",
    }


def test_list_limit_out_of_range_returns_400() -> None:
    event = http_event("GET /api/mocs", user_id="u1", query={"limit": "500"})
    response = lambda_handler(event, None)
    assert response["statusCode"] == 400
    assert "limit" in response_json(response)["error"]["details"]["fieldErrors"]


@pytest.mark.parametrize("route_key", sorted(ROUTES))
def test_any_route_without_jwt_claims_returns_401(route_key: str) -> None:
    event = http_event(route_key, path_params={"id": "00000000-0000-0000-0000-000000000000"})
    response = lambda_handler(event, None)
    assert response["statusCode"] == 401
    assert response_json(response)["error"]["code"] == "UNAUTHORIZED"
