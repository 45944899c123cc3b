"""Gate arithmetic over moto's CloudWatch GetMetricData."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from lego_traffic.config import Gates
from lego_traffic.gates import evaluate
from lego_traffic.testing import START

if TYPE_CHECKING:
    from lego_traffic.testing import World

GATES = Gates(api_id="abc123", latency_stat="Maximum", min_requests=20)
DIMS: Any = [{"Name": "ApiId", "Value": "abc123"}, {"Name": "Stage", "Value": "$default"}]
MINUTE = START - START % 60


def put(world: World, name: str, value: float, minute: float = MINUTE) -> None:
    world.cloudwatch.put_metric_data(
        Namespace="AWS/ApiGateway",
        MetricData=[
            {
                "MetricName": name,
                "Dimensions": DIMS,
                "Timestamp": datetime.fromtimestamp(minute, UTC),
                "Value": value,
            }
        ],
    )


def judge(world: World, *, in_grace: bool = False) -> dict[str, Any]:
    verdict = evaluate(
        world.cloudwatch, GATES, now=MINUTE + 90, since=MINUTE - 600, in_grace=in_grace
    )
    return {r.name: r for r in verdict.results}


def test_rate_is_errors_over_requests_per_period(world: World) -> None:
    put(world, "Count", 400)
    put(world, "5xx", 12)
    put(world, "Latency", 300)

    gates = judge(world)

    assert gates["api_5xx_rate"].value == 3.0
    assert gates["api_5xx_rate"].status == "breach"
    assert gates["latency_Maximum"].status == "ok"


def test_requests_without_error_datapoints_is_missing_not_ok(world: World) -> None:
    put(world, "Count", 400)
    put(world, "Latency", 300)

    assert judge(world)["api_5xx_rate"].status == "missing"


def test_low_traffic_period_is_not_judged(world: World) -> None:
    put(world, "Count", 3)
    put(world, "5xx", 1)  # 33 % of 3 requests says little
    put(world, "Latency", 300)

    gate = judge(world)["api_5xx_rate"]

    assert gate.status == "missing"
    assert "no period with >= 20 requests" in gate.detail


def test_no_datapoints_pending_in_grace_then_missing(world: World) -> None:
    assert judge(world, in_grace=True)["latency_Maximum"].status == "pending"
    assert judge(world, in_grace=False)["latency_Maximum"].status == "missing"


def test_worst_period_in_window_counts(world: World) -> None:
    put(world, "Count", 1000, MINUTE - 60)
    put(world, "5xx", 50, MINUTE - 60)
    put(world, "Count", 1000)
    put(world, "5xx", 0)
    put(world, "Latency", 300)

    assert judge(world)["api_5xx_rate"].value == 5.0
