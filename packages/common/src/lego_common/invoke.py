"""Asynchronous invocation of another function (upload -> csv_parser), through Lambda's Invoke
API. Locally AWS_ENDPOINT_URL_LAMBDA points boto3 at the local gateway, which runs the handler:
the deployed and the local path share this one seam."""

from __future__ import annotations

import json
from typing import Any

import structlog

from lego_common import aws, retry

log = structlog.get_logger()


def invoke_async(function_name: str, payload: dict[str, Any]) -> None:
    """Queue an Event invocation of function_name; transient errors are retried, others raise."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    response = retry.call(
        lambda: aws.client("lambda").invoke(
            FunctionName=function_name, InvocationType="Event", Payload=body
        )
    )
    status = response.get("StatusCode")
    if status != 202:
        raise RuntimeError(f"async invoke of {function_name} answered {status}")
    log.info("function_invoked", target=function_name)
