"""SearchIndex (created once per container, best-effort writes) and the generic reindex."""

from __future__ import annotations

from typing import Any

import pytest
import structlog

from lego_common import reindex, search

INDEX = search.SearchIndex("things", {"mappings": {"properties": {"id": {"type": "keyword"}}}})


def test_index_is_created_once_per_container(
    services: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    created: list[str] = []
    written: list[str] = []
    monkeypatch.setattr(search, "ensure_index", lambda name, definition: created.append(name))
    monkeypatch.setattr(search, "index_document", lambda name, i, d: written.append(i) or True)
    assert INDEX.put("a", {"id": "a"})
    assert INDEX.put("b", {"id": "b"})
    assert (created, written) == (["things"], ["a", "b"])


def test_put_with_search_down_is_logged_not_raised_and_creation_is_retried(
    no_opensearch: object,
) -> None:
    with structlog.testing.capture_logs() as logs:
        assert INDEX.put("a", {"id": "a"}) is False
    assert [e["doc_id"] for e in logs if e["event"] == "search_index_failed"] == ["a"]
    assert "things" not in search._ensured  # not created: the next write tries again


def test_reindex_indexes_what_documents_yields_inside_a_transaction(
    services: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    indexed: dict[str, Any] = {}

    def documents(conn: Any) -> Any:
        for (n,) in conn.execute("SELECT generate_series(1, 3)").fetchall():
            yield str(n), {"id": str(n)}

    def fake_bulk(name: str, docs: Any) -> int:
        indexed.update(docs)
        return len(indexed)

    monkeypatch.setattr(search, "ensure_index", lambda name, definition: None)
    monkeypatch.setattr(search, "bulk_index", fake_bulk)
    assert reindex.reindex(INDEX, documents) == 3
    assert indexed == {"1": {"id": "1"}, "2": {"id": "2"}, "3": {"id": "3"}}


def test_reindex_command_with_search_down_exits_1(no_opensearch: object) -> None:
    assert reindex.main(INDEX, lambda conn: iter(()), ["--recreate"], prog="x") == 1
