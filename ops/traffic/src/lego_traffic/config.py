"""Per-environment config: ops/traffic/envs/<env>.json (target records, gates, rollout steps)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from lego_traffic.errors import InputError
from lego_traffic.naming import function_name
from lego_traffic.weights import Weights

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydantic_core import ErrorDetails

ROOT_ENV_VAR = "LEGO_TRAFFIC_ROOT"
ENVS_DIR = Path("ops/traffic/envs")
FUNCTION_KEY = r"^[a-z][a-z0-9_]*$"  # a key of Terraform's var.functions, e.g. csv_parser


class _Strict(BaseModel):
    # Strict: "30" is not 30. Checked before any AWS call, so a typo never fails mid-rollout.
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Step(_Strict):
    """One rollout step: move to `green_pct` and watch the gates for `hold_s`."""

    green_pct: int
    hold_s: int = Field(gt=0)

    @property
    def weights(self) -> Weights:
        return Weights.from_green_pct(self.green_pct)

    def to_dict(self) -> dict[str, int]:
        return {"green_pct": self.green_pct, "hold_s": self.hold_s}


class Gates(_Strict):
    """Rollback triggers (seed 001 "Blue/Green Deployment Plan": errors > 2 %, p95 > 1000 ms)."""

    api_id: str = Field(min_length=1)
    stage: str = "$default"
    # Deployed Lambda names; the env file lists function keys (`functions`), see naming.py.
    function_names: tuple[str, ...] = Field((), strict=False)  # JSON arrays are lists
    max_api_5xx_rate_pct: float = Field(2.0, ge=0)
    max_lambda_error_rate_pct: float = Field(2.0, ge=0)
    max_latency_ms: float = Field(1000.0, gt=0)
    # CloudWatch statistic for the latency gate; moto computes no percentiles, tests use Maximum.
    latency_stat: str = "p95"
    period_s: int = Field(60, gt=0)
    window_s: int = Field(180, gt=0)
    # A period with fewer requests than this is not judged for a rate (1 of 3 is not 33 %).
    min_requests: int = Field(20, ge=0)


class RolloutPlan(_Strict):
    steps: tuple[Step, ...] = Field(min_length=1, strict=False)
    check_interval_s: int = Field(30, gt=0)
    # After a shift, missing datapoints are "pending" this long (CloudWatch lags 1-2 min).
    missing_grace_s: int = Field(120, ge=0)
    insync_timeout_s: int = Field(300, gt=0)
    insync_poll_s: float = Field(2.0, gt=0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": [s.to_dict() for s in self.steps],
            "check_interval_s": self.check_interval_s,
            "missing_grace_s": self.missing_grace_s,
            "insync_timeout_s": self.insync_timeout_s,
            "insync_poll_s": self.insync_poll_s,
        }


class _GatesFile(Gates):
    """The file's gates section: function keys, never hand-written names (issue 13 item 3)."""

    functions: tuple[Annotated[str, StringConstraints(pattern=FUNCTION_KEY)], ...] = Field(
        (), strict=False
    )

    @model_validator(mode="after")
    def _no_hand_written_names(self) -> _GatesFile:
        if self.function_names:
            raise ValueError(
                "function_names is derived, not written: list the Terraform function keys "
                '(e.g. "functions": ["mocs", "csv_parser"]) and lego-traffic names them as '
                "Terraform does (lego_traffic/naming.py)"
            )
        return self


class _EnvFile(_Strict):
    """ops/traffic/envs/<env>.json as written; every field's type is checked here."""

    env: str | None = None
    region: str = "us-east-1"
    zone_id: str | None = None
    zone_name: str | None = None
    record_name: str = Field(min_length=1)
    tfvars_path: str | None = None
    state_dir: str | None = None
    audit_s3_uri: str | None = None
    sns_topic_arn: str | None = None
    gates: _GatesFile | None = None
    rollout: RolloutPlan | None = None


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


# Hints for the fields an operator must fill in, appended to pydantic's "Field required".
_REQUIRED_HINTS = {
    "record_name": "the API hostname of the blue/green records",
    "gates.api_id": "the green HTTP API id, from terraform output",
    "rollout.steps": "a list of {green_pct, hold_s}",
}


def _describe(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "(file)"
    message = f"{where}: {error['msg']}"
    if error["type"] == "missing" and where in _REQUIRED_HINTS:
        return f"{message} ({_REQUIRED_HINTS[where]})"
    if error["type"] not in ("missing", "extra_forbidden", "value_error"):
        message += f", got {error['input']!r}"
    return message


def _parse(raw: dict[str, Any], *, env: str, root: Path, source: Path) -> EnvConfig:
    def fail(msg: str) -> InputError:
        return InputError(f"{source}: {msg}")

    try:
        data = _EnvFile.model_validate(raw)
    except ValidationError as exc:
        raise fail("; ".join(_describe(e) for e in exc.errors(include_url=False))) from None
    if not data.zone_id and not data.zone_name:
        raise fail("zone_id or zone_name is required")
    gates = _gates(data.gates, env, fail) if data.gates else None
    plan = _check_plan(data.rollout, fail) if data.rollout else None
    return EnvConfig(
        env=env,
        root=root,
        record_name=data.record_name,
        zone_id=data.zone_id or None,
        zone_name=data.zone_name or None,
        region=data.region,
        tfvars_path=Path(data.tfvars_path) if data.tfvars_path else None,
        state_dir=Path(data.state_dir) if data.state_dir else None,
        audit_s3_uri=data.audit_s3_uri or None,
        sns_topic_arn=data.sns_topic_arn or None,
        gates=gates,
        rollout=plan,
    )


def _gates(raw: _GatesFile, stage: str, fail: Callable[[str], InputError]) -> Gates:
    if raw.period_s % 60 != 0 or raw.window_s < raw.period_s:
        raise fail("gates.period_s must be a multiple of 60 and window_s >= period_s")
    values = raw.model_dump(exclude={"functions", "function_names"})
    return Gates(**values, function_names=tuple(function_name(fn, stage) for fn in raw.functions))


def _check_plan(plan: RolloutPlan, fail: Callable[[str], InputError]) -> RolloutPlan:
    for i, step in enumerate(plan.steps, start=1):
        try:
            Weights.from_green_pct(step.green_pct)
        except InputError as exc:
            raise fail(f"rollout step {i}: {exc}") from None
    pcts = [s.green_pct for s in plan.steps]
    if pcts != sorted(set(pcts)) or pcts[0] <= 0:
        raise fail(f"rollout steps must rise strictly above 0 %, got {pcts}")
    for i, step in enumerate(plan.steps, start=1):
        if step.hold_s < plan.missing_grace_s:
            raise fail(
                f"step {i} hold_s {step.hold_s} < missing_grace_s {plan.missing_grace_s}: "
                "the gates would never get a full verdict"
            )
    return plan


def plan_from_dict(raw: dict[str, Any]) -> RolloutPlan:
    """Rebuild a plan persisted in rollout state (so --resume runs the plan it started with)."""
    return RolloutPlan.model_validate(raw)
