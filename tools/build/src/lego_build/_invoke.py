"""Run inside a fresh `python -I -S`: import one handler from the given dirs, call it once.

Standard library only, and nothing from lego_build: the only code on sys.path is the
unpacked zip (plus, when given, a stand-in for the Lambda runtime's boto3).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from typing import Any

RESULT_MARKER = "LEGO_BUILD_RESULT "


class LambdaContext:
    """The attributes of Lambda's context object that handlers read."""

    function_name = "smoke"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:smoke"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-4000-8000-00000000c0de"
    log_group_name = "/aws/lambda/smoke"
    log_stream_name = "smoke"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _parse(argv: list[str]) -> tuple[list[str], str, str | None]:
    """--path DIR (repeatable), --handler module.attr, --event JSON; argparse costs ~5 ms."""
    paths: list[str] = []
    handler = ""
    event: str | None = None
    pairs = iter(argv)
    for flag in pairs:
        value = next(pairs)
        if flag == "--path":
            paths.append(value)
        elif flag == "--handler":
            handler = value
        elif flag == "--event":
            event = value
        else:
            raise SystemExit(f"unknown argument {flag}")
    return paths, handler, event


def main(argv: list[str]) -> int:
    paths, handler_name, event = _parse(argv)
    sys.path[:0] = paths
    module_name, _, attr = handler_name.rpartition(".")
    module = importlib.import_module(module_name)
    handler = getattr(module, attr)
    out: dict[str, Any] = {
        "handler_file": getattr(module, "__file__", None),
        "imported_at_ns": time.time_ns(),
    }
    if event is not None:
        try:
            out["response"] = handler(json.loads(event), LambdaContext())
        except Exception as exc:  # reported, not raised: the caller judges the error's type
            out["error_type"] = type(exc).__name__
            out["error"] = str(exc)[:500]
        out["responded_at_ns"] = time.time_ns()
    sys.stdout.flush()
    sys.stdout.write("\n" + RESULT_MARKER + json.dumps(out, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
