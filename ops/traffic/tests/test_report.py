"""What the operator reads: each command's human output, line for line, and the JSON forms."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from lego_traffic.report import render

if TYPE_CHECKING:
    from lego_traffic.testing import World

TFVARS = "terraform/envs/dev/traffic.auto.tfvars.json"


def _change_id(world: World) -> str:
    change_id: str = world.audit()[-1]["change_id"]
    return change_id


def test_status_human_output_shows_records_last_change_and_tfvars(world: World) -> None:
    world.cli("shift", "--green", "10", "--reason", "canary")
    change_id = _change_id(world)

    code, out, err = world.cli("status", json_out=False)

    assert code == 0
    assert err == ""
    assert out == (
        f"env dev: api.dev.lego-moc.example.com. CNAME TTL 60 in zone {world.zone_id} "
        "(lego-moc.example.com.)\n"
        "  blue    90  -> legacy-alb-123.us-east-1.elb.amazonaws.com\n"
        "  green   10  -> d-abc123.execute-api.us-east-1.amazonaws.com\n"
        "  green share 10 %\n"
        f"last change: {change_id} INSYNC at 2026-11-25T03:00:05Z by oncall@test "
        "(shift: canary)\n"
        f"tfvars: {TFVARS} = blue 90 / green 10 (matches Route53)\n"
    )


def test_status_human_output_after_rollout_names_it(world: World) -> None:
    world.simulator()
    world.cli("rollout")

    _, out, _ = world.cli("status", json_out=False)

    assert (
        out.splitlines()[-1] == "rollout: r-20261125T030005Z completed, passed steps [10, 50, 100]"
    )


def test_shift_human_output_is_one_line_with_progress_on_stderr(world: World) -> None:
    code, out, err = world.cli("shift", "--green", "10", json_out=False)
    change_id = _change_id(world)

    assert code == 0
    assert out == (
        "shift dev: blue 100 / green 0 -> blue 90 / green 10 (10 % green); "
        f"change {change_id} INSYNC in 0 s; tfvars {TFVARS}\n"
    )
    assert err == (
        "[03:00:05] shift: blue 100 / green 0 (0 % green) -> blue 90 / green 10 (10 % green); "
        f"change {change_id} submitted, waiting for INSYNC\n"
        f"[03:00:05] shift: change {change_id} INSYNC after 0 s\n"
    )


def test_shift_dry_run_human_output_is_the_json_change_batch(world: World) -> None:
    _, out, _ = world.cli("shift", "--green", "10", "--dry-run", json_out=False)

    assert json.loads(out)["change_batch"]["Comment"] == "lego-traffic shift dev: manual shift"
    assert out.startswith('{\n  "env": "dev",\n  "action": "shift",\n  "dry_run": true,')


def test_rollout_dry_run_human_output_shows_plan_and_gates(world: World) -> None:
    code, out, _ = world.cli("rollout", "--dry-run", json_out=False)

    assert code == 0
    assert out == (
        "rollout plan dev: 10 % for 5 min -> 50 % for 5 min -> 100 % for 5 min\n"
        "  gates every 30 s; missing data fails after 120 s; INSYNC timeout 300 s\n"
        "  now: blue 100 / green 0 on api.dev.lego-moc.example.com.\n"
        "  gate api_5xx_rate: n/a (max 2%) missing no datapoints\n"
        "  gate lambda_error_rate: n/a (max 2%) missing no datapoints\n"
        "  gate latency_Maximum: n/a (max 1000 ms) missing no datapoints\n"
        "  no datapoints yet: expected while green takes no traffic (judged after step 1)\n"
    )


def test_rollout_breach_human_output_gives_reason_and_timing(world: World) -> None:
    world.simulator(bad_from_pct=50)

    code, out, err = world.cli("rollout", json_out=False)

    assert code == 3
    reason = (
        "gate failed at step 2/3 (50 % green): api_5xx_rate breach: 8.00 % > 2 % in the 03:05 "
        "period"
    )
    assert out == (
        "rollout r-20261125T030005Z dev: rolled_back\n"
        "  passed steps (green %): [10]; weights now blue 100 / green 0\n"
        f"  reason: {reason}\n"
        "  breach detected 2026-11-25T03:06:05Z, 100 % blue INSYNC 2026-11-25T03:06:05Z "
        "(0 s later)\n"
    )
    assert f"[03:06:05] ROLLBACK: {reason}\n" in err


def test_error_human_output_is_one_stderr_line(world: World) -> None:
    code, out, err = world.cli("shift", "--weights", "0:0", json_out=False)

    assert code == 2
    assert out == ""
    assert err == (
        "[03:00:05] ERROR: blue and green weights must not both be 0 (Route53 would split 50/50)\n"
    )


def test_error_json_output_carries_the_exit_code(world: World) -> None:
    code, out, err = world.cli("shift", "--weights", "0:0")

    assert code == 2
    assert out == ""
    line = json.loads(err)
    assert line["event"] == "error"
    assert line["exit_code"] == 2
    assert line["ts"] == "2026-11-25T03:00:05Z"
    assert line["message"].startswith("ERROR: blue and green weights must not both be 0")


def _plan_result(*, would_pass: bool, green: int, statuses: list[str]) -> dict[str, Any]:
    gates = {
        f"g{i}": {
            "name": f"g{i}",
            "value": None if status == "missing" else 1.5,
            "threshold": 2.0,
            "unit": "%",
            "status": status,
            "detail": "",
        }
        for i, status in enumerate(statuses)
    }
    return {
        "env": "prod",
        "dry_run": True,
        "plan": {
            "check_interval_s": 30,
            "missing_grace_s": 180,
            "insync_timeout_s": 300,
            "steps": [
                {"green_pct": 10, "hold_s": 172800},
                {"green_pct": 50, "hold_s": 90},
                {"green_pct": 100, "hold_s": 3600},
            ],
        },
        "target": {"record_name": "api.example.com."},
        "weights": {"blue": 100 - green, "green": green},
        "gates_now": gates,
        "gates_would_pass": would_pass,
        "state": {"rollout_id": "r-1", "status": "rolled_back"},
    }


def test_render_plan_durations_last_rollout_and_passing_gates() -> None:
    text = render(
        "rollout", _plan_result(would_pass=True, green=10, statuses=["ok"]), as_json=False
    )

    lines = text.splitlines()
    assert lines[0] == "rollout plan prod: 10 % for 48 h -> 50 % for 90 s -> 100 % for 1 h"
    assert "  gate g0: 1.5% (max 2%) ok" in lines
    assert lines[-2:] == ["  last rollout: r-1 rolled_back", "  gates pass now"]


@pytest.mark.parametrize(("green", "statuses"), [(10, ["missing"]), (0, ["breach", "missing"])])
def test_render_plan_failing_gates_says_find_out_why(green: int, statuses: list[str]) -> None:
    result = _plan_result(would_pass=False, green=green, statuses=statuses)

    text = render("rollout", result, as_json=False)

    assert text.splitlines()[-1] == "  gates FAIL now: find out why before starting"


def test_render_shift_without_tfvars_says_not_written() -> None:
    result = {
        "action": "rollback",
        "env": "dev",
        "from": {"blue": 0, "green": 100},
        "to": {"blue": 100, "green": 0},
        "green_pct": 0.0,
        "change_id": "C1",
        "seconds_to_insync": 41.5,
        "tfvars": None,
    }

    text = render("rollback", result, as_json=False)

    assert text == (
        "rollback dev: blue 0 / green 100 -> blue 100 / green 0 (0 % green); "
        "change C1 INSYNC in 41.5 s; tfvars NOT written"
    )


def test_render_json_is_indented_and_stringifies_the_rest() -> None:
    from pathlib import Path

    text = render("status", {"path": Path("a/b"), "n": 1}, as_json=True)

    assert text == '{\n  "path": "a/b",\n  "n": 1\n}'
