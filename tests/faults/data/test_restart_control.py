"""lego_devstack.faults.restart: on the native stack a server stopped is really gone (its port
refuses), and started again it answers on the same port; the Docker control's compose commands
run against a stand-in CLI. The PostgreSQL control is exercised by test_postgres_restart.py;
moto's is not run here (a restart loses every bucket and pool)."""

from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

import pytest
import redis

from lego_devstack.faults import restart
from lego_devstack.stack import StackError, port_open

if TYPE_CHECKING:
    from pathlib import Path

    from lego_devstack.stack import Stack


def test_redis_stopped_refuses_and_answers_again_on_its_port(services: Stack) -> None:
    if services.mode != "native":
        pytest.skip("the Docker control is `docker compose stop/start`, not run here")
    assert services.redis is not None
    control = restart.control(services, "redis")

    with control.stopped():
        assert not port_open(services.redis.port)

    client = redis.Redis.from_url(services.redis_url, socket_timeout=2)
    assert client.ping()
    assert control.restart() > 0
    assert client.ping()  # redis-py reconnects to the restarted server


def test_control_of_a_server_the_stack_lacks_is_refused(services: Stack) -> None:
    if services.mode != "native":
        pytest.skip("native stack only")
    services_without_moto = dataclasses.replace(services, moto=None)

    with pytest.raises(StackError, match="no moto server"):
        restart.control(services_without_moto, "moto")


def test_docker_control_runs_compose_and_refuses_a_service_back_on_another_port(
    services: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = tmp_path / "calls"
    fake = tmp_path / "docker"  # a stand-in CLI: no Docker engine here
    fake.write_text(
        f'#!/bin/sh\necho "$@" >> {calls}\ncase "$*" in *" port "*) echo 0.0.0.0:1 ;; esac\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    control = restart.control(dataclasses.replace(services, mode="docker"), "redis")

    control.stop()
    with pytest.raises(StackError, match=r"came back on 0\.0\.0\.0:1,"):
        control.start()

    project = f"-p pytest{os.getpid()}"
    assert [line.split(project)[1].strip() for line in calls.read_text().splitlines()] == [
        "stop redis",
        "start redis",
        "port redis 6379",
    ]
