"""GET /api/mocs without search: newest first, pages, totals, tag filter, cache."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import redis

from lego_common import keys

pytestmark = pytest.mark.usefixtures("services")


def _titles(body: dict[str, Any]) -> list[str]:
    return [moc["title"] for moc in body["data"]]


def test_list_mocs_returns_own_newest_first_with_total(
    api: Callable[..., Any], new_moc: Callable[..., Any], user_id: str, other_user_id: str
) -> None:
    for title in ("first", "second", "third"):
        new_moc(user_id, title=title)
    new_moc(other_user_id, title="not mine")
    status, body = api("GET /api/mocs", user_id)
    assert status == 200
    assert body["success"] is True
    assert (body["total"], body["page"]) == (3, 1)
    assert _titles(body) == ["third", "second", "first"]


def test_list_mocs_last_page_is_partial_and_past_end_is_empty(
    api: Callable[..., Any], new_moc: Callable[..., Any], user_id: str
) -> None:
    for n in range(5):
        new_moc(user_id, title=f"m{n}")
    last = api("GET /api/mocs", user_id, query={"page": "3", "limit": "2"})[1]
    past = api("GET /api/mocs", user_id, query={"page": "4", "limit": "2"})[1]
    assert (_titles(last), last["total"], last["page"]) == (["m0"], 5, 3)
    assert (past["data"], past["total"], past["page"]) == ([], 5, 4)


def test_list_mocs_new_user_returns_empty_page_with_zero_total(
    api: Callable[..., Any], user_id: str
) -> None:
    assert api("GET /api/mocs", user_id)[1] == {"success": True, "data": [], "total": 0, "page": 1}


def test_list_mocs_tag_filter_counts_only_tagged(
    api: Callable[..., Any], new_moc: Callable[..., Any], user_id: str
) -> None:
    new_moc(user_id, title="a", tags=["castle", "grey"])
    new_moc(user_id, title="b", tags=["space"])
    new_moc(user_id, title="c", tags=["castle"])
    body = api("GET /api/mocs", user_id, query={"tag": "castle", "limit": "1"})[1]
    assert (_titles(body), body["total"]) == (["c"], 2)


@pytest.mark.parametrize(
    "query", [{"page": "0"}, {"limit": "0"}, {"limit": "101"}, {"page": "two"}, {"sort": "x"}]
)
def test_list_mocs_bad_query_returns_400_not_clamped(
    api: Callable[..., Any], user_id: str, query: dict[str, str]
) -> None:
    status, body = api("GET /api/mocs", user_id, query=query)
    assert status == 400
    assert body["error"]["code"] == "VALIDATION_ERROR"


def test_list_mocs_second_read_is_served_from_cache(
    api: Callable[..., Any],
    new_moc: Callable[..., Any],
    sql: Callable[..., Any],
    redis_client: redis.Redis,
    user_id: str,
) -> None:
    moc = new_moc(user_id, title="Cached")
    first = api("GET /api/mocs", user_id)
    page_key = keys.moc_list(user_id, 1, 20)
    assert redis_client.exists(page_key)
    assert redis_client.sismember(keys.moc_list_tag(user_id), page_key)
    # a change behind the API's back (no invalidation) shows the read came from Redis
    sql("UPDATE moc_instructions SET title = 'Changed' WHERE id = %(id)s", {"id": moc.id})
    second = api("GET /api/mocs", user_id)
    assert second == first
    assert _titles(second[1]) == ["Cached"]


def _cached_then_changed_behind_the_back(
    api: Callable[..., Any],
    sql: Callable[..., Any],
    redis_client: redis.Redis,
    user_id: str,
    theme: str,
) -> None:
    """Cache page 1 and prove it is served from Redis: the rows change without invalidation."""
    api("GET /api/mocs", user_id)
    assert redis_client.exists(keys.moc_list(user_id, 1, 20))
    sql(
        "UPDATE moc_instructions SET theme = %(t)s WHERE user_id = %(uid)s",
        {"t": theme, "uid": user_id},
    )
    assert all(moc.get("theme") != theme for moc in api("GET /api/mocs", user_id)[1]["data"])


def test_list_mocs_after_create_and_delete_reflects_writes_with_cache_on(
    api: Callable[..., Any],
    new_moc: Callable[..., Any],
    sql: Callable[..., Any],
    redis_client: redis.Redis,
    user_id: str,
) -> None:
    kept = new_moc(user_id, title="kept")
    _cached_then_changed_behind_the_back(api, sql, redis_client, user_id, "Hidden")
    status, _ = api(
        "POST /api/mocs", user_id, body={"title": "new", "type": "moc", "author": "Ann"}
    )
    assert status == 201
    assert not redis_client.exists(keys.moc_list(user_id, 1, 20))  # invalidated by the create
    body = api("GET /api/mocs", user_id)[1]
    assert _titles(body) == ["new", "kept"]
    assert body["data"][1]["theme"] == "Hidden"  # read from PostgreSQL again
    _cached_then_changed_behind_the_back(api, sql, redis_client, user_id, "Again")
    assert api("DELETE /api/mocs/{id}", user_id, id=kept.id)[0] == 200
    assert not redis_client.exists(keys.moc_list(user_id, 1, 20))  # invalidated by the delete
    body = api("GET /api/mocs", user_id)[1]
    assert (_titles(body), body["total"]) == (["new"], 1)
    assert body["data"][0]["theme"] == "Again"


def test_list_mocs_total_follows_multi_row_insert_and_delete(
    api: Callable[..., Any], sql: Callable[..., Any], user_id: str
) -> None:
    # one statement writing several rows (COPY, bulk imports): the statement triggers of
    # migration 0002 keep moc_user_counts right
    sql(
        "INSERT INTO moc_instructions (user_id, title, type, brand)"
        " SELECT %(uid)s, 'set ' || n, 'set', 'LEGO' FROM generate_series(1, 5) AS n",
        {"uid": user_id},
    )
    assert api("GET /api/mocs", user_id)[1]["total"] == 5
    sql(
        "DELETE FROM moc_instructions WHERE user_id = %(uid)s AND title IN ('set 1', 'set 2')",
        {"uid": user_id},
    )
    body = api("GET /api/mocs", user_id, query={"limit": "1"})[1]
    assert (body["total"], len(body["data"])) == (3, 1)


@pytest.mark.usefixtures("no_opensearch")
def test_list_mocs_queries_once_sharing_a_cache_key_get_their_own_answers(
    api: Callable[..., Any], new_moc: Callable[..., Any], redis_client: redis.Redis, user_id: str
) -> None:
    new_moc(user_id, title="castle:keep")
    # joined raw with ":", both keys were moc:user:<id>:list:1:20:castle:keep:
    by_search = api("GET /api/mocs", user_id, query={"search": "castle:keep"})[1]
    by_tag = api("GET /api/mocs", user_id, query={"search": "castle", "tag": "keep:"})[1]
    assert (_titles(by_search), by_search["total"]) == (["castle:keep"], 1)
    assert (by_tag["data"], by_tag["total"]) == ([], 0)  # no MOC has the tag "keep:"
    first = keys.moc_list(user_id, 1, 20, "castle:keep", "")
    second = keys.moc_list(user_id, 1, 20, "castle", "keep:")
    assert first.startswith(f"moc:user:{user_id}:list:1:20:")
    assert first != second
    assert redis_client.exists(first, second) == 2
