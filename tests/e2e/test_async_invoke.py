"""Lambda's Invoke API on the local stack: the seam upload -> csv_parser uses deployed
(lego_common.invoke through boto3, AWS_ENDPOINT_URL_LAMBDA pointing at the gateway)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from lego_devstack.events import http_event
from lego_gateway.testing import LocalApi


def _lambda(local_api: LocalApi) -> Any:
    return boto3.client(
        "lambda",
        endpoint_url=local_api.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_request_response_invoke_runs_the_function_container(local_api: LocalApi) -> None:
    response = _lambda(local_api).invoke(
        FunctionName="health",
        InvocationType="RequestResponse",
        Payload=json.dumps(http_event("GET /health")).encode(),
    )

    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    result = json.loads(response["Payload"].read())
    assert result["statusCode"] == 200
    assert json.loads(result["body"])["components"]["database"] == "healthy"


def test_event_invoke_is_accepted_with_202(local_api: LocalApi) -> None:
    response = _lambda(local_api).invoke(
        FunctionName="arn:aws:lambda:us-east-1:123456789012:function:health",
        InvocationType="Event",
        Payload=json.dumps(http_event("GET /health")).encode(),
    )

    assert response["StatusCode"] == 202


def test_invoke_unknown_function_is_resource_not_found(local_api: LocalApi) -> None:
    client = _lambda(local_api)

    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.invoke(FunctionName="no_such_function", InvocationType="Event", Payload=b"{}")
