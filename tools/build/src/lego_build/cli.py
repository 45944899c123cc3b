"""`lego-build`: build, check and smoke-test the per-function Lambda zips."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from lego_build.budgets import budget_for, human_bytes
from lego_build.build import Builder, build_all
from lego_build.bytecode import BytecodeError, find_interpreter
from lego_build.functions import discover, find_root
from lego_build.smoke import lambda_x86_bundle, run_smoke
from lego_build.targets import ARCHITECTURES, DEFAULT_ARCHITECTURE, lambda_target
from lego_build.verify import verify_zip

# Host-compatible zips for the smoke test and benchmark (build/ is git-ignored).
HOST_DIST_DIR = "build/lego-build-host"

if TYPE_CHECKING:
    from lego_build.build import BuildResult
    from lego_build.functions import FunctionSpec
    from lego_build.smoke import SmokeResult


def _select(root: Path, names: list[str]) -> list[FunctionSpec]:
    specs = discover(root)
    wanted = [n for raw in names for n in raw.replace(",", " ").split()]
    unknown = [n for n in wanted if n not in specs]
    if unknown:
        known = ", ".join(specs)
        raise SystemExit(f"lego-build: unknown function {', '.join(unknown)} (known: {known})")
    return [specs[n] for n in wanted] if wanted else list(specs.values())


def _progress_line(result: BuildResult) -> str:
    if result.status in ("skipped", "failed"):
        return f"  {result.function:<11} {result.status:<7}  {result.error.splitlines()[0]}"
    side = result.sidecar
    zipped, unzipped = human_bytes(side["zipped_bytes"]), human_bytes(side["unzipped_bytes"])
    return (
        f"  {result.function:<11} {result.status:<7}  {zipped:>10} zipped"
        f"  {unzipped:>10} unzipped  {result.seconds:5.1f} s"
    )


def _summary(results: list[BuildResult], elapsed: float) -> str:
    header = (
        f"{'function':<11} {'status':<7} {'zipped':>10} {'unzipped':>10} {'budget':>10} "
        f"{'deps':>4} {'time':>6}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        if r.sidecar:
            side = r.sidecar
            sizes = (side["zipped_bytes"], side["unzipped_bytes"], budget_for(r.function))
            zipped, unzipped, budget = (human_bytes(n) for n in sizes)
            lines.append(
                f"{r.function:<11} {r.status:<7} {zipped:>10} {unzipped:>10} {budget:>10} "
                f"{len(side['dependencies']):>4} {r.seconds:>5.1f}s"
            )
        else:
            lines.append(f"{r.function:<11} {r.status:<7} {'-':>10} {'-':>10} {'-':>10}")
    counts = {
        s: sum(r.status == s for r in results) for s in ("built", "cached", "skipped", "failed")
    }
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items()) + f" in {elapsed:.1f} s")
    return "\n".join(lines)


def _bytecode_python(choice: str, python_version: str) -> str | None:
    """`auto` finds an interpreter of the target's version, `none` disables, else a path."""
    if choice == "none":
        return None
    if choice == "auto":
        return find_interpreter(python_version)
    return choice


def _build(args: argparse.Namespace, root: Path) -> tuple[list[BuildResult], Builder]:
    specs = _select(root, args.function)
    target = lambda_target(args.arch)
    dist_dir = (root / args.dist_dir).resolve()
    bytecode_python = _bytecode_python(args.bytecode_python, target.python_version)
    try:
        builder = Builder(
            root,
            target,
            dist_dir,
            bundle_runtime_sdk=args.bundle_aws_sdk,
            force=args.force,
            bytecode_python=bytecode_python,
        )
    except BytecodeError as exc:
        raise SystemExit(f"lego-build: {exc}") from exc
    print(f"lego-build: {len(specs)} function(s) for {target.describe()} -> {args.dist_dir}/")
    if builder.bytecode_version:
        print(f"  bytecode: CPython {builder.bytecode_version} .pyc ({bytecode_python})")
    else:
        print(
            f"  bytecode: none (no Python {target.python_version} given or found): every cold "
            "start compiles the imported modules"
        )
    started = time.perf_counter()
    results = build_all(builder, specs, on_result=lambda r: print(_progress_line(r), flush=True))
    print()
    print(_summary(results, time.perf_counter() - started))
    for result in results:
        for warning in result.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if result.status == "failed":
            print(f"error: {result.function}: {result.error}", file=sys.stderr)
    return results, builder


def cmd_build(args: argparse.Namespace, root: Path) -> int:
    results, _ = _build(args, root)
    return 1 if any(r.status == "failed" for r in results) else 0


def _print_smoke(title: str, results: list[SmokeResult]) -> None:
    print(title)
    for r in results:
        mark = "ok  " if r.ok else "FAIL"
        route = f"[{r.route}] " if r.route else ""
        print(f"  {mark} {r.function:<11} {route}{r.detail}")


def cmd_smoke(args: argparse.Namespace, root: Path) -> int:
    specs = _select(root, args.function)
    with tempfile.TemporaryDirectory(prefix="lego-smoke-") as tmp:
        results = run_smoke(root, specs, Path(tmp), host_dist_dir=root / HOST_DIST_DIR)
        _print_smoke(
            "smoke test (host-compatible zips, fresh `python -I -S -B`, zip dir only on sys.path):",
            results,
        )
        lambda_x86 = lambda_x86_bundle(root, Path(tmp))
        if lambda_x86 is None:
            print("  (no Python 3.13 here: the Lambda zips themselves are not run)")
        else:
            real = run_smoke(root, specs, Path(tmp), bundle=lambda_x86)
            _print_smoke(
                f"smoke test (Lambda x86_64 zips, as shipped, run by {lambda_x86.python}):", real
            )
            results += real
    return 0 if all(r.ok for r in results) else 1


def cmd_check(args: argparse.Namespace, root: Path) -> int:
    results, builder = _build(args, root)
    failed = any(r.status == "failed" for r in results)
    problems: list[str] = []
    for r in results:
        if r.zip_path is not None:
            problems += verify_zip(
                r.zip_path, json.loads(builder.sidecar_path(r.function).read_text())
            )
    print()
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    checked = sum(r.zip_path is not None for r in results)
    print(f"zip checks: {len(problems)} problem(s) in {checked} zip(s)")
    print()
    smoke_failed = cmd_smoke(args, root)
    return 1 if failed or problems or smoke_failed else 0


def cmd_env_check(args: argparse.Namespace, root: Path) -> int:
    from lego_build.envcheck import run_env_check
    from lego_build.tfenv import TerraformEnvError

    state = Path(args.tf_state_json)
    with tempfile.TemporaryDirectory(prefix="lego-env-check-") as tmp:
        try:
            results = run_env_check(
                root, state, Path(tmp), root / HOST_DIST_DIR, (root / args.dist_dir).resolve()
            )
        except TerraformEnvError as exc:
            print(f"lego-build env-check: {exc}", file=sys.stderr)
            return 2
    print(
        f"env-check ({state}): each function's handler from its zip, with its Terraform "
        "environment, endpoints on the local stack:"
    )
    for r in results:
        mark = "ok  " if r.ok else "FAIL"
        print(f"  {mark} {r.function_name} ({r.zip_name}) {r.detail}")
        if r.replaced:
            print(f"       local: {', '.join(r.replaced)}")
    return 0 if all(r.ok for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="lego-build", description=__doc__)
    parser.add_argument("--root", type=Path, default=None, help="repo root (default: find uv.lock)")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("build", "build dist/<function>.zip + .json (incremental)"),
        ("check", "build, verify every zip and sidecar, then smoke-test host-compatible zips"),
        ("smoke", "smoke-test host-compatible zips only"),
    ):
        cmd = sub.add_parser(name, help=help_text)
        cmd.add_argument(
            "-f", "--function", action="append", default=[], help="name(s); default all"
        )
        cmd.add_argument("--arch", choices=ARCHITECTURES, default=DEFAULT_ARCHITECTURE)
        cmd.add_argument("--dist-dir", default="dist")
        cmd.add_argument(
            "--force", action="store_true", help="rebuild even if inputs are unchanged"
        )
        cmd.add_argument(
            "--bundle-aws-sdk",
            action="store_true",
            help="also bundle boto3/botocore (default: use the Lambda runtime's copy)",
        )
        cmd.add_argument(
            "--bytecode-python",
            default=os.environ.get("BYTECODE_PYTHON") or "auto",
            metavar="auto|none|PATH",
            help="ship .pyc compiled by a Python of the target's version (default auto: "
            "use one if this machine has it)",
        )
    env_check = sub.add_parser(
        "env-check",
        help="run each aws_lambda_function of a `terraform show -json` document from its zip "
        "with its Terraform environment, endpoints on a local stack",
    )
    env_check.add_argument("--tf-state-json", required=True, metavar="PATH")
    env_check.add_argument("--dist-dir", default="dist")
    args = parser.parse_args(argv)
    root = find_root(args.root)
    handlers = {
        "build": cmd_build,
        "check": cmd_check,
        "smoke": cmd_smoke,
        "env-check": cmd_env_check,
    }
    return handlers[args.command](args, root)


if __name__ == "__main__":
    raise SystemExit(main())
