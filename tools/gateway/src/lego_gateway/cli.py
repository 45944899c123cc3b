"""lego-dev: `serve` runs the local stack (make dev); `token USER` prints a token (make token);
`seed` fills it with demo data (make seed)."""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import signal
import sys
import time
from typing import TYPE_CHECKING, Any

from lego_gateway import paths, terminal, throttle

if TYPE_CHECKING:
    from types import FrameType


class StopRequestedError(Exception):
    """SIGINT or SIGTERM arrived: unwind, stopping everything we started."""


def _on_signal(signum: int, frame: FrameType | None) -> None:
    # One signal is enough; a second one must not interrupt the clean-up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise StopRequestedError(signal.Signals(signum).name)


def _quiet_logging() -> None:
    """Start-up prints nothing but the ready line; handlers reconfigure structlog (JSON to
    stdout) on their first call, and the gateway's request lines go to stderr."""
    import structlog

    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    gateway_log = logging.getLogger("lego_gateway")
    gateway_log.addHandler(handler)
    gateway_log.setLevel(logging.INFO)
    gateway_log.propagate = False


def _freeze_startup_heap() -> None:
    """Move everything the gateway made while starting (boto3's service models, the app's
    modules) into the permanent generation. A full collection walks every tracked object:
    under load it paused the event loop, and every request in flight, for 65-80 ms (bench
    load, issue 18); frozen objects are no longer walked."""
    gc.collect()
    gc.freeze()


def port_holder(port: int) -> str:
    """Who listens on port: "pid 123 (python -m http.server 3000)", or why we cannot tell."""
    import psutil

    try:
        listeners = [
            c
            for c in psutil.net_connections(kind="tcp")
            if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN
        ]
    except psutil.AccessDenied:
        return "a process this user may not inspect"
    for connection in listeners:
        if connection.pid is None:
            continue
        try:
            command = " ".join(psutil.Process(connection.pid).cmdline())
        except psutil.Error:
            command = "?"
        return f"pid {connection.pid} ({command})"
    return "a process this user may not inspect"


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def serve(host: str, port: int, containers: int, in_process: bool, reload: bool = True) -> int:
    from lego_devstack import reset_clients
    from lego_devstack.stack import StackError
    from lego_gateway.app import create_app
    from lego_gateway.reload import Reloader
    from lego_gateway.stack import (
        AWS_DEFAULTS,
        ServerThread,
        build_gateway,
        function_env,
        prepare,
        services,
        write_state,
    )

    for key, value in AWS_DEFAULTS.items():
        os.environ.setdefault(key, value)
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    if not _port_free(host, port):
        print(
            f"lego-dev: {host}:{port} is in use by {port_holder(port)}; stop it or set PORT "
            "to another port (make dev PORT=8080)",
            file=sys.stderr,
        )
        return 1
    _quiet_logging()
    terminal.install()  # before any container starts: they inherit its stdout pipe
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    state_path = paths.state_file()
    started = time.monotonic()
    try:
        with services() as stack:
            url = f"http://{host}:{port}"
            os.environ.update(stack.env())
            pool = prepare(stack)
            os.environ.update(function_env(stack, pool, url))
            reset_clients()
            gateway = build_gateway(stack, pool, containers=containers, in_process=in_process)
            gateway.throttle = throttle.from_environment()  # dev.tfvars limits, or off
            server = ServerThread(create_app(gateway), host, port)
            reloader = Reloader(gateway, paths.repo_root()) if reload else None
            _freeze_startup_heap()
            try:
                server.start()
                if reloader is not None:
                    reloader.start()
                write_state(state_path, stack, pool, url)
                seconds = time.monotonic() - started
                print(
                    f"LEGO Projects API on {url} (docs {url}/docs, {stack.mode} stack, "
                    f"ready in {seconds:.1f}s; Ctrl-C stops it)",
                    flush=True,
                )
                print("\n".join(terminal.startup_lines(url)), flush=True)
                while server.thread is not None and server.thread.is_alive():
                    time.sleep(0.5)
                print("lego-dev: the gateway stopped unexpectedly", file=sys.stderr)
                return 1
            finally:
                if reloader is not None:
                    reloader.stop()
                server.stop()
                gateway.functions.close()
                with contextlib.suppress(FileNotFoundError):
                    state_path.unlink()
                reset_clients()
    except StopRequestedError:
        return 0
    except StackError as exc:  # a service missing or failing to start: say which, no traceback
        print(f"lego-dev: the local stack could not start: {exc}", file=sys.stderr)
        return 1


def token(username: str, token_use: str) -> int:
    from lego_gateway.cognito import UserPool, token_for
    from lego_gateway.stack import read_state

    state: dict[str, Any] = read_state(paths.state_file())
    pool = UserPool(state["user_pool_id"], state["client_id"], state["region"])
    try:
        value = token_for(pool, state["aws_endpoint_url"], username, token_use)
    except Exception as exc:  # moto gone: the stack in the state file is not running
        print(
            f"lego-dev: cannot reach the local stack at {state['aws_endpoint_url']} ({exc}); "
            "is `make dev` running?",
            file=sys.stderr,
        )
        return 1
    print(value)
    return 0


def seed() -> int:
    import httpx
    from botocore.exceptions import BotoCoreError

    from lego_gateway.seed import SeedError, run

    try:
        lines = run()
    except (SeedError, httpx.HTTPError, BotoCoreError) as exc:  # a stale state file: stack gone
        print(f"lego-dev seed: {exc}; is `make dev` running?", file=sys.stderr)
        return 1
    print("\n".join(lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lego-dev", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    serve_cmd = commands.add_parser("serve", help="run the local stack (default)")
    serve_cmd.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve_cmd.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    serve_cmd.add_argument(
        "--containers",
        type=int,
        default=int(os.environ.get("LEGO_DEV_CONTAINERS", "2")),
        help="concurrent containers (processes) per function, like Lambda's (default 2)",
    )
    serve_cmd.add_argument(
        "--in-process",
        action="store_true",
        default=os.environ.get("LEGO_DEV_IN_PROCESS", "") == "1",
        help="run every handler in the gateway process, one at a time (debugger-friendly)",
    )
    serve_cmd.add_argument(
        "--no-reload",
        action="store_true",
        default=os.environ.get("LEGO_DEV_RELOAD", "1") == "0",
        help="do not restart a function's containers when its code is saved",
    )
    serve_cmd.add_argument(
        "--no-throttle",
        action="store_true",
        help=f"no API Gateway throttling (load tests); same as {throttle.DISABLE_ENV}=off",
    )
    serve_cmd.add_argument(
        "--json",
        action="store_true",
        help=f"raw JSON log lines instead of the readable view; same as {terminal.FORMAT_ENV}=json",
    )
    token_cmd = commands.add_parser("token", help="print a token for USER (created if absent)")
    token_cmd.add_argument("user")
    token_cmd.add_argument(
        "--id-token", action="store_true", help="an id token (aud) instead of an access token"
    )
    commands.add_parser(
        "seed", help="demo data for alice and bob through the API (idempotent by title)"
    )
    args = parser.parse_args(argv)
    if args.command == "seed":
        return seed()
    if args.command == "token":
        return token(args.user, "id" if args.id_token else "access")
    if args.command is None:
        args = parser.parse_args(["serve", *(argv or sys.argv[1:])])
    if args.json:
        os.environ[terminal.FORMAT_ENV] = "json"
    if args.no_throttle:  # serve reads the env var, which the load benchmark sets directly
        os.environ[throttle.DISABLE_ENV] = "off"
    return serve(args.host, args.port, args.containers, args.in_process, not args.no_reload)


if __name__ == "__main__":
    sys.exit(main())
