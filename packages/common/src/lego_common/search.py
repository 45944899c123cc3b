"""OpenSearch: a lazy client, document indexing, pure query builders, and a PostgreSQL fallback.

Search is never a hard dependency (seed 001 "Fallback to PostgreSQL"): when OpenSearch is
unconfigured, down or failing, with_fallback() answers the same request from the fallback
function, and a circuit breaker keeps later requests from waiting on a dead cluster.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import structlog

from lego_common.breaker import CircuitBreaker
from lego_common.config import get_settings

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

log = structlog.get_logger()
T = TypeVar("T")

# Documents written to PostgreSQL but not to OpenSearch (index or delete failed): each one is
# logged with its id, and `lego-<function>-reindex` puts the index right (reindex.py).
MISSED_METRIC = "SearchDocumentsMissed"

# seed 001 "Search Query Pattern"
DEFAULT_FIELDS = ("title^3", "description", "tags^2")


class SearchUnavailableError(Exception):
    """OpenSearch is not configured, not reachable or answered with an error."""


# --- pure query builders ----------------------------------------------------------------------


def build_search_body(
    user_id: str,
    text: str,
    *,
    page: int = 1,
    limit: int = 20,
    fields: Iterable[str] = DEFAULT_FIELDS,
    filters: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The multi_match request body of the seed, restricted to one user, paginated."""
    must: list[dict[str, Any]] = [
        {"term": {"userId": user_id}},
        {
            "multi_match": {
                "query": text,
                "fields": list(fields),
                "fuzziness": "AUTO",
                "type": "best_fields",
            }
        },
    ]
    filter_clauses = [{"term": {field: value}} for field, value in sorted((filters or {}).items())]
    query: dict[str, Any] = {"bool": {"must": must}}
    if filter_clauses:
        query["bool"]["filter"] = filter_clauses
    return {
        "query": query,
        "sort": [{"_score": {"order": "desc"}}, {"updatedAt": {"order": "desc"}}],
        "from": (page - 1) * limit,
        "size": limit,
        "track_total_hits": True,
        "_source": False,
    }


# --- client -----------------------------------------------------------------------------------


@functools.cache
def breaker() -> CircuitBreaker:
    return CircuitBreaker(get_settings().search_breaker_cooldown_s)


@functools.cache
def client() -> Any | None:
    """The container's OpenSearch client, or None when OPENSEARCH_URL is unset."""
    settings = get_settings()
    if not settings.opensearch_url:
        return None
    # deferred: opensearchpy costs ~150 ms of imports
    from opensearchpy import OpenSearch, Urllib3AWSV4SignerAuth, Urllib3HttpConnection

    auth = None
    if settings.opensearch_auth == "iam":
        import boto3

        credentials = boto3.Session().get_credentials()
        auth = Urllib3AWSV4SignerAuth(credentials, settings.aws_region, "es")
    return OpenSearch(
        hosts=[settings.opensearch_url],
        http_auth=auth,
        connection_class=Urllib3HttpConnection,
        timeout=settings.opensearch_timeout_ms / 1000,
        max_retries=0,
        retry_on_timeout=False,
        http_compress=False,
    )


def _call(operation: str, fn: Callable[[Any], T]) -> T:
    search_client = client()
    if search_client is None:
        raise SearchUnavailableError("OPENSEARCH_URL is not set")
    if not breaker().allow():
        raise SearchUnavailableError("OpenSearch circuit open")
    try:
        result = fn(search_client)
    except Exception as exc:
        status = getattr(exc, "status_code", None)
        # 4xx other than 429 is our request's fault, not the cluster's: the cluster answered.
        if isinstance(status, int) and 400 <= status < 500 and status != 429:
            breaker().record_success()
        else:
            breaker().record_failure()
        raise SearchUnavailableError(f"{operation}: {type(exc).__name__}: {exc}"[:300]) from exc
    breaker().record_success()
    return result


def search_ids(index: str, body: Mapping[str, Any]) -> tuple[list[str], int]:
    """Run a search; return the matching document ids in rank order and the total hit count."""
    response = _call("search", lambda c: c.search(index=index, body=dict(body)))
    hits = response["hits"]
    total = hits["total"]["value"] if isinstance(hits["total"], dict) else hits["total"]
    return [hit["_id"] for hit in hits["hits"]], int(total)


def with_fallback(primary: Callable[[], T], fallback: Callable[[], T], *, what: str) -> T:
    """primary() from OpenSearch, or fallback() from PostgreSQL when search is unavailable."""
    try:
        return primary()
    except SearchUnavailableError as exc:
        if client() is not None:
            log.warning("search_unavailable_fallback", what=what, error=str(exc))
        return fallback()


def index_document(index: str, doc_id: str, document: Mapping[str, Any]) -> bool:
    """Index one document; a failure is logged (with the id, for reindexing), never raised."""
    try:
        _call("index", lambda c: c.index(index=index, id=doc_id, body=dict(document)))
    except SearchUnavailableError as exc:
        if client() is not None:
            log.warning("search_index_failed", index=index, doc_id=doc_id, error=str(exc))
            _missed(index)
        return False
    return True


def delete_document(index: str, doc_id: str) -> bool:
    """Delete one document (missing is fine); failures are logged for reindexing, never raised."""

    def _delete(c: Any) -> None:
        c.delete(index=index, id=doc_id, ignore=[404])

    try:
        _call("delete", _delete)
    except SearchUnavailableError as exc:
        if client() is not None:
            log.warning("search_delete_failed", index=index, doc_id=doc_id, error=str(exc))
            _missed(index)
        return False
    return True


def _missed(index: str) -> None:
    """Count a document the index missed: an alarm on the metric says when to reindex."""
    from lego_common import metrics

    metrics.emit(MISSED_METRIC, 1, Index=index)


def ensure_index(index: str, definition: Mapping[str, Any]) -> None:
    """Create index with its mappings if absent (raises SearchUnavailableError)."""

    def _ensure(c: Any) -> None:
        if not c.indices.exists(index=index):
            c.indices.create(index=index, body=dict(definition))

    _call("ensure_index", _ensure)


def delete_index(index: str) -> None:
    """Drop index if present (raises SearchUnavailableError)."""
    _call("delete_index", lambda c: c.indices.delete(index=index, ignore=[404]))


def bulk_index(index: str, documents: Iterable[tuple[str, Mapping[str, Any]]]) -> int:
    """Index (id, document) pairs with the bulk helper; return how many were indexed."""
    from opensearchpy import helpers

    actions = (
        {"_op_type": "index", "_index": index, "_id": doc_id, "_source": dict(doc)}
        for doc_id, doc in documents
    )
    indexed, _errors = _call("bulk", lambda c: helpers.bulk(c, actions, refresh=True))
    return int(indexed)


def ping() -> None:
    """Cluster health must not be red (health check). Raises on any failure."""
    search_client = client()
    if search_client is None:
        raise SearchUnavailableError("OPENSEARCH_URL is not set")
    health = search_client.cluster.health()
    if health.get("status") == "red":
        raise SearchUnavailableError("cluster status red")


# --- an index and its lifecycle ----------------------------------------------------------------

_ensured: set[str] = set()


@dataclass(frozen=True)
class SearchIndex:
    """One OpenSearch index: its name and definition (mappings), created once per container
    before the first write, so a write never auto-creates it with guessed mappings."""

    name: str
    definition: Mapping[str, Any]

    def ensure(self) -> None:
        """Create the index if absent, once per container (raises SearchUnavailableError,
        and is tried again on the next call, while OpenSearch is unavailable)."""
        if self.name not in _ensured:
            ensure_index(self.name, self.definition)
            _ensured.add(self.name)

    def put(self, doc_id: str, document: Mapping[str, Any]) -> bool:
        """Index one document, best effort: a failure is logged with the id, for a reindex."""
        with contextlib.suppress(SearchUnavailableError):
            self.ensure()
        return index_document(self.name, doc_id, document)

    def delete(self, doc_id: str) -> bool:
        """Delete one document, best effort (logged with the id on failure)."""
        return delete_document(self.name, doc_id)

    def search_ids(self, body: Mapping[str, Any]) -> tuple[list[str], int]:
        """Matching ids in rank order and the total (raises SearchUnavailableError)."""
        return search_ids(self.name, body)


# Seed 001 "Index Definitions": every searchable resource is a user's titled, described,
# tagged row; build_search_body matches title^3, description and tags^2 in these fields.
_OWNED_TEXT_PROPERTIES: dict[str, Any] = {
    "id": {"type": "keyword"},
    "userId": {"type": "keyword"},
    "title": {
        "type": "text",
        "analyzer": "standard",
        "fields": {"keyword": {"type": "keyword"}},
    },
    "description": {"type": "text", "analyzer": "standard"},
    "tags": {
        "type": "keyword",
        "fields": {"text": {"type": "text", "analyzer": "standard"}},
    },
    "createdAt": {"type": "date"},
    "updatedAt": {"type": "date"},
}


def owned_text_index(name: str, **extra_properties: Mapping[str, Any]) -> SearchIndex:
    """An index of the seed's shape (id, userId, title, description, tags, dates) plus the
    resource's own filter fields (e.g. type=keyword)."""
    properties = {**_OWNED_TEXT_PROPERTIES, **extra_properties}
    return SearchIndex(name, {"mappings": {"properties": properties}})


def reset() -> None:
    client.cache_clear()
    breaker.cache_clear()
    _ensured.clear()
