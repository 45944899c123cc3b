"""Optional precompiled bytecode: Lambda's /var/task is read-only, so without .pyc files in
the zip every cold start compiles every imported module (measured: most of health's start).

Needs an interpreter of the target's Python version (3.13); none is required to build, so
this is opt-in (`--bytecode-python`, make `BYTECODE_PYTHON=`). Output stays reproducible:
unchecked-hash pycs carry a hash of the source, not its mtime, and the staging path is
replaced by /var/task in the code objects' file names.
"""

from __future__ import annotations

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


def compile_tree(python: str, tree: Path) -> str:
    """Write __pycache__/*.cpython-XY.pyc beside every .py under `tree`; '' or what failed.

    A file that does not compile (say, a py2-era helper nobody imports) keeps its source
    only, as pip does at install time; the caller reports it as a warning.
    """
    cmd = [
        shutil.which(python) or python,
        "-I",
        "-m",
        "compileall",
        "-q",
        "-j",
        "0",
        "--invalidation-mode",
        "unchecked-hash",
        "-s",
        str(tree),
        "-p",
        LAMBDA_TASK_ROOT,
        str(tree),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode == 0:
        return ""
    return (proc.stdout + proc.stderr).strip()[-2000:]
