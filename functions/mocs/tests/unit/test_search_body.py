"""The OpenSearch request bodies and documents, exactly (seed 001 "Search Query Pattern")."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from lego_common import search
from lego_mocs import search_index
from lego_mocs.models import Moc


def test_search_body_for_text_is_the_seed_multi_match_for_the_user() -> None:
    body = search.build_search_body("user-1", "castel", page=2, limit=10)
    assert body == {
        "query": {
            "bool": {
                "must": [
                    {"term": {"userId": "user-1"}},
                    {
                        "multi_match": {
                            "query": "castel",
                            "fields": ["title^3", "description", "tags^2"],
                            "fuzziness": "AUTO",
                            "type": "best_fields",
                        }
                    },
                ]
            }
        },
        "sort": [{"_score": {"order": "desc"}}, {"updatedAt": {"order": "desc"}}],
        "from": 10,
        "size": 10,
        "track_total_hits": True,
        "_source": False,
    }


def test_search_body_with_tag_adds_exact_term_filter() -> None:
    body = search.build_search_body("user-1", "castel", filters={"tags": "medieval"})
    assert body["query"]["bool"]["filter"] == [{"term": {"tags": "medieval"}}]
    assert (body["from"], body["size"]) == (0, 20)


def test_index_definition_is_the_seed_mapping() -> None:
    properties = search_index.INDEX.definition["mappings"]["properties"]
    assert properties["userId"] == {"type": "keyword"}
    assert properties["title"]["fields"] == {"keyword": {"type": "keyword"}}
    assert properties["tags"] == {
        "type": "keyword",
        "fields": {"text": {"type": "text", "analyzer": "standard"}},
    }
    assert set(properties) == {
        "id",
        "userId",
        "title",
        "description",
        "tags",
        "type",
        "createdAt",
        "updatedAt",
    }


def test_document_holds_only_the_indexed_fields() -> None:
    moc_id = uuid.uuid4()
    at = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    moc = Moc(
        id=moc_id,
        user_id="user-1",
        title="Castle",
        description="grey",
        type="moc",
        author="Ann",
        parts_count=None,
        theme=None,
        subtheme=None,
        uploaded_date=None,
        brand=None,
        set_number=None,
        release_year=None,
        retired=None,
        tags=["castle"],
        thumbnail_url=None,
        total_piece_count=0,
        created_at=at,
        updated_at=at,
    )
    assert search_index.document(moc) == {
        "id": str(moc_id),
        "userId": "user-1",
        "title": "Castle",
        "description": "grey",
        "tags": ["castle"],
        "type": "moc",
        "createdAt": "2024-05-01T12:00:00+00:00",
        "updatedAt": "2024-05-01T12:00:00+00:00",
    }


def test_swapped_letters_pattern_covers_each_adjacent_swap_of_long_words() -> None:
    from lego_mocs.repository import swapped_letters_pattern

    assert swapped_letters_pattern("cat medeival") == (
        "(emdeival|mdeeival|medeiavl|medeivla|medevial|medieval|meedival)"
    )
    assert swapped_letters_pattern("a lot") is None  # no word of 4+ letters: no swap branch
    assert swapped_letters_pattern("r2.d2") == r"(2r\.d2|r2\.2d|r2d\.2|r\.2d2)"
