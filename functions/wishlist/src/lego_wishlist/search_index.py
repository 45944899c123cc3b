"""The OpenSearch index of wishlist items (`wishlist_items`) and the document of each row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lego_common.search import SearchIndex

if TYPE_CHECKING:
    from lego_wishlist.models import Item

# multi_match as for MOCs (title^3, description); the category stands in for the tags.
FIELDS = ("title^3", "description", "category^2")

INDEX = SearchIndex(
    "wishlist_items",
    {
        "mappings": {
            "properties": {
                "id": {"type": "keyword"},
                "userId": {"type": "keyword"},
                "title": {"type": "text", "analyzer": "standard"},
                "description": {"type": "text", "analyzer": "standard"},
                "category": {"type": "text", "analyzer": "standard"},
                "updatedAt": {"type": "date"},
            }
        }
    },
)


def document(item: Item) -> dict[str, Any]:
    return {
        "id": str(item.id),
        "userId": item.user_id,
        "title": item.title,
        "description": item.description,
        "category": item.category,
        "updatedAt": item.updated_at.isoformat(),
    }
