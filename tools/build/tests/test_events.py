from __future__ import annotations

from lego_build.coldstart import import_breakdown
from lego_build.events import SMOKE_PATH_ID, SMOKE_USER_ID, http_event, smoke_event, smoke_route

ROUTES = {
    "GET /health": {"function": "health", "authorization": "NONE"},
    "POST /api/mocs": {"function": "mocs", "authorization": "JWT"},
    "GET /api/mocs/{id}": {"function": "mocs", "authorization": "JWT"},
    "GET /api/mocs": {"function": "mocs", "authorization": "JWT"},
}


def test_smoke_route_prefers_a_get_without_path_params() -> None:
    assert smoke_route(ROUTES, "mocs") == "GET /api/mocs"
    assert smoke_route(ROUTES, "csv_parser") is None


def test_http_event_is_payload_2_0_with_path_params_and_jwt_claims() -> None:
    event = http_event("GET /api/mocs/{id}", user_id="user-1")

    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /api/mocs/{id}"
    assert event["rawPath"] == f"/api/mocs/{SMOKE_PATH_ID}"
    assert event["pathParameters"] == {"id": SMOKE_PATH_ID}
    assert event["requestContext"]["http"]["method"] == "GET"
    assert event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] == "user-1"


def test_http_event_public_route_has_no_authorizer() -> None:
    assert "authorizer" not in http_event("GET /health", authorized=False)["requestContext"]


def test_import_breakdown_sums_self_time_per_top_level_package() -> None:
    stderr = "\n".join(
        [
            "import time: self [us] | cumulative | imported package",
            "import time:      1000 |       1000 |     pydantic.fields",
            "import time:      3000 |       4000 |   pydantic",
            "import time:       500 |        500 | structlog",
            "noise",
        ]
    )

    assert import_breakdown(stderr) == [("pydantic", 4.0), ("structlog", 0.5)]


def test_smoke_event_sends_an_empty_json_body_to_writes() -> None:
    routes = {"POST /api/mocs/{id}/files": {"function": "upload", "authorization": "JWT"}}

    event = smoke_event(routes, "POST /api/mocs/{id}/files")

    assert event["body"] == "{}"
    assert event["pathParameters"] == {"id": SMOKE_USER_ID}
