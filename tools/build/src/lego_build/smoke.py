"""Smoke test: unpack a host-compatible zip, import its handler in a fresh interpreter, call it.

The arm64 zips cannot load their compiled wheels on this x86_64 host, so the smoke test
builds the same function for the host interpreter (same lock, same file rules) and runs that.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import socket
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lego_build import _invoke, resolve
from lego_build.build import Builder
from lego_build.bytecode import find_interpreter
from lego_build.events import load_routes, smoke_event, smoke_route
from lego_build.targets import LAMBDA_PYTHON_VERSION, host_target, lambda_target
from lego_build.tfenv import function_module_env

if TYPE_CHECKING:
    from lego_build.functions import FunctionSpec
    from lego_build.targets import Target

INVOKE_SCRIPT = Path(_invoke.__file__)
TIMEOUT_SECONDS = 60


@dataclass
class Invocation:
    """One fresh-interpreter run of a handler."""

    returncode: int
    stdout: str
    stderr: str
    started_ns: int
    payload: dict[str, Any] | None
    cpu_ms: float = 0.0

    @property
    def response(self) -> dict[str, Any] | None:
        """The handler's return value, when it was called."""
        if self.payload is None:
            return None
        response = self.payload.get("response")
        return response if isinstance(response, dict) else None


@dataclass
class SmokeResult:
    """Outcome for one function."""

    function: str
    ok: bool
    detail: str
    route: str | None = None
    status_code: int | None = None
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def smoke_env(function: str) -> dict[str, str]:
    """A clean Lambda-like environment: dummy AWS credentials, no database configured."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_LAMBDA_FUNCTION_NAME": f"lego-smoke-{function}",
        "SERVICE_NAME": "lego-projects-api",
        "STAGE": "smoke",
        "DEPLOY_COLOUR": "green",
        "LOG_LEVEL": "WARNING",
    }


def _closed_port() -> int:
    """A loopback port nothing listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def deployed_smoke_env(root: Path, function: str) -> dict[str, str]:
    """smoke_env plus what terraform/modules/function sets on every function (TRACING_ENABLED,
    ...) and every endpoint a function may read, pointed at closed ports: each lazy import a
    setting pulls in (psycopg, redis, opensearch-py, aws-xray-sdk) runs, no service answers."""
    closed = _closed_port()
    return {
        **smoke_env(function),
        **function_module_env(root),
        "LOG_LEVEL": "WARNING",
        "DB_HOST": "127.0.0.1",
        "DB_PORT": str(closed),
        "DB_SSLMODE": "disable",
        "DB_CONNECT_TIMEOUT_S": "1",
        "REDIS_URL": f"redis://127.0.0.1:{closed}/0",
        "OPENSEARCH_URL": f"http://127.0.0.1:{closed}",
        "OPENSEARCH_AUTH": "none",
    }


def unpack(zip_path: Path, dest: Path, *, with_bytecode: bool = True) -> Path:
    """Extract a zip into a fresh directory (optionally leaving its .pyc files out)."""
    dest.mkdir(parents=True, exist_ok=False)
    with zipfile.ZipFile(zip_path) as zf:
        members = [
            name for name in zf.namelist() if with_bytecode or "/__pycache__/" not in f"/{name}"
        ]
        zf.extractall(dest, members)
    return dest


def invoke(
    paths: list[Path],
    handler: str,
    event: dict[str, Any] | None,
    env: dict[str, str],
    *,
    python_flags: tuple[str, ...] = (),
    write_bytecode: bool = False,
    python: str = sys.executable,
) -> Invocation:
    """Import `handler` with only `paths` (plus the stdlib) importable and call it once.

    -B by default: Lambda's /var/task is read-only, so every cold start compiles our .py files.
    """
    flags = [*python_flags] if write_bytecode else ["-B", *python_flags]
    cmd = [python, "-I", "-S", *flags, str(INVOKE_SCRIPT), "--handler", handler]
    for path in paths:
        cmd += ["--path", str(path)]
    if event is not None:
        cmd += ["--event", json.dumps(event)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time_ns()
    proc = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU the child used (user + sys): unlike wall time, not inflated by a busy machine.
    cpu_ms = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    payload: dict[str, Any] | None = None
    for line in proc.stdout.splitlines():
        if line.startswith(_invoke.RESULT_MARKER):
            payload = json.loads(line.removeprefix(_invoke.RESULT_MARKER))
    return Invocation(proc.returncode, proc.stdout, proc.stderr, started, payload, cpu_ms)


IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


def missing_packages(health_body: Any) -> dict[str, str]:
    """Health checks that failed on an import (the zip lacks the package a setting needs)."""
    checks = health_body.get("checks") if isinstance(health_body, dict) else None
    if not isinstance(checks, dict):
        return {}
    return {
        name: str(check.get("error"))
        for name, check in checks.items()
        if isinstance(check, dict) and check.get("error") in IMPORT_ERRORS
    }


def judge(function: str, route: str | None, run: Invocation) -> tuple[bool, str, int | None]:
    """Did the handler import and answer as it should with no database configured?

    health: 200/503 JSON. A list route (GET without path params): 503 SERVICE_UNAVAILABLE.
    Any other route may stop earlier (400 for the empty body, 404, 503) but must answer the
    seed's error body and never 500, which is how a dispatcher reports an ImportError.
    """
    if run.returncode != 0 or run.payload is None:
        tail = (run.stderr.strip().splitlines() or ["(no output)"])[-1]
        return False, f"handler failed to import or run: {tail}", None
    if "error_type" in run.payload:
        raised = f"{run.payload['error_type']}: {run.payload.get('error', '')}"
        return False, f"handler raised {raised}", None
    if route is None:
        return True, "imported (no HTTP route: import check only)", None
    response = run.response
    if response is None:
        return False, f"handler returned {type(run.payload.get('response')).__name__}", None
    status = response.get("statusCode")
    code = status if isinstance(status, int) else None
    try:
        body = json.loads(response.get("body") or "null")
    except ValueError:
        return False, f"{status}: body is not JSON", code
    detail = f"{status} {json.dumps(body)[:120]}"
    if function == "health":
        missing = missing_packages(body)
        if missing:
            return False, f"{status}: a check could not import its client: {missing}", code
        return code in (200, 503) and isinstance(body, dict), detail, code
    error = body.get("error") if isinstance(body, dict) else None
    error_code = error.get("code") if isinstance(error, dict) else None
    if route.startswith("GET ") and "{" not in route:
        return code == 503 and error_code == "SERVICE_UNAVAILABLE", detail, code
    ok = code is not None and 400 <= code < 600 and code != 500 and isinstance(error_code, str)
    return ok, detail, code


class Bundle:
    """Zips of some functions built for one target, unpacked fresh, plus a /var/runtime stand-in.

    `Bundle.host(...)` builds for the interpreter running this code (compiled wheels load
    here); with a Python 3.13 on the machine, a Lambda x86_64 bundle runs the real artefact.
    """

    def __init__(
        self,
        root: Path,
        work_dir: Path,
        target: Target,
        dist_dir: Path,
        *,
        python: str = sys.executable,
        bytecode_python: str | None = None,
    ) -> None:
        self.root = root
        self.work_dir = work_dir
        self.python = python
        # A persistent dist dir makes repeat runs incremental; unpacking stays fresh.
        self.builder = Builder(root, target, dist_dir, bytecode_python=bytecode_python)
        self._label = target.describe()
        self._runtime_dir = work_dir / self._label / "runtime"
        self._runtime_pins: set[str] = set()

    @classmethod
    def host(cls, root: Path, work_dir: Path, dist_dir: Path | None = None) -> Bundle:
        """Host-compatible zips with host .pyc files, laid out as the Lambda zips are."""
        return cls(
            root,
            work_dir,
            host_target(),
            dist_dir or work_dir / "dist",
            bytecode_python=sys.executable,
        )

    def prepare(self, spec: FunctionSpec, *, with_bytecode: bool = True) -> list[Path]:
        """Build (or reuse) the zip, unpack it, return the sys.path it runs with."""
        result = self.builder.build(spec)
        if result.status == "failed" or result.zip_path is None:
            raise RuntimeError(f"{spec.name}: {self._label} build failed: {result.error}")
        suffix = "" if with_bytecode else "-no-pyc"
        unpacked = self.work_dir / self._label / "unpacked" / f"{spec.name}{suffix}"
        if not unpacked.exists():
            unpack(result.zip_path, unpacked, with_bytecode=with_bytecode)
        paths = [unpacked]
        plan = self.builder.plan_for(spec)
        if plan.runtime_provided:
            paths.append(self._runtime(plan))
        return paths

    def _runtime(self, plan: resolve.Plan) -> Path:
        """The locked boto3/botocore for this target, standing in for the runtime's copy."""
        lines = {req.line for req in plan.runtime_provided}
        if not lines <= self._runtime_pins:
            self._runtime_pins |= lines
            resolve.install_wheels(
                "".join(f"{line}\n" for line in sorted(self._runtime_pins)),
                self.builder.target,
                self._runtime_dir,
                function="runtime",
                root=self.root,
            )
        return self._runtime_dir


def lambda_x86_bundle(root: Path, work_dir: Path) -> Bundle | None:
    """The Lambda x86_64 zips run by a real Python 3.13, if this x86_64 machine has one."""
    python = find_interpreter(LAMBDA_PYTHON_VERSION)
    if python is None or platform.machine() != "x86_64":
        return None
    dist_dir = root / "build" / "lego-build-x86_64"
    target = lambda_target("x86_64")
    return Bundle(root, work_dir, target, dist_dir, python=python, bytecode_python=python)


def run_smoke(
    root: Path,
    specs: list[FunctionSpec],
    work_dir: Path,
    host_dist_dir: Path | None = None,
    bundle: Bundle | None = None,
) -> list[SmokeResult]:
    """Smoke-test every function in `specs` that has a handler (host variant by default)."""
    routes = load_routes(root)
    bundle = bundle or Bundle.host(root, work_dir, host_dist_dir)
    bundle.builder.prefetch_exports(specs)
    results: list[SmokeResult] = []
    for spec in specs:
        started = time.perf_counter()
        if not spec.has_handler:
            results.append(SmokeResult(spec.name, True, "skipped: no handler.py yet"))
            continue
        try:
            paths = bundle.prepare(spec)
        except (RuntimeError, resolve.ResolveError) as exc:
            results.append(SmokeResult(spec.name, False, str(exc)))
            continue
        route = smoke_route(routes, spec.name)
        event = smoke_event(routes, route) if route else None
        env = deployed_smoke_env(root, spec.name)
        run = invoke(paths, spec.handler, event, env, python=bundle.python)
        ok, detail, status = judge(spec.name, route, run)
        results.append(
            SmokeResult(spec.name, ok, detail, route, status, time.perf_counter() - started)
        )
    return results
