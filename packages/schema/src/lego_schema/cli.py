"""`lego-migrate apply|status|rollback`: run the schema migrations against DB_* settings."""

from __future__ import annotations

import argparse
import json
import sys

from lego_common.config import load_settings
from lego_common.errors import AppError
from lego_schema import migrate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="lego-migrate",
        description="Apply the LEGO API schema migrations to the database in DB_* variables.",
    )
    parser.add_argument("command", choices=["apply", "status", "rollback"], help="what to do")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        if args.command == "apply":
            result: object = {"applied": migrate.apply(settings)}
        elif args.command == "status":
            status = migrate.status(settings)
            result = {"applied": status.applied, "pending": status.pending}
        else:
            result = {"rolled_back": migrate.rollback_last(settings)}
    except AppError as exc:
        print(f"lego-migrate: {exc.message}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
