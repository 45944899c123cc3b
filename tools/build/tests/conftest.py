"""Fixtures for lego-build's tests: a sandbox copy of the workspace with stand-in handlers."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

# lego-build is a workspace member; until the root dev group lists it, `uv sync` may not
# install it, so fall back to its source tree rather than fail collection for everyone.
try:
    import lego_build  # noqa: F401
except ImportError:  # pragma: no cover - depends on how the venv was synced
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from lego_build.functions import find_root

REPO_ROOT = find_root(Path(__file__).parent)

HEALTH_HANDLER = '''\
"""Stand-in health handler: imports compiled wheels, answers like the real one without a DB."""
import json

import psycopg  # noqa: F401  (a compiled wheel: proves the host variant loads)
import redis  # noqa: F401


def lambda_handler(event, context):
    body = {"status": "unhealthy", "checks": {"database": "down"}}
    return {"statusCode": 503, "headers": {"content-type": "application/json"},
            "body": json.dumps(body)}
'''

MOCS_HANDLER = '''\
"""Stand-in CRUD handler: common + search deps at import, boto3 from the runtime at call."""
import json

import lego_common  # noqa: F401
import opensearchpy  # noqa: F401


def lambda_handler(event, context):
    import boto3  # provided by the Lambda runtime, not the zip

    boto3.session.Session()
    error = {"code": "SERVICE_UNAVAILABLE", "message": "database not configured",
             "details": None, "timestamp": "", "requestId": context.aws_request_id}
    return {"statusCode": 503, "headers": {"content-type": "application/json"},
            "body": json.dumps({"error": error})}
'''


def make_sandbox(dest: Path) -> Path:
    """Copy the workspace's pyproject files, uv.lock and route table; add stand-in code."""
    for rel in [
        "pyproject.toml",
        "uv.lock",
        "functions/routes.json",
        "terraform/modules/function/main.tf",  # the environment the smoke test gives handlers
        "packages/common/src/lego_common/certs/amazon-root-ca.pem",  # DB_SSLROOTCERT's bundle
    ]:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / rel, dest / rel)
    for pyproject in REPO_ROOT.glob("*/*/pyproject.toml"):
        member = pyproject.relative_to(REPO_ROOT)
        (dest / member).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(pyproject, dest / member)
    files = {
        "packages/common/src/lego_common/__init__.py": '"""Stand-in common."""\n',
        "packages/common/src/lego_common/keys.py": "PREFIX = 'lego'\n",
        "packages/common/src/lego_common/tests/__init__.py": "",
        "functions/health/src/lego_health/__init__.py": "",
        "functions/health/src/lego_health/handler.py": HEALTH_HANDLER,
        "functions/mocs/src/lego_mocs/__init__.py": "",
        "functions/mocs/src/lego_mocs/handler.py": MOCS_HANDLER,
        "functions/gallery/src/lego_gallery/__init__.py": "",
    }
    for rel, text in files.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_text(text)
    return dest


@pytest.fixture
def sandbox(tmp_path: Path) -> Path:
    """A throwaway workspace: real lock and pyprojects, stand-in health/mocs handlers."""
    return make_sandbox(tmp_path / "repo")


@pytest.fixture(scope="session")
def built_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sandbox already built for arm64 into dist/ (tests that only read it share one)."""
    from lego_build.build import Builder, build_all
    from lego_build.functions import discover
    from lego_build.targets import lambda_target

    root = make_sandbox(tmp_path_factory.mktemp("built") / "repo")
    build_all(Builder(root, lambda_target("arm64"), root / "dist"), discover(root).values())
    return root
