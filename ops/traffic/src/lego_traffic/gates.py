"""Gates over CloudWatch: API 5xx rate, Lambda error rate and latency of the green API."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import MetricDataQueryTypeDef

    from lego_traffic.config import Gates

Status = Literal["ok", "breach", "missing", "pending"]


@dataclass(frozen=True)
class GateResult:
    name: str
    value: float | None  # worst judged period in the window
    threshold: float
    unit: str
    status: Status
    periods: int  # periods judged
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": None if self.value is None else round(self.value, 3),
            "threshold": self.threshold,
            "unit": self.unit,
            "status": self.status,
            "periods": self.periods,
            "detail": self.detail,
        }

    def short(self) -> str:
        digits = 0 if self.unit == " ms" else 2
        shown = "n/a" if self.value is None else f"{self.value:.{digits}f}{self.unit}"
        return f"{self.name} {shown} (max {self.threshold:g}{self.unit}) {self.status}"


@dataclass(frozen=True)
class Verdict:
    at: float
    window_start: float
    window_end: float
    results: tuple[GateResult, ...]
    unread: bool = False  # CloudWatch could not be read: no gate was judged

    @property
    def failed(self) -> bool:
        return any(r.status in ("breach", "missing") for r in self.results)

    @property
    def reason(self) -> str:
        bad = [r for r in self.results if r.status in ("breach", "missing")]
        return "; ".join(
            f"{r.name} {r.status}: {r.detail}" if r.detail else f"{r.name} {r.status}" for r in bad
        )

    def metrics(self) -> dict[str, Any]:
        return {r.name: r.to_dict() for r in self.results}

    def summary(self) -> str:
        if self.unread:
            return "; ".join(f"{r.name} {r.status}: {r.detail}" for r in self.results)
        return " | ".join(r.short() for r in self.results)


def _window(gates: Gates, now: float, since: float) -> tuple[int, int]:
    """Whole periods from max(now - window, since) up to the period holding `now`."""
    period = gates.period_s
    start = math.floor(max(now - gates.window_s, since) / period) * period
    end = math.floor(now / period) * period + period
    return start, end


def _queries(gates: Gates) -> list[MetricDataQueryTypeDef]:
    api_dims = [{"Name": "ApiId", "Value": gates.api_id}, {"Name": "Stage", "Value": gates.stage}]

    def query(qid: str, ns: str, name: str, dims: Any, stat: str) -> MetricDataQueryTypeDef:
        return {
            "Id": qid,
            "MetricStat": {
                "Metric": {"Namespace": ns, "MetricName": name, "Dimensions": dims},
                "Period": gates.period_s,
                "Stat": stat,
            },
            "ReturnData": True,
        }

    queries = [
        query("api5xx", "AWS/ApiGateway", "5xx", api_dims, "Sum"),
        query("apicount", "AWS/ApiGateway", "Count", api_dims, "Sum"),
        query("apilatency", "AWS/ApiGateway", "Latency", api_dims, gates.latency_stat),
    ]
    for i, fn in enumerate(gates.function_names):
        dims = [{"Name": "FunctionName", "Value": fn}]
        queries.append(query(f"lerr{i}", "AWS/Lambda", "Errors", dims, "Sum"))
        queries.append(query(f"linv{i}", "AWS/Lambda", "Invocations", dims, "Sum"))
    return queries


def fetch_series(
    cloudwatch: CloudWatchClient, gates: Gates, start: int, end: int
) -> dict[str, dict[float, float]]:
    """Query id -> {period start epoch: value}, in one GetMetricData call (paginated)."""
    series: dict[str, dict[float, float]] = {}
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {
            "MetricDataQueries": _queries(gates),
            "StartTime": datetime.fromtimestamp(start, UTC),
            "EndTime": datetime.fromtimestamp(end, UTC),
            "ScanBy": "TimestampAscending",
        }
        if token:
            kwargs["NextToken"] = token
        page = cloudwatch.get_metric_data(**kwargs)
        for result in page["MetricDataResults"]:
            values = series.setdefault(result["Id"], {})
            for ts, value in zip(result["Timestamps"], result["Values"], strict=True):
                if value is not None:
                    values[ts.timestamp()] = float(value)
        token = page.get("NextToken")
        if not token:
            return series


def _rate_gate(
    errors: dict[float, float],
    totals: dict[float, float],
    threshold: float,
    min_requests: int,
) -> tuple[float | None, int, str]:
    if totals and not errors:
        # A wrong metric name or dimension must not read as "no errors".
        return None, 0, "requests but no error datapoints"
    judged = [
        (ts, 100.0 * errors.get(ts, 0.0) / n) for ts, n in totals.items() if n >= min_requests
    ]
    if not judged:
        return None, 0, f"no period with >= {min_requests} requests" if totals else "no datapoints"
    worst_ts, worst = max(judged, key=lambda item: item[1])
    detail = ""
    if worst > threshold:
        stamp = datetime.fromtimestamp(worst_ts, UTC).strftime("%H:%M")
        detail = f"{worst:.2f} % > {threshold:g} % in the {stamp} period"
    return worst, len(judged), detail


def evaluate(
    cloudwatch: CloudWatchClient, gates: Gates, *, now: float, since: float, in_grace: bool
) -> Verdict:
    """Judge the window; a breach fails at once, missing datapoints fail once out of grace."""
    start, end = _window(gates, now, since)
    series = fetch_series(cloudwatch, gates, start, end)
    results: list[GateResult] = []

    def add(
        name: str, value: float | None, periods: int, threshold: float, unit: str, detail: str
    ) -> None:
        status: Status
        if value is None:
            status = "pending" if in_grace else "missing"
        elif value > threshold:
            status = "breach"
        else:
            status = "ok"
        results.append(GateResult(name, value, threshold, unit, status, periods, detail))

    api_value, api_periods, api_detail = _rate_gate(
        series.get("api5xx", {}),
        series.get("apicount", {}),
        gates.max_api_5xx_rate_pct,
        gates.min_requests,
    )
    add("api_5xx_rate", api_value, api_periods, gates.max_api_5xx_rate_pct, "%", api_detail)

    if gates.function_names:
        errors: dict[float, float] = {}
        invocations: dict[float, float] = {}
        for i in range(len(gates.function_names)):
            for ts, v in series.get(f"lerr{i}", {}).items():
                errors[ts] = errors.get(ts, 0.0) + v
            for ts, v in series.get(f"linv{i}", {}).items():
                invocations[ts] = invocations.get(ts, 0.0) + v
        fn_value, fn_periods, fn_detail = _rate_gate(
            errors,
            invocations,
            gates.max_lambda_error_rate_pct,
            gates.min_requests,
        )
        add(
            "lambda_error_rate",
            fn_value,
            fn_periods,
            gates.max_lambda_error_rate_pct,
            "%",
            fn_detail,
        )

    latency = series.get("apilatency", {})
    lat_value = max(latency.values()) if latency else None
    lat_detail = "no datapoints" if not latency else ""
    if lat_value is not None and lat_value > gates.max_latency_ms:
        worst_ts = max(latency, key=lambda ts: latency[ts])
        stamp = datetime.fromtimestamp(worst_ts, UTC).strftime("%H:%M")
        lat_detail = (
            f"{gates.latency_stat} {lat_value:.0f} ms > {gates.max_latency_ms:g} ms "
            f"in the {stamp} period"
        )
    add(
        f"latency_{gates.latency_stat}",
        lat_value,
        len(latency),
        gates.max_latency_ms,
        " ms",
        lat_detail,
    )
    return Verdict(at=now, window_start=start, window_end=end, results=tuple(results))


def unreadable(gates: Gates, *, now: float, error: str, unread_s: float, in_grace: bool) -> Verdict:
    """The verdict when GetMetricData keeps failing: like no datapoints, pending while in grace,
    then missing (a rollback): an unwatched rollout must not keep its traffic split."""
    detail = f"GetMetricData failed ({error}); gates unread for {unread_s:.0f} s"
    result = GateResult(
        "cloudwatch", None, 0.0, "", "pending" if in_grace else "missing", 0, detail
    )
    start, end = _window(gates, now, now)
    return Verdict(at=now, window_start=start, window_end=end, results=(result,), unread=True)
