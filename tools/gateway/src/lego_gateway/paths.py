"""Where the repository's shared files live (the route table, the spec, the state file)."""

from __future__ import annotations

import os
from pathlib import Path

ROUTES_RELPATH = Path("functions") / "routes.json"


def repo_root() -> Path:
    """LEGO_REPO_ROOT, else the nearest folder above the cwd holding functions/routes.json,
    else the checkout this package was installed from (editable workspace install)."""
    explicit = os.environ.get("LEGO_REPO_ROOT")
    if explicit:
        return Path(explicit).resolve()
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / ROUTES_RELPATH).is_file():
            return folder
    return Path(__file__).resolve().parents[4]


def routes_file() -> Path:
    return repo_root() / ROUTES_RELPATH


def spec_file() -> Path:
    return repo_root() / "docs" / "openapi.yaml"


def functions_dir() -> Path:
    return repo_root() / "functions"


def state_file() -> Path:
    """Where `make dev` writes the stack's ports, pool and client ids for `make token`."""
    explicit = os.environ.get("LEGO_DEV_STATE")
    return Path(explicit) if explicit else repo_root() / ".local" / "dev-stack.json"
