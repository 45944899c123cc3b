"""What the smoke test accepts as an answer from a handler with no database configured."""

from __future__ import annotations

import json
from typing import Any

from lego_build.smoke import Invocation, judge


def _run(status: int, body: Any, returncode: int = 0) -> Invocation:
    response = {"statusCode": status, "body": json.dumps(body)}
    return Invocation(returncode, "", "", 0, {"response": response})


def _error(code: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": "m", "details": None}}


def test_list_route_must_answer_503_service_unavailable() -> None:
    assert judge("mocs", "GET /api/mocs", _run(503, _error("SERVICE_UNAVAILABLE")))[0]
    assert not judge("mocs", "GET /api/mocs", _run(200, {"success": True}))[0]


def test_500_is_a_failure_even_with_an_error_body() -> None:
    assert not judge("upload", "POST /api/mocs/{id}/files", _run(500, _error("INTERNAL")))[0]


def test_write_route_may_stop_at_validation() -> None:
    assert judge("upload", "POST /api/mocs/{id}/files", _run(400, _error("VALIDATION_ERROR")))[0]


def test_health_answers_200_or_503_json() -> None:
    assert judge("health", "GET /health", _run(200, {"status": "healthy"}))[0]
    assert not judge("health", "GET /health", _run(500, {"status": "boom"}))[0]


def test_import_error_fails_with_its_last_line() -> None:
    run = Invocation(1, "", "Traceback...\nModuleNotFoundError: No module named 'x'", 0, None)

    ok, detail, _ = judge("mocs", "GET /api/mocs", run)

    assert not ok
    assert "ModuleNotFoundError" in detail
