"""Optional precompiled bytecode: Lambda's /var/task is read-only, so without .pyc files in
the zip every cold start compiles every imported module (measured: most of health's start).

Needs an interpreter of the target's Python version (3.13); none is required to build, so
this is opt-in (`--bytecode-python`, make `BYTECODE_PYTHON=`). Output stays reproducible:
unchecked-hash pycs carry a hash of the source, not its mtime, and the staging path is
replaced by /var/task in the code objects' file names.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

LAMBDA_TASK_ROOT = "/var/task"


class BytecodeError(RuntimeError):
    """The bytecode interpreter is missing, of the wrong version, or failed to compile."""


def interpreter_version(python: str) -> str:
    """Full version (`3.13.0`) of an interpreter, checked to run."""
    resolved = shutil.which(python) or python
    try:
        proc = subprocess.run(
            [resolved, "-I", "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise BytecodeError(f"cannot run bytecode interpreter {python!r}: {exc}") from exc
    return proc.stdout.strip()


def check_interpreter(python: str, python_version: str) -> str:
    """The interpreter's full version, if it matches the target's `major.minor`."""
    version = interpreter_version(python)
    if ".".join(version.split(".")[:2]) != python_version:
        raise BytecodeError(
            f"bytecode interpreter {python!r} is Python {version}; the target needs "
            f"{python_version} (a .pyc of another version is ignored at import, only bigger)"
        )
    return version


def find_interpreter(python_version: str) -> str | None:
    """A runnable Python `python_version` on this machine (pyenv's shims may not run)."""
    name = f"python{python_version}"
    candidates = [
        str(p) for p in sorted(Path.home().glob(f".pyenv/versions/{python_version}*/bin/{name}"))
    ]
    candidates += [f"/usr/bin/{name}", f"/usr/local/bin/{name}"]
    candidates += [found] if (found := shutil.which(name)) else []
    for candidate in candidates:
        if not Path(candidate).exists():
            continue
        try:
            check_interpreter(candidate, python_version)
        except BytecodeError:
            continue
        return candidate
    return None


def stage(files: Iterable[tuple[str, Path]], dest: Path) -> None:
    """Copy (arcname, path) pairs into `dest` as the zip will lay them out."""
    for arcname, path in files:
        target = dest / arcname
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


# Runs under the bytecode interpreter: compile (source, pyc, name-in-tracebacks) jobs from stdin.
_COMPILER = """
import json, py_compile, sys
mode = py_compile.PycInvalidationMode.UNCHECKED_HASH
failed = []
for src, cfile, dfile in json.load(sys.stdin):
    try:
        py_compile.compile(src, cfile=cfile, dfile=dfile, doraise=True, invalidation_mode=mode)
    except Exception as exc:
        failed.append(dfile + ': ' + type(exc).__name__)
print(json.dumps(failed))
"""


def cache_dir() -> Path:
    """Where compiled .pyc files are kept between builds (`LEGO_BUILD_CACHE` overrides)."""
    override = os.environ.get("LEGO_BUILD_CACHE")
    base = Path(override) if override else Path.home() / ".cache" / "lego-build"
    return base / "pyc"


def compile_tree(python: str, version: str, tree: Path, *, jobs: int = 0) -> str:
    """Write __pycache__/*.cpython-XY.pyc beside every .py under `tree`; '' or what failed.

    Each .pyc is cached by (interpreter version, path in /var/task, source bytes), so only
    changed files are compiled again. A file that does not compile keeps its source only,
    as pip does at install time; the caller reports it as a warning.
    """
    tag = "cpython-" + "".join(version.split(".")[:2])
    store = cache_dir() / version
    todo: list[tuple[Path, Path, str, Path]] = []
    for src in sorted(tree.rglob("*.py")):
        dfile = f"{LAMBDA_TASK_ROOT}/{src.relative_to(tree).as_posix()}"
        cfile = src.parent / "__pycache__" / f"{src.stem}.{tag}.pyc"
        key = hashlib.sha256(f"{dfile}\0".encode() + src.read_bytes()).hexdigest()
        cached = store / key[:2] / f"{key}.pyc"
        if cached.is_file():
            cfile.parent.mkdir(exist_ok=True)
            shutil.copyfile(cached, cfile)
        else:
            todo.append((src, cfile, dfile, cached))
    failed = _compile(python, [(str(s), str(c), d) for s, c, d, _ in todo], jobs)
    for _, cfile, _, cached in todo:
        if cfile.is_file():
            cached.parent.mkdir(parents=True, exist_ok=True)
            partial = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
            shutil.copyfile(cfile, partial)
            partial.replace(cached)
    return "\n".join(failed)


def _compile(python: str, jobs: list[tuple[str, str, str]], workers: int) -> list[str]:
    """Run the jobs in `workers` interpreters at once (0: one per CPU)."""
    if not jobs:
        return []
    count = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    procs = [
        subprocess.Popen(
            [shutil.which(python) or python, "-I", "-c", _COMPILER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    outputs = [proc.communicate(json.dumps(jobs[i::count])) for i, proc in enumerate(procs)]
    failed: list[str] = []
    for proc, (out, err) in zip(procs, outputs, strict=True):
        if proc.returncode != 0:
            raise BytecodeError(f"bytecode compiler {python!r} failed: {err.strip()[-1000:]}")
        failed.extend(json.loads(out))
    return failed
