"""CloudWatch embedded metric format: one JSON line on stdout that CloudWatch turns into metrics."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from lego_common.config import get_settings

NAMESPACE = "LegoApi"


def emf_record(name: str, value: float, unit: str = "Count", **dimensions: str) -> dict[str, Any]:
    """The EMF document for one metric value (pure: tests assert its exact shape)."""
    settings = get_settings()
    dims = {"Service": settings.service_name, "Function": settings.function_name, **dimensions}
    return {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [sorted(dims)],
                    "Metrics": [{"Name": name, "Unit": unit}],
                }
            ],
        },
        **dims,
        name: value,
    }


def emit(name: str, value: float, unit: str = "Count", **dimensions: str) -> None:
    """Write one metric value as an EMF line (Lambda ships stdout to CloudWatch Logs)."""
    sys.stdout.write(json.dumps(emf_record(name, value, unit, **dimensions)) + "\n")
