"""`make dev` as a newcomer runs it: one ready line, `make token` prints only a token, and
Ctrl-C (SIGINT to the terminal's process group) or SIGTERM to make stops every process the
stack started, leaving no orphan."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from lego_devstack.stack import free_port, port_open
from lego_gateway import paths
from lego_gateway.testing import AWS_ENV, service_ports, wait_ready


def _processes_with(needles: list[str]) -> list[str]:
    """Command lines of live processes mentioning any needle (our services' ports)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(needle in text for needle in needles):
            found.append(text)
    return found


def _session_pids(sid: int) -> set[int]:
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # fields after the comm: state ppid pgrp session ...
            pids.add(int(stat.parent.name))
    return pids


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm-to-make"])
def test_make_dev_serves_then_stops_everything(tmp_path: Path, how: str) -> None:
    port = free_port()
    state_path = tmp_path / "dev-stack.json"
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    env = {**os.environ, **AWS_ENV, "LEGO_DEV_STATE": str(state_path)}
    with stdout.open("wb") as out, stderr.open("wb") as err:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "dev", f"PORT={port}"],
            cwd=paths.repo_root(),
            stdout=out,
            stderr=err,  # apart: the ready line must be stdout's first
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # its own terminal-like process group and session
        )
    try:
        try:
            ready = wait_ready(make, stdout, state_path)
        except AssertionError as exc:  # say why: make's and lego-dev's own words
            raise AssertionError(f"{exc}\nstderr:\n{stderr.read_text()[-3000:]}") from None
        assert ready.startswith(f"LEGO Projects API on http://127.0.0.1:{port} ")
        state = json.loads(state_path.read_text())
        token = subprocess.run(
            ["make", "--no-print-directory", "token", "USER=alice"],
            cwd=paths.repo_root(),
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
        assert token.count("\n") == 1
        assert token.strip().count(".") == 2  # header.payload.signature, nothing else
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)
        assert health.status_code == 200
        listed = httpx.get(
            f"http://127.0.0.1:{port}/api/mocs",
            headers={"authorization": f"Bearer {token.strip()}"},
            timeout=10,
        )
        assert listed.status_code in {200, 501}
        ports = service_ports(state)
        started = _session_pids(make.pid)
        assert len(started) >= 3  # make, uv, lego-dev
    finally:
        if make.poll() is None:  # else it already died: the error above says why
            if how == "ctrl-c":
                os.killpg(make.pid, signal.SIGINT)
            else:
                make.send_signal(signal.SIGTERM)
        try:
            make.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            raise

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
        _session_pids(make.pid) or any(port_open(p) for p in ports)
    ):
        time.sleep(0.2)
    assert not _session_pids(make.pid), "processes of make dev outlived it"
    assert not any(port_open(p) for p in ports), f"services still listening on {ports}"
    assert not _processes_with([f"-p {p} " for p in ports] + [f"127.0.0.1:{ports[1]}"])
    assert not state_path.exists()
