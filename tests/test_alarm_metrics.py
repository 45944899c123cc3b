"""An alarm on an application metric watches the exact namespace and dimensions the code emits:
CloudWatch matches a metric only on all of them, and a mismatch is an alarm that never fires.
Holds terraform/modules/monitoring to lego_common/metrics.py and lego_mocs (issue 13 item 1)."""

from __future__ import annotations

import re
from pathlib import Path

from lego_common import metrics

REPO = Path(__file__).resolve().parents[1]
MONITORING = REPO / "terraform/modules/monitoring"


def _hcl_string(text: str, key: str) -> str:
    match = re.search(rf'\b{key}\s*=\s*"([^"]+)"', text)
    assert match, f"{key} not found"
    return match.group(1)


def test_monitoring_reads_what_lego_common_metrics_writes() -> None:
    app_metrics = re.search(r"app_metrics\s*=\s*\{([^}]*)\}", (MONITORING / "main.tf").read_text())
    assert app_metrics, "monitoring/main.tf lost local.app_metrics"
    record = metrics.emf_record("MocObjectsNotDeleted", 1)
    directive = record["_aws"]["CloudWatchMetrics"][0]
    assert _hcl_string(app_metrics.group(1), "namespace") == directive["Namespace"]
    # The alarm's dimension map: the Lambda function name and the service, nothing else.
    assert directive["Dimensions"] == [["Function", "Service"]]
    function_module = (REPO / "terraform/modules/function/main.tf").read_text()
    assert _hcl_string(app_metrics.group(1), "service") == _hcl_string(
        function_module, "SERVICE_NAME"
    )


def test_the_mocs_alarm_names_the_metric_mocs_emits() -> None:
    source = "".join(p.read_text() for p in (REPO / "functions/mocs/src").rglob("*.py"))
    calls = re.findall(r'metrics\.emit\(\s*"(MocObjectsNotDeleted)"(.*)$', source, flags=re.M)
    assert calls, "lego_mocs no longer emits MocObjectsNotDeleted"
    # A keyword argument would add a dimension the alarm does not name.
    assert all("=" not in rest for _, rest in calls), calls
    emitted = [name for name, _ in calls]
    alarms = (MONITORING / "alarms.tf").read_text()
    block = alarms.split('resource "aws_cloudwatch_metric_alarm" "moc_objects_not_deleted"', 1)[1]
    block = block.split("\nresource ", 1)[0]
    assert _hcl_string(block, "metric_name") == emitted[0]
    assert "Function = each.value.name, Service = local.app_metrics.service" in block
