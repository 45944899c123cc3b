"""lego-mocs-reindex: rebuild the OpenSearch index from PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
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
    assert client.get(index=search_index.INDEX.name, id=str(moc.id))["_source"]["userId"] == user_id
    body = api("GET /api/mocs", user_id, query={"search": "rebuilt"})[1]
    assert [m["id"] for m in body["data"]] == [str(moc.id)]


@pytest.mark.usefixtures("services")
def test_reindex_streams_every_moc_from_postgres_as_documents(
    new_moc: Callable[..., Any],
    db_conn: psycopg.Connection,
    monkeypatch: pytest.MonkeyPatch,
    user_id: str,
    other_user_id: str,
) -> None:
    mine = new_moc(user_id, title="Castle", tags=["castle"], description="grey")
    theirs = new_moc(other_user_id, title="Rocket")
    created: list[str] = []
    indexed: dict[str, dict[str, Any]] = {}

    def fake_bulk(index: str, documents: Any) -> int:
        for doc_id, document in documents:  # consumed inside the transaction, as helpers.bulk
            indexed[doc_id] = dict(document)
        return 7  # what the cluster reported: reindex() must pass it on, not count itself

    monkeypatch.setattr(search, "ensure_index", lambda index, definition: created.append(index))
    monkeypatch.setattr(search, "bulk_index", fake_bulk)
    assert reindex.reindex() == 7
    assert created == [search_index.INDEX.name]
    # every row of every user, counted by PostgreSQL itself
    (rows,) = db_conn.execute("SELECT count(*) FROM moc_instructions").fetchone() or (0,)
    assert len(indexed) == rows
    assert indexed[str(mine.id)] == {
        "id": str(mine.id),
        "userId": user_id,
        "title": "Castle",
        "description": "grey",
        "tags": ["castle"],
        "type": "moc",
        "createdAt": mine.created_at.isoformat(),
        "updatedAt": mine.updated_at.isoformat(),
    }
    assert (indexed[str(theirs.id)]["userId"], indexed[str(theirs.id)]["title"]) == (
        other_user_id,
        "Rocket",
    )
