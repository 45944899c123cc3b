"""rollout: steps, CloudWatch gates (moto), rollback on breach, --resume after a crash."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from lego_traffic.testing import SimulatedCrashError, route53_propagation

if TYPE_CHECKING:
    from lego_traffic.testing import World

# Route53: "changes generally propagate to all Route 53 name servers within 60 seconds".
PROPAGATION_S = 60.0
SEED_ROLLBACK_BUDGET_S = 120.0  # seed 001 "Rollback Procedure": 100 % legacy in < 2 minutes


def test_rollout_healthy_passes_every_step(world: World) -> None:
    world.simulator()
    route53_propagation(world.route53, world.clock, PROPAGATION_S)

    code, out, err = world.cli("rollout")

    assert code == 0, err
    assert out["status"] == "completed"
    assert out["passed_steps"] == [10, 50, 100]
    assert world.weights() == {"blue": 0, "green": 100}
    assert world.tfvars() == {"blue_weight": 0, "green_weight": 100}
    assert world.state()["status"] == "completed"


def test_rollout_audits_each_step_with_metrics(world: World) -> None:
    world.simulator()

    world.cli("rollout")

    actions = [e["action"] for e in world.audit()]
    assert actions == [
        "rollout.started",
        *["rollout.step", "rollout.step_passed"] * 3,
        "rollout.completed",
    ]
    step = next(e for e in world.audit() if e["action"] == "rollout.step")
    assert step["from"] == {"blue": 100, "green": 0}
    assert step["to"] == {"blue": 90, "green": 10}


def test_rollout_breach_at_50_rolls_back_to_all_blue(world: World) -> None:
    world.simulator(bad_from_pct=50)

    code, out, _err = world.cli("rollout")

    assert code == 3
    assert out["status"] == "rolled_back"
    assert out["passed_steps"] == [10]
    assert "api_5xx_rate breach" in out["reason"]
    assert world.weights() == {"blue": 100, "green": 0}
    assert world.tfvars() == {"blue_weight": 100, "green_weight": 0}
    assert world.state()["status"] == "rolled_back"


def test_rollout_rollback_audit_carries_metric_values(world: World) -> None:
    world.simulator(bad_from_pct=50)

    world.cli("rollout")

    entry = next(e for e in world.audit() if e["action"] == "rollout.rollback")
    assert entry["to"] == {"blue": 100, "green": 0}
    assert entry["from"] == {"blue": 50, "green": 50}
    assert entry["metrics"]["api_5xx_rate"]["status"] == "breach"
    assert entry["metrics"]["api_5xx_rate"]["value"] == pytest.approx(8.0)


@pytest.mark.parametrize("lag_s", [0, 6, 15, 29, 36, 50])
def test_rollout_breach_to_insync_under_two_minutes(world: World, lag_s: int) -> None:
    """Breach visible (datapoint in CloudWatch) -> rollback INSYNC, with 60 s propagation."""
    simulator = world.simulator(bad_from_pct=50, lag_s=lag_s)
    route53_propagation(world.route53, world.clock, PROPAGATION_S)

    code, out, _ = world.cli("rollout")

    assert code == 3
    assert simulator.breach_visible_at is not None
    elapsed = out["rollback"]["insync_epoch_s"] - simulator.breach_visible_at
    # check_interval_s 30 + propagation 60 + one GetChange poll 2 = 92 s worst case
    assert elapsed <= 30 + PROPAGATION_S + 2
    assert elapsed < SEED_ROLLBACK_BUDGET_S
    print(f"breach visible -> rollback INSYNC: {elapsed:.0f} s (lag {lag_s} s)")


@pytest.mark.parametrize(
    ("bad", "gate"), [("latency", "latency_Maximum"), ("lambda", "lambda_error_rate")]
)
def test_rollout_other_gates_trigger_rollback(world: World, bad: str, gate: str) -> None:
    world.simulator(bad_from_pct=10, bad_metrics=frozenset({bad}))

    code, out, _ = world.cli("rollout")

    assert code == 3
    assert f"{gate} breach" in out["reason"]
    assert world.weights() == {"blue": 100, "green": 0}


def test_rollout_missing_metrics_fail_the_gate(world: World) -> None:
    world.simulator(silent=True)

    code, out, _ = world.cli("rollout")

    assert code == 3
    assert "api_5xx_rate missing" in out["reason"]
    assert world.weights() == {"blue": 100, "green": 0}
    # not before missing_grace_s (120 s) has passed since the shift
    assert out["detected_epoch_s"] - world.audit()[1]["epoch_s"] >= 120


def test_rollout_crash_between_steps_then_resume_completes(world: World) -> None:
    world.simulator()
    route53_propagation(world.route53, world.clock, PROPAGATION_S)
    state_file = world.root / "ops/traffic/state/dev/rollout.json"
    world.clock.crash_if = lambda _: json.loads(state_file.read_text())["passed"] == [0]

    with pytest.raises(SimulatedCrashError):
        world.cli("rollout")
    assert world.state()["status"] == "running"
    assert world.state()["passed"] == [0]
    world.clock.crash_if = None

    code, out, err = world.cli("rollout", "--resume")

    assert code == 0, err
    assert "resuming rollout" in err
    assert out["passed_steps"] == [10, 50, 100]
    assert world.weights() == {"blue": 0, "green": 100}
    resumed = next(e for e in world.audit() if e["action"] == "rollout.resumed")
    assert resumed["step"] == 2


def test_rollout_after_crash_refuses_fresh_start_without_flag(world: World) -> None:
    world.simulator()
    state_file = world.root / "ops/traffic/state/dev/rollout.json"
    world.clock.crash_if = lambda _: json.loads(state_file.read_text())["passed"] == [0]
    with pytest.raises(SimulatedCrashError):
        world.cli("rollout")
    world.clock.crash_if = None

    code, _, err = world.cli("rollout")

    assert code == 4
    assert "use --resume" in err
    assert world.weights() == {"blue": 50, "green": 50}


def test_rollout_resume_after_rollback_rehearses_last_good_step(world: World) -> None:
    simulator = world.simulator(bad_from_pct=50)
    world.cli("rollout")
    simulator.bad_from_pct = None  # the fix is deployed
    world.clock.sleep(300)  # the breach leaves the gate window

    code, out, _ = world.cli("rollout", "--resume")

    assert code == 0
    assert out["passed_steps"] == [10, 50, 100]
    resumed = next(e for e in world.audit() if e["action"] == "rollout.resumed")
    assert resumed["green_pct"] == 10


def test_rollout_resume_without_state_exits_4(world: World) -> None:
    code, _, err = world.cli("rollout", "--resume")

    assert code == 4
    assert "nothing to resume" in err


def test_rollout_stops_when_weights_change_underneath(world: World) -> None:
    world.simulator()
    changed = {"done": False}

    def operator_shifts_by_hand(now: float) -> None:
        if not changed["done"] and world.weights().get("green") == 50:
            world.set_records(blue=80, green=20)
            changed["done"] = True

    world.clock.listeners.append(operator_shifts_by_hand)

    code, out, _ = world.cli("rollout")

    assert code == 4
    assert "weights changed outside this rollout" in out["reason"]
    assert world.weights() == {"blue": 80, "green": 20}


def test_manual_rollback_marks_running_rollout_rolled_back(world: World) -> None:
    world.simulator()
    state_file = world.root / "ops/traffic/state/dev/rollout.json"
    world.clock.crash_if = lambda _: json.loads(state_file.read_text())["passed"] == [0]
    with pytest.raises(SimulatedCrashError):
        world.cli("rollout")
    world.clock.crash_if = None

    code, _, _ = world.cli("rollback", "--reason", "pager")

    assert code == 0
    assert world.state()["status"] == "rolled_back"
    assert world.weights() == {"blue": 100, "green": 0}


def test_rollout_dry_run_changes_nothing(world: World) -> None:
    world.set_records(blue=90, green=10)
    world.simulator()
    world.clock.sleep(240)

    code, out, _ = world.cli("rollout", "--dry-run")

    assert code == 0
    assert out["gates_would_pass"] is True
    assert [s["green_pct"] for s in out["plan"]["steps"]] == [10, 50, 100]
    assert world.weights() == {"blue": 90, "green": 10}


@pytest.mark.parametrize(
    ("rollout", "message"),
    [
        ({"steps": [{"green_pct": 50, "hold_s": 300}, {"green_pct": 10, "hold_s": 300}]}, "rise"),
        ({"steps": [{"green_pct": 120, "hold_s": 300}]}, "between 0 and 100"),
        ({"steps": [{"green_pct": 10, "hold_s": 60}]}, "missing_grace_s"),
    ],
)
def test_rollout_bad_plan_exits_2(world: World, rollout: dict[str, object], message: str) -> None:
    world.configure(rollout=rollout)

    code, _, err = world.cli("rollout")

    assert code == 2
    assert message in err
    assert world.weights() == {"blue": 100, "green": 0}


def test_rollout_ctrl_c_leaves_weights_and_resumes(world: World) -> None:
    world.simulator()
    world.clock.crash_with = KeyboardInterrupt
    world.clock.crash_if = lambda now: world.weights().get("green") == 50

    code, out, err = world.cli("rollout")

    assert code == 130
    assert "--resume" in err
    assert out["status"] == "interrupted"
    assert world.weights() == {"blue": 50, "green": 50}
    assert world.audit()[-1]["action"] == "rollout.interrupted"
    world.clock.crash_if = None
    assert world.cli("rollout", "--resume")[0] == 0


def test_rollout_resume_after_completion_is_a_noop(world: World) -> None:
    world.simulator()
    world.cli("rollout")

    code, out, _ = world.cli("rollout", "--resume")

    assert code == 0
    assert out["status"] == "completed"
    assert world.weights() == {"blue": 0, "green": 100}


def test_rollout_crash_after_last_hold_resume_completes_without_moving(world: World) -> None:
    world.simulator()
    state_file = world.root / "ops/traffic/state/dev/rollout.json"
    # The last hold's final sleep: all three steps are held once it returns.
    world.clock.crash_if = lambda _: (
        json.loads(state_file.read_text())["passed"] == [0, 1]
        and (world.weights().get("green") == 100)
    )
    with pytest.raises(SimulatedCrashError):
        world.cli("rollout")
    world.clock.crash_if = None
    state = world.state()
    state["passed"] = [0, 1, 2]  # as if it died between the last hold and "completed"
    state_file.write_text(json.dumps(state))

    code, out, _ = world.cli("rollout", "--resume")

    assert code == 0
    assert out["status"] == "completed"
    assert world.state()["status"] == "completed"
    assert world.weights() == {"blue": 0, "green": 100}


def test_rollout_refuses_placeholder_api_id(world: World) -> None:
    world.configure(gates={"api_id": "REPLACE-dev-api-id"})

    code, _, err = world.cli("rollout")

    assert code == 2
    assert "placeholders" in err
    assert world.weights() == {"blue": 100, "green": 0}


def test_rollout_without_rollout_section_exits_2(world: World) -> None:
    config = world.root / "ops/traffic/envs/dev.json"
    data = json.loads(config.read_text())
    del data["rollout"]
    config.write_text(json.dumps(data))

    code, _, err = world.cli("rollout")

    assert code == 2
    assert "needs both a 'rollout' and a 'gates' section" in err
    assert world.weights() == {"blue": 100, "green": 0}
