"""lego_common.retry: transient errors only, bounded attempts and time."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from lego_common import retry


def _client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "Op",
    )


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (ConnectionResetError(), True),
        (TimeoutError(), True),
        (_client_error("Throttling", 400), True),
        (_client_error("SlowDown", 503), True),
        (_client_error("InternalError", 500), True),
        (_client_error("AccessDenied", 403), False),
        (_client_error("NoSuchKey", 404), False),
        (_client_error("ValidationException", 400), False),
        (ValueError("bad"), False),
    ],
)
def test_is_transient_classifies_errors(exc: BaseException, expected: bool) -> None:
    assert retry.is_transient(exc) is expected


def test_transient_error_is_retried_until_success() -> None:
    calls: list[int] = []
    sleeps: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise _client_error("Throttling", 400)
        return "ok"

    assert retry.call(flaky, attempts=3, sleep=sleeps.append) == "ok"
    assert len(calls) == 3
    assert len(sleeps) == 2
    assert all(0 < s <= 2.0 for s in sleeps)


def test_retries_run_out_and_reraise_the_last_error() -> None:
    calls: list[int] = []

    def always_throttled() -> None:
        calls.append(1)
        raise _client_error("Throttling", 400)

    with pytest.raises(ClientError):
        retry.call(always_throttled, attempts=4, sleep=lambda _: None)
    assert len(calls) == 4


def test_client_errors_are_never_retried() -> None:
    calls: list[int] = []

    def denied() -> None:
        calls.append(1)
        raise _client_error("AccessDenied", 403)

    with pytest.raises(ClientError):
        retry.call(denied, attempts=5, sleep=lambda _: None)
    assert calls == [1]


class FakeClock:
    """Time that moves only when the policy sleeps, or when an attempt says it took long."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_total_time_bound_stops_retrying() -> None:
    clock = FakeClock()
    calls: list[float] = []

    def slow_failure() -> None:
        calls.append(clock.now)
        clock.now += 1.0  # each attempt takes a second
        raise TimeoutError

    with pytest.raises(TimeoutError):
        retry.call(slow_failure, attempts=100, max_total_s=3.0, sleep=clock.sleep, clock=clock)
    # attempts start at 0, ~1.1, ~2.3: after the third the 3 s budget is spent
    assert len(calls) == 3
    assert clock.now >= 3.0
    assert all(0 < s <= 2.0 for s in clock.sleeps)


def test_time_bound_counts_from_each_call_of_a_reused_policy() -> None:
    clock = FakeClock()
    policy = retry.policy(attempts=100, max_total_s=2.5, sleep=clock.sleep, clock=clock)
    counts = []
    for _ in range(2):
        calls: list[int] = []

        def failing(calls: list[int] = calls) -> None:
            calls.append(1)
            clock.now += 1.0
            raise TimeoutError

        with pytest.raises(TimeoutError):
            policy(failing)
        counts.append(len(calls))
        clock.now += 100  # a long pause between the two calls does not count
    assert counts[0] == counts[1] >= 2
