"""Profile pieces that need no services: the PATCH model, the caller from the claims, the
ownership check, the cached profile's wire JSON and the handler's early errors."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from lego_common.http import Request
from lego_common.serialization import dumps
from lego_devstack.events import http_event, response_json
from lego_profile import service
from lego_profile.handler import _caller, lambda_handler
from lego_profile.models import Profile, ProfilePatch, ProfileStats
from lego_profile.service import Caller


def test_name_is_trimmed_and_limited() -> None:
    assert ProfilePatch.model_validate({"name": "  Ann  "}).name == "Ann"
    for bad in ("", " ", "x" * 101, "a\tb", "a\u0000b", "a\x7fb"):
        with pytest.raises(ValidationError):
            ProfilePatch.model_validate({"name": bad})
    with pytest.raises(ValidationError):
        ProfilePatch.model_validate({"name": "Ann", "picture": "x"})


def test_unset_attributes_are_omitted_and_counts_keep_the_seed_names() -> None:
    profile = Profile(
        sub="s", stats=ProfileStats(total_mocs=1, total_images=2, total_wishlist_items=3)
    )
    assert dumps(profile) == (
        '{"sub":"s","stats":{"totalMOCs":1,"totalImages":2,"totalWishlistItems":3}}'
    )


def _request(claims: dict[str, Any]) -> Request:
    return Request.from_event(http_event("GET /api/users/{id}", claims=claims))


def test_the_caller_comes_from_the_verified_claims() -> None:
    sub = str(uuid.uuid4())
    assert _caller(_request({"sub": sub, "username": "ann"})) == Caller(sub, "ann")
    assert _caller(_request({"sub": sub, "cognito:username": "ann"})) == Caller(sub, "ann")
    assert _caller(_request({"sub": sub})) == Caller(sub, sub)


def test_only_the_callers_own_id_passes() -> None:
    sub = uuid.uuid4()
    service._check_own(Caller(str(sub), "ann"), sub)
    for caller in (Caller(str(uuid.uuid4()), "ann"), Caller("not-a-uuid", "ann")):
        with pytest.raises(service.NotFoundError):
            service._check_own(caller, sub)


def test_no_token_is_401() -> None:
    event = http_event("GET /api/users/{id}", path_params={"id": str(uuid.uuid4())})
    response = lambda_handler(event, None)
    assert response["statusCode"] == 401
    assert response_json(response)["error"]["code"] == "UNAUTHORIZED"
