"""Hot reload and Lambda timeouts through a real `lego-dev serve` process, over real HTTP.

The stack runs on a throwaway repository (LEGO_REPO_ROOT): small functions whose files the
tests save, a shared package standing in for lego_common, a route table and a Terraform
functions map with short timeouts. The real services (PostgreSQL, Redis, moto) run under it.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg
import pytest

from lego_devstack.stack import DB_NAME, DB_PASSWORD, DB_USER
from lego_gateway.testing import LocalApi, process_ended, running_stack

ROUTES = {
    "GET /hello": {"function": "hello", "authorization": "NONE"},
    "GET /bye": {"function": "bye", "authorization": "NONE"},
    "GET /slow": {"function": "slow", "authorization": "NONE"},
    "GET /remaining": {"function": "slow", "authorization": "NONE"},
    "GET /stuck": {"function": "stuck", "authorization": "NONE"},
    "GET /overrun": {"function": "overrun", "authorization": "NONE"},
    "GET /overrun-pid": {"function": "overrun", "authorization": "NONE"},
}
FUNCTIONS_TF = """
variable "functions" {
  description = "test functions map"
  type        = map(object({ memory_mb = number, timeout_s = number }))
  default = {
    hello = { memory_mb = 256, timeout_s = 10 }
    bye   = { memory_mb = 256, timeout_s = 10 }
    slow  = { memory_mb = 128, timeout_s = 2 }
    stuck = { memory_mb = 128, timeout_s = 60 }
    overrun = { memory_mb = 128, timeout_s = 3 }
  }
}
"""
HANDLER = """
import json
import os
import time

from lego_testshared import VALUE


def lambda_handler(event, context):
    {before}
    body = {{"value": {value!r}, "shared": VALUE, "pid": os.getpid()}}
    if event["rawPath"] == "/remaining":
        first = context.get_remaining_time_in_millis()
        time.sleep(0.3)
        body["remaining"] = [first, context.get_remaining_time_in_millis()]
        body["memory"] = context.memory_limit_in_mb
    return {{"statusCode": 200, "body": json.dumps(body)}}
"""
INTEGRATION_TIMEOUT_S = 3
# A handler on lego_common.http: its deadline answers before the gateway's hard stop.
OVERRUN_HANDLER = """
import os
import time

from lego_common import http


def overrun(req):
    time.sleep(30)
    return {"finished": True}


def pid(req):
    return {"pid": os.getpid()}


ROUTES = {"GET /overrun": overrun, "GET /overrun-pid": pid}
lambda_handler = http.dispatcher(ROUTES)
"""


def handler_source(value: str, before: str = "pass") -> str:
    return HANDLER.format(value=value, before=before)


def write_function(root: Path, name: str, source: str) -> Path:
    package = root / "functions" / name / "src" / f"lego_{name}"
    package.mkdir(parents=True, exist_ok=True)
    (root / "functions" / name / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n')
    (package / "__init__.py").write_text("")
    handler = package / "handler.py"
    handler.write_text(source)
    return handler


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    (root / "uv.lock").write_text("")
    (root / "functions").mkdir()
    (root / "functions" / "routes.json").write_text(json.dumps({"routes": ROUTES}))
    shared = root / "packages" / "common" / "src" / "lego_testshared"
    shared.mkdir(parents=True)
    (shared / "__init__.py").write_text('VALUE = "shared-1"\n')
    stack_module = root / "terraform" / "modules" / "stack"
    stack_module.mkdir(parents=True)
    (stack_module / "variables.tf").write_text(FUNCTIONS_TF)
    for name in ("hello", "bye", "slow"):
        write_function(root, name, handler_source(f"{name}-1"))
    write_function(root, "stuck", handler_source("stuck", "time.sleep(30)"))
    write_function(root, "overrun", OVERRUN_HANDLER)
    (root / "functions" / "slow" / "src" / "lego_slow" / "handler.py").write_text(
        handler_source("slow", "time.sleep(30) if event['rawPath'] == '/slow' else None")
    )
    return root


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("run")


@pytest.fixture(scope="module")
def api(repo: Path, run_dir: Path) -> Iterator[LocalApi]:
    sources = [str(p) for p in sorted((repo / "functions").glob("*/src"))]
    env = {
        "LEGO_REPO_ROOT": str(repo),
        "PYTHONPATH": os.pathsep.join([*sources, str(repo / "packages" / "common" / "src")]),
        "LEGO_GATEWAY_INTEGRATION_TIMEOUT_S": str(INTEGRATION_TIMEOUT_S),
        "LEGO_DEV_THROTTLE": "off",  # the tests poll back to back; this repo has no dev.tfvars
    }
    with running_stack(run_dir, extra_env=env) as local:
        local.run_dir = run_dir  # type: ignore[attr-defined]
        yield local


def terminal(api: LocalApi) -> str:
    """What lego-dev printed so far, stdout (the readable view) and stderr (running_stack keeps
    both in its folder)."""
    run_dir: Path = api.run_dir  # type: ignore[attr-defined]
    return "".join(
        (run_dir / name).read_text(errors="replace") for name in ("stdout.log", "stderr.log")
    )


def until(
    api: LocalApi, path: str, accept: Callable[[httpx.Response], bool], timeout_s: float = 10
) -> tuple[httpx.Response, float]:
    """Request path until accept(response); the response and the seconds it took."""
    started = time.perf_counter()
    while True:
        response = api.client.get(path)
        if accept(response):
            return response, time.perf_counter() - started
        if time.perf_counter() - started > timeout_s:
            raise AssertionError(f"{path}: still {response.status_code} {response.text[:300]}")
        time.sleep(0.02)


def value_is(expected: str) -> Callable[[httpx.Response], bool]:
    return lambda r: r.status_code == 200 and r.json().get("value") == expected


def body_of(api: LocalApi, path: str) -> dict[str, Any]:
    response = api.client.get(path)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def postmaster(api: LocalApi) -> tuple[Any, ...]:
    with psycopg.connect(
        host="127.0.0.1",
        port=api.state["db_port"],
        user=DB_USER,
        password=DB_PASSWORD,
        dbname=DB_NAME,
        autocommit=True,
    ) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS reload_probe (note text)")
        conn.execute("INSERT INTO reload_probe VALUES ('kept')")
        row = conn.execute(
            "SELECT pg_postmaster_start_time(), count(*) FROM reload_probe"
        ).fetchone()
        assert row is not None
        return tuple(row)


def test_a_save_restarts_only_that_function_and_keeps_the_services(
    api: LocalApi, repo: Path
) -> None:
    hello_pid = body_of(api, "/hello")["pid"]
    bye_pid = body_of(api, "/bye")["pid"]
    started_at, rows = postmaster(api)
    service_pids = {
        c.pid
        for c in psutil.net_connections("tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr.port in {api.state["db_port"]}
    }

    handler = repo / "functions" / "hello" / "src" / "lego_hello" / "handler.py"
    handler.write_text(handler_source("hello-1b"))  # the first save may wait for the fork server
    until(api, "/hello", value_is("hello-1b"), timeout_s=30)
    handler.write_text(handler_source("hello-2"))
    response, seconds = until(api, "/hello", value_is("hello-2"))

    assert seconds < 2, f"the new code took {seconds:.2f}s to answer"
    assert response.json()["pid"] != hello_pid  # a new container
    assert body_of(api, "/bye")["pid"] == bye_pid  # the other function stayed warm
    after_started_at, after_rows = postmaster(api)
    assert after_started_at == started_at  # PostgreSQL was not restarted ...
    assert after_rows == rows + 1  # ... and kept its data
    assert {
        c.pid
        for c in psutil.net_connections("tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr.port in {api.state["db_port"]}
    } == service_pids


def test_an_import_error_answers_502_without_the_traceback_and_the_next_save_recovers(
    api: LocalApi, repo: Path
) -> None:
    handler = repo / "functions" / "hello" / "src" / "lego_hello" / "handler.py"
    handler.write_text("def lambda_handler(event, context)\n    return {}\n")  # no colon
    response, _ = until(api, "/hello", lambda r: r.status_code != 200)

    assert response.status_code == 502
    assert response.json() == {"message": "Internal Server Error"}
    assert "Traceback" not in response.text
    assert "SyntaxError" in terminal(api)  # the traceback went to the terminal

    handler.write_text("import lego_not_there\n" + handler_source("hello-3"))
    until(api, "/hello", lambda r: r.status_code == 502 and "ModuleNotFoundError" in terminal(api))
    assert "ModuleNotFoundError" not in api.client.get("/hello").text

    handler.write_text(handler_source("hello-4"))
    until(api, "/hello", value_is("hello-4"))


def test_a_shared_code_change_restarts_every_function(api: LocalApi, repo: Path) -> None:
    hello_pid = body_of(api, "/hello")["pid"]
    bye_pid = body_of(api, "/bye")["pid"]

    shared = repo / "packages" / "common" / "src" / "lego_testshared" / "__init__.py"
    shared.write_text('VALUE = "shared-2"\n')

    hello, _ = until(api, "/hello", lambda r: r.json().get("shared") == "shared-2")
    bye, _ = until(api, "/bye", lambda r: r.json().get("shared") == "shared-2")
    assert hello.json()["pid"] != hello_pid
    assert bye.json()["pid"] != bye_pid


def test_a_route_table_change_is_served_and_a_broken_one_refused(api: LocalApi, repo: Path) -> None:
    routes_file = repo / "functions" / "routes.json"
    assert api.client.get("/hello-again").status_code == 404

    again = {"GET /hello-again": {"function": "hello", "authorization": "NONE"}}
    routes_file.write_text(json.dumps({"routes": {**ROUTES, **again}}))
    until(api, "/hello-again", lambda r: r.status_code == 200)

    routes_file.write_text("{not json")
    until(api, "/hello", lambda r: "still serving the previous routes" in terminal(api))
    assert api.client.get("/hello-again").status_code == 200
    routes_file.write_text(json.dumps({"routes": ROUTES}))
    until(api, "/hello-again", lambda r: r.status_code == 404)


def test_the_context_counts_down_from_the_terraform_timeout(api: LocalApi) -> None:
    body = body_of(api, "/remaining")
    first, second = body["remaining"]

    assert 1000 < first <= 2000  # slow's timeout_s is 2 in the functions map
    assert 250 <= first - second < 1000  # it counts down while the handler sleeps
    assert body["memory"] == 128


def test_a_function_past_its_timeout_is_killed_and_answers_like_api_gateway(
    api: LocalApi,
) -> None:
    slow_pid = body_of(api, "/remaining")["pid"]
    started = time.perf_counter()
    response = api.client.get("/slow")
    seconds = time.perf_counter() - started

    # Lambda stops the function at 2 s; API Gateway answers a Lambda error (the timeout is one)
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    assert 2 <= seconds < 6  # generous: a busy machine answers late, never early
    assert "Task timed out after 2.00 seconds" in terminal(api)
    assert process_ended(slow_pid)
    assert body_of(api, "/remaining")["pid"] != slow_pid  # a new container serves the next one


def test_api_gateway_gives_up_at_its_integration_timeout(api: LocalApi) -> None:
    started = time.perf_counter()
    response = api.client.get("/stuck")
    seconds = time.perf_counter() - started

    # stuck may run 60 s, API Gateway waits INTEGRATION_TIMEOUT_S (30 s outside this test)
    assert response.status_code == 503
    assert response.json() == {"message": "Service Unavailable"}
    assert INTEGRATION_TIMEOUT_S <= seconds < INTEGRATION_TIMEOUT_S + 4


def test_a_handler_on_lego_common_answers_504_before_its_timeout_and_stays_warm(
    api: LocalApi,
) -> None:
    container = body_of(api, "/overrun-pid")["data"]["pid"]
    started = time.perf_counter()
    response = api.client.get("/overrun")
    seconds = time.perf_counter() - started

    # overrun's timeout_s is 3: lego_common.deadline answers a second before it
    assert response.status_code == 504
    error = response.json()["error"]
    assert error["code"] == "GATEWAY_TIMEOUT"
    assert error["requestId"] == response.headers["apigw-requestid"]
    assert 1.5 <= seconds < 3
    assert body_of(api, "/overrun-pid")["data"]["pid"] == container  # not killed: no hard stop
