"""Cold start proxy of the built zips: fresh interpreter -> first handler response.

Median of 10 for health and mocs from the unpacked zip (with and without .pyc, and on the
Lambda x86_64 zip under Python 3.13 when one exists), against the floor of a bare
interpreter; plus the heaviest imports (`python -X importtime`, self time per top-level
package). Rows: tools/build/README.md "Cold start"; code: lego_build/coldstart.py.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
try:
    from lego_build import coldstart
except ImportError:  # lego-build not synced into the venv: use its source tree
    sys.path.insert(0, str(ROOT / "tools" / "build" / "src"))
    from lego_build import coldstart

FUNCTIONS = ("health", "mocs")


def run() -> list[dict[str, Any]]:
    """Benchmark rows (docs/contracts.md "Benchmarks")."""
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        return coldstart.measure(ROOT, FUNCTIONS, Path(tmp))


if __name__ == "__main__":
    for row in run():
        print(row)
