"""The `api` fixture: a function's lambda_handler called with a real payload 2.0 event.

A function's conftest.py says which handler with one fixture:

    @pytest.fixture
    def handler() -> Handler:
        return lambda_handler

and its tests call `status, body = api("GET /api/mocs/{id}", user_id, id=moc.id)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

from lego_devstack.events import http_event, response_json

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class ApiResponse(NamedTuple):
    """What a test looks at: the status and the decoded JSON body."""

    status: int
    body: Any


class Api:
    """Calls handler with the event API Gateway would send for a route key."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    def __call__(
        self,
        route_key: str,
        user_id: str | None = None,
        *,
        query: Mapping[str, str] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        **path_params: object,
    ) -> ApiResponse:
        """route_key's {name} segments come from path_params (`id=moc.id`); user_id becomes the
        JWT `sub` claim, None sends no claims (the authorizer would have refused)."""
        event = http_event(
            route_key,
            user_id=user_id,
            path_params={name: str(value) for name, value in path_params.items()} or None,
            query=dict(query) if query else None,
            body=body,
            headers=dict(headers) if headers else None,
        )
        response = self.handler(event, None)
        return ApiResponse(response["statusCode"], response_json(response))


@pytest.fixture
def api(services: object, handler: Handler) -> Api:
    """The function's lambda_handler (its conftest's `handler` fixture) on the real stack."""
    return Api(handler)
