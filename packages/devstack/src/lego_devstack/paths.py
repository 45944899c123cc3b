"""The one repo-root finder (the build, the gateway, the traffic tool and the tests use it)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT_ENV_VAR = "LEGO_REPO_ROOT"
# A checkout's root holds the lock file and the route table; nothing below it holds both.
MARKERS = ("uv.lock", "functions/routes.json")


class RepoRootNotFoundError(FileNotFoundError):
    """No folder at or above the start holds the repo's markers."""


def is_repo_root(folder: Path) -> bool:
    """True when `folder` holds every marker of a checkout's root."""
    return all((folder / marker).is_file() for marker in MARKERS)


def find_repo_root(start: Path | None = None, explicit: str | Path | None = None) -> Path:
    """`explicit`, else $LEGO_REPO_ROOT, else the nearest folder at or above `start` (default
    the cwd) holding uv.lock and functions/routes.json, else the checkout this file is in."""
    given = explicit or os.environ.get(ROOT_ENV_VAR)
    if given:
        return Path(given).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_repo_root(folder):
            return folder
    # An editable workspace install: packages/devstack/src/lego_devstack/paths.py
    installed_from = Path(__file__).resolve().parents[4]
    if start is None and is_repo_root(installed_from):
        return installed_from
    raise RepoRootNotFoundError(
        f"no folder at or above {here} holds {' and '.join(MARKERS)}; set {ROOT_ENV_VAR}"
    )
