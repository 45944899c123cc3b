"""Where the repository's shared files live (the route table, the spec, the state file)."""

from __future__ import annotations

import os
from pathlib import Path

from lego_devstack.paths import find_repo_root

ROUTES_RELPATH = Path("functions") / "routes.json"


def repo_root() -> Path:
    """LEGO_REPO_ROOT, else the checkout around the cwd (the repo's one finder)."""
    return find_repo_root()


def routes_file() -> Path:
    return repo_root() / ROUTES_RELPATH


def spec_file() -> Path:
    return repo_root() / "docs" / "openapi.yaml"


def functions_dir() -> Path:
    return repo_root() / "functions"


def stack_variables_file() -> Path:
    """The stack module's variables: its `functions` map holds each function's timeout."""
    return repo_root() / "terraform" / "modules" / "stack" / "variables.tf"


def state_file() -> Path:
    """Where `make dev` writes the stack's ports, pool and client ids for `make token`."""
    explicit = os.environ.get("LEGO_DEV_STATE")
    return Path(explicit) if explicit else repo_root() / ".local" / "dev-stack.json"
