"""GET /api/images?search=: the OpenSearch path (faked at search_ids everywhere, real on the
Docker stack) and the PostgreSQL fallback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import structlog

from lego_common import search
from lego_gallery import search_index

pytestmark = pytest.mark.usefixtures("services")


def _titles(body: dict[str, Any]) -> list[str]:
    return [image["title"] for image in body["data"]]


def test_search_opensearch_answer_gives_rows_in_rank_order_and_its_total(
    api: Callable[..., Any],
    make: Any,
    monkeypatch: pytest.MonkeyPatch,
    user_id: str,
    other_user_id: str,
) -> None:
    second, first = make.image(user_id, title="Second best"), make.image(user_id, title="Best")
    foreign = make.image(other_user_id, title="Not mine")
    asked: list[tuple[str, dict[str, Any]]] = []

    def fake_search_ids(index: str, body: dict[str, Any]) -> tuple[list[str], int]:
        asked.append((index, body))
        return [str(first.id), "not-a-uuid", str(foreign.id), str(second.id)], 9

    monkeypatch.setattr(search, "search_ids", fake_search_ids)
    query = {"search": "best", "tag": "t", "albumId": "none", "page": "2", "limit": "5"}
    status, body = api("GET /api/images", user_id, query=query)

    assert status == 200
    assert (_titles(body), body["total"], body["page"]) == (["Best", "Second best"], 9, 2)
    index, sent = asked[0]
    assert index == search_index.INDEX.name
    assert sent == search.build_search_body(
        user_id, "best", page=2, limit=5, filters={"tags": "t", "albumId": "none"}
    )


def test_search_fallback_matches_title_description_and_tag_of_own_images_only(
    api: Callable[..., Any], make: Any, user_id: str, other_user_id: str
) -> None:
    make.image(user_id, title="Medieval castle")
    make.image(user_id, title="Harbour", description="a castle by the sea")
    make.image(user_id, title="Train", tags=["castle"])
    make.image(user_id, title="Space shuttle")
    make.image(other_user_id, title="Medieval castle")

    body = api("GET /api/images", user_id, query={"search": "castle"})[1]

    assert sorted(_titles(body)) == ["Harbour", "Medieval castle", "Train"]
    assert body["total"] == 3
    assert _titles(body)[0] == "Medieval castle"  # the title weighs most


def test_search_fallback_with_album_filter(
    api: Callable[..., Any], make: Any, user_id: str
) -> None:
    album = make.album(user_id)
    make.image(user_id, title="Castle gate", albumId=str(album.id))
    make.image(user_id, title="Castle keep")
    inside = api("GET /api/images", user_id, query={"search": "castle", "albumId": str(album.id)})
    loose = api("GET /api/images", user_id, query={"search": "castle", "albumId": "none"})
    assert _titles(inside.body) == ["Castle gate"]
    assert _titles(loose.body) == ["Castle keep"]


# --- a real OpenSearch (Docker stack only; skipped with the counted reason elsewhere) ---------


def _refresh() -> None:
    client = search.client()
    assert client is not None
    client.indices.refresh(index=search_index.INDEX.name)


@pytest.mark.opensearch
@pytest.mark.usefixtures("opensearch")
def test_search_opensearch_finds_typo_only_among_own_images_and_filters_album(
    api: Callable[..., Any], make: Any, user_id: str, other_user_id: str
) -> None:
    album = make.album(user_id)
    make.image(user_id, title="Medieval Castle", albumId=str(album.id))
    make.image(user_id, title="Castle keep")
    make.image(user_id, title="Space Shuttle")
    make.image(other_user_id, title="Medieval Castle")
    _refresh()
    with structlog.testing.capture_logs() as logs:
        body = api("GET /api/images", user_id, query={"search": "castel"})[1]
        loose = api("GET /api/images", user_id, query={"search": "castle", "albumId": "none"})[1]
    assert sorted(_titles(body)) == ["Castle keep", "Medieval Castle"]
    assert _titles(loose) == ["Castle keep"]
    assert not any(entry["event"] == "search_unavailable_fallback" for entry in logs)


@pytest.mark.opensearch
@pytest.mark.usefixtures("opensearch")
def test_search_opensearch_forgets_a_deleted_image(
    api: Callable[..., Any], make: Any, user_id: str
) -> None:
    gate = make.image(user_id, title="Castle Gate")
    make.image(user_id, title="Castle Keep")
    _refresh()
    assert api("DELETE /api/images/{id}", user_id, id=gate.id)[0] == 200
    _refresh()
    body = api("GET /api/images", user_id, query={"search": "castle"})[1]
    assert (_titles(body), body["total"]) == (["Castle Keep"], 1)
