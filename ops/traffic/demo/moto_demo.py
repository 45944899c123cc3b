"""Run lego-traffic commands against a local moto server, for the README runbook's real output.

    uv run python ops/traffic/demo/moto_demo.py [--bad-from-pct 50] -- status -- shift --green 10

Starts moto, creates the zone and the two records as terraform/modules/traffic does, publishes
the green API's metrics every minute in real time (GreenSimulator), then runs each command
(`lego-traffic <args> --env demo`) as a subprocess and prints it with its output.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

from lego_traffic.naming import function_name
from lego_traffic.testing import (
    API_ID,
    FUNCTION_KEYS,
    RECORD,
    ZONE,
    FakeClock,
    GreenSimulator,
    env_config,
    make_records,
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bad-from-pct", type=int, default=None)
    parser.add_argument("--hold-s", type=int, default=120)
    parser.add_argument(
        "--healthy-after", type=int, default=None, help="green is fixed after this many commands"
    )
    parser.add_argument("commands", nargs="*", help="lego-traffic commands separated by --")
    args, rest = parser.parse_known_args()
    commands: list[list[str]] = [[]]
    for token in [*args.commands, *rest]:
        if token == "--":
            commands.append([])
        else:
            commands[-1].append(token)
    commands = [c for c in commands if c]

    port = _free_port()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log in the output
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "LEGO_TRAFFIC_ACTOR": "alice@ops-laptop",
    }
    os.environ.update(env)
    route53 = boto3.client("route53", endpoint_url=url)
    cloudwatch = boto3.client("cloudwatch", endpoint_url=url)
    zone_id = route53.create_hosted_zone(Name=ZONE, CallerReference="demo")["HostedZone"]["Id"]
    zone_id = zone_id.removeprefix("/hostedzone/")
    make_records(route53, zone_id)
    topic = boto3.client("sns", endpoint_url=url).create_topic(Name="traffic")["TopicArn"]
    boto3.client("s3", endpoint_url=url).create_bucket(Bucket="lego-ops-audit")

    root = Path(tempfile.mkdtemp(prefix="lego-traffic-demo-"))
    steps = [{"green_pct": p, "hold_s": args.hold_s} for p in (10, 50, 100)]
    config = env_config(steps=steps)
    config.update(sns_topic_arn=topic, audit_s3_uri="s3://lego-ops-audit/traffic")
    (root / "ops/traffic/envs").mkdir(parents=True)
    (root / "ops/traffic/envs/demo.json").write_text(json.dumps(config, indent=2))
    (root / "terraform/envs/demo").mkdir(parents=True)
    (root / "terraform/envs/demo/traffic.auto.tfvars.json").write_text(
        '{\n  "blue_weight": 100,\n  "green_weight": 0\n}\n'
    )

    clock = FakeClock(time.time())
    simulator = GreenSimulator(
        route53=route53,
        cloudwatch=cloudwatch,
        clock=clock,
        zone_id=zone_id,
        record_name=RECORD,
        api_id=API_ID,
        function_names=tuple(function_name(fn, "demo") for fn in FUNCTION_KEYS),
        bad_from_pct=args.bad_from_pct,
    )
    simulator._next_minute_end = (time.time() // 60) * 60 + 60
    stop = threading.Event()

    def publish_in_real_time() -> None:
        while not stop.wait(1.0):
            clock.t = time.time()
            simulator.on_tick(clock.t)

    threading.Thread(target=publish_in_real_time, daemon=True).start()
    code = 0
    try:
        for done, command in enumerate(commands):
            if args.healthy_after is not None and done >= args.healthy_after:
                simulator.bad_from_pct = None
            argv = ["lego-traffic", *command, "--env", "demo", "--root", str(root)]
            print(f"$ {shlex.join(argv[:-2])}", flush=True)
            started = time.monotonic()
            proc = subprocess.run(argv, env=env, check=False)
            print(
                f"# exit {proc.returncode} after {time.monotonic() - started:.2f} s\n", flush=True
            )
            code = code or proc.returncode
    finally:
        stop.set()
        server.stop()
    print(f"# demo root: {root}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
