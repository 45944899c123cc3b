"""The OpenSearch index of MOCs: its definition (seed 001 "Index Definitions") and the document
written for each row. Queries are built by lego_common.search.build_search_body."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lego_common.search import owned_text_index

if TYPE_CHECKING:
    from lego_mocs.models import Moc

INDEX = owned_text_index("moc_instructions", type={"type": "keyword"})


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
