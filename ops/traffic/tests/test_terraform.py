"""Terraform is the source of truth: apply terraform/modules/traffic on a moto server, shift with
lego-traffic, and `terraform plan -detailed-exitcode` must report no drift (exit 0)."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

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
    try:
        yield f"http://127.0.0.1:{port}"
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
