"""Build one function: plan from the lock, reuse the previous zip if its inputs match."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from lego_build import bytecode, resolve
from lego_build.budgets import check_sizes, human_bytes
from lego_build.targets import LAMBDA_RUNTIME
from lego_build.zipper import (
    file_digest,
    lambda_hash,
    largest_top_levels,
    package_files,
    site_files,
    write_zip,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from lego_build.functions import FunctionSpec
    from lego_build.targets import Target

Status = Literal["built", "cached", "skipped", "failed"]


class BuildError(RuntimeError):
    """A function cannot be built (no wheel for the target, over Lambda's size limits, ...)."""


@dataclass
class BuildResult:
    """Outcome for one function; `sidecar` is what dist/<function>.json holds."""

    function: str
    status: Status
    seconds: float = 0.0
    zip_path: Path | None = None
    sidecar: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str = ""


def builder_digest() -> str:
    """Hash of this package's own code: a change to the build rules rebuilds every zip."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in sorted(here.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _installed_versions(site: Path) -> dict[str, str]:
    """{name: version} read from the METADATA of every wheel installed in `site`."""
    versions: dict[str, str] = {}
    for metadata in sorted(site.glob("*.dist-info/METADATA")):
        fields: dict[str, str] = {}
        for line in metadata.read_text(encoding="utf-8", errors="replace").splitlines():
            if not line:
                break  # headers end at the first blank line; the long description follows
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
        versions[resolve.normalize(fields["Name"])] = fields["Version"]
    return dict(sorted(versions.items()))


def _explain(warnings: tuple[str, ...], zip_path: Path) -> list[str]:
    """Budget warnings, each followed by what takes the space."""
    if not warnings:
        return []
    largest = ", ".join(f"{n} {human_bytes(b)}" for n, b in largest_top_levels(zip_path))
    return [f"{w}; largest (zipped): {largest}" for w in warnings]


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def _write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


class Builder:
    """Builds zips for one target into one dist dir."""

    def __init__(
        self,
        root: Path,
        target: Target,
        dist_dir: Path,
        *,
        bundle_runtime_sdk: bool = False,
        force: bool = False,
        bytecode_python: str | None = None,
    ) -> None:
        self.root = root
        self.target = target
        self.dist_dir = dist_dir
        self.bundle_runtime_sdk = bundle_runtime_sdk
        # Opt-in .pyc files (bytecode.py); the interpreter's version is part of the cache key.
        self.bytecode_python = bytecode_python
        self.bytecode_version = (
            bytecode.check_interpreter(bytecode_python, target.python_version)
            if bytecode_python
            else None
        )
        self.force = force
        self._builder_digest = builder_digest()
        self._exports: dict[str, str] = {}

    def prefetch_exports(self, specs: Iterable[FunctionSpec]) -> None:
        """Run `uv export` for several functions at once (each is ~0.2 s of uv start-up)."""
        todo = [s for s in specs if s.has_handler and s.dist_name not in self._exports]

        def export(spec: FunctionSpec) -> str | None:
            try:
                return resolve.export_locked(self.root, spec.dist_name)
            except resolve.ResolveError:
                return None  # build() runs it again and reports the error for that function

        with ThreadPoolExecutor(max_workers=4) as pool:
            for spec, text in zip(todo, pool.map(export, todo), strict=True):
                if text is not None:
                    self._exports[spec.dist_name] = text

    def plan_for(self, spec: FunctionSpec) -> resolve.Plan:
        """What this function's zip holds, from its locked export."""
        if spec.dist_name not in self._exports:
            self._exports[spec.dist_name] = resolve.export_locked(self.root, spec.dist_name)
        export = self._exports[spec.dist_name]
        return resolve.plan(export, bundle_runtime_sdk=self.bundle_runtime_sdk)

    def zip_path(self, name: str) -> Path:
        """dist/<function>.zip."""
        return self.dist_dir / f"{name}.zip"

    def sidecar_path(self, name: str) -> Path:
        """dist/<function>.json."""
        return self.dist_dir / f"{name}.json"

    def build(self, spec: FunctionSpec) -> BuildResult:
        """Build (or reuse) one function's zip; never raises for an expected failure."""
        started = time.perf_counter()
        if not spec.has_handler:
            rel = spec.handler_path.relative_to(self.root)
            return BuildResult(spec.name, "skipped", error=f"no {rel} yet")
        try:
            result = self._build(spec)
        except (BuildError, resolve.ResolveError, bytecode.BytecodeError, ValueError) as exc:
            result = BuildResult(spec.name, "failed", error=str(exc))
        result.seconds = time.perf_counter() - started
        return result

    def _build(self, spec: FunctionSpec) -> BuildResult:
        plan = self.plan_for(spec)
        sources: list[tuple[str, Path]] = []
        for rel in plan.workspace_dirs:
            src = (self.root / rel / "src").resolve()
            if src.is_dir():
                sources.extend(package_files(src))
        key = self._key(spec, plan, sources)
        zip_path, sidecar_path = self.zip_path(spec.name), self.sidecar_path(spec.name)

        previous = _read_json(sidecar_path)
        if (
            not self.force
            and previous is not None
            and previous.get("build_key") == key
            and zip_path.is_file()
            and lambda_hash(zip_path) == previous.get("source_code_hash")
        ):
            verdict = check_sizes(spec.name, previous["zipped_bytes"], previous["unzipped_bytes"])
            return BuildResult(
                spec.name, "cached", zip_path=zip_path, sidecar=previous,
                warnings=_explain(verdict.warnings, zip_path),
            )  # fmt: skip

        self.dist_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=f"lego-build-{spec.name}-") as tmp:
            site = Path(tmp) / "site"
            resolve.install_wheels(
                plan.requirements_txt(), self.target, site, function=spec.name, root=self.root
            )
            files = site_files(site) + sources
            warnings: list[str] = []
            if self.bytecode_python:
                files, failed = self._compile(files, Path(tmp) / "stage")
                if failed:
                    warnings.append(f"{spec.name}: some files kept no .pyc: {failed}")
            partial = zip_path.with_name(f".{zip_path.name}.partial")
            facts = write_zip(partial, files)
            verdict = check_sizes(spec.name, facts.zipped_bytes, facts.unzipped_bytes)
            if verdict.errors:
                partial.unlink()
                raise BuildError("; ".join(verdict.errors))
            dependencies = _installed_versions(site)
        partial.replace(zip_path)
        sidecar: dict[str, Any] = {
            "function": spec.name,
            "zip": os.path.relpath(zip_path, self.root),
            "handler": spec.handler,
            "runtime": LAMBDA_RUNTIME
            if not self.target.is_host
            else f"python{self.target.python_version}",
            "architecture": self.target.architecture,
            "platform": self.target.platform_tag,
            "source_code_hash": facts.source_code_hash,
            "zipped_bytes": facts.zipped_bytes,
            "unzipped_bytes": facts.unzipped_bytes,
            "entries": facts.entries,
            "dependencies": dependencies,
            "runtime_provided": {req.name: req.version for req in plan.runtime_provided},
            "bytecode": self.bytecode_version,
            "build_key": key,
        }
        _write_text_atomic(sidecar_path, json.dumps(sidecar, indent=2) + "\n")
        return BuildResult(
            spec.name,
            "built",
            zip_path=zip_path,
            sidecar=sidecar,
            warnings=warnings + _explain(verdict.warnings, zip_path),
        )

    def _compile(
        self, files: list[tuple[str, Path]], stage_dir: Path
    ) -> tuple[list[tuple[str, Path]], str]:
        """Stage the zip's files, compile them with the target's Python, list the result."""
        assert self.bytecode_python is not None
        assert self.bytecode_version is not None
        bytecode.stage(files, stage_dir)
        failed = bytecode.compile_tree(self.bytecode_python, self.bytecode_version, stage_dir)
        staged = [
            ("/".join(path.relative_to(stage_dir).parts), path)
            for path in sorted(stage_dir.rglob("*"))
            if path.is_file()
        ]
        return staged, failed

    def _key(self, spec: FunctionSpec, plan: resolve.Plan, sources: list[tuple[str, Path]]) -> str:
        """Cache key: build rules + target + locked pins + workspace source contents."""
        material = {
            "builder": self._builder_digest,
            "function": spec.name,
            "handler": spec.handler,
            "target": self.target.describe(),
            "uv_platform": self.target.uv_platform,
            "bundle_runtime_sdk": self.bundle_runtime_sdk,
            "bytecode": self.bytecode_version,
            "requirements": plan.requirements_txt(),
            "sources": sorted((arc, file_digest(path)) for arc, path in sources),
        }
        blob = json.dumps(material, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()


def build_all(
    builder: Builder,
    specs: Iterable[FunctionSpec],
    on_result: Callable[[BuildResult], None] | None = None,
) -> list[BuildResult]:
    """Build several functions in order, reporting each result as it lands."""
    todo = list(specs)
    builder.prefetch_exports(todo)
    results: list[BuildResult] = []
    for spec in todo:
        result = builder.build(spec)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
