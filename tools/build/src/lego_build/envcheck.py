"""`lego-build env-check --tf-state-json PATH`: every deployed function's handler, run from its
zip in a fresh interpreter with the environment Terraform gave it, against a local stack.

For each aws_lambda_function of a `terraform show -json` document: find its zip in dist/ (by the
zip's file name, else by handler), run the host-compatible variant of that zip (same lock, same
files; the arm64 wheels cannot load on this host) with the function's Terraform environment,
and send it the smoke event of its first route (functions without a route get `{}`).
Replaced, because only AWS serves them (tools/build/README.md "env-check"): the service
endpoints (DB_HOST/DB_PORT, REDIS_URL, OPENSEARCH_URL, AWS_ENDPOINT_URL) point at the local
stack, and the credentials that need AWS (DB_IAM_AUTH tokens, DB_SSLMODE=require, the Redis
AUTH secret) become the local cluster's password. Everything else is Terraform's, verbatim.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lego_build.events import load_routes, smoke_event, smoke_route
from lego_build.functions import discover
from lego_build.smoke import IMPORT_ERRORS, Bundle, invoke, missing_packages
from lego_build.tfenv import load_state

if TYPE_CHECKING:
    from pathlib import Path

    from lego_build.functions import FunctionSpec
    from lego_build.smoke import Invocation
    from lego_build.tfenv import DeployedFunction
    from lego_devstack.stack import Stack

# What the Lambda runtime itself puts in every function's environment (dummy credentials here).
RUNTIME_ENV = {
    "LANG": "C.UTF-8",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@dataclass
class EnvCheckResult:
    """Outcome for one deployed function."""

    function_name: str
    zip_name: str
    ok: bool
    detail: str
    replaced: list[str] = field(default_factory=list)
    status_code: int | None = None


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def local_env(deployed: DeployedFunction, stack: Stack) -> tuple[dict[str, str], list[str]]:
    """The function's Terraform environment with endpoints (and AWS-only credentials) made
    local; returns the environment and the names that were replaced or removed."""
    env = {**RUNTIME_ENV, "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    env["AWS_LAMBDA_FUNCTION_NAME"] = deployed.function_name
    env.update(deployed.environment)
    # migrate (the one function with APP_DB_SECRET_ARN) logs in as the schema owner, the rest
    # as the app role, locally as in AWS (issue 13 item 2)
    migrator = "APP_DB_SECRET_ARN" in env
    local = stack.migrator_env() if migrator else stack.env()
    replaced: dict[str, str | None] = {"AWS_ENDPOINT_URL": stack.aws_endpoint_url}
    if "DB_HOST" in env:
        for key in ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "DB_SSLMODE"):
            replaced[key] = local[key]
        replaced["DB_IAM_AUTH"] = "false"
        replaced["DB_SECRET_ARN"] = None
        replaced["DB_SSLROOTCERT"] = None
    if migrator:
        replaced["APP_DB_SECRET_ARN"] = None
        replaced["APP_DB_PASSWORD"] = local["APP_DB_PASSWORD"]
    if "REDIS_URL" in env:
        replaced["REDIS_URL"] = stack.redis_url
        replaced["REDIS_AUTH_SECRET_ARN"] = None
    if "OPENSEARCH_URL" in env:
        # The native stack has no OpenSearch: a closed port still makes the client import.
        replaced["OPENSEARCH_URL"] = stack.opensearch_url or f"http://127.0.0.1:{_closed_port()}"
    names = []
    for key, value in replaced.items():
        if value is None:
            if env.pop(key, None) is not None:
                names.append(key)
        else:
            env[key] = value
            names.append(key)
    return env, sorted(names)


def match_spec(deployed: DeployedFunction, specs: dict[str, FunctionSpec]) -> FunctionSpec:
    """The function whose zip Terraform deployed: by zip file name, else by handler."""
    stem = deployed.zip_name.removesuffix(".zip")
    if stem in specs:
        return specs[stem]
    by_handler = [s for s in specs.values() if s.handler == deployed.handler]
    if len(by_handler) == 1:
        return by_handler[0]
    raise LookupError(
        f"{deployed.function_name}: no function builds {deployed.zip_name!r} "
        f"or has handler {deployed.handler!r}"
    )


def judge(spec: FunctionSpec, route: str | None, run: Invocation) -> tuple[bool, str, int | None]:
    """Imported, answered, no 500, no client that could not import its package."""
    if run.payload is None:
        tail = (run.stderr.strip().splitlines() or ["(no output)"])[-1]
        return False, f"handler failed to import: {tail}", None
    if "error_type" in run.payload:
        kind = "import error" if run.payload["error_type"] in IMPORT_ERRORS else "error"
        return False, f"{kind}: {run.payload['error_type']}: {run.payload.get('error')}", None
    if route is None:
        return True, f"answered {json.dumps(run.payload.get('response'))[:100]}", None
    response = run.response or {}
    status = response.get("statusCode")
    code = status if isinstance(status, int) else None
    try:
        body = json.loads(response.get("body") or "null")
    except ValueError:
        return False, f"{status}: body is not JSON", code
    detail = f"{status} {json.dumps(body)[:100]}"
    if code is None or code == 500 or not 200 <= code < 600:
        return False, detail, code
    missing = missing_packages(body) if spec.name == "health" else {}
    if missing:
        return False, f"{status}: a check could not import its client: {missing}", code
    return True, detail, code


def check_functions(
    root: Path,
    deployed: list[DeployedFunction],
    stack: Stack,
    work_dir: Path,
    host_dist_dir: Path,
    dist_dir: Path,
) -> list[EnvCheckResult]:
    """Run every deployed function against `stack` (already prepared)."""
    specs = discover(root)
    routes = load_routes(root)
    bundle = Bundle.host(root, work_dir, host_dist_dir)
    results: list[EnvCheckResult] = []
    for fn in deployed:
        try:
            spec = match_spec(fn, specs)
        except LookupError as exc:
            results.append(EnvCheckResult(fn.function_name, fn.zip_name, False, str(exc)))
            continue
        if not spec.has_handler:  # tf-check deploys stub artefacts for functions not written yet
            results.append(
                EnvCheckResult(fn.function_name, fn.zip_name, True, "skipped: no handler.py yet")
            )
            continue
        notes = _sidecar_notes(fn, spec, dist_dir)
        try:
            paths = bundle.prepare(spec)
        except RuntimeError as exc:
            results.append(EnvCheckResult(fn.function_name, fn.zip_name, False, str(exc)))
            continue
        route = smoke_route(routes, spec.name)
        event: dict[str, Any] = smoke_event(routes, route) if route else {}
        env, replaced = local_env(fn, stack)
        run = invoke(paths, spec.handler, event, env, python=bundle.python)
        ok, detail, code = judge(spec, route, run)
        if notes:
            detail = f"{detail} ({'; '.join(notes)})"
        results.append(EnvCheckResult(fn.function_name, fn.zip_name, ok, detail, replaced, code))
    return results


def _sidecar_notes(fn: DeployedFunction, spec: FunctionSpec, dist_dir: Path) -> list[str]:
    """What differs between the state and dist/ (informational: the code checked is dist's)."""
    sidecar_path = dist_dir / f"{spec.name}.json"
    if not sidecar_path.is_file():
        return [f"no {sidecar_path.name} in {dist_dir.name}/: run `make build`"]
    sidecar = json.loads(sidecar_path.read_text())
    notes = []
    if sidecar.get("handler") != fn.handler:
        notes.append(f"state handler {fn.handler} != built {sidecar.get('handler')}")
    if fn.source_code_hash and sidecar.get("source_code_hash") != fn.source_code_hash:
        notes.append("the state deployed another build of this zip")
    return notes


def run_env_check(
    root: Path, state_path: Path, work_dir: Path, host_dist_dir: Path, dist_dir: Path
) -> list[EnvCheckResult]:
    """Start the local stack (lego_devstack), prepare it, check every function of the state."""
    from lego_devstack import applied_env
    from lego_devstack.stack import prepare, running

    deployed = load_state(state_path)
    if not deployed:
        return [EnvCheckResult("-", "-", False, f"no aws_lambda_function in {state_path}")]
    with running() as stack:
        with applied_env(stack.env()):
            prepare(stack)
        return check_functions(root, deployed, stack, work_dir, host_dist_dir, dist_dir)
