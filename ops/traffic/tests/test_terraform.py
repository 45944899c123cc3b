"""Terraform is the source of truth: apply terraform/modules/traffic on a moto server, shift with
lego-traffic, and `terraform plan -detailed-exitcode` must report no drift (exit 0)."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from lego_traffic.cli import main
from lego_traffic.clock import RealClock
from lego_traffic.ops import Deps

if TYPE_CHECKING:
    from collections.abc import Iterator

REPO = Path(__file__).resolve().parents[3]
MODULE = REPO / "terraform/modules/traffic"
TERRAFORM = shutil.which("terraform") or "/usr/local/bin/terraform"
MIRROR = Path("/opt/tf-plugins")

pytestmark = pytest.mark.skipif(
    not (Path(TERRAFORM).exists() and MIRROR.is_dir() and MODULE.is_dir()),
    reason="needs terraform, the provider mirror /opt/tf-plugins and terraform/modules/traffic",
)

ROOT_TF = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.100" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  endpoints {
    route53 = "%(url)s"
    sts     = "%(url)s"
  }
}

variable "blue_weight" { type = number }
variable "green_weight" { type = number }

# moto picks hosted-zone ids, so the zone is found by name. The test makes it with boto3: an
# aws_route53_zone here would add the provider's fixed 15 s INSYNC wait to the test.
data "aws_route53_zone" "this" {
  name = "lego-moc.example.com"
}

module "traffic" {
  source = "%(module)s"

  zone_id      = data.aws_route53_zone.this.zone_id
  record_name  = "api.dev.lego-moc.example.com"
  blue_target  = "legacy-alb-123.us-east-1.elb.amazonaws.com"
  green_target = "d-abc123.execute-api.us-east-1.amazonaws.com"
  blue_weight  = var.blue_weight
  green_weight = var.green_weight
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    url = f"http://127.0.0.1:{port}"
    # moto keeps its backends per process: each test starts from an empty account.
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))
    try:
        yield url
    finally:
        server.stop()


def _terraform(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [TERRAFORM, *args, "-input=false", "-no-color"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _plans(root: Path, env: dict[str, str], *var_sets: list[str]) -> list[tuple[int, str]]:
    """`plan -detailed-exitcode` once per var set, concurrently (read-only, so -lock=false)."""
    procs = [
        subprocess.Popen(
            [
                TERRAFORM,
                "plan",
                "-detailed-exitcode",
                "-lock=false",
                "-input=false",
                "-no-color",
                *v,
            ],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for v in var_sets
    ]
    return [(proc.wait(timeout=120), proc.communicate()[0]) for proc in procs]


def test_plan_after_shift_shows_no_drift(tmp_path: Path, moto_url: str) -> None:
    tf_root = tmp_path / "terraform/envs/dev"
    tf_root.mkdir(parents=True)
    module = os.path.relpath(MODULE, tf_root)
    (tf_root / "main.tf").write_text(ROOT_TF % {"url": moto_url, "module": module})
    (tf_root / "traffic.auto.tfvars.json").write_text('{"blue_weight": 100, "green_weight": 0}\n')
    cli_config = tmp_path / "terraformrc"
    cli_config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n'
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1"}
    route53 = boto3.client("route53", region_name="us-east-1", endpoint_url=moto_url)
    route53.create_hosted_zone(Name="lego-moc.example.com", CallerReference="tf-test")
    init = _terraform(tf_root, env, "init")
    assert init.returncode == 0, init.stderr
    apply = _terraform(tf_root, env, "apply", "-auto-approve")
    assert apply.returncode == 0, apply.stderr
    (tmp_path / "ops/traffic/envs").mkdir(parents=True)
    (tmp_path / "ops/traffic/envs/dev.json").write_text(
        json.dumps(
            {"zone_name": "lego-moc.example.com", "record_name": "api.dev.lego-moc.example.com"}
        )
    )
    deps = Deps(
        route53=route53,
        cloudwatch=boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=moto_url),
        clock=RealClock(),
    )
    out = io.StringIO()

    code = main(
        ["shift", "--env", "dev", "--root", str(tmp_path), "--green", "10", "--json"],
        deps=deps,
        stdout=out,
        stderr=io.StringIO(),
    )

    assert code == 0
    assert json.loads(out.getvalue())["to"] == {"blue": 90, "green": 10}
    (plan_code, plan_out), (stale_code, stale_out) = _plans(
        tf_root, env, [], ["-var", "blue_weight=100", "-var", "green_weight=0"]
    )
    assert plan_code == 0, plan_out
    # Control: with the weights Terraform had before the shift, the same plan sees drift.
    assert stale_code == 2, stale_out


def _records(route53: Any, zone_id: str, name: str) -> list[dict[str, Any]]:
    sets = route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    return [rs for rs in sets if rs["Name"].rstrip(".") == name]


def test_first_apply_takes_over_a_plain_record(tmp_path: Path, moto_url: str) -> None:
    """Issue 20 item 5: the zone already answers api.<zone> with a plain CNAME to the legacy
    service. `lego-traffic adopt` makes it the weighted blue record in one batch; the first
    apply then takes blue over, adds green at 0, and the next plan shows no drift."""
    name = "api.dev.lego-moc.example.com"
    legacy = "legacy-alb-123.us-east-1.elb.amazonaws.com"
    tf_root = tmp_path / "terraform/envs/dev"
    tf_root.mkdir(parents=True)
    module = os.path.relpath(MODULE, tf_root)
    (tf_root / "main.tf").write_text(ROOT_TF % {"url": moto_url, "module": module})
    (tf_root / "traffic.auto.tfvars.json").write_text('{"blue_weight": 100, "green_weight": 0}\n')
    cli_config = tmp_path / "terraformrc"
    cli_config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n'
    )
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(cli_config), "TF_IN_AUTOMATION": "1"}
    route53 = boto3.client("route53", region_name="us-east-1", endpoint_url=moto_url)
    zone_id = route53.create_hosted_zone(Name="lego-moc.example.com", CallerReference="tf-adopt")[
        "HostedZone"
    ]["Id"]
    plain = {"Name": name, "Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": legacy}]}
    route53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": plain}]},
    )
    (tmp_path / "ops/traffic/envs").mkdir(parents=True)
    (tmp_path / "ops/traffic/envs/dev.json").write_text(
        json.dumps({"zone_name": "lego-moc.example.com", "record_name": name})
    )
    deps = Deps(
        route53=route53,
        cloudwatch=boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=moto_url),
        clock=RealClock(),
    )
    adopt = ["adopt", "--env", "dev", "--root", str(tmp_path), "--json"]

    # A record that does not point at the legacy target is refused and left alone.
    refused = main(
        [*adopt, "--legacy-target", "other.example.com"],
        deps=deps,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert refused == 2
    assert [rs.get("SetIdentifier") for rs in _records(route53, zone_id, name)] == [None]

    out = io.StringIO()
    code = main([*adopt, "--legacy-target", legacy], deps=deps, stdout=out, stderr=io.StringIO())

    assert code == 0
    assert json.loads(out.getvalue())["adopted"] is True
    (blue,) = _records(route53, zone_id, name)
    assert (blue["SetIdentifier"], blue["Weight"], blue["TTL"]) == ("blue", 100, 60)
    assert blue["ResourceRecords"] == [{"Value": legacy}]
    init = _terraform(tf_root, env, "init")
    assert init.returncode == 0, init.stderr
    apply = _terraform(tf_root, env, "apply", "-auto-approve")
    assert apply.returncode == 0, apply.stderr
    after = {rs.get("SetIdentifier"): rs for rs in _records(route53, zone_id, name)}
    assert set(after) == {"blue", "green"}  # no plain record left beside the weighted ones
    assert (after["blue"]["Weight"], after["green"]["Weight"]) == (100, 0)
    ((plan_code, plan_out),) = _plans(tf_root, env, [])
    assert plan_code == 0, plan_out
    # Adopting again changes nothing.
    again = io.StringIO()
    assert (
        main([*adopt, "--legacy-target", legacy], deps=deps, stdout=again, stderr=io.StringIO())
        == 0
    )
    assert json.loads(again.getvalue())["adopted"] is False
