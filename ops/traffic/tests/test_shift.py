"""status / shift / rollback against moto's Route53."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from lego_traffic.cli import main
from lego_traffic.testing import count_calls, route53_propagation, route53_throttling

if TYPE_CHECKING:
    from lego_traffic.testing import World


def test_status_shows_weights_targets_and_tfvars(world: World) -> None:
    code, out, _ = world.cli("status")

    assert code == 0
    assert out["weights"] == {"blue": 100, "green": 0}
    assert out["ttl"] == 60
    assert out["targets"]["green"] == "d-abc123.execute-api.us-east-1.amazonaws.com"
    assert out["tfvars"]["matches_route53"] is True


def test_shift_moves_both_weights_in_one_batch(world: World) -> None:
    calls = count_calls(world.route53, "route53", "ChangeResourceRecordSets")

    code, out, _ = world.cli("shift", "--green", "10", "--reason", "phase 3")

    assert code == 0
    assert calls.calls == {"ChangeResourceRecordSets": 1}
    assert world.weights() == {"blue": 90, "green": 10}
    assert out["status"] == "INSYNC"
    assert out["from"] == {"blue": 100, "green": 0}
    assert out["to"] == {"blue": 90, "green": 10}


def test_shift_writes_tfvars_for_terraform(world: World) -> None:
    world.cli("shift", "--green", "50")

    assert world.tfvars() == {"blue_weight": 50, "green_weight": 50}


def test_shift_appends_audit_entry(world: World) -> None:
    world.cli("shift", "--weights", "200:55", "--reason", "canary by weight")

    entry = world.audit()[-1]
    assert entry["action"] == "shift"
    assert entry["who"]["actor"] == "oncall@test"
    assert entry["who"]["aws_principal"].startswith("arn:aws:sts::")
    assert entry["from"] == {"blue": 100, "green": 0}
    assert entry["to"] == {"blue": 200, "green": 55}
    assert entry["why"] == "canary by weight"
    assert entry["ts"] == "2026-11-25T03:00:05Z"


def test_shift_keeps_record_definition_but_weight(world: World) -> None:
    world.cli("shift", "--green", "10")

    page = world.route53.list_resource_record_sets(HostedZoneId=world.zone_id)
    green = next(rs for rs in page["ResourceRecordSets"] if rs.get("SetIdentifier") == "green")
    assert green["TTL"] == 60
    assert green["Type"] == "CNAME"
    assert green["ResourceRecords"] == [{"Value": "d-abc123.execute-api.us-east-1.amazonaws.com"}]


def test_shift_dry_run_sends_nothing(world: World) -> None:
    calls = count_calls(world.route53, "route53", "ChangeResourceRecordSets")

    code, out, _ = world.cli("shift", "--green", "10", "--dry-run")

    assert code == 0
    assert calls.calls == {}
    assert world.weights() == {"blue": 100, "green": 0}
    changes = out["change_batch"]["Changes"]
    assert [(c["Action"], c["ResourceRecordSet"]["Weight"]) for c in changes] == [
        ("UPSERT", 90),
        ("UPSERT", 10),
    ]


def test_shift_waits_for_insync_with_progress(world: World) -> None:
    route53_propagation(world.route53, world.clock, delay_s=20)

    code, out, err = world.cli("shift", "--green", "10", json_out=False)

    assert code == 0
    assert "INSYNC in 20 s" in out
    assert "PENDING for 10 s" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--green", "101"], "between 0 and 100"),
        (["--green", "-5"], "between 0 and 100"),
        (["--weights", "256:0"], "between 0 and 255"),
        (["--weights", "0:0"], "must not both be 0"),
    ],
)
def test_shift_bad_weights_exit_2_weights_untouched(
    world: World, args: list[str], message: str
) -> None:
    code, _, err = world.cli("shift", *args)

    assert code == 2
    assert message in err
    assert world.weights() == {"blue": 100, "green": 0}


def test_shift_unknown_zone_id_exits_2(world: World) -> None:
    code, _, err = world.cli("shift", "--green", "10", "--zone-id", "Z0000000000NOPE")

    assert code == 2
    assert "hosted zone 'Z0000000000NOPE' does not exist" in err
    assert world.weights() == {"blue": 100, "green": 0}


def test_shift_unknown_zone_name_exits_2(world: World) -> None:
    code, _, err = world.cli("shift", "--green", "10", "--zone-name", "nope.example.com")

    assert code == 2
    assert "no hosted zone named nope.example.com." in err


def test_shift_record_missing_exits_2(world: World) -> None:
    code, _, err = world.cli("shift", "--green", "10", "--record-name", "www.lego-moc.example.com")

    assert code == 2
    assert "lacks weighted record(s) ['blue', 'green']" in err
    assert world.weights() == {"blue": 100, "green": 0}


def test_shift_record_without_green_exits_2(world: World) -> None:
    world.route53.change_resource_record_sets(
        HostedZoneId=world.zone_id,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "DELETE",
                    "ResourceRecordSet": {
                        "Name": "api.dev.lego-moc.example.com",
                        "Type": "CNAME",
                        "TTL": 60,
                        "SetIdentifier": "green",
                        "Weight": 0,
                        "ResourceRecords": [
                            {"Value": "d-abc123.execute-api.us-east-1.amazonaws.com"}
                        ],
                    },
                }
            ]
        },
    )

    code, _, err = world.cli("shift", "--green", "10")

    assert code == 2
    assert "lacks weighted record(s) ['green'] (found: blue)" in err
    assert world.weights() == {"blue": 100}


def test_shift_throttled_retries_with_backoff(world: World) -> None:
    throttle = route53_throttling(world.route53, "ChangeResourceRecordSets", times=3)

    code, _, err = world.cli("shift", "--green", "10")

    assert code == 0
    assert throttle.calls["ChangeResourceRecordSets"] == 4
    assert world.weights() == {"blue": 90, "green": 10}
    assert err.count("answered Throttling") == 3
    backoff = world.clock.slept[:3]
    assert backoff == sorted(backoff)  # exponential: each wait longer than the last


def test_shift_throttled_past_budget_exits_1_weights_untouched(world: World) -> None:
    route53_throttling(world.route53, "ChangeResourceRecordSets", times=99)

    code, _, err = world.cli("shift", "--green", "10")

    assert code == 1
    assert "Throttling" in err
    assert world.weights() == {"blue": 100, "green": 0}
    assert world.tfvars() == {"blue_weight": 100, "green_weight": 0}


def test_rollback_returns_all_traffic_to_blue(world: World) -> None:
    world.set_records(blue=50, green=50)

    code, out, _ = world.cli("rollback", "--reason", "5xx spike")

    assert code == 0
    assert world.weights() == {"blue": 100, "green": 0}
    assert world.tfvars() == {"blue_weight": 100, "green_weight": 0}
    assert world.audit()[-1]["why"] == "5xx spike"
    assert out["from"] == {"blue": 50, "green": 50}


def test_shift_notifies_sns_and_copies_audit_to_s3(world: World) -> None:
    import boto3

    sns = boto3.client("sns", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    s3 = boto3.client("s3", region_name="us-east-1")
    topic = sns.create_topic(Name="traffic")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="pager")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    s3.create_bucket(Bucket="audit")
    world.configure(sns_topic_arn=topic, audit_s3_uri="s3://audit/traffic")

    world.cli("shift", "--green", "10")

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="audit")["Contents"]]
    assert len(keys) == 1
    assert keys[0].startswith("traffic/dev/2026-11-25T03:00:05Z-shift-")
    message = json.loads(sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"])
    assert message["Subject"] == "lego-traffic dev: shift 0->10 green"


def test_shift_audit_s3_failure_warns_and_still_shifts(world: World) -> None:
    world.configure(audit_s3_uri="s3://no-such-bucket/traffic")

    code, _, err = world.cli("shift", "--green", "10")

    assert code == 0
    assert "audit entry kept locally only" in err
    assert world.audit()[-1]["to"] == {"blue": 90, "green": 10}


def test_status_reports_tfvars_drift(world: World) -> None:
    world.set_records(blue=50, green=50)

    code, out, _ = world.cli("status", json_out=False)

    assert code == 0
    assert "DIFFERS from Route53" in out


@pytest.mark.parametrize("command", ["status", "shift", "rollout", "rollback", None])
def test_every_command_has_help(command: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [command, "--help"] if command else ["--help"]

    with pytest.raises(SystemExit) as exit_info:
        main(argv)

    assert exit_info.value.code == 0
    assert "usage: lego-traffic" in capsys.readouterr().out


def test_shift_not_insync_in_time_exits_5_and_audits_pending(world: World) -> None:
    route53_propagation(world.route53, world.clock, delay_s=10_000)

    code, _, err = world.cli("shift", "--green", "10")

    assert code == 5
    assert "still PENDING after 300 s" in err
    assert world.audit()[-1]["status"] == "PENDING"


def test_rollback_works_when_route53_holds_both_weights_zero(world: World) -> None:
    world.set_records(blue=0, green=0)

    code, out, _ = world.cli("rollback")

    assert code == 0
    assert out["from"] == {"blue": 0, "green": 0}
    assert world.weights() == {"blue": 100, "green": 0}


def test_status_survives_an_expired_change_id(world: World) -> None:
    from botocore.exceptions import ClientError

    world.cli("shift", "--green", "10")

    def expired(**_: object) -> None:
        raise ClientError({"Error": {"Code": "NoSuchChange", "Message": "gone"}}, "GetChange")

    world.route53.meta.events.register("before-call.route53.GetChange", expired)

    code, out, _ = world.cli("status")

    assert code == 0
    assert out["last_change"]["status"].startswith("unknown")


def test_shift_works_while_gates_hold_placeholders(world: World) -> None:
    world.configure(gates={"api_id": "REPLACE-dev-api-id"})

    code, _, _ = world.cli("shift", "--green", "10")

    assert code == 0


def _crash_after_first_step(world: World) -> None:
    from lego_traffic.testing import SimulatedCrashError

    world.simulator()
    state_file = world.root / "ops/traffic/state/dev/rollout.json"
    world.clock.crash_if = lambda _: json.loads(state_file.read_text())["passed"] == [0]
    with pytest.raises(SimulatedCrashError):
        world.cli("rollout")
    world.clock.crash_if = None


def test_shift_while_rollout_running_warns_it_will_stop(world: World) -> None:
    _crash_after_first_step(world)

    code, _, err = world.cli("shift", "--green", "20")

    assert code == 0
    assert "rollout r-20261125T030005Z is recorded as running" in err
    assert world.weights() == {"blue": 80, "green": 20}


def test_shift_dry_run_while_rollout_running_does_not_warn(world: World) -> None:
    _crash_after_first_step(world)

    _, _, err = world.cli("shift", "--green", "20", "--dry-run")

    assert "recorded as running" not in err


def test_status_shows_the_running_rollout_and_its_step(world: World) -> None:
    _crash_after_first_step(world)

    _, out, _ = world.cli("status")

    assert out["rollout"]["rollout_id"] == "r-20261125T030005Z"
    assert out["rollout"]["status"] == "running"
    assert out["rollout"]["passed"] == [10]
    assert out["rollout"]["current_step"] == 2


def test_rollback_result_names_the_rollout_it_ended(world: World) -> None:
    _crash_after_first_step(world)

    _, out, _ = world.cli("rollback")

    assert out["rollout_id"] == "r-20261125T030005Z"
    assert world.state()["last_reason"] == "manual rollback: manual rollback"


def test_rollback_without_running_rollout_leaves_state_alone(world: World) -> None:
    world.simulator()
    world.cli("rollout")

    _, out, _ = world.cli("rollback")

    assert "rollout_id" not in out
    assert world.state()["status"] == "completed"
