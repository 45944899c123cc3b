from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from lego_build.cli import main

if TYPE_CHECKING:
    from pathlib import Path


def test_build_prints_progress_and_summary_and_reuses_zips(
    built_sandbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--root", str(built_sandbox), "build", "--bytecode-python", "none"])

    out = capsys.readouterr().out
    assert code == 0
    assert "health      cached" in out
    assert "gallery     skipped  no functions/gallery/src/lego_gallery/handler.py yet" in out
    assert "0 built, 2 cached" in out


def test_build_unknown_function_exits_with_the_known_names(built_sandbox: Path) -> None:
    with pytest.raises(SystemExit, match="unknown function nope"):
        main(["--root", str(built_sandbox), "build", "-f", "nope"])
