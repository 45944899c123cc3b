"""Where a zip will run: Lambda python3.13 on arm64/x86_64, or this host for smoke tests."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass

LAMBDA_RUNTIME = "python3.13"
LAMBDA_PYTHON_VERSION = "3.13"
ARCHITECTURES = ("arm64", "x86_64")
DEFAULT_ARCHITECTURE = "arm64"

# python3.13 runs on Amazon Linux 2023 (glibc 2.34), so any manylinux_2_X wheel with X <= 34
# loads there. manylinux2014 (2_17) is not enough: psycopg-binary 3.3 ships aarch64 wheels
# only as manylinux_2_28.
_GLIBC = "2_34"
_MACHINE = {"arm64": "aarch64", "x86_64": "x86_64"}


@dataclass(frozen=True)
class Target:
    """A wheel target: the flags uv needs plus the labels the sidecar records."""

    architecture: str
    platform_tag: str
    python_version: str
    # uv `--python-platform` value; None installs for the interpreter running the build.
    uv_platform: str | None

    @property
    def is_host(self) -> bool:
        """True for the host-compatible variant used by the smoke test and benchmark."""
        return self.uv_platform is None

    def uv_flags(self) -> list[str]:
        """Flags that make `uv pip install` pick wheels for this target only."""
        if self.uv_platform is None:
            return ["--python", sys.executable]
        return ["--python-platform", self.uv_platform, "--python-version", self.python_version]

    def describe(self) -> str:
        """One-line label for progress output and cache keys."""
        return f"cp{self.python_version.replace('.', '')}-{self.platform_tag}"


def lambda_target(architecture: str = DEFAULT_ARCHITECTURE) -> Target:
    """The Lambda python3.13 target for one architecture."""
    if architecture not in _MACHINE:
        raise ValueError(f"architecture must be one of {ARCHITECTURES}, not {architecture!r}")
    machine = _MACHINE[architecture]
    return Target(
        architecture=architecture,
        platform_tag=f"manylinux_{_GLIBC}_{machine}",
        python_version=LAMBDA_PYTHON_VERSION,
        uv_platform=f"{machine}-manylinux_{_GLIBC}",
    )


def host_target() -> Target:
    """Wheels for the interpreter running this code (the smoke test imports them here)."""
    machine = platform.machine()
    return Target(
        architecture={"aarch64": "arm64"}.get(machine, machine),
        platform_tag=f"host_{sys.platform}_{machine}",
        python_version=f"{sys.version_info.major}.{sys.version_info.minor}",
        uv_platform=None,
    )
