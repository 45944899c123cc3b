"""Fixtures: a moto account with the blue/green records, a temp repo root and a fake clock."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lego_traffic.cli import main
from lego_traffic.ops import Deps
from lego_traffic.testing import FakeClock, GreenSimulator

# 2026-11-25T03:00:05Z: a 3 am change, a few seconds into a minute.
START = 1795575605.0
RECORD = "api.dev.lego-moc.example.com"
ZONE = "lego-moc.example.com."
BLUE_TARGET = "legacy-alb-123.us-east-1.elb.amazonaws.com"
GREEN_TARGET = "d-abc123.execute-api.us-east-1.amazonaws.com"
API_ID = "abc123"
FUNCTIONS = ("lego-dev-mocs", "lego-dev-gallery")


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Dummy credentials, no metadata lookups, nothing from the caller's shell."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("LEGO_TRAFFIC_ACTOR", "oncall@test")
    for var in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "LEGO_TRAFFIC_ROOT"):
        monkeypatch.delenv(var, raising=False)


def make_records(route53: Any, zone_id: str, *, blue: int = 100, green: int = 0) -> None:
    changes = [
        {
            "Action": "UPSERT",
            "ResourceRecordSet": {
                "Name": RECORD,
                "Type": "CNAME",
                "TTL": 60,
                "SetIdentifier": colour,
                "Weight": weight,
                "ResourceRecords": [{"Value": target}],
            },
        }
        for colour, weight, target in (("blue", blue, BLUE_TARGET), ("green", green, GREEN_TARGET))
    ]
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})


def env_config(**rollout: Any) -> dict[str, Any]:
    plan = {
        "check_interval_s": 30,
        "missing_grace_s": 120,
        "insync_timeout_s": 300,
        "insync_poll_s": 2,
        "steps": [
            {"green_pct": 10, "hold_s": 300},
            {"green_pct": 50, "hold_s": 300},
            {"green_pct": 100, "hold_s": 300},
        ],
    }
    plan.update(rollout)
    return {
        "zone_name": ZONE,
        "record_name": RECORD,
        "gates": {
            "api_id": API_ID,
            "function_names": list(FUNCTIONS),
            "latency_stat": "Maximum",  # moto has no percentiles; the simulator publishes p95s
            "period_s": 60,
            "window_s": 180,
            "min_requests": 20,
        },
        "rollout": plan,
    }


@dataclass
class World:
    root: Path
    deps: Deps
    clock: FakeClock
    zone_id: str
    route53: Any
    cloudwatch: Any
    runs: list[dict[str, Any]] = field(default_factory=list)

    def cli(self, *args: str, json_out: bool = True) -> tuple[int, Any, str]:
        """Run `lego-traffic ARGS --env dev` in-process; returns (exit code, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        argv = [*args, "--env", "dev", "--root", str(self.root)]
        if json_out:
            argv.append("--json")
        code = main(argv, deps=self.deps, stdout=out, stderr=err)
        text = out.getvalue()
        parsed = json.loads(text) if json_out and text else text
        return code, parsed, err.getvalue()

    def weights(self) -> dict[str, int]:
        page = self.route53.list_resource_record_sets(HostedZoneId=self.zone_id)
        return {
            rs["SetIdentifier"]: rs["Weight"]
            for rs in page["ResourceRecordSets"]
            if "SetIdentifier" in rs
        }

    def tfvars(self) -> dict[str, int]:
        path = self.root / "terraform/envs/dev/traffic.auto.tfvars.json"
        data: dict[str, int] = json.loads(path.read_text())
        return data

    def audit(self) -> list[dict[str, Any]]:
        path = self.root / "ops/traffic/state/dev/audit.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()]

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(
            (self.root / "ops/traffic/state/dev/rollout.json").read_text()
        )
        return data

    def configure(self, gates: dict[str, Any] | None = None, **top: Any) -> None:
        """Rewrite dev.json: `rollout=`/`gates=` entries merge into the defaults."""
        config = env_config(**top.pop("rollout", {}))
        config["gates"].update(gates or {})
        config.update(top)
        (self.root / "ops/traffic/envs/dev.json").write_text(json.dumps(config))

    def set_records(self, **weights: int) -> None:
        make_records(self.route53, self.zone_id, **weights)

    def simulator(self, **kwargs: Any) -> GreenSimulator:
        return GreenSimulator(
            route53=self.route53,
            cloudwatch=self.cloudwatch,
            clock=self.clock,
            zone_id=self.zone_id,
            record_name=RECORD,
            api_id=API_ID,
            function_names=FUNCTIONS,
            **kwargs,
        ).start()


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """moto account with zone + blue/green records at 100/0, a repo root with dev config."""
    with mock_aws():
        route53 = boto3.client("route53", region_name="us-east-1")
        cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
        zone_id = route53.create_hosted_zone(Name=ZONE, CallerReference="t")["HostedZone"]["Id"]
        zone_id = zone_id.removeprefix("/hostedzone/")
        make_records(route53, zone_id)
        (tmp_path / "ops/traffic/envs").mkdir(parents=True)
        (tmp_path / "ops/traffic/envs/dev.json").write_text(json.dumps(env_config()))
        (tmp_path / "terraform/envs/dev").mkdir(parents=True)
        (tmp_path / "terraform/envs/dev/traffic.auto.tfvars.json").write_text(
            json.dumps({"blue_weight": 100, "green_weight": 0})
        )
        clock = FakeClock(START)
        deps = Deps(
            route53=route53,
            cloudwatch=cloudwatch,
            clock=clock,
            s3=boto3.client("s3", region_name="us-east-1"),
            sns=boto3.client("sns", region_name="us-east-1"),
            sts=boto3.client("sts", region_name="us-east-1"),
        )
        yield World(tmp_path, deps, clock, zone_id, route53, cloudwatch)
