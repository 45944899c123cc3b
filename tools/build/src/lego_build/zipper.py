"""Deterministic zips: the same files in give the same bytes out."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

# The earliest time a zip can store; a fixed stamp keeps checkouts and rebuilds identical.
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
# Regular file, rw-r--r--: Lambda runs code as a user that must be able to read every file.
FILE_MODE = 0o100644
# Level 6: 0.7 s vs 2.0 s for a 24 MB tree at level 9, for a zip only 0.3 % larger.
COMPRESS_LEVEL = 6
_UNIX = 3

# Never shipped from anywhere: caches, compiled bytecode (Lambda compiles on import), test dirs.
_DROP_DIRS = frozenset({"__pycache__", "tests", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
_DROP_SUFFIXES = (".pyc", ".pyo")
# Third-party only: install-time churn and type-checker files the runtime never reads.
_DROP_DIST_INFO_FILES = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"})
_DROP_SITE_TOP = frozenset({"bin", ".lock"})
_DROP_SITE_SUFFIXES = (*_DROP_SUFFIXES, ".pyi")
_DROP_SITE_NAMES = frozenset({"py.typed"})


@dataclass(frozen=True)
class ZipFacts:
    """What the sidecar records about a written zip."""

    source_code_hash: str
    zipped_bytes: int
    unzipped_bytes: int
    entries: int


def _walk(base: Path) -> Iterator[Path]:
    for path in sorted(base.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def site_files(site: Path) -> list[tuple[str, Path]]:
    """(arcname, path) of an installed-wheels dir, minus churn, tests, stubs and scripts."""
    kept: list[tuple[str, Path]] = []
    for path in _walk(site):
        parts = path.relative_to(site).parts
        if parts[0] in _DROP_SITE_TOP or any(p in _DROP_DIRS for p in parts[:-1]):
            continue
        name = parts[-1]
        if name.endswith(_DROP_SITE_SUFFIXES) or name in _DROP_SITE_NAMES:
            continue
        if parts[0].endswith(".dist-info") and name in _DROP_DIST_INFO_FILES:
            continue
        kept.append(("/".join(parts), path))
    return kept


def package_files(src_dir: Path) -> list[tuple[str, Path]]:
    """(arcname, path) of every top-level package in a workspace member's src/ dir."""
    kept: list[tuple[str, Path]] = []
    for package in sorted(p for p in src_dir.iterdir() if (p / "__init__.py").is_file()):
        for path in _walk(package):
            parts = path.relative_to(src_dir).parts
            if any(p in _DROP_DIRS for p in parts[:-1]):
                continue
            if parts[-1].endswith(_DROP_SUFFIXES):
                continue
            kept.append(("/".join(parts), path))
    return kept


def file_digest(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def lambda_hash(path: Path) -> str:
    """base64 SHA-256 of a file: the form Lambda's `source_code_hash` takes."""
    return base64.b64encode(bytes.fromhex(file_digest(path))).decode("ascii")


def write_zip(dest: Path, files: Iterable[tuple[str, Path]]) -> ZipFacts:
    """Write `files` sorted by arcname with fixed time, mode and compression; no dir entries."""
    ordered = sorted(files)
    counts = Counter(arc for arc, _ in ordered)
    duplicates = sorted(arc for arc, n in counts.items() if n > 1)
    if duplicates:
        raise ValueError(f"two sources write the same zip entry: {', '.join(duplicates[:5])}")
    unzipped = 0
    with zipfile.ZipFile(dest, "w") as zf:
        for arcname, path in ordered:
            data = path.read_bytes()
            info = zipfile.ZipInfo(arcname, date_time=FIXED_DATE_TIME)
            info.create_system = _UNIX
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compresslevel=COMPRESS_LEVEL)
            unzipped += len(data)
    return ZipFacts(
        source_code_hash=lambda_hash(dest),
        zipped_bytes=dest.stat().st_size,
        unzipped_bytes=unzipped,
        entries=len(ordered),
    )


def largest_top_levels(zip_path: Path, top: int = 4) -> list[tuple[str, int]]:
    """(top-level entry, compressed bytes) of the biggest contributors to a zip."""
    sizes: Counter[str] = Counter()
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            sizes[info.filename.split("/", 1)[0]] += info.compress_size
    return sizes.most_common(top)
