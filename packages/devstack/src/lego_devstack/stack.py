"""The service stack the tests and the local stack run on: PostgreSQL, Redis, moto (and
OpenSearch where Docker exists).

Two ways to get it, one interface:
- docker: `tests/docker-compose.yml` through pytest-docker's compose helpers (postgres 15,
  redis 7, opensearch 2.x, moto), wherever a Docker engine answers;
- native: a throwaway PostgreSQL cluster (initdb in a temp dir, run as a non-root user
  because postgres refuses root), redis-server and moto's server, on free ports.

LEGO_STACK=docker|native forces one; the default (auto) takes docker when `docker info`
succeeds. A service that does not come up raises StackError with its log tail: the run fails
loudly, it never skips.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lego_devstack.lifetime import parent_death_hook
from lego_devstack.paths import find_repo_root

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import psycopg

    from lego_common.config import Settings

DB_NAME = "lego"
# The same split as in AWS (issue 13 item 2): `lego` owns the schema and runs the migrations
# (the RDS master there), the functions log in as `lego_app` (migration 0006: DML only), whose
# password the migrator sets. Throwaway local cluster: never deployed secrets.
DB_USER = "lego"
DB_PASSWORD = "lego-local-only"
APP_DB_USER = "lego_app"
APP_DB_PASSWORD = "lego-app-local-only"
REPO_ROOT = find_repo_root()
COMPOSE_FILE = REPO_ROOT / "tests" / "docker-compose.yml"


def owner_settings() -> Settings:
    """lego_common settings from the environment, logged in as the schema owner (the local
    migrator, as the RDS master is in AWS) instead of the functions' app role."""
    from dataclasses import replace

    from lego_common.config import load_settings

    return replace(load_settings(), db_user=DB_USER, db_password=DB_PASSWORD)


class StackError(RuntimeError):
    """A service of the stack failed to start."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(check: Callable[[], bool], what: str, timeout_s: float, log_path: Path | None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.05)
    tail = ""
    if log_path is not None and log_path.exists():
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-20:])
    raise StackError(f"{what} did not become ready within {timeout_s:.0f}s\n{tail}")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    result = subprocess.run(
        ["docker", "info", "--format", "{{.ServerVersion}}"],
        capture_output=True,
        timeout=10,
        check=False,
    )
    return result.returncode == 0


def chosen_mode() -> str:
    mode = os.environ.get("LEGO_STACK", "auto").lower()
    if mode not in {"auto", "docker", "native"}:
        raise StackError(f"LEGO_STACK must be auto, docker or native, got {mode!r}")
    if mode == "auto":
        return "docker" if docker_available() else "native"
    if mode == "docker" and not docker_available():
        raise StackError("LEGO_STACK=docker but no Docker engine answers `docker info`")
    return mode


# --- native processes -------------------------------------------------------------------------


@functools.cache
def _launcher() -> ThreadPoolExecutor:
    """The one thread that starts every server: the parent-death signal fires when the
    *thread* that forked a child ends, and this one lives as long as the process, whichever
    thread (a test's, a fault injector's) asks for a start or a restart."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="stack-launcher")


@dataclass
class Process:
    """A server we started; stop() terminates it (and its process group).

    The server itself (not a wrapper: a `runuser` in between would outlive nothing but hide
    the server from the signal) gets death_signal when the thread that started it dies:
    postgres takes SIGQUIT (immediate shutdown: the postmaster stops its backends first)."""

    name: str
    argv: list[str]
    log_path: Path
    user: str | None = None
    env: dict[str, str] | None = None
    popen: subprocess.Popen[bytes] | None = None
    death_signal: int = signal.SIGKILL

    def start(self) -> None:
        account = pwd.getpwnam(self.user) if self.user is not None else None
        log_file = self.log_path.open("ab")
        launched = _launcher().submit(
            subprocess.Popen,
            self.argv,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env,
            start_new_session=True,  # own process group: Ctrl-C of a parent doesn't race us
            user=account.pw_uid if account else None,
            group=account.pw_gid if account else None,
            extra_groups=[] if account else None,
            preexec_fn=parent_death_hook(self.death_signal),  # runs after the user change
        )
        try:
            self.popen = launched.result()
        finally:
            log_file.close()

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, timeout_s: float = 10) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(5)


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise StackError("PostgreSQL is not installed: run `make install` (apt-get install postgresql)")


def _pg_user() -> str | None:
    """postgres refuses to run as root: run it as the `postgres` system user then."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise StackError("running as root and no non-root user (postgres/nobody) to run PostgreSQL")


@dataclass
class PostgresServer:
    root: Path
    port: int = field(default_factory=free_port)
    process: Process | None = None

    def start(self) -> None:
        bin_dir = _pg_bin()
        data = self.root / "pgdata"
        user = _pg_user()
        self.root.mkdir(parents=True, exist_ok=True)
        pwfile = self.root / "pw"
        pwfile.write_text("postgres-local\n")
        if user is not None:
            uid = pwd.getpwnam(user).pw_uid
            gid = pwd.getpwnam(user).pw_gid
            os.chown(self.root, uid, gid)
            os.chown(pwfile, uid, gid)
        prefix = ["runuser", "-u", user, "--"] if user else []
        result = subprocess.run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--pwfile",
                str(pwfile),
                "-A",
                "scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C.UTF-8",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        self.process = Process(
            "postgres",
            [
                str(bin_dir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(self.port),
                "-k",
                str(self.root),
                "-c",
                "listen_addresses=127.0.0.1",
                # a throwaway cluster: durability off for speed
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],
            self.root / "postgres.log",
            user=user,
            death_signal=signal.SIGQUIT,
        )
        self.process.start()
        wait_for(self._accepts, "PostgreSQL", 30, self.root / "postgres.log")
        self._bootstrap()

    def _admin_conninfo(self) -> str:
        return (
            f"host=127.0.0.1 port={self.port} user=postgres password=postgres-local dbname=postgres"
        )

    def _accepts(self) -> bool:
        import psycopg

        if self.process is not None and not self.process.alive():
            raise StackError("PostgreSQL exited during start-up")
        with psycopg.connect(self._admin_conninfo(), connect_timeout=1) as conn:
            conn.execute("SELECT 1")
        return True

    def _bootstrap(self) -> None:
        import psycopg

        with psycopg.connect(self._admin_conninfo(), autocommit=True) as conn:
            # CREATEROLE: migration 0006 creates the app role (the RDS master holds it too)
            conn.execute(
                f"CREATE ROLE {DB_USER} LOGIN CREATEDB CREATEROLE PASSWORD '{DB_PASSWORD}'"
            )
            conn.execute(f"CREATE DATABASE {DB_NAME} OWNER {DB_USER}")
            # as the RDS master (rds_superuser): sees and may end the app role's sessions
            conn.execute(f"GRANT pg_monitor, pg_signal_backend TO {DB_USER}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


@dataclass
class RedisServer:
    root: Path
    port: int = field(default_factory=free_port)
    process: Process | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise StackError("redis-server is not installed: run `make install`")
        self.root.mkdir(parents=True, exist_ok=True)
        self.process = Process(
            "redis",
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
                "--maxmemory-policy",
                "allkeys-lru",
            ],
            self.root / f"redis-{self.port}.log",
        )
        self.process.start()
        wait_for(lambda: port_open(self.port), "Redis", 15, self.process.log_path)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


MOTO_SERVER = "lego_devstack.moto_server"


@dataclass
class MotoServer:
    root: Path
    port: int = field(default_factory=free_port)
    process: Process | None = None

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.process = Process(
            "moto",
            # moto's app with HTTP keep-alive (werkzeug's server closes every connection)
            [sys.executable, "-m", MOTO_SERVER, "-H", "127.0.0.1", "-p", str(self.port)],
            self.root / "moto.log",
            env={**os.environ, "MOTO_PORT": str(self.port)},
        )
        self.process.start()
        wait_for(lambda: port_open(self.port), "moto server", 30, self.process.log_path)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


# --- the stack ---------------------------------------------------------------------------------


@dataclass
class Stack:
    """Where the services listen; env() is what a function's environment would say."""

    mode: str
    db_host: str
    db_port: int
    redis_url: str
    aws_endpoint_url: str
    opensearch_url: str | None
    stoppers: list[Callable[[], None]] = field(default_factory=list)
    redis: RedisServer | None = None
    # native servers, for restart control (lego_devstack.faults.restart)
    postgres: PostgresServer | None = None
    moto: MotoServer | None = None
    root: Path | None = None

    def env(self) -> dict[str, str]:
        values = {
            "DB_HOST": self.db_host,
            "DB_PORT": str(self.db_port),
            "DB_NAME": DB_NAME,
            "DB_USER": APP_DB_USER,
            "DB_PASSWORD": APP_DB_PASSWORD,
            "DB_SSLMODE": "disable",
            "REDIS_URL": self.redis_url,
            "AWS_ENDPOINT_URL": self.aws_endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "S3_BUCKET": "lego-moc-files-local",
            "STAGE": "local",
            "OPENSEARCH_AUTH": "none",
        }
        if self.opensearch_url:
            values["OPENSEARCH_URL"] = self.opensearch_url
        return values

    def migrator_env(self) -> dict[str, str]:
        """env() for the migrator: the schema owner's login, and the app role's password to set."""
        return {
            **self.env(),
            "DB_USER": DB_USER,
            "DB_PASSWORD": DB_PASSWORD,
            "APP_DB_PASSWORD": APP_DB_PASSWORD,
        }

    def connect(self, *, as_app: bool = False, **kwargs: Any) -> psycopg.Connection[Any]:
        """A new psycopg connection to the stack's database as the schema owner, or as the
        functions' app role with as_app (kwargs go to psycopg.connect)."""
        import psycopg

        return psycopg.connect(
            host=self.db_host,
            port=self.db_port,
            user=APP_DB_USER if as_app else DB_USER,
            password=APP_DB_PASSWORD if as_app else DB_PASSWORD,
            dbname=DB_NAME,
            **kwargs,
        )

    def stop(self) -> None:
        for stop in reversed(self.stoppers):
            with contextlib.suppress(Exception):
                stop()
        self.stoppers.clear()
        if self.root is not None and self.mode == "native":
            shutil.rmtree(self.root, ignore_errors=True)


def prepare(stack: Stack) -> None:
    """Migrate the database and create the bucket through the production code paths.

    Call with the stack's env() applied to os.environ (tests, the local stack, benchmarks).
    """
    from lego_common import aws
    from lego_common.config import load_settings
    from lego_devstack import applied_env
    from lego_schema import migrate

    # as the owner (sets the app role's password); then the functions' settings and clients again
    with applied_env(stack.migrator_env()):
        migrate.apply(load_settings())
    s3 = aws.client("s3")
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=stack.env()["S3_BUCKET"])


@contextlib.contextmanager
def running() -> Iterator[Stack]:
    """The services for a process that is not pytest (`make dev`, benchmarks), chosen as the
    tests choose them (LEGO_STACK=auto|docker|native), stopped when the block ends."""
    if chosen_mode() == "docker":
        from pytest_docker.plugin import get_docker_ip, get_docker_services

        with get_docker_services(
            "docker compose",
            str(COMPOSE_FILE),
            f"lego-dev-{os.getpid()}",
            ["up --build --wait"],
            ["down -v"],
        ) as docker:
            yield stack_from_compose(docker.port_for, get_docker_ip())
        return
    stack = start_native()
    try:
        yield stack
    finally:
        stack.stop()


def start_native(root: Path | None = None) -> Stack:
    """Start PostgreSQL, Redis and moto as child processes on free ports."""
    root = root or Path(tempfile.mkdtemp(prefix="lego-stack-"))
    os.chmod(root, 0o755)
    stack = Stack("native", "127.0.0.1", 0, "", "", None, root=root)
    try:
        postgres = PostgresServer(root / "postgres")
        postgres.start()
        stack.stoppers.append(postgres.stop)
        redis = RedisServer(root / "redis")
        redis.start()
        stack.stoppers.append(redis.stop)
        moto = MotoServer(root / "moto")
        moto.start()
        stack.stoppers.append(moto.stop)
    except BaseException:
        stack.stop()
        raise
    stack.db_port = postgres.port
    stack.redis = redis
    stack.postgres = postgres
    stack.moto = moto
    stack.redis_url = f"redis://127.0.0.1:{redis.port}/0"
    stack.aws_endpoint_url = f"http://127.0.0.1:{moto.port}"
    return stack


def stack_from_compose(ports: Callable[[str, int], int], host: str) -> Stack:
    """A Stack over services started by `tests/docker-compose.yml` (ports: service -> host port)."""
    import psycopg

    db_port = ports("postgres", 5432)
    redis_port = ports("redis", 6379)
    moto_port = ports("moto", 5000)
    search_port = ports("opensearch", 9200)

    def _pg_ready() -> bool:
        psycopg.connect(
            host=host,
            port=db_port,
            user=DB_USER,
            password=DB_PASSWORD,
            dbname=DB_NAME,
            connect_timeout=1,
        ).close()
        return True

    wait_for(_pg_ready, "PostgreSQL (docker)", 60, None)
    wait_for(lambda: port_open(redis_port, host), "Redis (docker)", 60, None)
    wait_for(lambda: port_open(moto_port, host), "moto (docker)", 60, None)
    wait_for(lambda: _opensearch_ready(host, search_port), "OpenSearch (docker)", 180, None)
    return Stack(
        "docker",
        host,
        db_port,
        f"redis://{host}:{redis_port}/0",
        f"http://{host}:{moto_port}",
        f"http://{host}:{search_port}",
    )


def _opensearch_ready(host: str, port: int) -> bool:
    import json
    import urllib.request

    with urllib.request.urlopen(f"http://{host}:{port}/_cluster/health", timeout=2) as response:
        return json.load(response).get("status") in {"green", "yellow"}
