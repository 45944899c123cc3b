from __future__ import annotations

import os
import zipfile
from typing import TYPE_CHECKING

from lego_build.zipper import FILE_MODE, FIXED_DATE_TIME, package_files, site_files, write_zip

if TYPE_CHECKING:
    from pathlib import Path


def _tree(base: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(text)
    return base


def test_write_zip_same_files_different_mtimes_and_modes_gives_same_bytes(tmp_path: Path) -> None:
    a = _tree(tmp_path / "a", {"pkg/__init__.py": "x = 1\n", "pkg/b.py": "y = 2\n"})
    b = _tree(tmp_path / "b", {"pkg/b.py": "y = 2\n", "pkg/__init__.py": "x = 1\n"})
    os.utime(b / "pkg/b.py", (1_000_000_000, 1_000_000_000))
    (b / "pkg/__init__.py").chmod(0o600)

    facts_a = write_zip(tmp_path / "a.zip", package_files(a))
    facts_b = write_zip(tmp_path / "b.zip", reversed(package_files(b)))

    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    assert facts_a == facts_b
    assert facts_a.unzipped_bytes == 12


def test_write_zip_entries_sorted_with_fixed_time_and_mode(tmp_path: Path) -> None:
    src = _tree(tmp_path / "s", {"z/__init__.py": "", "a/__init__.py": "", "a/m.py": "pass\n"})
    write_zip(tmp_path / "out.zip", package_files(src))

    with zipfile.ZipFile(tmp_path / "out.zip") as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == ["a/__init__.py", "a/m.py", "z/__init__.py"]
    assert {i.date_time for i in infos} == {FIXED_DATE_TIME}
    assert {i.external_attr >> 16 for i in infos} == {FILE_MODE}


def test_package_files_drops_tests_and_bytecode(tmp_path: Path) -> None:
    src = _tree(
        tmp_path / "src",
        {
            "lego_common/__init__.py": "",
            "lego_common/db.py": "",
            "lego_common/migrations/0001.sql": "SELECT 1;",
            "lego_common/tests/test_db.py": "",
            "lego_common/__pycache__/db.cpython-311.pyc": "",
            "not_a_package/readme.txt": "",
        },
    )
    names = [arc for arc, _ in package_files(src)]
    assert names == [
        "lego_common/__init__.py",
        "lego_common/db.py",
        "lego_common/migrations/0001.sql",
    ]


def test_site_files_drops_install_churn_scripts_stubs_and_tests(tmp_path: Path) -> None:
    site = _tree(
        tmp_path / "site",
        {
            ".lock": "",
            "bin/normalizer": "#!/usr/bin/python",
            "pkg/__init__.py": "",
            "pkg/core.pyi": "",
            "pkg/py.typed": "",
            "pkg/docs/docstring.py": "",
            "pkg/tests/test_core.py": "",
            "pkg-1.0.dist-info/METADATA": "Name: pkg\n",
            "pkg-1.0.dist-info/RECORD": "",
            "pkg-1.0.dist-info/INSTALLER": "uv",
            "pkg-1.0.dist-info/REQUESTED": "",
            "pkg-1.0.dist-info/licenses/LICENSE": "MIT",
        },
    )
    names = sorted(arc for arc, _ in site_files(site))
    # docs/ stays: boto3 and botocore import their `docs` subpackages at runtime.
    assert names == [
        "pkg-1.0.dist-info/METADATA",
        "pkg-1.0.dist-info/licenses/LICENSE",
        "pkg/__init__.py",
        "pkg/docs/docstring.py",
    ]
