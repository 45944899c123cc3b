"""The workflow lint of `make test` (mk/ci.mk) passes .github/workflows and fails each kind of
broken workflow, each check on its own: YAML, actionlint, GitHub's workflow schema (issue 18)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

VALID = """\
name: ok
on: push
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - run: echo ok
"""


def _make(target: str, *workflows: Path) -> subprocess.CompletedProcess[str]:
    args = [f"WORKFLOWS={' '.join(str(w) for w in workflows)}"] if workflows else []
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), target, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _workflow(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "workflow.yml"
    path.write_text(text)
    return path


def test_the_repository_workflows_pass() -> None:
    result = _make("workflow-lint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "actionlint: 1 file(s), 0 finding(s)" in result.stdout
    assert "ok -- validation done" in result.stdout


@pytest.mark.parametrize("target", ["workflow-yaml", "workflow-actionlint", "workflow-schema"])
def test_each_check_passes_a_valid_workflow(tmp_path: Path, target: str) -> None:
    # The broken cases below differ from this one by a single line, so each failure is theirs.
    result = _make(target, _workflow(tmp_path, VALID))
    assert result.returncode == 0, result.stdout + result.stderr


def test_yaml_check_rejects_unparsable_yaml(tmp_path: Path) -> None:
    broken = _workflow(tmp_path, VALID.replace("      - run: echo ok", "      - run: [echo ok"))
    result = _make("workflow-yaml", broken)
    assert result.returncode != 0
    assert "yaml" in result.stderr.lower()


def test_actionlint_rejects_an_undefined_context_property(tmp_path: Path) -> None:
    broken = _workflow(tmp_path, VALID.replace("echo ok", "echo ${{ matrix.env }}"))
    result = _make("workflow-actionlint", broken)
    assert result.returncode != 0
    assert 'property "env" is not defined' in result.stdout
    assert "1 finding(s)" in result.stdout


def test_actionlint_rejects_a_job_needing_an_unknown_job(tmp_path: Path) -> None:
    broken = _workflow(tmp_path, VALID.replace("    runs-on:", "    needs: build\n    runs-on:"))
    result = _make("workflow-actionlint", broken)
    assert result.returncode != 0
    assert '"build"' in result.stdout


def test_schema_rejects_what_github_would_refuse(tmp_path: Path) -> None:
    broken = _workflow(tmp_path, VALID.replace("timeout-minutes: 5", "timeout-minutes: soon"))
    result = _make("workflow-schema", broken)
    assert result.returncode != 0
    assert "timeout-minutes" in result.stdout + result.stderr
