"""The committed env files parse and carry the seed's plan and thresholds."""

from __future__ import annotations

from pathlib import Path

import pytest

from lego_traffic.config import find_root, load_config
from lego_traffic.errors import InputError

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("env", ["dev", "staging", "production"])
def test_env_file_has_seed_steps_and_thresholds(env: str) -> None:
    cfg = load_config(env, root=REPO)

    assert cfg.rollout is not None
    assert cfg.gates is not None
    assert [s.green_pct for s in cfg.rollout.steps] == [10, 50, 100]
    assert cfg.gates.max_api_5xx_rate_pct == 2.0
    assert cfg.gates.max_latency_ms == 1000
    assert cfg.gates.latency_stat == "p95"
    assert cfg.tfvars_file == REPO / f"terraform/envs/{env}/traffic.auto.tfvars.json"


def test_production_holds_are_the_seeds_48_and_72_hours() -> None:
    cfg = load_config("production", root=REPO)

    assert cfg.rollout is not None
    assert [s.hold_s for s in cfg.rollout.steps[:2]] == [48 * 3600, 72 * 3600]


def test_unknown_env_lists_known_ones() -> None:
    with pytest.raises(InputError, match="known envs: dev, production, staging"):
        load_config("prod", root=REPO)


def test_root_found_from_a_subdirectory() -> None:
    assert find_root(None, start=REPO / "ops/traffic/src") == REPO
