"""Behaviour only a fresh interpreter shows: lazy imports, JSON log lines, the X-Ray seam."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

_BASE_ENV = {
    k: v for k, v in os.environ.items() if not k.startswith(("DB_", "REDIS_", "OPENSEARCH_"))
}


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**_BASE_ENV, "AWS_EC2_METADATA_DISABLED": "true", **env},
        timeout=60,
        check=True,
    )


def test_health_handler_imports_no_boto3_pillow_or_opensearch() -> None:
    code = (
        "import sys, json\n"
        "from lego_health.handler import lambda_handler\n"
        "from lego_devstack.events import http_event\n"
        "lambda_handler(http_event('GET /health'), None)\n"
        "heavy = ['boto3', 'botocore', 'PIL', 'opensearchpy', 'aws_xray_sdk', 'pydantic']\n"
        "print(json.dumps({m: m in sys.modules for m in heavy}))\n"
    )
    loaded = json.loads(_run(code).stdout.strip().splitlines()[-1])
    assert loaded == {
        "boto3": False,
        "botocore": False,
        "PIL": False,
        "opensearchpy": False,
        "aws_xray_sdk": False,
        "pydantic": False,
    }


def test_dispatcher_logs_json_lines_with_request_context() -> None:
    code = (
        "from lego_common import http\n"
        "from lego_devstack.events import http_event\n"
        "h = http.dispatcher({'GET /x': lambda req: {'ok': req.user_id}})\n"
        "h(http_event('GET /x', user_id='alice', request_id='req-42'), None)\n"
    )
    out = _run(code, DEPLOY_COLOUR="green", FUNCTION_NAME="mocs").stdout
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    completed = next(line for line in lines if line.get("event") == "request_completed")
    assert completed["request_id"] == "req-42"
    assert completed["user_id"] == "alice"
    assert completed["function"] == "mocs"
    assert completed["colour"] == "green"
    assert completed["level"] == "info"
    assert completed["status"] == 200
    cold = next(line for line in lines if "_aws" in line)
    assert cold["ColdStart"] == 1


@pytest.mark.parametrize("enabled", ["true", "false"])
def test_tracing_seam_works_with_and_without_xray(enabled: str) -> None:
    code = (
        "import sys\n"
        "from lego_common import tracing\n"
        "with tracing.subsegment('GET /x', route='x'):\n"
        "    pass\n"
        "print('aws_xray_sdk' in sys.modules)\n"
    )
    result = _run(code, TRACING_ENABLED=enabled, AWS_XRAY_CONTEXT_MISSING="LOG_ERROR")
    assert result.stdout.strip().splitlines()[-1] == ("True" if enabled == "true" else "False")


def test_tracing_enabled_without_the_sdk_answers_the_request() -> None:
    # issue 20 blocker 1: TRACING_ENABLED=true and no aws-xray-sdk in the zip answered 500.
    code = (
        "import sys, json\n"
        "sys.modules['aws_xray_sdk'] = None  # as in a zip without the xray extra\n"
        "from lego_common import http\n"
        "from lego_devstack.events import http_event\n"
        "h = http.dispatcher({'GET /x': lambda req: {'ok': True}})\n"
        "print(json.dumps(h(http_event('GET /x', user_id='u'), None)['statusCode']))\n"
    )
    result = _run(code, TRACING_ENABLED="true", LOG_LEVEL="INFO")
    assert result.stdout.strip().splitlines()[-1] == "200"
    assert "tracing_subsegments_off" in result.stdout


def test_crash_log_has_the_stack_but_no_request_secrets() -> None:
    code = (
        "from lego_common import http\n"
        "from lego_devstack.events import http_event\n"
        "def boom(req):\n"
        "    secret = req.header('authorization')\n"
        "    raise RuntimeError('boom')\n"
        "h = http.dispatcher({'POST /x': boom})\n"
        "h(http_event('POST /x', user_id='u', body={'password': 'pw-body-secret'},\n"
        "  headers={'Authorization': 'Bearer tok-header-secret'}), None)\n"
    )
    out = _run(code).stdout
    crash = next(json.loads(line) for line in out.splitlines() if "request_crashed" in line)
    assert crash["level"] == "error"
    assert crash["exception"][0]["exc_type"] == "RuntimeError"
    assert "tok-header-secret" not in out
    assert "pw-body-secret" not in out


def test_request_completed_line_is_what_the_structlog_chain_renders() -> None:
    """log.request_completed() skips structlog's pipeline for speed; its line must stay the one
    the configured chain writes for the same call (keys, order, values, separators)."""
    code = (
        "from unittest import mock\n"
        "from datetime import datetime, UTC\n"
        "import structlog\n"
        "from lego_common import log\n"
        "log.configure()\n"
        "token = log.bind(request_id='req-7', route='GET /x', user_id='alice', cold_start=False)\n"
        "frozen = datetime(2026, 12, 6, 3, 4, 5, 678901, tzinfo=UTC)\n"
        "with mock.patch('lego_common.log.datetime') as fast, "
        "mock.patch('structlog.processors.datetime.datetime') as chain:\n"
        "    fast.now.return_value = frozen\n"
        "    chain.now.return_value = frozen\n"
        "    log.request_completed(201, 1.25)\n"
        "    structlog.get_logger().info('request_completed', status=201, duration_ms=1.25)\n"
        "log.reset(token)\n"
    )
    out = _run(code, FUNCTION_NAME="wishlist", DEPLOY_COLOUR="blue").stdout.splitlines()
    fast_line, chain_line = (line for line in out if '"request_completed"' in line)
    assert fast_line == chain_line
    parsed = json.loads(fast_line)
    assert parsed["timestamp"] == "2026-12-06T03:04:05.678901Z"
    assert (parsed["function"], parsed["request_id"], parsed["status"]) == (
        "wishlist",
        "req-7",
        201,
    )


def test_request_completed_line_respects_the_log_level() -> None:
    code = "from lego_common import log\nlog.configure()\nlog.request_completed(200, 0.5)\n"
    assert '"request_completed"' not in _run(code, LOG_LEVEL="WARNING").stdout
    assert '"request_completed"' in _run(code, LOG_LEVEL="INFO").stdout
