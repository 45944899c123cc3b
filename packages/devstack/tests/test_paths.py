"""The one repo-root finder (lego_build, lego_gateway, lego_traffic and the stack use it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lego_devstack.paths import RepoRootNotFoundError, find_repo_root

REPO = Path(__file__).resolve().parents[3]


def test_found_from_a_subdirectory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEGO_REPO_ROOT", raising=False)

    assert find_repo_root(REPO / "functions" / "health" / "src") == REPO


def test_explicit_root_then_environment_win(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LEGO_REPO_ROOT", str(tmp_path / "from-env"))

    assert find_repo_root(REPO, tmp_path / "given") == tmp_path / "given"
    assert find_repo_root(REPO) == tmp_path / "from-env"


def test_a_folder_outside_any_checkout_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("LEGO_REPO_ROOT", raising=False)
    (tmp_path / "uv.lock").write_text("")  # a uv project, but not this repo: no route table

    with pytest.raises(RepoRootNotFoundError, match=r"functions/routes\.json"):
        find_repo_root(tmp_path)
