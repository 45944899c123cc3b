"""Which saved files restart which functions (lego_gateway.reload.plan), and the function
settings the gateway reads from the Terraform functions map."""

from __future__ import annotations

from pathlib import Path

from lego_gateway import paths
from lego_gateway.functions import INTEGRATION_TIMEOUT_S, load_function_settings
from lego_gateway.reload import plan, watched_path

ROOT = Path("/repo")


def test_a_function_source_restarts_that_function_only() -> None:
    todo = plan([ROOT / "functions/mocs/src/lego_mocs/service.py"], ROOT)
    assert todo.functions == {"mocs"}
    assert not todo.common
    assert todo.sources == [ROOT / "functions/mocs/src/lego_mocs/service.py"]


def test_common_restarts_all_routes_and_migrations_are_their_own_actions() -> None:
    todo = plan(
        [
            ROOT / "packages/common/src/lego_common/db.py",
            ROOT / "functions/routes.json",
            ROOT / "packages/schema/src/lego_schema/migrations/0006_x.sql",
            ROOT / "packages/schema/src/lego_schema/migrations/0006_x.rollback.sql",
        ],
        ROOT,
    )
    assert todo.common
    assert todo.routes
    assert todo.migrations == [ROOT / "packages/schema/src/lego_schema/migrations/0006_x.sql"]


def test_tests_docs_and_files_outside_the_repo_change_nothing() -> None:
    todo = plan(
        [
            ROOT / "functions/mocs/tests/unit/test_models.py",
            ROOT / "functions/mocs/README.md",
            Path("/elsewhere/functions/mocs/src/lego_mocs/handler.py"),
        ],
        ROOT,
    )
    assert not todo


def test_the_watcher_skips_bytecode_and_editor_files() -> None:
    assert watched_path(None, "/repo/functions/mocs/src/lego_mocs/handler.py")  # type: ignore[arg-type]
    assert not watched_path(None, "/repo/x/__pycache__/handler.cpython-311.py")  # type: ignore[arg-type]
    assert not watched_path(None, "/repo/functions/mocs/src/lego_mocs/.handler.py.swp")  # type: ignore[arg-type]


def test_timeouts_come_from_the_terraform_functions_map() -> None:
    settings = load_function_settings(paths.stack_variables_file())
    assert settings["health"].timeout_s == 10
    assert settings["health"].memory_mb == 512
    routed = {"health", "mocs", "gallery", "wishlist", "profile", "upload"}
    # Lambda must stop a routed function before API Gateway gives up on it
    assert all(settings[name].timeout_s < INTEGRATION_TIMEOUT_S for name in routed)
    assert settings["csv_parser"].timeout_s == 300  # asynchronous: not bound by API Gateway
