"""Pure rules: the reorder merge and the input models (no stack needed)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from lego_common.errors import ValidationError
from lego_common.validation import parse_model
from lego_wishlist.models import ItemCreate, ItemPatch, Reorder
from lego_wishlist.service import _merge

IDS = [uuid.UUID(int=i) for i in range(5)]
A, B, C, D, E = IDS


@pytest.mark.parametrize(
    ("placed", "expected"),
    [
        ({}, IDS),
        ({0: E}, [E, A, B, C, D]),
        ({4: A}, [B, C, D, E, A]),
        ({4: A, 1: E}, [B, E, C, D, A]),
        ({0: E, 1: D, 2: C, 3: B, 4: A}, IDS[::-1]),
    ],
)
def test_merge_places_listed_items_and_keeps_the_rest_in_order(
    placed: dict[int, uuid.UUID], expected: list[uuid.UUID]
) -> None:
    assert _merge(IDS, placed) == expected


def test_camel_case_input_and_trimmed() -> None:
    item = parse_model(ItemCreate, {"title": " Ship ", "productLink": "http://x.io/a"})
    assert (item.title, item.product_link) == ("Ship", "http://x.io/a")


def test_patch_changes_keep_nulls() -> None:
    patch = parse_model(ItemPatch, {"category": None})
    assert patch.changes() == {"category": None}


@pytest.mark.parametrize(
    "items",
    [
        [{"id": str(A), "sortOrder": 0}, {"id": str(A), "sortOrder": 1}],
        [{"id": str(A), "sortOrder": 0}, {"id": str(B), "sortOrder": 0}],
        [{"id": str(A), "sortOrder": False}],
    ],
)
def test_reorder_rejects_duplicates_and_non_integers(items: list[object]) -> None:
    with pytest.raises(ValidationError):
        parse_model(Reorder, {"items": items})


def test_search_body_is_the_mocs_multi_match_over_the_whole_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lego_common import search
    from lego_wishlist import service

    sent: list[dict[str, object]] = []

    def search_ids(index: str, body: dict[str, object]) -> tuple[list[str], int]:
        assert index == "wishlist_items"
        sent.append(body)
        return [], 0

    monkeypatch.setattr(search, "search_ids", search_ids)
    assert service._search_opensearch("u1", "castel") == []
    body: Any = sent[0]
    must = body["query"]["bool"]["must"]
    assert must[0] == {"term": {"userId": "u1"}}
    assert must[1]["multi_match"]["fields"] == ["title^3", "description", "category^2"]
    assert must[1]["multi_match"]["fuzziness"] == "AUTO"
    assert (body["from"], body["size"]) == (0, 1000)
