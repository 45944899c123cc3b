"""Deploy-time Lambda: Terraform invokes it after the database exists; applying is idempotent."""

from __future__ import annotations

from typing import Any

from lego_common import log
from lego_common.config import get_settings
from lego_schema import migrate

# Time kept after the connect wait for the migrations themselves and the status read.
MIGRATE_RESERVE_S = 60.0


def lambda_handler(event: Any, context: Any = None) -> dict[str, Any]:
    log.configure()
    retry = migrate.ConnectRetry.from_env()
    if context is not None:
        # End with DatabaseNotReadyError, not a Lambda timeout that says nothing about why.
        remaining_s = context.get_remaining_time_in_millis() / 1000
        retry = retry.capped(remaining_s - MIGRATE_RESERVE_S)
    applied = migrate.apply(get_settings(), retry)
    return {"applied": applied, "pending": migrate.status(get_settings(), retry).pending}
