"""Run the benchmarks: every bench/bench_*.py exposes run() -> list of rows.

A row: {"name", "value", "unit", "floor", "floor_name", "ratio", "goal"}. Each figure is
compared with a floor measured in the same run (bare interpreter, raw Redis GET, raw SQL),
so the ratio survives a noisy machine. `python -m bench [name ...]` runs a subset.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
RESULTS = HERE / "results.json"

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)


def print_table(rows: list[dict[str, Any]]) -> None:
    headers = ["benchmark", "value", "unit", "floor", "floor is", "ratio", "goal"]
    table = [
        [
            str(r["name"]),
            _fmt(r.get("value")),
            str(r.get("unit") or ""),
            _fmt(r.get("floor")),
            str(r.get("floor_name") or ""),
            _fmt(r.get("ratio")),
            str(r.get("goal") or ""),
        ]
        for r in rows
    ]
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("-" * len(line))
    for row in table:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("only", nargs="*", help="benchmark modules to run (e.g. common mocs)")
    args = parser.parse_args(argv)
    modules = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    # Accept "mocs" and "bench_mocs" alike; an unknown name is a usage error, not an empty table.
    wanted = [name.removeprefix("bench_") for name in args.only]
    unknown = sorted(set(wanted) - set(modules))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(modules)}")
    selected = [m for m in modules if not wanted or m in wanted]
    rows: list[dict[str, Any]] = []
    failed: list[str] = []
    for name in selected:
        print(f"== bench_{name}", file=sys.stderr, flush=True)
        started = time.monotonic()
        try:
            module = importlib.import_module(f"bench.bench_{name}")
            for row in module.run():
                rows.append({"module": name, **row})
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"   {time.monotonic() - started:.1f}s", file=sys.stderr, flush=True)
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "failed": failed,
        "results": rows,
    }
    if args.only and RESULTS.exists():  # a partial run updates its own rows only
        previous = json.loads(RESULTS.read_text())
        kept = [r for r in previous.get("results", []) if r.get("module") not in selected]
        document["results"] = kept + rows
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print_table(rows)
    print(f"\nwrote {RESULTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
