"""Per-environment config: ops/traffic/envs/<env>.json (target records, gates, rollout steps)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lego_traffic.errors import InputError
from lego_traffic.weights import Weights

ROOT_ENV_VAR = "LEGO_TRAFFIC_ROOT"
ENVS_DIR = Path("ops/traffic/envs")


@dataclass(frozen=True)
class Step:
    """One rollout step: move to `green_pct` and watch the gates for `hold_s`."""

    green_pct: int
    hold_s: int

    @property
    def weights(self) -> Weights:
        return Weights.from_green_pct(self.green_pct)

    def to_dict(self) -> dict[str, int]:
        return {"green_pct": self.green_pct, "hold_s": self.hold_s}


@dataclass(frozen=True)
class Gates:
    """Rollback triggers (seed 001 "Blue/Green Deployment Plan": errors > 2 %, p95 > 1000 ms)."""

    api_id: str
    stage: str = "$default"
    function_names: tuple[str, ...] = ()
    max_api_5xx_rate_pct: float = 2.0
    max_lambda_error_rate_pct: float = 2.0
    max_latency_ms: float = 1000.0
    # CloudWatch statistic for the latency gate; moto computes no percentiles, tests use Maximum.
    latency_stat: str = "p95"
    period_s: int = 60
    window_s: int = 180
    # A period with fewer requests than this is not judged for a rate (1 of 3 is not 33 %).
    min_requests: int = 20


@dataclass(frozen=True)
class RolloutPlan:
    steps: tuple[Step, ...]
    check_interval_s: int = 30
    # After a shift, missing datapoints are "pending" this long (CloudWatch lags 1-2 min).
    missing_grace_s: int = 120
    insync_timeout_s: int = 300
    insync_poll_s: float = 2.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": [s.to_dict() for s in self.steps],
            "check_interval_s": self.check_interval_s,
            "missing_grace_s": self.missing_grace_s,
            "insync_timeout_s": self.insync_timeout_s,
            "insync_poll_s": self.insync_poll_s,
        }


@dataclass(frozen=True)
class EnvConfig:
    env: str
    root: Path
    record_name: str
    zone_id: str | None = None
    zone_name: str | None = None
    region: str = "us-east-1"
    tfvars_path: Path | None = None
    state_dir: Path | None = None
    audit_s3_uri: str | None = None
    sns_topic_arn: str | None = None
    gates: Gates | None = None
    rollout: RolloutPlan | None = None

    @property
    def tfvars_file(self) -> Path:
        rel = self.tfvars_path or Path(f"terraform/envs/{self.env}/traffic.auto.tfvars.json")
        return rel if rel.is_absolute() else self.root / rel

    @property
    def state_directory(self) -> Path:
        rel = self.state_dir or Path(f"ops/traffic/state/{self.env}")
        return rel if rel.is_absolute() else self.root / rel


def find_root(explicit: str | None, start: Path | None = None) -> Path:
    """Repo root: --root, else $LEGO_TRAFFIC_ROOT, else the repo's one finder (lego_devstack)."""
    from lego_devstack.paths import RepoRootNotFoundError, find_repo_root

    try:
        return find_repo_root(start, explicit or os.environ.get(ROOT_ENV_VAR))
    except RepoRootNotFoundError as exc:
        raise InputError(f"{exc}; pass --root or set {ROOT_ENV_VAR}") from None


def load_config(
    env: str | None,
    *,
    root: Path,
    config_path: str | None = None,
    overrides: dict[str, str | None] | None = None,
) -> EnvConfig:
    """Read and validate the env file; --zone-id/--zone-name/--record-name override it."""
    if config_path:
        path = Path(config_path)
    elif env:
        path = root / ENVS_DIR / f"{env}.json"
    else:
        raise InputError("pass --env <name> (a file in ops/traffic/envs/) or --config <file>")
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        known = sorted(p.stem for p in (root / ENVS_DIR).glob("*.json"))
        raise InputError(f"no config {path} (known envs: {', '.join(known) or 'none'})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise InputError(f"{path} must hold a JSON object")
    overrides = overrides or {}
    if overrides.get("zone_id"):
        raw.pop("zone_name", None)  # an explicit zone id wins over the file's zone name
    elif overrides.get("zone_name"):
        raw.pop("zone_id", None)
    for key, value in overrides.items():
        if value is not None:
            raw[key] = value
    return _parse(raw, env=env or str(raw.get("env") or path.stem), root=root, source=path)


def _parse(raw: dict[str, Any], *, env: str, root: Path, source: Path) -> EnvConfig:
    def fail(msg: str) -> InputError:
        return InputError(f"{source}: {msg}")

    record_name = raw.get("record_name")
    if not isinstance(record_name, str) or not record_name:
        raise fail("record_name (the API hostname of the blue/green records) is required")
    if not raw.get("zone_id") and not raw.get("zone_name"):
        raise fail("zone_id or zone_name is required")
    gates = _parse_gates(raw["gates"], fail) if "gates" in raw else None
    plan = _parse_plan(raw["rollout"], fail) if "rollout" in raw else None
    return EnvConfig(
        env=env,
        root=root,
        record_name=record_name,
        zone_id=raw.get("zone_id") or None,
        zone_name=raw.get("zone_name") or None,
        region=str(raw.get("region", "us-east-1")),
        tfvars_path=Path(raw["tfvars_path"]) if raw.get("tfvars_path") else None,
        state_dir=Path(raw["state_dir"]) if raw.get("state_dir") else None,
        audit_s3_uri=raw.get("audit_s3_uri") or None,
        sns_topic_arn=raw.get("sns_topic_arn") or None,
        gates=gates,
        rollout=plan,
    )


def _parse_gates(raw: Any, fail: Any) -> Gates:
    if not isinstance(raw, dict) or not raw.get("api_id"):
        raise fail("gates.api_id (the green HTTP API id) is required")
    known = set(Gates.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise fail(f"unknown gates keys {sorted(unknown)}")
    values = dict(raw)
    values["function_names"] = tuple(values.get("function_names", ()))
    gates = Gates(**values)
    if gates.period_s % 60 != 0 or gates.window_s < gates.period_s:
        raise fail("gates.period_s must be a multiple of 60 and window_s >= period_s")
    return gates


def _parse_plan(raw: Any, fail: Any) -> RolloutPlan:
    if not isinstance(raw, dict) or not raw.get("steps"):
        raise fail("rollout.steps (a list of {green_pct, hold_s}) is required")
    steps = []
    for i, item in enumerate(raw["steps"], start=1):
        if not isinstance(item, dict) or set(item) != {"green_pct", "hold_s"}:
            raise fail(f"rollout step {i} must be {{'green_pct': N, 'hold_s': S}}, got {item!r}")
        Weights.from_green_pct(item["green_pct"])  # raises on 0..100 violations
        steps.append(Step(green_pct=item["green_pct"], hold_s=int(item["hold_s"])))
    pcts = [s.green_pct for s in steps]
    if pcts != sorted(set(pcts)) or pcts[0] <= 0:
        raise fail(f"rollout steps must rise strictly above 0 %, got {pcts}")
    plan = RolloutPlan(
        steps=tuple(steps),
        **{k: raw[k] for k in raw if k != "steps" and k in RolloutPlan.__dataclass_fields__},
    )
    unknown = set(raw) - set(RolloutPlan.__dataclass_fields__)
    if unknown:
        raise fail(f"unknown rollout keys {sorted(unknown)}")
    for i, step in enumerate(steps, start=1):
        if step.hold_s < plan.missing_grace_s:
            raise fail(
                f"step {i} hold_s {step.hold_s} < missing_grace_s {plan.missing_grace_s}: "
                "the gates would never get a full verdict"
            )
    return plan


def plan_from_dict(raw: dict[str, Any]) -> RolloutPlan:
    """Rebuild a plan persisted in rollout state (so --resume runs the plan it started with)."""
    return RolloutPlan(
        steps=tuple(Step(**s) for s in raw["steps"]),
        **{k: v for k, v in raw.items() if k != "steps"},
    )
