"""Checks on a built zip and its sidecar: what `lego-build check` and the tests assert."""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING, Any

from lego_build.budgets import check_sizes
from lego_build.zipper import FILE_MODE, FIXED_DATE_TIME, lambda_hash

if TYPE_CHECKING:
    from pathlib import Path

SIDECAR_FIELDS = (
    "function",
    "zip",
    "handler",
    "runtime",
    "architecture",
    "platform",
    "source_code_hash",
    "zipped_bytes",
    "unzipped_bytes",
    "dependencies",
)
_FORBIDDEN_PARTS = ("__pycache__", "tests")


def _is_unwanted(parts: list[str], sidecar: dict[str, Any]) -> bool:
    """Tests, caches and bytecode, except the target's .pyc files when built with them."""
    version = sidecar.get("bytecode")
    if version and parts[-1].endswith(".pyc") and len(parts) > 1 and parts[-2] == "__pycache__":
        tag = "cpython-" + "".join(str(version).split(".")[:2])
        return not parts[-1].endswith(f".{tag}.pyc") or "tests" in parts[:-1]
    return any(p in _FORBIDDEN_PARTS for p in parts[:-1]) or parts[-1].endswith(".pyc")


def verify_zip(zip_path: Path, sidecar: dict[str, Any]) -> list[str]:
    """Problems with one zip (empty list: fine)."""
    name = sidecar.get("function", zip_path.stem)
    problems = [f"{name}: sidecar lacks {key!r}" for key in SIDECAR_FIELDS if key not in sidecar]
    if lambda_hash(zip_path) != sidecar.get("source_code_hash"):
        problems.append(f"{name}: source_code_hash does not match {zip_path.name}")
    unzipped = 0
    with zipfile.ZipFile(zip_path) as zf:
        infos = zf.infolist()
        names = [info.filename for info in infos]
        if names != sorted(names):
            problems.append(f"{name}: entries are not sorted")
        for info in infos:
            unzipped += info.file_size
            parts = info.filename.split("/")
            if info.date_time != FIXED_DATE_TIME or info.external_attr >> 16 != FILE_MODE:
                problems.append(f"{name}: {info.filename} has a variable time or mode")
            if _is_unwanted(parts, sidecar):
                problems.append(f"{name}: {info.filename} should not ship")
            if parts[0].endswith(".dist-info") and parts[-1] == "RECORD":
                problems.append(f"{name}: {info.filename} ships")
        handler_file = sidecar.get("handler", "").rsplit(".", 1)[0].replace(".", "/") + ".py"
        if handler_file not in names:
            problems.append(f"{name}: handler module {handler_file} missing from the zip")
    if unzipped != sidecar.get("unzipped_bytes"):
        problems.append(f"{name}: unzipped_bytes {sidecar.get('unzipped_bytes')} != {unzipped}")
    if zip_path.stat().st_size != sidecar.get("zipped_bytes"):
        problems.append(f"{name}: zipped_bytes does not match the file")
    problems.extend(check_sizes(name, zip_path.stat().st_size, unzipped, strict=True).errors)
    return problems
