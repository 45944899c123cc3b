"""One journey per feature through the local gateway over real HTTP with real Cognito JWTs
(STYLE.md "Tests": e2e), plus the error bodies and the authorizer's refusals."""

from __future__ import annotations

import uuid

from lego_gateway.testing import LocalApi


def test_health_journey(local_api: LocalApi) -> None:
    response = local_api.call("GET", "/health")

    assert response.status_code == 200
    body = response.json()
    assert body["service"] == "lego-projects-api"
    assert body["components"]["database"] == "healthy"
    assert body["components"]["redis"] == "healthy"
    # native stack: no OpenSearch, so search falls back and health says degraded
    expected = "healthy" if local_api.state["opensearch_url"] else "degraded"
    assert body["status"] == expected
    assert response.headers["apigw-requestid"]


def test_moc_journey_create_list_search_update_delete(local_api: LocalApi) -> None:
    alice = f"alice-{uuid.uuid4().hex[:8]}"
    title = f"Medieval Castle {uuid.uuid4().hex[:6]}"

    created = local_api.call(
        "POST",
        "/api/mocs",
        alice,
        json={"title": title, "type": "moc", "author": "alice", "tags": ["castle"]},
    )
    assert created.status_code == 201, created.text
    moc = created.json()["data"]
    assert moc["title"] == title
    moc_id = moc["id"]

    listed = local_api.call("GET", "/api/mocs", alice)
    assert listed.status_code == 200
    assert [m["id"] for m in listed.json()["data"]] == [moc_id]
    assert listed.json()["total"] == 1

    searched = local_api.call("GET", "/api/mocs", alice, params={"search": "Medeival Castle"})
    assert searched.status_code == 200
    assert [m["id"] for m in searched.json()["data"]] == [moc_id]
    tagged = local_api.call("GET", "/api/mocs", alice, params={"tag": "castle"})
    assert [m["id"] for m in tagged.json()["data"]] == [moc_id]

    updated = local_api.call(
        "PATCH", f"/api/mocs/{moc_id}", alice, json={"description": "with a drawbridge"}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["data"]["description"] == "with a drawbridge"
    detail = local_api.call("GET", f"/api/mocs/{moc_id}", alice)
    assert detail.json()["data"]["description"] == "with a drawbridge"
    assert detail.json()["data"]["files"] == []

    deleted = local_api.call("DELETE", f"/api/mocs/{moc_id}", alice)
    assert deleted.status_code == 200
    assert local_api.call("GET", f"/api/mocs/{moc_id}", alice).status_code == 404
    assert local_api.call("GET", "/api/mocs", alice).json()["total"] == 0


def test_second_user_cannot_see_or_change_first_users_mocs(local_api: LocalApi) -> None:
    alice, bob = f"alice-{uuid.uuid4().hex[:8]}", f"bob-{uuid.uuid4().hex[:8]}"
    moc_id = local_api.call(
        "POST", "/api/mocs", alice, json={"title": "Secret Base", "type": "set", "brand": "LEGO"}
    ).json()["data"]["id"]

    assert local_api.call("GET", "/api/mocs", bob).json()["data"] == []
    search = local_api.call("GET", "/api/mocs", bob, params={"search": "Secret Base"})
    assert search.json()["data"] == []
    for method, body in [("GET", None), ("PATCH", {"title": "Mine now"}), ("DELETE", None)]:
        response = local_api.call(method, f"/api/mocs/{moc_id}", bob, json=body)
        assert response.status_code == 404, (method, response.text)
        assert response.json()["error"]["code"] == "NOT_FOUND"
    # bob may use the same title: titles are unique per user
    same = local_api.call(
        "POST", "/api/mocs", bob, json={"title": "Secret Base", "type": "set", "brand": "LEGO"}
    )
    assert same.status_code == 201
    assert local_api.call("GET", f"/api/mocs/{moc_id}", alice).json()["data"]["title"] == (
        "Secret Base"
    )


def test_validation_error_has_seed_error_body(local_api: LocalApi) -> None:
    response = local_api.call("POST", "/api/mocs", "erin", json={"type": "moc", "extra": 1})

    assert response.status_code == 400
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details", "timestamp", "requestId"}
    assert error["code"] == "VALIDATION_ERROR"
    assert "title" in error["details"]["fieldErrors"]
    assert error["requestId"] == response.headers["apigw-requestid"]


def test_missing_or_bad_token_is_401_from_the_gateway(local_api: LocalApi) -> None:
    forged = local_api.token("mallory").rsplit(".", 1)[0] + ".c2lnbmF0dXJl"
    for headers in [
        {},
        {"authorization": "Bearer not-a-jwt"},
        {"authorization": f"Bearer {forged}"},
    ]:
        response = local_api.call("GET", "/api/mocs", headers=headers)
        assert response.status_code == 401
        assert response.json() == {"message": "Unauthorized"}


def test_id_token_is_accepted_and_token_cookie_is_not(local_api: LocalApi) -> None:
    id_token = local_api.token("frank", token_use="id")
    by_header = local_api.call("GET", "/api/mocs", headers={"authorization": f"Bearer {id_token}"})
    # the deployed authorizer reads the Authorization header only (issue 13 item 11)
    cookie = {"cookie": f"theme=dark; token={local_api.token('frank')}"}
    by_cookie = local_api.call("GET", "/api/mocs", headers=cookie)

    assert by_header.status_code == 200
    assert by_cookie.status_code == 401


def test_unknown_path_is_404_not_found(local_api: LocalApi) -> None:
    response = local_api.call("GET", "/api/nothing-here", "grace")

    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


def test_docs_and_spec_are_served(local_api: LocalApi) -> None:
    spec = local_api.call("GET", "/openapi.yaml")
    assert spec.status_code == 200
    assert spec.text.startswith("openapi:")
    page = local_api.call("GET", "/docs")
    assert page.status_code == 200
    assert "swagger-ui" in page.text
