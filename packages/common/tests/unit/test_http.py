"""lego_common.http: payload 2.0 events in, envelopes and the seed's error bodies out."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest
import structlog
from pydantic import Field

from lego_common import http
from lego_common.errors import ConflictError, NotFoundError
from lego_common.serialization import RawJson
from lego_common.validation import InputModel
from lego_devstack.events import http_event, response_json


class ThingCreate(InputModel):
    title: str = Field(min_length=1, max_length=10)
    parts_count: int | None = Field(default=None, ge=0)


def _echo_user(req: http.Request) -> dict[str, str]:
    return {"user": req.user_id}


def _create(req: http.Request) -> http.Created:
    return http.Created(req.body_as(ThingCreate))


def _get(req: http.Request) -> dict[str, str]:
    return {"id": str(req.path_uuid("id"))}


def _page(req: http.Request) -> http.Page:
    return http.Page([{"n": 1}, {"n": 2}], total=7, page=2)


def _raw(req: http.Request) -> RawJson:
    return RawJson('{"cached":true}')


def _conflict(req: http.Request) -> None:
    raise ConflictError("taken", details={"field": "title"})


def _crash(req: http.Request) -> None:
    raise RuntimeError("password=hunter2 at db.internal:5432")


handler = http.dispatcher(
    {
        "GET /me": _echo_user,
        "POST /things": _create,
        "GET /things/{id}": _get,
        "GET /things": _page,
        "GET /raw": _raw,
        "POST /conflict": _conflict,
        "GET /crash": _crash,
    }
)


def call(route_key: str, **kwargs: Any) -> tuple[int, Any, dict[str, str]]:
    response = handler(http_event(route_key, **kwargs), None)
    return response["statusCode"], response_json(response), response["headers"]


def test_plain_result_is_wrapped_in_success_envelope() -> None:
    status, body, headers = call("GET /me", user_id="u-1", request_id="req-1")
    assert status == 200
    assert body == {"success": True, "data": {"user": "u-1"}}
    assert headers["content-type"] == "application/json"
    assert headers["x-request-id"] == "req-1"


def test_created_result_answers_201_with_camel_case_fields() -> None:
    status, body, _ = call("POST /things", user_id="u", body={"title": "a", "partsCount": 3})
    assert status == 201
    assert body == {"success": True, "data": {"title": "a", "partsCount": 3}}


def test_page_result_carries_total_and_page() -> None:
    status, body, _ = call("GET /things", user_id="u")
    assert (status, body) == (
        200,
        {"success": True, "data": [{"n": 1}, {"n": 2}], "total": 7, "page": 2},
    )


def test_raw_json_is_spliced_into_the_envelope() -> None:
    _, body, _ = call("GET /raw", user_id="u")
    assert body == {"success": True, "data": {"cached": True}}


def test_missing_claims_answer_401_unauthorized() -> None:
    status, body, _ = call("GET /me", request_id="r-401")
    assert status == 401
    assert body["error"]["code"] == "UNAUTHORIZED"
    assert body["error"]["requestId"] == "r-401"


def test_error_body_has_every_seed_field() -> None:
    status, body, _ = call("POST /conflict", user_id="u", body={}, request_id="r-9")
    assert status == 409
    error = body["error"]
    assert set(error) == {"code", "message", "details", "timestamp", "requestId"}
    assert error["code"] == "CONFLICT"
    assert error["message"] == "taken"
    assert error["details"] == {"field": "title"}
    assert error["requestId"] == "r-9"


def test_error_body_without_details_omits_the_key_never_null() -> None:
    status, body, _ = call("GET /me", request_id="r-401")
    assert status == 401
    assert set(body["error"]) == {"code", "message", "timestamp", "requestId"}


def test_malformed_json_answers_400_validation_error() -> None:
    status, body, _ = call("POST /things", user_id="u", body='{"title": ')
    assert status == 400
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert "not valid JSON" in body["error"]["message"]


def test_json_array_body_answers_400() -> None:
    status, body, _ = call("POST /things", user_id="u", body=["a"])
    assert (status, body["error"]["code"]) == (400, "VALIDATION_ERROR")


def test_empty_body_answers_400() -> None:
    status, body, _ = call("POST /things", user_id="u")
    assert (status, body["error"]["message"]) == (400, "request body is required")


def test_validation_details_name_each_field_without_values() -> None:
    status, body, _ = call(
        "POST /things", user_id="u", body={"title": "x" * 50, "partsCount": "many", "bogus": 1}
    )
    assert status == 400
    fields = body["error"]["details"]["fieldErrors"]
    assert set(fields) == {"title", "partsCount", "bogus"}
    assert "x" * 50 not in str(body)


def test_base64_body_is_decoded() -> None:
    event = http_event("POST /things", user_id="u")
    event["body"] = base64.b64encode(b'{"title": "b64"}').decode()
    event["isBase64Encoded"] = True
    response = handler(event, None)
    assert response["statusCode"] == 201
    assert response_json(response)["data"]["title"] == "b64"


def test_invalid_base64_body_answers_400() -> None:
    event = http_event("POST /things", user_id="u", body="%%%not-base64%%%")
    event["isBase64Encoded"] = True
    assert handler(event, None)["statusCode"] == 400


def test_uuid_path_param_parses_and_non_uuid_answers_400() -> None:
    thing = uuid.uuid4()
    status, body, _ = call("GET /things/{id}", user_id="u", path_params={"id": str(thing)})
    assert (status, body["data"]["id"]) == (200, str(thing))
    status, body, _ = call("GET /things/{id}", user_id="u", path_params={"id": "42"})
    assert status == 400
    assert body["error"]["details"]["fieldErrors"] == {"id": ["must be a UUID"]}


def test_unknown_route_answers_404_not_found() -> None:
    status, body, _ = call("DELETE /nowhere", user_id="u")
    assert (status, body["error"]["code"]) == (404, "NOT_FOUND")


def test_unexpected_exception_answers_500_without_internals_and_logs_stack() -> None:
    with structlog.testing.capture_logs() as logs:
        status, body, _ = call("GET /crash", user_id="u", request_id="r-500")
    assert status == 500
    assert body["error"]["code"] == "INTERNAL_SERVER_ERROR"
    assert body["error"]["requestId"] == "r-500"
    assert "hunter2" not in str(body)
    assert "db.internal" not in str(body)
    crash = [entry for entry in logs if entry["event"] == "request_crashed"]
    assert crash
    assert crash[0]["log_level"] == "error"
    assert crash[0]["exc_info"]


def test_app_error_subclass_keeps_its_code() -> None:
    class MissingThingError(NotFoundError):
        pass

    def _missing(req: http.Request) -> None:
        raise MissingThingError("no such thing")

    response = http.dispatcher({"GET /x": _missing})(http_event("GET /x"), None)
    assert response["statusCode"] == 404
    assert response_json(response)["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize("header", ["Authorization", "X-Custom"])
def test_headers_are_case_insensitive(header: str) -> None:
    request = http.Request.from_event(http_event("GET /me", headers={header: "v"}))
    assert request.header(header.upper()) == "v"


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_deeply_nested_json_answers_400_not_500(opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    body = '{"title": ' + opener * 100_000 + "1" + closer * 100_000 + "}"
    status, answer, _ = call("POST /things", user_id="u", body=body)
    assert (status, answer["error"]["code"]) == (400, "VALIDATION_ERROR")
    assert str(http.MAX_JSON_DEPTH) in answer["error"]["message"]


def test_json_depth_limit_is_inclusive_and_ignores_brackets_in_strings() -> None:
    limit = http.MAX_JSON_DEPTH
    nested = "[" * (limit - 1) + "]" * (limit - 1)  # the object itself is one level
    at_limit = call("POST /things", user_id="u", body='{"title": ' + nested + "}")
    too_deep = call("POST /things", user_id="u", body='{"title": [' + nested + "]}")
    # a validation error about the field, not the depth: the body was parsed
    assert at_limit[1]["error"]["details"]["fieldErrors"].keys() == {"title"}
    assert "nests" in too_deep[1]["error"]["message"]
    text = '[{\\"' + "[{" * 5_000  # brackets and escaped quotes inside a string
    status, body, _ = call("POST /things", user_id="u", body={"title": "t", "bogus": text})
    assert status == 400
    assert body["error"]["details"]["fieldErrors"].keys() == {"bogus"}


def test_json_depth_counts_nesting_not_brackets() -> None:
    assert http.json_depth(b"[]" * 1000) == 1
    assert http.json_depth(b'{"a": [[1], [2, {"b": "]]]]"}]]}' + b"[" * 40) == 40
    assert http.json_depth(b'["\\"[[[["' + b", []" * 100 + b"]") == 2


def _walked_depth(raw: bytes) -> int:
    """The plain definition: the deepest running count of brackets outside strings."""
    depth = deepest = 0
    for char in http._JSON_STRING.sub(b'""', raw).translate(None, http._NOT_BRACKETS):
        depth += 1 if char in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def test_json_depth_agrees_with_the_plain_walk_on_generated_documents() -> None:
    import json
    import random

    rng = random.Random(15)

    def document(level: int) -> Any:
        roll = rng.random()
        if level > 40 or roll < 0.1:
            return rng.choice(["a[{", 'x"]', "\\}", 1, None])
        # wide near the top, a chain below: deep documents of a few hundred bytes
        width = rng.randint(0, 3) if level < 4 else 1
        if roll < 0.55:
            return [document(level + 1) for _ in range(width)]
        return {f"k{i}": document(level + 1) for i in range(width)}

    compared = 0
    for _ in range(1500):
        raw = json.dumps(document(0)).encode()
        if rng.random() < 0.3:  # malformed: cut anywhere
            raw = raw[: rng.randint(0, len(raw))]
        if raw.count(b"[") + raw.count(b"{") <= http.MAX_JSON_DEPTH:
            continue  # the count is the documented answer there
        expected = _walked_depth(raw)
        got = http.json_depth(raw)
        assert (got > http.MAX_JSON_DEPTH) == (expected > http.MAX_JSON_DEPTH), raw[:120]
        if expected <= http.MAX_JSON_DEPTH:
            assert got == expected, raw[:120]
        compared += 1
    assert compared > 300  # the generator reaches past the count's shortcut


def test_body_over_the_size_limit_answers_413_before_parsing() -> None:
    body = '{"title": "' + "x" * http.MAX_JSON_BODY_BYTES + '"}'
    status, answer, _ = call("POST /things", user_id="u", body=body)
    assert (status, answer["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")


def test_configuration_error_is_logged_and_answers_the_generic_503(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lego_common import config, storage

    monkeypatch.setenv("S3_BUCKET", "")
    monkeypatch.setenv("DB_PORT", "five-four-three-two")
    config.reset()

    def _bucket(req: http.Request) -> str:
        return storage.bucket()

    try:
        with structlog.testing.capture_logs() as logs:
            response = http.dispatcher({"GET /b": _bucket})(http_event("GET /b", user_id="u"), None)
    finally:
        monkeypatch.undo()
        config.reset()
    error = response_json(response)["error"]
    assert (response["statusCode"], error["code"]) == (503, "SERVICE_UNAVAILABLE")
    assert error["message"] == "Service temporarily unavailable"
    assert "details" not in error
    assert "DB_PORT" not in response["body"]
    assert "five-four" not in response["body"]
    failed = [e for e in logs if e["event"] == "request_failed"]
    assert failed[0]["log_level"] == "error"
    assert "DB_PORT" in failed[0]["error"]
    assert "five-four-three-two" in failed[0]["error"]
