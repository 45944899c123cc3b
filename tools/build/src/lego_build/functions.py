"""Which zips exist: one per folder under functions/, plus the migration runner."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# docs/contracts.md "Handlers": the migration runner lives in packages/schema, zipped as `migrate`.
EXTRA_FUNCTIONS: dict[str, str] = {"migrate": "packages/schema"}


@dataclass(frozen=True)
class FunctionSpec:
    """One deployable function: its zip name, workspace member and handler."""

    name: str
    member_dir: Path
    dist_name: str
    import_name: str

    @property
    def handler(self) -> str:
        """Lambda handler string (docs/contracts.md "Handlers")."""
        return f"{self.import_name}.handler.lambda_handler"

    @property
    def handler_path(self) -> Path:
        """The handler module's file; a function without one is skipped, not an error."""
        return self.member_dir / "src" / self.import_name / "handler.py"

    @property
    def has_handler(self) -> bool:
        """True once someone has written the function's handler.py."""
        return self.handler_path.is_file()


def _spec(name: str, member_dir: Path) -> FunctionSpec:
    with (member_dir / "pyproject.toml").open("rb") as fh:
        dist_name = str(tomllib.load(fh)["project"]["name"])
    return FunctionSpec(
        name=name,
        member_dir=member_dir,
        dist_name=dist_name,
        import_name=dist_name.replace("-", "_"),
    )


def discover(root: Path) -> dict[str, FunctionSpec]:
    """All functions of the repo at `root`, by zip name, sorted."""
    found: dict[str, FunctionSpec] = {}
    for pyproject in sorted((root / "functions").glob("*/pyproject.toml")):
        found[pyproject.parent.name] = _spec(pyproject.parent.name, pyproject.parent)
    for name, rel in EXTRA_FUNCTIONS.items():
        if (root / rel / "pyproject.toml").is_file():
            found[name] = _spec(name, root / rel)
    return dict(sorted(found.items()))


def find_root(start: Path | None = None) -> Path:
    """The repo root at or above `start` (the cwd by default): the repo's one finder."""
    from lego_devstack.paths import find_repo_root

    return find_repo_root(start)
