"""lego_common.search: fallback to PostgreSQL always; the real cluster on the Docker stack."""

from __future__ import annotations

import functools
import http.server
import threading
import uuid
from collections.abc import Iterator

import pytest
import structlog

from lego_common import search
from lego_common.breaker import CircuitBreaker
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


@pytest.fixture
def cluster_answering_400(services: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """OPENSEARCH_URL at an HTTP server that answers every request 400 (a bad query)."""

    class BadRequest(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = b'{"error":{"type":"parsing_exception","reason":"bad query"},"status":400}'
            self.send_response(400)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_HEAD = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), BadRequest)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("OPENSEARCH_URL", f"http://127.0.0.1:{server.server_address[1]}")
    reset_clients()
    yield
    server.shutdown()
    server.server_close()
    monkeypatch.undo()
    reset_clients()


@pytest.mark.usefixtures("cluster_answering_400")
def test_trial_answered_with_a_4xx_closes_the_breaker(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 4xx is our request's fault, not the cluster's: the trial after the cool-down reports
    the cluster reachable (closed), instead of leaving the breaker half-open."""
    now = [0.0]
    breaker = CircuitBreaker(30, clock=lambda: now[0])
    monkeypatch.setattr(search, "breaker", functools.cache(lambda: breaker))
    breaker.record_failure()
    now[0] += 30
    with pytest.raises(search.SearchUnavailableError, match="400"):
        search.search_ids("x", {"query": {"bogus": {}}})
    assert not breaker.is_open
    with pytest.raises(search.SearchUnavailableError, match="400"):  # not "circuit open"
        search.search_ids("x", {"query": {"bogus": {}}})
