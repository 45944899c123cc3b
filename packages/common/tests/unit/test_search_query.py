"""The OpenSearch request body is built by a pure function: assert it exactly."""

from __future__ import annotations

from lego_common.search import build_search_body


def test_search_body_matches_seed_query_pattern_exactly() -> None:
    assert build_search_body("user-123", "search term") == {
        "query": {
            "bool": {
                "must": [
                    {"term": {"userId": "user-123"}},
                    {
                        "multi_match": {
                            "query": "search term",
                            "fields": ["title^3", "description", "tags^2"],
                            "fuzziness": "AUTO",
                            "type": "best_fields",
                        }
                    },
                ]
            }
        },
        "sort": [{"_score": {"order": "desc"}}, {"updatedAt": {"order": "desc"}}],
        "from": 0,
        "size": 20,
        "track_total_hits": True,
        "_source": False,
    }


def test_search_body_paginates_and_filters_by_tag() -> None:
    body = build_search_body("u", "castle", page=3, limit=10, filters={"tags": "medieval"})
    assert body["from"] == 20
    assert body["size"] == 10
    assert body["query"]["bool"]["filter"] == [{"term": {"tags": "medieval"}}]
    assert body["query"]["bool"]["must"][0] == {"term": {"userId": "u"}}
