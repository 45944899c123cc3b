"""lego-mocs-reindex: rebuild the OpenSearch index from PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from lego_common import search
from lego_mocs import reindex, search_index


@pytest.mark.usefixtures("no_opensearch")
def test_reindex_opensearch_down_exits_1() -> None:
    assert reindex.main([]) == 1


@pytest.mark.opensearch
@pytest.mark.usefixtures("opensearch")
def test_reindex_recreate_indexes_every_moc_from_postgres(
    api: Callable[..., Any], new_moc: Callable[..., Any], user_id: str
) -> None:
    moc = new_moc(user_id, title="Rebuilt Castle")
    indexed = reindex.reindex(recreate=True)
    assert indexed >= 1
    client = search.client()
    assert client is not None
    assert client.get(index=search_index.INDEX, id=str(moc.id))["_source"]["userId"] == user_id
    body = api("GET /api/mocs", user_id, query={"search": "rebuilt"})[1]
    assert [m["id"] for m in body["data"]] == [str(moc.id)]
