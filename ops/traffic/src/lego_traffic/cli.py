"""lego-traffic: status, shift, rollout and rollback of the blue/green Route53 weights.

This module parses the arguments, calls one operation (ops.TrafficOps, rollout.Rollout) and
prints what report.py renders; the rules live in those modules.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from lego_traffic.audit import default_actor
from lego_traffic.clock import RealClock
from lego_traffic.config import find_root, load_config
from lego_traffic.errors import TrafficError
from lego_traffic.ops import Deps, TrafficOps
from lego_traffic.report import Reporter, render
from lego_traffic.rollout import EXIT_INTERRUPTED, EXIT_OK, Rollout
from lego_traffic.weights import Weights, parse_weights

if TYPE_CHECKING:
    from collections.abc import Sequence

EPILOG = """exit codes: 0 ok, 1 AWS/unexpected error, 2 bad input or target, 3 gate breach
(rolled back to 100 % blue), 4 rollout state conflict or weights changed outside the rollout,
5 change not INSYNC in time, 6 rollback not confirmed (run what the message says),
130 interrupted.
config: ops/traffic/envs/<env>.json (see ops/traffic/README.md)."""
EXIT_AWS = 1


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

    adopt = sub.add_parser(
        "adopt",
        parents=[common],
        help="first apply: turn the plain api.<zone> record into the weighted blue record",
        description="Before an env's first terraform apply: Route53 refuses weighted records "
        "beside a plain record of the same name. One ChangeBatch deletes the plain record "
        "(CNAME or alias) and creates the weighted 'blue' record (weight 100, same target), so "
        "resolution has no gap; terraform apply then takes blue over and adds green at 0. "
        "Refuses when the record does not point at --legacy-target. Nothing to do (exit 0) "
        "when the record is already weighted or absent.",
        epilog=EPILOG,
    )
    adopt.add_argument(
        "--legacy-target",
        required=True,
        help="dns.legacy_target of the env's tfvars: the record must point there",
    )
    adopt.add_argument(
        "--ttl", type=int, default=60, help="TTL of the blue record (Terraform's: 60)"
    )
    adopt.add_argument("--dry-run", action="store_true", help="print the ChangeBatch, send nothing")
    return parser


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
    reporter = Reporter(err, deps.clock if deps else RealClock(), as_json=args.json)
    try:
        return _run(args, deps, reporter, out)
    except TrafficError as exc:
        reporter.failed(str(exc), exc.exit_code)
        return exc.exit_code
    except (ClientError, BotoCoreError) as exc:
        reporter.failed(f"AWS call failed: {exc}", EXIT_AWS)
        return EXIT_AWS
    except KeyboardInterrupt:
        reporter.interrupted(EXIT_INTERRUPTED)
        return EXIT_INTERRUPTED


def _run(args: argparse.Namespace, deps: Deps | None, reporter: Reporter, out: TextIO) -> int:
    cfg = load_config(
        args.env,
        root=find_root(args.root),
        config_path=args.config,
        overrides={
            "zone_id": args.zone_id,
            "zone_name": args.zone_name,
            "record_name": args.record_name,
        },
    )
    weights = _weights(args) if args.command == "shift" else None  # before any AWS call
    aws = deps or Deps.for_region(cfg.region)
    ops = TrafficOps.for_env(cfg, aws, reporter, actor=args.actor or default_actor())
    code = EXIT_OK
    if args.command == "status":
        result = ops.status()
    elif args.command == "shift":
        assert weights is not None
        result = ops.manual_shift(weights, why=args.reason, dry_run=args.dry_run)
    elif args.command == "rollback":
        result = ops.manual_rollback(why=args.reason)
    elif args.command == "adopt":
        result = ops.adopt(args.legacy_target, ttl=args.ttl, dry_run=args.dry_run)
    elif args.dry_run:
        result = Rollout.for_env(ops).dry_run()
    else:
        result, code = Rollout.for_env(ops).run(
            resume=args.resume, fresh=args.fresh, why=args.reason
        )
    out.write(render(args.command, result, as_json=args.json) + "\n")
    return code


def _weights(args: argparse.Namespace) -> Weights:
    if args.green is not None:
        return Weights.from_green_pct(args.green)
    return parse_weights(args.weights)


if __name__ == "__main__":
    raise SystemExit(main())
