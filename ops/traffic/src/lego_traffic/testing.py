"""Test doubles for time and for AWS behaviour moto does not model (tests, runbook demo).

- FakeClock: time only moves when the code sleeps; listeners see every second go by.
- GreenSimulator: the green API's CloudWatch metrics, one datapoint per minute, shaped by the
  green weight Route53 holds at the end of that minute (moto has no real traffic).
- route53_propagation / route53_throttling: botocore event hooks on a real (moto) client that make
  GetChange answer PENDING for a while and ChangeResourceRecordSets answer Throttling N times.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from lego_traffic.cli import main
from lego_traffic.naming import function_name
from lego_traffic.route53 import fqdn

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import MetricDatumTypeDef
    from mypy_boto3_route53 import Route53Client

    from lego_traffic.ops import Deps


class SimulatedCrashError(BaseException):
    """Raised from FakeClock.sleep to stand for a killed process (nothing may catch it)."""


class FakeClock:
    def __init__(self, start: float) -> None:
        self.t = start
        self.listeners: list[Callable[[float], None]] = []
        self.crash_if: Callable[[float], bool] | None = None
        self.crash_with: type[BaseException] = SimulatedCrashError
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        end = self.t + max(seconds, 0.0)
        while self.t < end:
            self.t = min(end, math.floor(self.t) + 1.0)
            for listener in self.listeners:
                listener(self.t)
        if self.crash_if is not None and self.crash_if(self.t):
            raise self.crash_with(f"simulated crash at {self.t}")


def route53_propagation(client: Route53Client, clock: FakeClock, delay_s: float) -> None:
    """GetChange says PENDING until `delay_s` after the latest change (Route53: usually < 60 s)."""
    submitted = {"at": -math.inf}

    def on_change(**_: Any) -> None:
        submitted["at"] = clock.now()

    def on_get_change(parsed: dict[str, Any], **_: Any) -> None:
        if clock.now() < submitted["at"] + delay_s:
            parsed["ChangeInfo"]["Status"] = "PENDING"

    client.meta.events.register("after-call.route53.ChangeResourceRecordSets", on_change)
    client.meta.events.register("after-call.route53.GetChange", on_get_change)


@dataclass
class CallCounter:
    calls: dict[str, int] = field(default_factory=dict)
    throttled: int = 0


def route53_throttling(client: Route53Client, operation: str, times: int) -> CallCounter:
    """The next `times` calls of `operation` fail with Throttling before reaching moto."""
    counter = CallCounter()

    def before(**_: Any) -> None:
        counter.calls[operation] = counter.calls.get(operation, 0) + 1
        if counter.throttled < times:
            counter.throttled += 1
            raise ClientError(
                {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, operation
            )

    client.meta.events.register(f"before-call.route53.{operation}", before)
    return counter


def failing_calls(
    client: Any,
    service: str,
    operation: str,
    error: Callable[[], Exception],
    *,
    when: Callable[[], bool] = lambda: True,
    times: int | None = None,
) -> CallCounter:
    """Calls of `operation` raise `error()` while `when()` holds (at most `times` of them),
    from botocore's before-call hook: the real client code runs, the request never leaves."""
    counter = CallCounter()

    def before(**_: Any) -> None:
        counter.calls[operation] = counter.calls.get(operation, 0) + 1
        if when() and (times is None or counter.throttled < times):
            counter.throttled += 1
            raise error()

    client.meta.events.register(f"before-call.{service}.{operation}", before)
    return counter


def throttled(operation: str) -> Callable[[], Exception]:
    return lambda: ClientError(
        {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}, operation
    )


def read_timeout() -> Exception:
    return ReadTimeoutError(endpoint_url="https://monitoring.us-east-1.amazonaws.com/")


def unreachable() -> Exception:
    return EndpointConnectionError(endpoint_url="https://route53.amazonaws.com/")


def count_calls(client: Any, service: str, operation: str) -> CallCounter:
    counter = CallCounter()

    def before(**_: Any) -> None:
        counter.calls[operation] = counter.calls.get(operation, 0) + 1

    client.meta.events.register(f"before-call.{service}.{operation}", before)
    return counter


@dataclass
class GreenSimulator:
    """Publishes what API Gateway and Lambda would, per minute, for the green share of traffic."""

    route53: Route53Client
    cloudwatch: CloudWatchClient
    clock: FakeClock
    zone_id: str
    record_name: str
    api_id: str
    stage: str = "$default"
    function_names: tuple[str, ...] = ()
    requests_per_minute_at_100: int = 6000
    # Green turns bad once its share reaches this percent (None: always healthy).
    bad_from_pct: int | None = None
    bad_metrics: frozenset[str] = frozenset({"5xx"})  # any of 5xx, latency, lambda
    silent: bool = False  # publish nothing: the metrics pipeline is broken
    lag_s: float = 0.0  # a minute's datapoint shows up this long after the minute ends
    breach_visible_at: float | None = None
    published: list[dict[str, Any]] = field(default_factory=list)
    _next_minute_end: float = 0.0
    _pending: list[tuple[float, float, float]] = field(default_factory=list)

    def start(self) -> GreenSimulator:
        self._next_minute_end = math.floor(self.clock.now() / 60) * 60 + 60
        self.clock.listeners.append(self.on_tick)
        return self

    def green_pct(self) -> float:
        page = self.route53.list_resource_record_sets(
            HostedZoneId=self.zone_id, StartRecordName=fqdn(self.record_name), MaxItems="10"
        )
        weights = {
            rs.get("SetIdentifier"): rs.get("Weight", 0)
            for rs in page["ResourceRecordSets"]
            if fqdn(rs["Name"]) == fqdn(self.record_name)
        }
        total = weights.get("blue", 0) + weights.get("green", 0)
        return 100.0 * weights.get("green", 0) / total if total else 0.0

    def on_tick(self, now: float) -> None:
        while self._next_minute_end <= now:
            minute = self._next_minute_end - 60
            self._pending.append((self._next_minute_end + self.lag_s, minute, self.green_pct()))
            self._next_minute_end += 60
        due = [p for p in self._pending if p[0] <= now]
        self._pending = [p for p in self._pending if p[0] > now]
        for _, minute, pct in due:
            self._publish(now, minute, pct)

    def _publish(self, now: float, minute: float, pct: float) -> None:
        requests = round(self.requests_per_minute_at_100 * pct / 100)
        if self.silent or requests == 0:
            return
        bad = self.bad_from_pct is not None and pct >= self.bad_from_pct
        errors_5xx = round(requests * (0.08 if bad and "5xx" in self.bad_metrics else 0.002))
        latency_ms = 1800.0 if bad and "latency" in self.bad_metrics else 240.0
        fn_errors = round(requests * (0.1 if bad and "lambda" in self.bad_metrics else 0.001))
        ts = datetime.fromtimestamp(minute, UTC)
        api_dims: Any = [
            {"Name": "ApiId", "Value": self.api_id},
            {"Name": "Stage", "Value": self.stage},
        ]
        api_data: list[MetricDatumTypeDef] = [
            {"MetricName": "Count", "Dimensions": api_dims, "Timestamp": ts, "Value": requests},
            {"MetricName": "5xx", "Dimensions": api_dims, "Timestamp": ts, "Value": errors_5xx},
            # One value per minute: that minute's p95 (moto computes no percentiles itself).
            {"MetricName": "Latency", "Dimensions": api_dims, "Timestamp": ts, "Value": latency_ms},
        ]
        self.cloudwatch.put_metric_data(Namespace="AWS/ApiGateway", MetricData=api_data)
        if self.function_names:
            fn_data: list[MetricDatumTypeDef] = []
            share = len(self.function_names)
            for i, fn in enumerate(self.function_names):
                dims: Any = [{"Name": "FunctionName", "Value": fn}]
                invocations = requests // share + (1 if i < requests % share else 0)
                errors = fn_errors // share + (1 if i < fn_errors % share else 0)
                fn_data.append(
                    {
                        "MetricName": "Invocations",
                        "Dimensions": dims,
                        "Timestamp": ts,
                        "Value": invocations,
                    }
                )
                fn_data.append(
                    {"MetricName": "Errors", "Dimensions": dims, "Timestamp": ts, "Value": errors}
                )
            self.cloudwatch.put_metric_data(Namespace="AWS/Lambda", MetricData=fn_data)
        if bad and self.breach_visible_at is None:
            self.breach_visible_at = now
        self.published.append(
            {
                "minute": minute,
                "visible_at": now,
                "green_pct": pct,
                "requests": requests,
                "bad": bad,
            }
        )


# 2026-11-25T03:00:05Z: a 3 am change, a few seconds into a minute.
START = 1795575605.0
RECORD = "api.dev.lego-moc.example.com"
ZONE = "lego-moc.example.com."
BLUE_TARGET = "legacy-alb-123.us-east-1.elb.amazonaws.com"
GREEN_TARGET = "d-abc123.execute-api.us-east-1.amazonaws.com"
API_ID = "abc123"
FUNCTION_KEYS = ("mocs", "csv_parser")
# What Terraform names them in dev, and so what the gates must read.
FUNCTIONS = tuple(function_name(fn, "dev") for fn in FUNCTION_KEYS)


def make_records(route53: Any, zone_id: str, *, blue: int = 100, green: int = 0) -> None:
    changes = [
        {
            "Action": "UPSERT",
            "ResourceRecordSet": {
                "Name": RECORD,
                "Type": "CNAME",
                "TTL": 60,
                "SetIdentifier": colour,
                "Weight": weight,
                "ResourceRecords": [{"Value": target}],
            },
        }
        for colour, weight, target in (("blue", blue, BLUE_TARGET), ("green", green, GREEN_TARGET))
    ]
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": changes})


def env_config(**rollout: Any) -> dict[str, Any]:
    plan = {
        "check_interval_s": 30,
        "missing_grace_s": 120,
        "insync_timeout_s": 300,
        "insync_poll_s": 2,
        "steps": [
            {"green_pct": 10, "hold_s": 300},
            {"green_pct": 50, "hold_s": 300},
            {"green_pct": 100, "hold_s": 300},
        ],
    }
    plan.update(rollout)
    return {
        "zone_name": ZONE,
        "record_name": RECORD,
        "gates": {
            "api_id": API_ID,
            "functions": list(FUNCTION_KEYS),
            "latency_stat": "Maximum",  # moto has no percentiles; the simulator publishes p95s
            "period_s": 60,
            "window_s": 180,
            "min_requests": 20,
        },
        "rollout": plan,
    }


@dataclass
class World:
    root: Path
    deps: Deps
    clock: FakeClock
    zone_id: str
    route53: Any
    cloudwatch: Any
    runs: list[dict[str, Any]] = field(default_factory=list)

    def cli(self, *args: str, json_out: bool = True) -> tuple[int, Any, str]:
        """Run `lego-traffic ARGS --env dev` in-process; returns (exit code, stdout, stderr)."""
        out, err = io.StringIO(), io.StringIO()
        argv = [*args, "--env", "dev", "--root", str(self.root)]
        if json_out:
            argv.append("--json")
        code = main(argv, deps=self.deps, stdout=out, stderr=err)
        text = out.getvalue()
        parsed = json.loads(text) if json_out and text else text
        return code, parsed, err.getvalue()

    def weights(self) -> dict[str, int]:
        page = self.route53.list_resource_record_sets(HostedZoneId=self.zone_id)
        return {
            rs["SetIdentifier"]: rs["Weight"]
            for rs in page["ResourceRecordSets"]
            if "SetIdentifier" in rs
        }

    def tfvars(self) -> dict[str, int]:
        path = self.root / "terraform/envs/dev/traffic.auto.tfvars.json"
        data: dict[str, int] = json.loads(path.read_text())
        return data

    def audit(self) -> list[dict[str, Any]]:
        path = self.root / "ops/traffic/state/dev/audit.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()]

    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(
            (self.root / "ops/traffic/state/dev/rollout.json").read_text()
        )
        return data

    def configure(self, gates: dict[str, Any] | None = None, **top: Any) -> None:
        """Rewrite dev.json: `rollout=`/`gates=` entries merge into the defaults."""
        config = env_config(**top.pop("rollout", {}))
        config["gates"].update(gates or {})
        config.update(top)
        (self.root / "ops/traffic/envs/dev.json").write_text(json.dumps(config))

    def set_records(self, **weights: int) -> None:
        make_records(self.route53, self.zone_id, **weights)

    def simulator(self, **kwargs: Any) -> GreenSimulator:
        return GreenSimulator(
            route53=self.route53,
            cloudwatch=self.cloudwatch,
            clock=self.clock,
            zone_id=self.zone_id,
            record_name=RECORD,
            api_id=API_ID,
            function_names=FUNCTIONS,
            **kwargs,
        ).start()
