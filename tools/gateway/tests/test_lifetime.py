"""Nothing left behind, clear refusals: a real SIGKILL of lego-dev, a port in use, a missing
server and an apt-get that cannot install, each through the real command."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

from lego_devstack.stack import free_port, port_open
from lego_gateway import paths
from lego_gateway.testing import AWS_ENV, process_ended, running_stack, service_ports


def test_kill_9_of_lego_dev_leaves_no_process_and_no_port(tmp_path: Path) -> None:
    with running_stack(tmp_path) as api:
        assert api.call("GET", "/health").status_code in {200, 503}  # starts a container
        lego_dev = psutil.Process(api.state["pid"])
        descendants = lego_dev.children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in descendants)
        assert "postgres" in names
        assert "redis-server" in names
        assert "lego_devstack.moto_server" in names
        assert "multiprocessing" in names  # the health container
        ports = [*service_ports(api.state), int(api.url.rsplit(":", 1)[1])]

        os.kill(lego_dev.pid, signal.SIGKILL)

        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            left = [p.pid for p in descendants if not process_ended(p.pid)]
            listening = [port for port in ports if port_open(port)]
            if not left and not listening:
                break
            time.sleep(0.1)
        assert not left, f"still running: {[' '.join(psutil.Process(p).cmdline()) for p in left]}"
        assert not listening, f"still listening: {listening}"


def _serve(port: int, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lego_gateway.cli", "serve", "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **AWS_ENV, **(env or {})},
        check=False,
    )


def test_a_port_in_use_names_its_holder_and_exits_non_zero() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]

        result = _serve(port)

    assert result.returncode == 1
    assert f"127.0.0.1:{port} is in use by pid {os.getpid()} (" in result.stderr
    assert "pytest" in result.stderr  # the holder's command line
    assert "Traceback" not in result.stderr + result.stdout


def test_a_missing_server_is_named_without_a_traceback(tmp_path: Path) -> None:
    # PATH holds only runuser (initdb runs through it as root): no redis-server anywhere.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    runuser = subprocess.run(["which", "runuser"], capture_output=True, text=True, check=False)
    if runuser.stdout.strip():
        (bin_dir / "runuser").symlink_to(runuser.stdout.strip())

    result = _serve(free_port(), {"PATH": str(bin_dir), "LEGO_STACK": "native"})

    assert result.returncode == 1
    assert "redis-server is not installed: run `make install`" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_install_deps_says_clearly_when_apt_get_cannot_install(tmp_path: Path) -> None:
    # A PATH without redis-server, whose apt-get fails as it does offline.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "ls", "id", "cat"):
        found = subprocess.run(["which", tool], capture_output=True, text=True, check=True)
        (bin_dir / tool).symlink_to(found.stdout.strip())
    apt_get = bin_dir / "apt-get"
    apt_get.write_text(
        "#!/bin/sh\necho 'E: Temporary failure resolving deb.example' >&2\nexit 100\n"
    )
    apt_get.chmod(0o755)
    (bin_dir / "sudo").symlink_to(apt_get)  # not root: sudo fails the same way

    result = subprocess.run(
        ["/bin/bash", str(paths.repo_root() / "scripts" / "install-deps.sh")],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        check=False,
    )

    assert result.returncode != 0
    assert "apt-get could not install redis-server" in result.stderr
    assert "install them by hand" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_startup_heap_is_frozen_so_full_collections_skip_it() -> None:
    # A gen2 collection walks every tracked object: with the startup heap (boto3's models, the
    # app's modules) in it, one paused every request in flight for 65-80 ms under load (issue 18).
    script = (
        "import gc, boto3, lego_gateway.cli as cli\n"
        "boto3.client('s3', region_name='us-east-1')\n"
        "before = len(gc.get_objects())\n"
        "cli._freeze_startup_heap()\n"
        "print(before, gc.get_freeze_count(), len(gc.get_objects()))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    before, frozen, walked = map(int, out.stdout.split())
    assert frozen >= before // 2  # the startup objects moved to the permanent generation
    assert walked < before // 10  # what a full collection still walks
