"""Pure helpers: key formats, EMF metric lines, circuit breaker, tracing seam, serialization."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime

import pytest

from lego_common import keys, metrics, tracing
from lego_common.breaker import CircuitBreaker
from lego_common.serialization import RawJson, dumps


def test_cache_keys_follow_seed_patterns() -> None:
    assert (
        keys.moc_list("u1", 2, 20, "castle", "medieval") == "moc:user:u1:list:2:20:castle:medieval"
    )
    assert keys.moc_list("u1", 1, 20) == "moc:user:u1:list:1:20::"
    assert keys.moc_list("u1", 1, 20, "a b:c", "100%") == "moc:user:u1:list:1:20:a%20b%3Ac:100%25"
    assert keys.moc_detail("m1") == "moc:detail:m1"
    assert keys.gallery_images("u1", 1, 20) == "gallery:images:user:u1:1:20"
    assert keys.wishlist_all("u1") == "wishlist:user:u1:all"
    assert keys.profile("u1") == "profile:user:u1"


@pytest.mark.parametrize(
    ("one", "other"),
    [(("a:b", ""), ("a", "b:")), (("a", "b:c"), ("a:b", "c")), (("%3A", ""), (":", ""))],
)
def test_moc_list_keys_of_distinct_queries_differ(
    one: tuple[str, str], other: tuple[str, str]
) -> None:
    assert keys.moc_list("u1", 1, 20, *one) != keys.moc_list("u1", 1, 20, *other)


def test_s3_keys_follow_seed_layout() -> None:
    assert keys.gallery_image_object("u", "i") == "images/u/i.webp"
    assert keys.gallery_thumbnail_object("u", "i") == "images/u/thumbnails/i.webp"
    assert keys.wishlist_image_object("u", "w") == "wishlist/u/w.webp"
    assert keys.avatar_object("u") == "avatars/u/avatar.webp"
    assert keys.moc_file_object("u", "m", "f", ".PDF") == "mocs/u/m/f.pdf"


def test_emf_record_declares_metric_and_dimensions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUNCTION_NAME", "mocs")
    from lego_common import config

    config.reset()
    record = metrics.emf_record("MocsCreated", 1, "Count")
    directive = record["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "LegoApi"
    assert directive["Metrics"] == [{"Name": "MocsCreated", "Unit": "Count"}]
    assert directive["Dimensions"] == [["Function", "Service"]]
    assert record["MocsCreated"] == 1
    assert record["Function"] == "mocs"
    config.reset()


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_circuit_breaker_refuses_calls_for_its_cooldown_after_a_failure() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(30, clock=clock)
    assert [breaker.allow(), breaker.allow(), breaker.is_open] == [True, True, False]
    breaker.record_failure()
    assert breaker.is_open
    clock.now += 29.999
    assert not breaker.allow()


def test_circuit_breaker_after_cooldown_lets_exactly_one_trial_through() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(30, clock=clock)
    breaker.record_failure()
    clock.now += 30
    assert [breaker.allow() for _ in range(5)] == [True, False, False, False, False]
    breaker.record_success()  # the trial succeeded: closed, every caller goes through
    assert not breaker.is_open
    assert [breaker.allow() for _ in range(3)] == [True, True, True]


def test_circuit_breaker_failed_trial_reopens_for_a_full_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(30, clock=clock)
    breaker.record_failure()
    clock.now += 31
    assert breaker.allow()
    clock.now += 5
    breaker.record_failure()
    clock.now += 29.9
    assert not breaker.allow()
    clock.now += 0.1
    assert [breaker.allow(), breaker.allow()] == [True, False]


def test_circuit_breaker_trial_that_never_reports_is_given_up_after_a_cooldown() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(30, clock=clock)
    breaker.record_failure()
    clock.now += 30
    assert breaker.allow()  # the trial, which never calls record_*
    clock.now += 29
    assert not breaker.allow()
    clock.now += 1
    assert [breaker.allow(), breaker.allow()] == [True, False]


def test_tracing_subsegment_is_a_no_op_when_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACING_ENABLED", raising=False)
    # any attempt to import the X-Ray SDK would now raise ImportError
    monkeypatch.setitem(sys.modules, "aws_xray_sdk.core", None)
    from lego_common import config

    config.reset()
    tracing.reset()
    runs: list[str] = []
    with tracing.subsegment("GET /x", route="x"):
        runs.append("block")
    assert runs == ["block"]  # the block ran once, under no recorder
    with pytest.raises(LookupError), tracing.subsegment("GET /y"):
        raise LookupError("propagates unchanged")
    tracing.reset()


def test_dumps_encodes_uuid_datetime_and_raw_json() -> None:
    ident = uuid.UUID(int=1)
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert json.loads(dumps({"id": ident, "at": when})) == {
        "id": str(ident),
        "at": "2026-01-02T03:04:05+00:00",
    }
    assert dumps(RawJson('{"a":1}')) == '{"a":1}'
