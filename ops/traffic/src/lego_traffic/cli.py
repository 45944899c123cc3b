"""lego-traffic: status, shift, rollout and rollback of the blue/green Route53 weights."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from lego_traffic.audit import Auditor, default_actor
from lego_traffic.clock import RealClock
from lego_traffic.config import find_root, load_config
from lego_traffic.errors import TrafficError
from lego_traffic.ops import Deps, TrafficOps
from lego_traffic.report import Reporter
from lego_traffic.rollout import Rollout, StateStore, require_plan
from lego_traffic.weights import Weights, parse_weights

if TYPE_CHECKING:
    from collections.abc import Sequence

    from lego_traffic.clock import Clock
    from lego_traffic.config import EnvConfig

EPILOG = """exit codes: 0 ok, 1 AWS/unexpected error, 2 bad input or target, 3 gate breach
(rolled back to 100 % blue), 4 rollout state conflict or weights changed outside the rollout,
5 change not INSYNC in time, 130 interrupted.
config: ops/traffic/envs/<env>.json (see ops/traffic/README.md)."""


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    where = common.add_argument_group("target (default: ops/traffic/envs/<env>.json)")
    where.add_argument("--env", help="environment: dev, staging, production")
    where.add_argument("--config", help="env config file instead of ops/traffic/envs/<env>.json")
    where.add_argument("--root", help="repo root (default: $LEGO_TRAFFIC_ROOT or found from cwd)")
    where.add_argument("--zone-id", help="hosted zone id (overrides the config)")
    where.add_argument("--zone-name", help="hosted zone name (overrides the config)")
    where.add_argument(
        "--record-name", help="API hostname of the two records (overrides the config)"
    )
    out = common.add_argument_group("output")
    out.add_argument(
        "--json",
        action="store_true",
        help="result as JSON on stdout, progress as JSON lines on stderr",
    )
    out.add_argument(
        "--actor",
        help="who is acting, for the audit log (default: $LEGO_TRAFFIC_ACTOR or user@host)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="lego-traffic",
        description="Blue/green cutover of the LEGO Projects API over Route53 weighted records "
        "(blue = legacy, green = this API), with CloudWatch gates and automatic rollback.",
        epilog=EPILOG,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser(
        "status",
        parents=[common],
        help="current weights, targets, last change and its sync state, tfvars drift",
        description="Show both records, their weights, the last change (from the audit log) and "
        "whether traffic.auto.tfvars.json matches Route53.",
        epilog=EPILOG,
    )

    shift = sub.add_parser(
        "shift",
        parents=[common],
        help="set the weights in one atomic ChangeBatch and wait for INSYNC",
        description="UPSERT both weighted records in one Route53 ChangeBatch, wait until the "
        "change is INSYNC, write terraform/envs/<env>/traffic.auto.tfvars.json and audit it. "
        "No gates.",
        epilog=EPILOG,
    )
    how = shift.add_mutually_exclusive_group(required=True)
    how.add_argument("--green", type=int, metavar="PCT", help="percent of traffic to green, 0..100")
    how.add_argument(
        "--weights", metavar="BLUE:GREEN", help="raw Route53 weights 0..255, e.g. 90:10"
    )
    shift.add_argument("--reason", default="manual shift", help="why, for the audit log")
    shift.add_argument("--dry-run", action="store_true", help="print the ChangeBatch, send nothing")

    rollout = sub.add_parser(
        "rollout",
        parents=[common],
        help="run the env's steps (e.g. 10/50/100 %%) with gates; roll back on a breach",
        description="Run the steps of the env's 'rollout' section. At each step: shift, then "
        "every check_interval_s read the gates (API 5xx rate, Lambda error rate, p95 latency of "
        "the green API) from CloudWatch; a breach, or no datapoints once missing_grace_s has "
        "passed, rolls back to 100 % blue at once and exits 3. State is kept for --resume.",
        epilog=EPILOG,
    )
    mode = rollout.add_mutually_exclusive_group()
    mode.add_argument(
        "--resume", action="store_true", help="continue the last rollout from its last good step"
    )
    mode.add_argument(
        "--fresh",
        action="store_true",
        help="start over from step 1 even if a rollout is recorded as running",
    )
    mode.add_argument(
        "--dry-run",
        action="store_true",
        help="show the plan and one gate reading now; change nothing",
    )
    rollout.add_argument("--reason", default="planned rollout", help="why, for the audit log")

    rollback = sub.add_parser(
        "rollback",
        parents=[common],
        help="100 %% blue now: no gates, no questions",
        description="Send 100 % of traffic to blue (legacy) in one ChangeBatch and wait for "
        "INSYNC. No gate evaluation. Marks a running rollout as rolled back.",
        epilog=EPILOG,
    )
    rollback.add_argument("--reason", default="manual rollback", help="why, for the audit log")
    return parser


def _make_deps(region: str) -> Deps:
    import boto3
    from botocore.config import Config

    # One retry policy (tenacity, in route53.py) instead of two stacked; short timeouts for 3 am.
    cfg = Config(
        retries={"mode": "standard", "max_attempts": 1}, connect_timeout=5, read_timeout=20
    )
    session = boto3.session.Session(region_name=region)

    def factory(service: str) -> Any:
        return session.client(service, config=cfg)  # type: ignore[call-overload]

    return Deps(clock=RealClock(), factory=factory)


def _caller_arn(deps: Deps) -> str | None:
    sts = deps.client("sts")
    return None if sts is None else str(sts.get_caller_identity()["Arn"])


def _print_result(out: TextIO, result: dict[str, Any], as_json: bool, command: str) -> None:
    if as_json:
        out.write(json.dumps(result, indent=2, default=str) + "\n")
        return
    out.write(_human(command, result) + "\n")


def _human(command: str, r: dict[str, Any]) -> str:
    if command == "status":
        lines = [
            f"env {r['env']}: {r['record_name']} {r['type']} TTL {r['ttl']} "
            f"in zone {r['zone_id']} ({r['zone_name']})",
            f"  blue   {r['weights']['blue']:>3}  -> {r['targets']['blue']}",
            f"  green  {r['weights']['green']:>3}  -> {r['targets']['green']}",
            f"  green share {r['green_pct']:g} %",
        ]
        change = r["last_change"]
        if change:
            lines.append(
                f"last change: {change['change_id']} {change['status']} at {change['at']} by "
                f"{change['who']} ({change['action']}: {change['why']})"
            )
        else:
            lines.append("last change: none in the local audit log")
        tf = r["tfvars"]
        drift = (
            "matches Route53"
            if tf["matches_route53"]
            else "DIFFERS from Route53: terraform apply would move traffic"
        )
        held = tf["weights"]
        shown = f"blue {held['blue']} / green {held['green']}" if held else "missing"
        lines.append(f"tfvars: {tf['path']} = {shown} ({drift})")
        if r.get("rollout"):
            ro = r["rollout"]
            lines.append(f"rollout: {ro['rollout_id']} {ro['status']}, passed steps {ro['passed']}")
        return "\n".join(lines)
    if r.get("dry_run") and command == "rollout":
        return _human_plan(r)
    if r.get("dry_run"):
        return json.dumps(r, indent=2, default=str)
    if command in ("shift", "rollback"):
        return (
            f"{r['action']} {r['env']}: blue {r['from']['blue']} / green {r['from']['green']} -> "
            f"blue {r['to']['blue']} / green {r['to']['green']} ({r['green_pct']:g} % green); "
            f"change {r['change_id']} INSYNC in {r['seconds_to_insync']:g} s; "
            f"tfvars {r['tfvars'] or 'NOT written'}"
        )
    lines = [f"rollout {r.get('rollout_id', '')} {r['env']}: {r['status']}"]
    if "passed_steps" in r:
        w = r["weights"]
        lines.append(
            f"  passed steps (green %): {r['passed_steps']}; "
            f"weights now blue {w['blue']} / green {w['green']}"
        )
    if r.get("reason"):
        lines.append(f"  reason: {r['reason']}")
    if "detection_to_insync_s" in r:
        lines.append(
            f"  breach detected {r['detected_at']}, 100 % blue INSYNC "
            f"{r['rollback']['insync_at']} ({r['detection_to_insync_s']:g} s later)"
        )
    return "\n".join(lines)


def _human_plan(r: dict[str, Any]) -> str:
    plan = r["plan"]
    steps = " -> ".join(f"{s['green_pct']} % for {_duration(s['hold_s'])}" for s in plan["steps"])
    w = r["weights"]
    lines = [
        f"rollout plan {r['env']}: {steps}",
        f"  gates every {plan['check_interval_s']} s; missing data fails after "
        f"{plan['missing_grace_s']} s; INSYNC timeout {plan['insync_timeout_s']} s",
        f"  now: blue {w['blue']} / green {w['green']} on {r['target']['record_name']}",
    ]
    for gate in r["gates_now"].values():
        value = "n/a" if gate["value"] is None else f"{gate['value']:g}{gate['unit']}"
        lines.append(
            f"  gate {gate['name']}: {value} (max {gate['threshold']:g}{gate['unit']}) "
            f"{gate['status']} {gate['detail']}".rstrip()
        )
    state = r["state"]
    if state:
        lines.append(f"  last rollout: {state['rollout_id']} {state['status']}")
    statuses = {g["status"] for g in r["gates_now"].values()}
    if r["gates_would_pass"]:
        lines.append("  gates pass now")
    elif statuses == {"missing"} and w["green"] == 0:
        lines.append(
            "  no datapoints yet: expected while green takes no traffic (judged after step 1)"
        )
    else:
        lines.append("  gates FAIL now: find out why before starting")
    return "\n".join(lines)


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0 and seconds >= 3600:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


def main(
    argv: Sequence[str] | None = None,
    *,
    deps: Deps | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Entry point; tests pass moto-backed `deps` (and a fake clock in them) and capture streams."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = build_parser().parse_args(argv)
    clock: Clock = deps.clock if deps else RealClock()
    reporter = Reporter(err, clock, as_json=args.json)
    try:
        return _run(args, deps, clock, reporter, out)
    except TrafficError as exc:
        reporter.progress("error", f"ERROR: {exc}", exit_code=exc.exit_code)
        return exc.exit_code
    except (ClientError, BotoCoreError) as exc:
        reporter.progress("error", f"ERROR: AWS call failed: {exc}", exit_code=1)
        return 1
    except KeyboardInterrupt:
        reporter.progress(
            "error",
            "INTERRUPTED: a submitted change still applies; see `lego-traffic status`",
            exit_code=130,
        )
        return 130


def _run(
    args: argparse.Namespace, deps: Deps | None, clock: Clock, reporter: Reporter, out: TextIO
) -> int:
    root = find_root(args.root)
    cfg: EnvConfig = load_config(
        args.env,
        root=root,
        config_path=args.config,
        overrides={
            "zone_id": args.zone_id,
            "zone_name": args.zone_name,
            "record_name": args.record_name,
        },
    )
    # Validate the numbers before any AWS call.
    weights: Weights | None = None
    if args.command == "shift":
        weights = (
            Weights.from_green_pct(args.green)
            if args.green is not None
            else parse_weights(args.weights)
        )
    aws = deps or _make_deps(cfg.region)
    auditor = Auditor(
        env=cfg.env,
        path=cfg.state_directory / "audit.jsonl",
        clock=clock,
        actor=args.actor or default_actor(),
        warn=reporter.warn,
        s3=aws.client("s3") if cfg.audit_s3_uri else None,
        s3_uri=cfg.audit_s3_uri,
        sns=aws.client("sns") if cfg.sns_topic_arn else None,
        topic_arn=cfg.sns_topic_arn,
        principal=lambda: _caller_arn(aws),
    )
    ops = TrafficOps(cfg, aws, reporter, auditor)
    store = StateStore(cfg.state_directory)
    code = 0
    if args.command == "status":
        result = ops.status()
        state = store.load()
        if state is not None:
            result["rollout"] = {
                "rollout_id": state.rollout_id,
                "status": state.status,
                "passed": [state.plan["steps"][i]["green_pct"] for i in state.passed],
                "current_step": None if state.current is None else state.current + 1,
                "updated_at": state.updated_at,
            }
    elif args.command == "shift":
        assert weights is not None
        state = store.load()
        if state is not None and state.status == "running" and not args.dry_run:
            reporter.warn(
                f"rollout {state.rollout_id} is recorded as running; if it is, it will stop "
                "(exit 4) when it sees these weights"
            )
        result = ops.shift(weights, why=args.reason, dry_run=args.dry_run)
    elif args.command == "rollback":
        result = ops.rollback(why=args.reason)
        state = store.load()
        if state is not None and state.status == "running":
            state.status = "rolled_back"
            state.last_reason = f"manual rollback: {args.reason}"
            store.save(state)
            result["rollout_id"] = state.rollout_id
    else:
        plan, gates = require_plan(cfg.rollout, cfg.gates, f"config for {cfg.env}")
        rollout = Rollout(ops, gates, plan, store)
        if args.dry_run:
            result = rollout.dry_run()
        else:
            result, code = rollout.run(resume=args.resume, fresh=args.fresh, why=args.reason)
    _print_result(out, result, args.json, args.command)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
