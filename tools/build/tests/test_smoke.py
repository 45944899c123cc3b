"""Smoke test: host-compatible zips, unpacked, imported by a fresh `python -I -S`, called."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from lego_build.budgets import check_sizes
from lego_build.cli import HOST_DIST_DIR
from lego_build.functions import discover, find_root
from lego_build.smoke import run_smoke

if TYPE_CHECKING:
    from pathlib import Path

REPO_ROOT = find_root(__import__("pathlib").Path(__file__).parent)


def test_smoke_sandbox_handlers_answer_from_their_unpacked_zips(
    sandbox: Path, tmp_path: Path
) -> None:
    specs = discover(sandbox)
    results = {r.function: r for r in run_smoke(sandbox, list(specs.values()), tmp_path / "w")}

    assert results["health"].ok, results["health"].detail
    assert results["health"].status_code == 503
    assert results["mocs"].ok, results["mocs"].detail  # boto3 came from the runtime stand-in
    assert results["mocs"].route == "GET /api/mocs"
    assert results["gallery"].detail.startswith("skipped")


def test_smoke_handler_missing_a_dependency_fails_with_the_import_error(
    sandbox: Path, tmp_path: Path
) -> None:
    handler = sandbox / "functions/health/src/lego_health/handler.py"
    handler.write_text("import pydantic  # not a dependency of health\n" + handler.read_text())

    [result] = run_smoke(sandbox, [discover(sandbox)["health"]], tmp_path / "w")

    assert not result.ok
    assert "ModuleNotFoundError" in result.detail


@pytest.fixture(scope="module")
def repo_smoke(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    specs = [s for s in discover(REPO_ROOT).values() if s.has_handler]
    assert specs, "discover() found no function with a handler.py: discovery is broken"
    work = tmp_path_factory.mktemp("repo-smoke")
    # The same incremental host builds `make build-check` uses: unchanged zips are reused.
    dist = REPO_ROOT / HOST_DIST_DIR
    return {"results": run_smoke(REPO_ROOT, specs, work, host_dist_dir=dist), "dist": dist}


def test_smoke_every_real_handler_answers(repo_smoke: dict[str, object]) -> None:
    results = repo_smoke["results"]
    assert isinstance(results, list)
    failures = [f"{r.function}: {r.detail}" for r in results if not r.ok]

    assert failures == []


def test_real_zips_fit_lambda_limits(repo_smoke: dict[str, object]) -> None:
    dist = repo_smoke["dist"]
    assert isinstance(dist, type(REPO_ROOT))
    errors: list[str] = []
    for sidecar_path in sorted(dist.glob("*.json")):
        sidecar = json.loads(sidecar_path.read_text())
        verdict = check_sizes(
            sidecar["function"], sidecar["zipped_bytes"], sidecar["unzipped_bytes"]
        )
        errors += verdict.errors

    assert errors == []
