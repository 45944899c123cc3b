"""Fixtures: a moto account with the blue/green records, a temp repo root and a fake clock."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import boto3
import pytest
from moto import mock_aws

from lego_traffic.ops import Deps
from lego_traffic.testing import START, ZONE, FakeClock, World, env_config, make_records

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


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
