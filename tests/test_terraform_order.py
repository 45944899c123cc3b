"""Creation order that a plan cannot show: `terraform graph` of a module must hold the edges
a first real apply needs (issue 20 item 12) and a deploy needs (issue 13 item 8). moto enforces
no IAM and runs no migrations, so only the graph proves them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TERRAFORM = shutil.which("terraform") or "/usr/local/bin/terraform"
# The provider mirror tf-check uses (TF_MIRROR overrides it there too).
MIRROR = Path(os.environ.get("TF_MIRROR", "/opt/tf-plugins"))

pytestmark = pytest.mark.skipif(
    not (Path(TERRAFORM).exists() and MIRROR.is_dir()),
    reason=f"needs terraform and the provider mirror {MIRROR}",
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


def _waits_for(graph: str, start: str) -> set[str]:
    """Every node `start` depends on, directly or not (`terraform graph` drops implied edges)."""
    edges: dict[str, set[str]] = {}
    for source, target in re.findall(r'^\s*"([^"]+)" -> "([^"]+)";$', graph, flags=re.M):
        edges.setdefault(source, set()).add(target)
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in edges.get(todo.pop(), set()) - seen:
            seen.add(target)
            todo.append(target)
    return seen


def test_functions_change_only_after_the_migrations_ran(tmp_path: Path) -> None:
    # The API invokes $LATEST (or the alias following each version): a function's new code is
    # live once Terraform updates it, so it must not before the schema it expects is there.
    graph = _graph("stack", tmp_path)
    for resource in ("aws_lambda_function.this", "aws_lambda_alias.live", "aws_iam_role.this"):
        waits_for = _waits_for(graph, f"module.function.{resource}")
        assert "aws_lambda_invocation.migrate" in waits_for, resource
    # ...and the run itself takes the migration runner's new code.
    run_waits_for = _waits_for(graph, "aws_lambda_invocation.migrate")
    assert "module.migrate.aws_lambda_function.this" in run_waits_for
