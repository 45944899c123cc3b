"""Cache correctness beyond the TTL (issue 18): once a write has answered 2xx, no later read
returns the old data, whatever Redis did meanwhile. Both holes of the old scheme are replayed
deterministically (a hook between load and put-back, a real outage through the fault proxy),
through the gateway and the real cache, database and handlers."""

from __future__ import annotations

import base64
import json
import uuid
from typing import TYPE_CHECKING, Any

import pytest
import redis

from lego_common import cache, db, keys
from lego_devstack.faults import Fault, ManualClock

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conftest import FaultStack  # type: ignore[import-not-found]

    from lego_gateway.testing import LocalApi


def _sub(api: LocalApi, user: str) -> str:
    payload = api.token(user).split(".")[1]
    return str(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["sub"])


def _pending(user_id: str) -> int:
    with db.connection() as conn:
        row = conn.execute(
            "SELECT count(*) FROM cache_invalidation_outbox WHERE user_id = %(uid)s",
            {"uid": user_id},
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def raw_redis(faults: FaultStack) -> Iterator[redis.Redis]:
    """Redis itself, not through the proxy: what is stored whatever the proxy does."""
    assert faults.stack.redis_url is not None
    client = redis.Redis.from_url(faults.stack.redis_url, decode_responses=True)
    yield client
    client.close()


class Builder:
    """A user with one MOC, through the gateway."""

    def __init__(self, api: LocalApi) -> None:
        self.api = api
        self.name = f"ann-{uuid.uuid4().hex[:8]}"
        self.sub = _sub(api, self.name)
        body = {"title": "Old", "type": "moc", "author": "Ann"}
        created = api.call("POST", "/api/mocs", self.name, json=body)
        assert created.status_code == 201, created.text
        self.moc_id = created.json()["data"]["id"]

    def title(self) -> str:
        response = self.api.call("GET", f"/api/mocs/{self.moc_id}", self.name)
        assert response.status_code == 200, response.text
        return str(response.json()["data"]["title"])

    def listed_titles(self) -> list[str]:
        response = self.api.call("GET", "/api/mocs", self.name)
        assert response.status_code == 200, response.text
        return [m["title"] for m in response.json()["data"]]

    def rename(self, title: str) -> None:
        path = f"/api/mocs/{self.moc_id}"
        response = self.api.call("PATCH", path, self.name, json={"title": title})
        assert response.status_code == 200, response.text


# --- hole 1: a reader that loaded before a write puts the old page back after it -------------


def test_detail_loaded_before_a_write_is_not_served_after_it(
    faults: FaultStack, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, raw_redis: redis.Redis
) -> None:
    from lego_mocs import service
    from lego_mocs.models import MocPatch

    ann = Builder(faults.api)
    load_detail = service._load_detail

    def load_then_write(user_id: str, moc_id: Any) -> Any:
        """The reader has the old row; the write commits and invalidates before its put-back."""
        loaded = load_detail(user_id, moc_id)
        monkeypatch.setattr(service, "_load_detail", load_detail)
        service.update_moc(user_id, moc_id, MocPatch(title="New"))
        return loaded

    monkeypatch.setattr(service, "_load_detail", load_then_write)
    assert ann.title() == "Old"  # the read overlapped the write: either answer is fair
    assert raw_redis.get(keys.moc_detail(ann.moc_id)) is None  # the late put-back was refused
    assert ann.title() == "New"
    assert ann.title() == "New"  # and what the miss stored is the new row


def test_list_page_loaded_before_a_write_is_not_served_after_it(
    faults: FaultStack, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lego_mocs import service
    from lego_mocs.models import MocCreate

    ann = Builder(faults.api)
    load_page = service._load_page

    def load_then_write(user_id: str, query: Any) -> Any:
        loaded = load_page(user_id, query)
        monkeypatch.setattr(service, "_load_page", load_page)
        service.create_moc(user_id, MocCreate(title="Second", type="moc", author="Ann"))
        return loaded

    monkeypatch.setattr(service, "_load_page", load_then_write)
    assert ann.listed_titles() == ["Old"]
    assert ann.listed_titles() == ["Second", "Old"]
    assert ann.listed_titles() == ["Second", "Old"]


# --- hole 2: an invalidation that fails while Redis is down -----------------------------------


def _cached_then_renamed_during_outage(faults: FaultStack, raw_redis: redis.Redis) -> Builder:
    ann = Builder(faults.api)
    assert (ann.title(), ann.listed_titles()) == ("Old", ["Old"])  # both cached now
    with faults.redis_proxy.faulted(Fault.RESET):
        ann.rename("New")  # 200: committed; the invalidation could not reach Redis
    assert _pending(ann.sub) == 1
    stale = raw_redis.get(keys.moc_detail(ann.moc_id))
    assert stale is not None
    assert '"title":"Old"' in stale  # the old page is still in Redis, under the seed's key
    return ann


def test_invalidation_lost_in_an_outage_is_replayed_when_the_breaker_closes(
    faults: FaultStack, clock: ManualClock, raw_redis: redis.Redis
) -> None:
    ann = _cached_then_renamed_during_outage(faults, raw_redis)
    assert ann.title() == "New"  # breaker open: from PostgreSQL
    clock.advance(cache.breaker().cooldown_s)
    assert ann.title() == "New"  # the trial replays the outbox before it reads
    assert not cache.breaker().is_open
    assert ann.listed_titles() == ["New"]
    assert _pending(ann.sub) == 0


def test_invalidation_lost_in_an_outage_is_replayed_by_a_new_container(
    faults: FaultStack, raw_redis: redis.Redis
) -> None:
    from lego_devstack import reset_clients

    ann = _cached_then_renamed_during_outage(faults, raw_redis)
    reset_clients()  # a container started after the outage: its breaker never opened
    assert ann.title() == "New"
    assert ann.listed_titles() == ["New"]
    assert _pending(ann.sub) == 0


def test_a_write_that_reached_redis_is_swept_without_a_replay(
    faults: FaultStack, clock: ManualClock, raw_redis: redis.Redis
) -> None:
    """The write's invalidation marked its outbox row delivered, so the write paid no second
    database trip, and the sweep drops the row without touching the user's cache."""
    ann = Builder(faults.api)
    ann.rename("New")
    assert _pending(ann.sub) == 1  # delivered, waiting for a sweep
    assert ann.title() == "New"  # cached again
    generation = raw_redis.get(cache.generation_key(ann.sub))
    clock.advance(cache.OUTBOX_SWEEP_S)
    assert ann.listed_titles() == ["New"]  # this read's cache call sweeps first
    assert _pending(ann.sub) == 0
    assert raw_redis.get(cache.generation_key(ann.sub)) == generation  # no replay
    assert raw_redis.get(keys.moc_detail(ann.moc_id)) is not None  # the cached detail stayed


def test_a_row_left_by_another_container_is_replayed_within_the_sweep_interval(
    faults: FaultStack, clock: ManualClock
) -> None:
    """What remains (docs/reliability.md): a container that can reach Redis while the writer
    could not serves the old page until its next sweep, at most OUTBOX_SWEEP_S later."""
    ann = Builder(faults.api)
    assert ann.title() == "Old"  # cached, and this container has swept
    with db.transaction() as conn:  # the other container's write: committed, never delivered
        conn.execute(
            "UPDATE moc_instructions SET title = 'New' WHERE id = %(id)s", {"id": ann.moc_id}
        )
        cache.stage_invalidation(conn, ann.sub)
    assert ann.title() == "Old"
    clock.advance(cache.OUTBOX_SWEEP_S)
    assert ann.title() == "New"
    assert _pending(ann.sub) == 0
