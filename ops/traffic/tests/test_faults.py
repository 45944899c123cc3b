"""AWS failing under a rollout (issue 13 item 3): CloudWatch unreadable during a hold, Route53
unreachable during a rollback, and --resume after a rollback that failed. Errors are injected
with botocore before-call hooks on the moto clients, so the real client code path runs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from lego_traffic.testing import (
    START,
    SimulatedCrashError,
    failing_calls,
    read_timeout,
    throttled,
    unreachable,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from lego_traffic.testing import World

GRACE_S = 120  # env_config missing_grace_s


def cloudwatch_down() -> Exception:
    return EndpointConnectionError(endpoint_url="https://monitoring.us-east-1.amazonaws.com/")


def _at_green(world: World, pct: int) -> Callable[[], bool]:
    return lambda: world.weights().get("green") == pct


def _steps(world: World) -> list[dict[str, Any]]:
    return [e for e in world.audit() if e["action"] == "rollout.step"]


# ---- CloudWatch during a hold ----------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [throttled("GetMetricData"), read_timeout, cloudwatch_down],
    ids=["throttled", "read_timeout", "connection_error"],
)
def test_rollout_cloudwatch_errors_during_hold_are_retried_and_it_completes(
    world: World, error: Callable[[], Exception]
) -> None:
    world.simulator()
    failing = failing_calls(
        world.cloudwatch, "cloudwatch", "GetMetricData", error, when=_at_green(world, 50), times=3
    )

    code, out, err = world.cli("rollout")

    assert code == 0, err
    assert out["passed_steps"] == [10, 50, 100]
    assert failing.throttled == 3
    assert err.count("CloudWatch answered") == 3
    assert world.weights() == {"blue": 0, "green": 100}


def test_rollout_cloudwatch_outage_shorter_than_grace_keeps_holding(world: World) -> None:
    world.simulator()
    outage: dict[str, float] = {}

    def down_for_90_s() -> bool:
        if world.weights().get("green") != 50:
            return False
        outage.setdefault("from", world.clock.now())
        return world.clock.now() < outage["from"] + 90

    failing_calls(
        world.cloudwatch, "cloudwatch", "GetMetricData", cloudwatch_down, when=down_for_90_s
    )

    code, out, err = world.cli("rollout")

    assert code == 0, err
    assert out["passed_steps"] == [10, 50, 100]
    assert "cloudwatch pending" in err


def test_rollout_cloudwatch_unreadable_past_grace_rolls_back(world: World) -> None:
    world.simulator()
    failing_calls(
        world.cloudwatch, "cloudwatch", "GetMetricData", cloudwatch_down, when=_at_green(world, 50)
    )

    code, out, _ = world.cli("rollout")

    assert code == 3
    assert out["status"] == "rolled_back"
    assert "cloudwatch missing: GetMetricData failed (EndpointConnectionError" in out["reason"]
    assert world.weights() == {"blue": 100, "green": 0}
    assert world.state()["status"] == "rolled_back"
    step_2_insync = _steps(world)[1]["epoch_s"]
    assert out["detected_epoch_s"] - step_2_insync >= GRACE_S


def test_rollout_gates_unread_at_end_of_hold_do_not_pass_the_step(world: World) -> None:
    world.simulator()
    # Step 1 holds from START to START + 300: CloudWatch is down from 280 to 380 s.
    failing_calls(
        world.cloudwatch,
        "cloudwatch",
        "GetMetricData",
        cloudwatch_down,
        when=lambda: START + 280 <= world.clock.now() < START + 380,
    )

    code, out, err = world.cli("rollout")

    assert code == 0, err
    assert out["passed_steps"] == [10, 50, 100]
    assert _steps(world)[1]["submitted_at"] >= "2026-11-25T03:06:25Z"  # START + 380


# ---- Route53 during a rollback ---------------------------------------------------------------


def test_rollback_route53_connection_errors_are_retried_until_insync(world: World) -> None:
    world.set_records(blue=50, green=50)
    submit = failing_calls(
        world.route53, "route53", "ChangeResourceRecordSets", unreachable, times=3
    )
    poll = failing_calls(world.route53, "route53", "GetChange", read_timeout, times=2)

    code, out, err = world.cli("rollback")

    assert code == 0, err
    assert (submit.throttled, poll.throttled) == (3, 2)
    assert out["status"] == "INSYNC"
    assert world.weights() == {"blue": 100, "green": 0}


def test_rollout_rollback_retries_throttling_past_six_tries(world: World) -> None:
    world.simulator(bad_from_pct=50)
    failing_calls(
        world.route53,
        "route53",
        "ChangeResourceRecordSets",
        throttled("ChangeResourceRecordSets"),
        when=_at_green(world, 50),
        times=10,
    )

    code, out, err = world.cli("rollout")

    assert code == 3, err
    assert out["status"] == "rolled_back"
    assert world.weights() == {"blue": 100, "green": 0}


def test_rollback_access_denied_fails_loudly_at_once(world: World) -> None:
    world.set_records(blue=50, green=50)
    denied = failing_calls(
        world.route53,
        "route53",
        "ChangeResourceRecordSets",
        lambda: ClientError(
            {"Error": {"Code": "AccessDenied", "Message": "no"}}, "ChangeResourceRecordSets"
        ),
    )

    code, _, err = world.cli("rollback")

    assert code == 6
    assert denied.calls["ChangeResourceRecordSets"] == 1  # not transient: no retry
    assert "ROLLBACK NOT CONFIRMED in dev: Route53 answered AccessDenied." in err
    assert "`lego-traffic rollback --env dev`" in err
    assert world.weights() == {"blue": 50, "green": 50}


def _rollout_whose_rollback_fails(world: World) -> dict[str, bool]:
    """A breach at 50 %, then Route53 unreachable for the rollback's ChangeBatch until healed."""
    world.simulator(bad_from_pct=50)
    down = {"on": True}
    failing_calls(
        world.route53,
        "route53",
        "ChangeResourceRecordSets",
        unreachable,
        when=lambda: down["on"] and world.weights().get("green") == 50,
    )
    return down


def test_rollout_rollback_route53_unreachable_fails_loudly_saying_what_to_run(
    world: World,
) -> None:
    _rollout_whose_rollback_fails(world)

    code, out, err = world.cli("rollout")

    assert code == 6
    assert out == ""
    assert "ROLLBACK NOT CONFIRMED in dev" in err
    assert "EndpointConnectionError" in err
    assert "`lego-traffic rollback --env dev`" in err
    assert "`lego-traffic rollout --env dev --resume` finishes the rollback" in err
    assert world.weights() == {"blue": 50, "green": 50}
    assert world.state()["status"] == "rolling_back"
    assert world.audit()[-1]["action"] == "rollout.rollback_failed"


# ---- --resume after a rollback attempt -------------------------------------------------------


def test_rollout_resume_after_failed_rollback_finishes_it_never_shifts_forward(
    world: World,
) -> None:
    down = _rollout_whose_rollback_fails(world)
    world.cli("rollout")
    failed_at = len(world.audit())
    down["on"] = False  # Route53 reachable again

    code, out, err = world.cli("rollout", "--resume")

    assert code == 3, err
    assert out["status"] == "rolled_back"
    assert world.weights() == {"blue": 100, "green": 0}
    assert world.state()["status"] == "rolled_back"
    moves = [e["to"] for e in world.audit()[failed_at:] if "to" in e]
    assert moves == [{"blue": 100, "green": 0}]


def test_rollout_fresh_after_failed_rollback_is_refused(world: World) -> None:
    _rollout_whose_rollback_fails(world)
    world.cli("rollout")

    code, _, err = world.cli("rollout", "--fresh")

    assert code == 4
    assert "was not confirmed" in err
    assert world.weights() == {"blue": 50, "green": 50}


def test_manual_rollback_failed_then_resume_does_not_shift_forward(world: World) -> None:
    world.simulator()
    state_file = world.root / "ops/traffic/state/dev/rollout.json"
    world.clock.crash_if = lambda _: json.loads(state_file.read_text())["passed"] == [0]
    with pytest.raises(SimulatedCrashError):
        world.cli("rollout")  # killed while holding 50 %
    world.clock.crash_if = None
    down = {"on": True}
    failing_calls(
        world.route53, "route53", "ChangeResourceRecordSets", unreachable, when=lambda: down["on"]
    )
    assert world.cli("rollback")[0] == 6
    assert world.state()["status"] == "rolling_back"
    down["on"] = False

    code, _, err = world.cli("rollout", "--resume")

    assert code == 3, err
    assert world.weights() == {"blue": 100, "green": 0}
    assert world.state()["status"] == "rolled_back"
