"""The counts are exact at every moment, through a warm cache; Redis, Cognito and PostgreSQL
failures degrade as the issue says."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import pytest

from lego_common import aws
from lego_devstack.events import http_event, response_json

if TYPE_CHECKING:
    from collections.abc import Callable


def _stats(call: Any, user: Any) -> dict[str, int]:
    status, body = call("GET /api/users/{id}", user)
    assert status == 200, body
    stats: dict[str, int] = body["data"]["stats"]
    return stats


def _total(handler: Callable[..., Any], route: str, user: Any) -> int:
    response = handler(http_event(route, user_id=user.sub), None)
    total: int = response_json(response)["total"]
    return total


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_counts_follow_mocs_images_and_wishlist_items_through_a_warm_cache(
    call: Any, user: Any
) -> None:
    from lego_gallery import service as gallery
    from lego_gallery.handler import lambda_handler as gallery_handler
    from lego_gallery.models import ImageFields
    from lego_mocs import service as mocs
    from lego_mocs.handler import lambda_handler as mocs_handler
    from lego_mocs.models import MocCreate
    from lego_wishlist import service as wishlist
    from lego_wishlist.models import ItemCreate

    assert _stats(call, user) == {"totalMOCs": 0, "totalImages": 0, "totalWishlistItems": 0}

    moc = mocs.create_moc(
        user.sub, MocCreate.model_validate({"title": "Castle", "type": "moc", "author": "Ann"})
    )
    assert _stats(call, user)["totalMOCs"] == 1 == _total(mocs_handler, "GET /api/mocs", user)
    image = gallery.upload_image(user.sub, ImageFields(title="Front"), _jpeg())
    assert _stats(call, user)["totalImages"] == 1
    assert _total(gallery_handler, "GET /api/images", user) == 1

    item = wishlist.create_item(user.sub, ItemCreate.model_validate({"title": "Falcon"}))
    assert _stats(call, user)["totalWishlistItems"] == 1

    mocs.delete_moc(user.sub, moc.id)
    assert _stats(call, user)["totalMOCs"] == 0 == _total(mocs_handler, "GET /api/mocs", user)
    gallery.delete_image(user.sub, image.id)
    assert _stats(call, user)["totalImages"] == 0
    wishlist.delete_item(user.sub, item.id)
    assert _stats(call, user) == {"totalMOCs": 0, "totalImages": 0, "totalWishlistItems": 0}


def test_a_count_change_reloads_the_counts_without_asking_cognito(
    call: Any, user: Any, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    from lego_wishlist import service as wishlist
    from lego_wishlist.models import ItemCreate

    idp = aws.client("cognito-idp", 2.0)
    real = idp.admin_get_user
    asked: list[str] = []

    def counted(**params: Any) -> Any:
        asked.append(params["Username"])
        return real(**params)

    monkeypatch.setattr(idp, "admin_get_user", counted)
    warm = _stats(call, user)
    assert len(asked) == 1
    wishlist.create_item(user.sub, ItemCreate.model_validate({"title": "Falcon"}))
    assert _stats(call, user) == {**warm, "totalWishlistItems": 1}  # the whole profile missed
    assert len(asked) == 1  # the attributes came from their own cache entry
    request.getfixturevalue("cognito_down")
    wishlist.create_item(user.sub, ItemCreate.model_validate({"title": "X-wing"}))
    assert _stats(call, user)["totalWishlistItems"] == 2  # Cognito down: still answered


def test_a_profile_write_asks_cognito_again(
    call: Any, user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stats(call, user)
    status, body = call("PATCH /api/users/{id}", user, body={"name": "Ann Renamed"})
    assert status == 200
    assert body["data"]["name"] == "Ann Renamed"
    status, body = call("GET /api/users/{id}", user)
    assert body["data"]["name"] == "Ann Renamed"  # not the cached attributes of before


def test_redis_down_answers_from_cognito_and_postgres(
    call: Any, user: Any, redis_outage: Any
) -> None:
    from structlog.testing import capture_logs

    with redis_outage(), capture_logs() as logs:
        status, body = call("GET /api/users/{id}", user)
        assert status == 200
        assert body["data"]["email"] == user.email
        status, body = call("PATCH /api/users/{id}", user, body={"name": "Offline Ann"})
        assert status == 200
        assert body["data"]["name"] == "Offline Ann"
    assert any(e["event"] == "cache_unavailable" for e in logs)


@pytest.fixture
def cognito_down(profile_env: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from lego_devstack.stack import free_port

    monkeypatch.setenv(
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", f"http://127.0.0.1:{free_port()}"
    )
    aws.reset()


def test_cognito_unreachable_answers_the_cached_profile_else_503(
    call: Any, user: Any, other: Any, request: pytest.FixtureRequest
) -> None:
    warm = call("GET /api/users/{id}", user).body
    request.getfixturevalue("cognito_down")
    assert call("GET /api/users/{id}", user).body == warm
    status, body = call("GET /api/users/{id}", other)
    assert status == 503
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE"
    status, body = call("PATCH /api/users/{id}", user, body={"name": "Nope"})
    assert status == 503


def test_postgres_down_and_nothing_cached_is_503(
    call: Any, user: Any, other: Any, request: pytest.FixtureRequest
) -> None:
    warm = call("GET /api/users/{id}", user).body
    request.getfixturevalue("db_down")
    assert call("GET /api/users/{id}", user).body == warm
    status, body = call("GET /api/users/{id}", other)
    assert status == 503
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE"


def test_a_cognito_throttle_is_retried(
    call: Any, user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    idp = aws.client("cognito-idp", 2.0)
    real = idp.admin_get_user
    calls: list[int] = []

    def throttled_once(**params: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise ClientError(
                {
                    "Error": {"Code": "TooManyRequestsException", "Message": "slow down"},
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
                "AdminGetUser",
            )
        return real(**params)

    monkeypatch.setattr(idp, "admin_get_user", throttled_once)
    status, _ = call("GET /api/users/{id}", user)
    assert status == 200
    assert len(calls) == 2


def test_a_cognito_throttle_past_the_retries_is_503_not_500(
    call: Any, user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    def throttled(**_: Any) -> Any:
        raise ClientError(
            {
                "Error": {"Code": "TooManyRequestsException", "Message": "slow down"},
                "ResponseMetadata": {"HTTPStatusCode": 400},
            },
            "AdminGetUser",
        )

    monkeypatch.setattr(aws.client("cognito-idp", 2.0), "admin_get_user", throttled)
    status, body = call("GET /api/users/{id}", user)
    assert status == 503
    assert body["error"]["code"] == "SERVICE_UNAVAILABLE"


def test_a_pool_id_naming_no_pool_is_the_generic_503_not_500(
    call: Any, user: Any, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    # A deploy wired to the wrong pool (or a pool deleted under it) is an operator's mistake:
    # logged with the setting, answered like any misconfiguration, never a crash.
    from lego_common import config

    monkeypatch.setenv("COGNITO_USER_POOL_ID", "us-east-1_NoSuchPool")
    config.reset()
    request.addfinalizer(config.reset)  # after monkeypatch restores the variable
    status, body = call("GET /api/users/{id}", user)
    assert status == 503
    assert body["error"]["message"] == "Service temporarily unavailable"
    assert "NoSuchPool" not in str(body)
