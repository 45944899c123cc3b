"""Builds of the sandbox workspace (real uv.lock, stand-in handlers) for Lambda arm64."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from lego_build import bytecode, resolve
from lego_build.build import Builder, build_all
from lego_build.functions import discover
from lego_build.targets import lambda_target
from lego_build.verify import SIDECAR_FIELDS, verify_zip


def _builder(
    root: Path, dist: str = "dist", *, force: bool = False, bytecode_python: str | None = None
) -> Builder:
    return Builder(
        root, lambda_target("arm64"), root / dist, force=force, bytecode_python=bytecode_python
    )


def test_build_writes_zip_and_sidecar_per_contract(built_sandbox: Path) -> None:
    sidecar = json.loads((built_sandbox / "dist/mocs.json").read_text())

    assert set(SIDECAR_FIELDS) <= set(sidecar)
    assert sidecar["zip"] == "dist/mocs.zip"
    assert sidecar["handler"] == "lego_mocs.handler.lambda_handler"
    assert (sidecar["runtime"], sidecar["architecture"]) == ("python3.13", "arm64")
    assert sidecar["platform"] == "manylinux_2_34_aarch64"
    assert verify_zip(built_sandbox / "dist/mocs.zip", sidecar) == []
    assert not (built_sandbox / "dist/gallery.json").exists()  # no handler.py: skipped


def test_every_zip_ships_the_database_ca_bundle(built_sandbox: Path) -> None:
    """Issue 13 item 16: DB_SSLROOTCERT (lego_common/certs/amazon-root-ca.pem, relative to the
    zip root) names a file that is in the zip, byte for byte, for sslmode=verify-full."""
    import zipfile

    bundle = "lego_common/certs/amazon-root-ca.pem"
    for name in ("health", "mocs"):
        with zipfile.ZipFile(built_sandbox / f"dist/{name}.zip") as zf:
            shipped = zf.read(bundle)
        assert shipped == (built_sandbox / "packages/common/src" / bundle).read_bytes()
        assert shipped.count(b"-----BEGIN CERTIFICATE-----") == 4


def test_build_without_handler_is_skipped_not_failed(sandbox: Path) -> None:
    [result] = build_all(_builder(sandbox), [discover(sandbox)["gallery"]])

    assert result.status == "skipped"
    assert "handler.py" in result.error


def test_build_arm64_takes_aarch64_wheels_and_leaves_boto3_to_the_runtime(
    built_sandbox: Path,
) -> None:
    sidecar = json.loads((built_sandbox / "dist/mocs.json").read_text())
    with zipfile.ZipFile(built_sandbox / "dist/mocs.zip") as zf:
        names = zf.namelist()
    compiled = [n for n in names if n.startswith("pydantic_core/") and n.endswith(".so")]

    assert compiled
    assert all("aarch64" in n for n in compiled)
    assert not any(n.startswith(("boto3/", "botocore/")) for n in names)
    assert {"boto3", "botocore"} <= set(sidecar["runtime_provided"])
    assert "opensearch-py" in sidecar["dependencies"]
    assert "async-timeout" not in sidecar["dependencies"]  # marker python < 3.11.3: not on 3.13
    assert not any(n.startswith("lego_devstack/") for n in names)  # dev code is never a dependency
    assert "lego_common/keys.py" in names


def test_second_build_with_same_inputs_reuses_the_zip(built_sandbox: Path) -> None:
    mtime = (built_sandbox / "dist/health.zip").stat().st_mtime_ns

    again = build_all(_builder(built_sandbox), [discover(built_sandbox)["health"]])

    assert again[0].status == "cached"
    assert (built_sandbox / "dist/health.zip").stat().st_mtime_ns == mtime


def test_clean_rebuild_is_byte_identical(built_sandbox: Path) -> None:
    specs = [s for s in discover(built_sandbox).values() if s.has_handler]
    # Touch every source: timestamps must not leak into the zip.
    for path in (built_sandbox / "packages").rglob("*.py"):
        os.utime(path, (2_000_000_000, 2_000_000_000))

    rebuilt = build_all(_builder(built_sandbox, "dist-clean", force=True), specs)

    assert [r.function for r in rebuilt if r.status == "built"] == ["health", "mocs"]
    for result in rebuilt:
        first = json.loads((built_sandbox / f"dist/{result.function}.json").read_text())
        assert (built_sandbox / f"dist/{result.function}.zip").read_bytes() == (
            built_sandbox / f"dist-clean/{result.function}.zip"
        ).read_bytes()
        assert result.sidecar["source_code_hash"] == first["source_code_hash"]


def test_changed_source_rebuilds_and_revert_restores_the_hash(sandbox: Path) -> None:
    specs = [discover(sandbox)["health"]]
    original = build_all(_builder(sandbox), specs)[0].sidecar["source_code_hash"]
    keys = sandbox / "packages/common/src/lego_common/keys.py"
    text = keys.read_text()

    keys.write_text(text + "EXTRA = 1\n")
    changed = build_all(_builder(sandbox), specs)[0]
    keys.write_text(text)
    reverted = build_all(_builder(sandbox), specs)[0]

    assert changed.status == "built"
    assert changed.sidecar["source_code_hash"] != original
    assert reverted.sidecar["source_code_hash"] == original


def test_package_without_wheel_for_target_fails_with_a_clear_message(tmp_path: Path) -> None:
    # psycopg-binary 3.3 ships aarch64 wheels only as manylinux_2_28: none for manylinux2014.
    old_glibc = lambda_target("arm64")
    target = type(old_glibc)("arm64", "manylinux2014_aarch64", "3.13", "aarch64-manylinux2014")

    with pytest.raises(resolve.ResolveError, match="no wheel for cp313-manylinux2014_aarch64"):
        resolve.install_wheels(
            "psycopg-binary==3.3.9\n", target, tmp_path / "site", function="health", root=tmp_path
        )


def _python313() -> str | None:
    """A working Python 3.13 (pyenv's shim exists even when it cannot run 3.13)."""
    candidates = [str(p) for p in sorted(Path.home().glob(".pyenv/versions/3.13*/bin/python3.13"))]
    candidates += [found] if (found := shutil.which("python3.13")) else []
    for candidate in candidates:
        try:
            bytecode.check_interpreter(candidate, "3.13")
        except bytecode.BytecodeError:
            continue
        return candidate
    return None


def test_bytecode_build_ships_reproducible_target_pycs(sandbox: Path) -> None:
    python = _python313()
    if python is None:
        pytest.skip("no Python 3.13 interpreter on this machine: .pyc shipping is opt-in")
    specs = [discover(sandbox)["health"]]

    first = build_all(_builder(sandbox, "dist-a", bytecode_python=python), specs)[0]
    second = build_all(_builder(sandbox, "dist-b", bytecode_python=python), specs)[0]

    assert first.status == "built", first.error
    assert first.sidecar["bytecode"].startswith("3.13")
    assert (sandbox / "dist-a/health.zip").read_bytes() == (
        sandbox / "dist-b/health.zip"
    ).read_bytes()
    with zipfile.ZipFile(sandbox / "dist-a/health.zip") as zf:
        names = zf.namelist()
    assert "lego_health/__pycache__/handler.cpython-313.pyc" in names
    assert verify_zip(sandbox / "dist-a/health.zip", first.sidecar) == []
    assert second.sidecar["source_code_hash"] == first.sidecar["source_code_hash"]


def test_pyproject_changed_without_uv_lock_fails_the_build(sandbox: Path) -> None:
    pyproject = sandbox / "functions/health/pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("dependencies = [", 'dependencies = ["tabulate", ')
    )

    [result] = build_all(_builder(sandbox), [discover(sandbox)["health"]])

    assert result.status == "failed"
    assert "uv lock" in result.error
