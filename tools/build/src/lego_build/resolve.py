"""Locked dependencies of one function: uv export reads uv.lock, uv pip installs the wheels.

No resolving happens here: `uv export --locked` lists exactly the locked versions the
function's pyproject.toml needs (with `# via` annotations), and `uv pip install --no-deps`
installs those pins for the target platform from wheels only.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from lego_build.targets import Target

# Shipped inside the Lambda python3.13 runtime (with what they alone pull in: python-dateutil,
# six, urllib3 when nothing else needs them). Not bundled by default: see tools/build/README.md
# "boto3/botocore" for the measured sizes.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath"})

_PIN = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;]+)(?P<marker>\s*;.*)?$"
)
_EDITABLE = re.compile(r"^-e\s+(?P<path>\S+)$")


class ResolveError(RuntimeError):
    """uv could not export or install a function's locked dependencies."""


def normalize(name: str) -> str:
    """PEP 503 name: `Python_Dateutil` -> `python-dateutil`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def uv_binary() -> str:
    """The uv executable: `$UV` (set by `uv run`) or the one on PATH."""
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise ResolveError("uv is not installed: run `make install` (or `pip install uv`)")
    return found


@dataclass
class Requirement:
    """One pinned line of a `uv export`, with the packages that pull it in."""

    name: str
    version: str
    line: str
    via: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Plan:
    """What goes into one zip: workspace sources, wheels to install, what the runtime provides."""

    workspace_dirs: tuple[str, ...]
    bundled: tuple[Requirement, ...]
    runtime_provided: tuple[Requirement, ...]

    def requirements_txt(self) -> str:
        """The pins to install, markers kept so uv evaluates them for the target."""
        return "".join(f"{req.line}\n" for req in self.bundled)


def export_locked(root: Path, dist_name: str) -> str:
    """`uv export` of one workspace member: the locked closure, annotated, workspace as -e."""
    cmd = [
        uv_binary(),
        "export",
        # --locked, not --frozen: a pyproject.toml edited without `uv lock` fails the build
        # instead of shipping a zip that lacks the new dependency.
        "--locked",
        "--package",
        dist_name,
        "--no-dev",
        "--no-hashes",
        "--no-header",
    ]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise ResolveError(f"`{' '.join(cmd[1:])}` failed:\n{proc.stderr.strip()}")
    return proc.stdout


def parse_export(text: str) -> tuple[list[str], dict[str, Requirement], set[str]]:
    """Split an export into workspace paths, pinned requirements and workspace names."""
    workspace_dirs: list[str] = []
    workspace_names: set[str] = set()
    pins: dict[str, Requirement] = {}
    current: Requirement | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if editable := _EDITABLE.match(line):
            path = editable["path"]
            workspace_dirs.append(path)
            current = None
            continue
        if pin := _PIN.match(line):
            current = Requirement(normalize(pin["name"]), pin["version"], line)
            pins[current.name] = current
            continue
        if line.startswith("#") and current is not None:
            parent = line.lstrip("#").strip().removeprefix("via").strip()
            if parent:
                current.via.add(normalize(parent))
    for path in workspace_dirs:
        workspace_names.add(normalize(path.rstrip("/").rsplit("/", 1)[-1]))
    return workspace_dirs, pins, workspace_names


def plan(export_text: str, *, bundle_runtime_sdk: bool = False) -> Plan:
    """Decide what to bundle: everything locked, minus what only the Lambda runtime SDK needs."""
    workspace_dirs, pins, _ = parse_export(export_text)
    excluded = set() if bundle_runtime_sdk else set(RUNTIME_PROVIDED)
    # A pin is bundled when something bundled (or the workspace itself) pulls it in. The export's
    # `# via` names are parents; a parent not in `pins` is a workspace package. Grow to a fixpoint.
    bundled: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, req in pins.items():
            if name in bundled or name in excluded:
                continue
            pulled = not req.via or any(
                parent not in pins or (parent in bundled and parent not in excluded)
                for parent in req.via
            )
            if pulled:
                bundled.add(name)
                changed = True
    return Plan(
        workspace_dirs=tuple(workspace_dirs),
        bundled=tuple(pins[n] for n in sorted(bundled)),
        runtime_provided=tuple(pins[n] for n in sorted(pins) if n not in bundled),
    )


def install_wheels(
    requirements: str, target: Target, dest: Path, *, function: str, root: Path
) -> None:
    """Install pinned wheels for `target` into `dest`; no sdists, no host site-packages."""
    dest.mkdir(parents=True, exist_ok=True)
    if not requirements.strip():
        return
    req_file = dest.parent / f"{dest.name}.requirements.txt"
    req_file.write_text(requirements)
    cmd = [
        uv_binary(),
        "pip",
        "install",
        "--target",
        str(dest),
        *target.uv_flags(),
        "--only-binary",
        ":all:",
        "--no-deps",
        "--no-progress",
        "--quiet",
        "-r",
        str(req_file),
    ]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        detail = proc.stderr.strip()
        if "no wheels with a matching" in detail or "no wheel" in detail.lower():
            raise ResolveError(
                f"{function}: a locked package has no wheel for {target.describe()}; "
                f"pick a version that ships one (or a pure-Python alternative).\n{detail}"
            )
        raise ResolveError(f"{function}: uv pip install for {target.describe()} failed:\n{detail}")
