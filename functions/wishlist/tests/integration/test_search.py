"""?search= through OpenSearch (`wishlist_items`, Docker stack only): typo-tolerant, only the
caller's items, combinable with ?category=, a deleted item forgotten. The PostgreSQL fallback is
tested everywhere (test_items.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import structlog

from lego_common import search
from lego_wishlist import search_index

pytestmark = [pytest.mark.opensearch, pytest.mark.usefixtures("opensearch")]


def _refresh() -> None:
    client = search.client()
    assert client is not None
    client.indices.refresh(index=search_index.INDEX.name)


def _titles(body: Any) -> list[str]:
    return [item["title"] for item in body["data"]]


def test_search_opensearch_typo_own_items_and_category(
    api: Callable[..., Any], make: Any, user_id: str, other_user_id: str
) -> None:
    make.item(user_id, title="Medieval Castle", category="Castle")
    make.item(user_id, title="Castle keep", category="Other")
    make.item(user_id, title="Space Shuttle", category="Space")
    make.item(other_user_id, title="Medieval Castle")
    _refresh()
    with structlog.testing.capture_logs() as logs:
        body = api("GET /api/wishlist", user_id, query={"search": "castel"})[1]
        both = api("GET /api/wishlist", user_id, query={"search": "castle", "category": "OTHER"})[1]
    assert sorted(_titles(body)) == ["Castle keep", "Medieval Castle"]
    assert body["total"] == 2
    assert _titles(both) == ["Castle keep"]
    assert not any(entry["event"] == "search_unavailable_fallback" for entry in logs)


def test_search_opensearch_forgets_a_deleted_item(
    api: Callable[..., Any], make: Any, user_id: str
) -> None:
    gate = make.item(user_id, title="Castle Gate")
    make.item(user_id, title="Castle Keep")
    _refresh()
    assert api("DELETE /api/wishlist/{id}", user_id, id=gate["id"])[0] == 200
    _refresh()
    body = api("GET /api/wishlist", user_id, query={"search": "castle"})[1]
    assert (_titles(body), body["total"]) == (["Castle Keep"], 1)
