"""Run inside a fresh `python -I -S`: import one handler from the given dirs, call it once.

Standard library only, and nothing from lego_build: the only code on sys.path is the
unpacked zip (plus, when given, a stand-in for the Lambda runtime's boto3).
"""

from __future__ import annotations

import argparse
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", action="append", default=[])
    parser.add_argument("--handler", required=True)
    parser.add_argument("--event", help="JSON event; without it the handler is only imported")
    args = parser.parse_args(argv)
    sys.path[:0] = args.path
    module_name, _, attr = args.handler.rpartition(".")
    module = importlib.import_module(module_name)
    handler = getattr(module, attr)
    out: dict[str, Any] = {"handler_file": getattr(module, "__file__", None)}
    if args.event is not None:
        out["response"] = handler(json.loads(args.event), LambdaContext())
        out["responded_at_ns"] = time.time_ns()
    out["outside_paths"] = sorted(
        name
        for name, mod in list(sys.modules.items())
        if (file := getattr(mod, "__file__", None))
        and "site-packages" in file
        and not any(file.startswith(p) for p in args.path)
    )
    sys.stdout.flush()
    sys.stdout.write("\n" + RESULT_MARKER + json.dumps(out, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
