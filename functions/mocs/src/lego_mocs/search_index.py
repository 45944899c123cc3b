"""The OpenSearch index of MOCs: its definition (seed 001 "Index Definitions") and the document
written for each row. Queries are built by lego_common.search.build_search_body."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lego_common.search import SearchIndex

if TYPE_CHECKING:
    from lego_mocs.models import Moc

INDEX = SearchIndex(
    "moc_instructions",
    {
        "mappings": {
            "properties": {
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
                "type": {"type": "keyword"},
                "createdAt": {"type": "date"},
                "updatedAt": {"type": "date"},
            }
        }
    },
)


def document(moc: Moc) -> dict[str, Any]:
    """The indexed fields of a MOC (only what search filters, matches or sorts on)."""
    return {
        "id": str(moc.id),
        "userId": moc.user_id,
        "title": moc.title,
        "description": moc.description,
        "tags": list(moc.tags),
        "type": moc.type,
        "createdAt": moc.created_at.isoformat(),
        "updatedAt": moc.updated_at.isoformat(),
    }
