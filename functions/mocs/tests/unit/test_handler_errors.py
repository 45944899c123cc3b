"""Requests that fail before any I/O (ids, bodies, queries) answer the seed's error body.
(The route table against functions/routes.json and the 401s: tests/test_routes_json.py.)"""

from __future__ import annotations

import pytest

from lego_devstack.events import http_event, response_json
from lego_mocs.handler import lambda_handler


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


@pytest.mark.parametrize("route_key", ["POST /api/mocs", "PATCH /api/mocs/{id}"])
def test_deeply_nested_body_returns_400_not_500(route_key: str) -> None:
    body = '{"tags": ' + "[" * 100_000 + "]" * 100_000 + "}"
    event = http_event(
        route_key, user_id="u1", path_params={"id": "00000000-0000-4000-8000-000000000000"}
    )
    event["body"] = body
    response = lambda_handler(event, None)
    assert response["statusCode"] == 400
    assert response_json(response)["error"]["code"] == "VALIDATION_ERROR"
