"""Creation order that a plan cannot show: `terraform graph` of a module must hold the edges
a first real apply needs (issue 20 item 12). moto enforces no IAM, so only the graph proves them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TERRAFORM = shutil.which("terraform") or "/usr/local/bin/terraform"
MIRROR = Path("/opt/tf-plugins")

pytestmark = pytest.mark.skipif(
    not (Path(TERRAFORM).exists() and MIRROR.is_dir()),
    reason="needs terraform and the provider mirror /opt/tf-plugins",
)


def _graph(module: str, tmp_path: Path) -> str:
    cli_config = tmp_path / "terraformrc"
    cli_config.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\n'
    )
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "TF_DATA_DIR": str(tmp_path / "data"),
        "TF_IN_AUTOMATION": "1",
    }
    root = REPO / "terraform/modules" / module
    lock = root / ".terraform.lock.hcl"
    had_lock = lock.exists()
    try:
        init = subprocess.run(
            [TERRAFORM, "init", "-backend=false", "-input=false", "-no-color"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert init.returncode == 0, init.stderr
        graph = subprocess.run(
            [TERRAFORM, "graph"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert graph.returncode == 0, graph.stderr
        return graph.stdout
    finally:
        if not had_lock:  # modules keep no lock file (envs own theirs)
            lock.unlink(missing_ok=True)


def test_proxy_waits_for_its_role_policy(tmp_path: Path) -> None:
    # The proxy reads the database secret as soon as it exists; without the policy on its role
    # it starts unable to authenticate (IAM is eventually consistent on top of that).
    graph = _graph("database", tmp_path)
    assert '"aws_db_proxy.this" -> "aws_iam_role_policy.proxy"' in graph
