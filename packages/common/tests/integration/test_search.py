"""lego_common.search: fallback to PostgreSQL always; the real cluster on the Docker stack."""

from __future__ import annotations

import uuid

import pytest
import structlog

from lego_common import search
from lego_devstack import reset_clients


def test_unconfigured_search_answers_from_fallback_silently(
    services: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENSEARCH_URL", raising=False)
    reset_clients()
    with structlog.testing.capture_logs() as logs:
        result = search.with_fallback(
            lambda: search.search_ids("x", {"query": {"match_all": {}}}),
            lambda: (["from-postgres"], 1),
            what="test",
        )
    assert result == (["from-postgres"], 1)
    assert not [e for e in logs if e["log_level"] == "warning"]


def test_search_down_falls_back_with_warning_and_opens_breaker(no_opensearch: object) -> None:
    with structlog.testing.capture_logs() as logs:
        result = search.with_fallback(
            lambda: search.search_ids("x", {"query": {"match_all": {}}}),
            lambda: (["pg"], 1),
            what="test",
        )
    assert result == (["pg"], 1)
    assert any(e["event"] == "search_unavailable_fallback" for e in logs)
    assert search.breaker().is_open


def test_index_failure_is_logged_for_reindex_not_raised(no_opensearch: object) -> None:
    with structlog.testing.capture_logs() as logs:
        assert search.index_document("moc_instructions", "doc-1", {"title": "t"}) is False
    failed = [e for e in logs if e["event"] == "search_index_failed"]
    assert failed
    assert failed[0]["doc_id"] == "doc-1"


@pytest.mark.opensearch
def test_index_then_fuzzy_search_on_real_cluster(opensearch: object) -> None:
    index = f"test-{uuid.uuid4().hex}"
    search.ensure_index(
        index,
        {"mappings": {"properties": {"userId": {"type": "keyword"}, "title": {"type": "text"}}}},
    )
    search.bulk_index(
        index,
        [
            ("a", {"userId": "u1", "title": "Millennium Falcon", "updatedAt": "2026-01-01"}),
            ("b", {"userId": "u2", "title": "Millennium Falcon", "updatedAt": "2026-01-01"}),
        ],
    )
    ids, total = search.search_ids(index, search.build_search_body("u1", "Falcn"))
    assert (ids, total) == (["a"], 1)
