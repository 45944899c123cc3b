"""Hot reload for `make dev`: a save is served by the next request, the services stay up.

watchfiles (Rust notify, no polling) watches the handlers' sources, lego_common, the route table
and the migrations. A change under functions/<name>/src restarts that function's containers
only; a change under packages/common/src restarts every function's (they all import it).
Containers are restarted ahead of the next request (lego_gateway.containers.ContainerPool.reload),
so the first request after a save does not pay the cold start. routes.json is reloaded in
place (an invalid one is refused, the previous table stays); a new migration is applied to the
running database. Every action is one line on stderr; an init failure shows its traceback there.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lego_gateway.containers import InitFailedError
from lego_gateway.functions import discover_functions, handler_module
from lego_gateway.routes import RouteTable

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from watchfiles import Change

    from lego_gateway.app import Gateway

# watchfiles yields once no new change came for STEP_MS (an editor's save is several events).
STEP_MS = 30
MIGRATIONS_RELPATH = Path("packages/schema/src/lego_schema/migrations")
COMMON_RELPATH = Path("packages/common/src")


@dataclass
class ReloadPlan:
    """What a batch of changed files asks for."""

    functions: set[str] = field(default_factory=set)
    common: bool = False
    routes: bool = False
    migrations: list[Path] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.functions or self.common or self.routes or self.migrations)


def plan(paths: Iterable[Path], repo_root: Path) -> ReloadPlan:
    """Sort changed paths into the actions they need (pure: no I/O)."""
    result = ReloadPlan()
    for path in paths:
        try:
            relative = path.relative_to(repo_root)
        except ValueError:
            continue
        parts = relative.parts
        if relative == Path("functions/routes.json"):
            result.routes = True
        elif path.suffix == ".sql" and relative.parent == MIGRATIONS_RELPATH:
            if not path.name.endswith(".rollback.sql"):
                result.migrations.append(path)
        elif path.suffix != ".py":
            continue
        elif len(parts) > 3 and parts[0] == "functions" and parts[2] == "src":
            result.functions.add(parts[1])
            result.sources.append(path)
        elif relative.is_relative_to(COMMON_RELPATH):
            result.common = True
            result.sources.append(path)
    return result


def watched_path(change: Change, path: str) -> bool:
    """watchfiles filter: Python sources, the route table and SQL; never bytecode or temp files."""
    return path.endswith((".py", ".sql", "routes.json")) and "__pycache__" not in path


def _drop_bytecode(source: Path) -> None:
    """Python trusts a .pyc whose recorded mtime (whole seconds) and size match the source: two
    saves of the same size within a second would run the old bytecode, so drop it."""
    with contextlib.suppress(OSError, ValueError):
        Path(importlib.util.cache_from_source(str(source))).unlink(missing_ok=True)


def _say(message: str) -> None:
    print(f"lego-dev: {message}", file=sys.stderr, flush=True)


class Reloader:
    """Watches the repository on a thread and applies each batch of changes to the gateway."""

    def __init__(
        self, gateway: Gateway, repo_root: Path, say: Callable[[str], None] = _say
    ) -> None:
        self.gateway = gateway
        self.repo_root = repo_root
        self.say = say
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()

    def roots(self) -> list[Path]:
        roots = [
            self.repo_root / "functions",
            self.repo_root / COMMON_RELPATH,
            self.repo_root / MIGRATIONS_RELPATH,
        ]
        return [root for root in roots if root.is_dir()]

    def start(self) -> None:
        if self.gateway.functions.containers is not None:
            self.gateway.functions.containers.start_reload_server()
        self._thread = threading.Thread(target=self._run, name="reloader", daemon=True)
        self._thread.start()
        self.ready.wait(10)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        from watchfiles import watch

        batches = watch(
            *self.roots(),
            watch_filter=watched_path,
            step=STEP_MS,
            stop_event=self._stop,
            rust_timeout=200,  # also how soon start() knows the watcher runs
            yield_on_timeout=True,
            raise_interrupt=False,
        )
        for changes in batches:
            self.ready.set()  # the first (empty) batch: the watcher is running
            if changes:
                try:
                    self.apply(plan((Path(p) for _, p in changes), self.repo_root))
                except Exception as exc:  # keep watching whatever one batch did
                    self.say(f"reload failed: {exc!r}")

    def apply(self, todo: ReloadPlan) -> None:
        for source in todo.sources:
            _drop_bytecode(source)
        if todo.routes:
            self._reload_routes()
        if todo.migrations:
            self._apply_migrations(todo.migrations)
        functions = self.gateway.functions
        restart = set(functions.functions) if todo.common else todo.functions & functions.functions
        if not restart:
            return
        pool = functions.containers
        if pool is None:
            self.say(
                f"{', '.join(sorted(restart))} changed: --in-process has no hot reload, "
                "restart lego-dev to serve the new code"
            )
            return
        running = pool.running_functions()
        threads = [
            threading.Thread(target=self._restart, args=(name, name in running), daemon=True)
            for name in sorted(restart)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _restart(self, function: str, warm: bool) -> None:
        pool = self.gateway.functions.containers
        assert pool is not None
        started = time.perf_counter()
        try:
            pool.reload(function, handler_module(function), warm=warm)
        except InitFailedError as exc:
            self.say(
                f"{function} failed to initialise; its routes answer 502 until a save fixes "
                f"it:\n{exc}"
            )
            return
        if warm:
            self.say(f"{function} reloaded in {time.perf_counter() - started:.2f}s")

    def _reload_routes(self) -> None:
        path = self.repo_root / "functions" / "routes.json"
        try:
            table = RouteTable.load(path)
        except Exception as exc:
            self.say(f"{path.name} is invalid, still serving the previous routes: {exc}")
            return
        self.gateway.routes = table
        functions = self.gateway.functions
        functions.functions |= discover_functions(self.repo_root / "functions")
        self.say(
            f"{path.name} reloaded ({len(table.routes)} routes); deploy them with "
            "terraform (make tf-check checks the api module)"
        )

    def _apply_migrations(self, changed: list[Path]) -> None:
        from lego_devstack.stack import owner_settings
        from lego_schema import migrate

        names = ", ".join(sorted(p.name for p in changed))
        try:  # as the schema owner, like the migrate function: the app role has no DDL
            applied = migrate.apply(owner_settings())
        except Exception as exc:
            self.say(f"migration {names} failed: {exc}; fix it and save again")
            return
        if applied:
            self.say(f"applied migration(s) {', '.join(applied)}")
        else:
            self.say(
                f"{names} changed but was already applied: an applied migration never runs "
                "again; write a new one (or restart lego-dev for a fresh database)"
            )
