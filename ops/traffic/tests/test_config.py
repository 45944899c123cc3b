"""The committed env files parse and carry the seed's plan and thresholds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from lego_traffic.config import find_root, load_config
from lego_traffic.errors import InputError

if TYPE_CHECKING:
    from lego_traffic.testing import World

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


@pytest.mark.parametrize(
    ("section", "values", "field", "got"),
    [
        ("rollout", {"check_interval_s": "30"}, "rollout.check_interval_s", "'30'"),
        ("rollout", {"insync_poll_s": "2"}, "rollout.insync_poll_s", "'2'"),
        (
            "rollout",
            {"steps": [{"green_pct": 10, "hold_s": "300"}]},
            "rollout.steps.0.hold_s",
            "'300'",
        ),
        ("gates", {"min_requests": "20"}, "gates.min_requests", "'20'"),
        ("gates", {"max_latency_ms": True}, "gates.max_latency_ms", "True"),
        ("gates", {"functions": "mocs"}, "gates.functions", "'mocs'"),
        ("top", {"record_name": 42}, "record_name", "42"),
    ],
)
def test_config_wrong_type_exits_2_naming_field_and_file_before_any_change(
    world: World, section: str, values: dict[str, Any], field: str, got: str
) -> None:
    if section == "top":
        world.configure(**values)
    elif section == "gates":
        world.configure(gates=values)
    else:
        world.configure(rollout=values)
    world.simulator()

    code, _, err = world.cli("rollout")

    assert code == 2, err
    assert f"dev.json: {field}: Input should be" in err
    assert got in err
    assert world.weights() == {"blue": 100, "green": 0}
    assert not (world.root / "ops/traffic/state/dev/audit.jsonl").exists()


def test_config_unknown_key_exits_2(world: World) -> None:
    world.configure(rollout={"check_interval": 30})

    code, _, err = world.cli("shift", "--green", "10")

    assert code == 2
    assert "rollout.check_interval: Extra inputs are not permitted" in err
    assert world.weights() == {"blue": 100, "green": 0}


def test_config_hand_written_function_names_are_refused(world: World) -> None:
    world.configure(gates={"function_names": ["lego-dev-mocs"]})

    code, _, err = world.cli("rollout", "--dry-run")

    assert code == 2
    assert "function_names is derived, not written" in err
