"""A saved migration is applied to the running database by the reloader (real PostgreSQL; the
migrations folder is a copy, so the repository's own stays untouched)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from lego_gateway.reload import MIGRATIONS_RELPATH, Reloader, plan
from lego_schema import migrate

pytestmark = pytest.mark.usefixtures("services")


def _reloader(repo: Path, said: list[str]) -> Reloader:
    # The reloader's gateway is only asked for its functions: none here.
    gateway: Any = SimpleNamespace(functions=SimpleNamespace(functions=set(), containers=None))
    return Reloader(gateway, repo, say=said.append)


def test_a_new_migration_is_applied_and_an_applied_one_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sql: Any, migrator_settings: Any
) -> None:
    folder = tmp_path / MIGRATIONS_RELPATH
    shutil.copytree(migrate.MIGRATIONS_DIR, folder)
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", folder)
    table = f"reload_probe_{uuid.uuid4().hex[:8]}"
    new = folder / f"0900_{table}.sql"
    new.write_text(f"-- depends: 0005_upload_files\nCREATE TABLE {table} (id int);\n")
    (folder / f"0900_{table}.rollback.sql").write_text(f"DROP TABLE {table};\n")
    said: list[str] = []
    reloader = _reloader(tmp_path, said)

    reloader.apply(plan([new], tmp_path))

    assert said == [f"applied migration(s) 0900_{table}"]
    assert sql(f"SELECT count(*) FROM {table}", {}) == [(0,)]

    new.write_text(new.read_text() + "-- an edit after it ran\n")
    reloader.apply(plan([new], tmp_path))
    assert "was already applied" in said[-1]
    assert "write a new one" in said[-1]
    # leave the session's database as the other tests expect it
    assert migrate.rollback_last(migrator_settings) == [f"0900_{table}"]
