"""Deploy-time Lambda: Terraform invokes it after the database exists; applying is idempotent."""

from __future__ import annotations

from typing import Any

from lego_common import log
from lego_common.config import get_settings
from lego_schema import migrate


def lambda_handler(event: Any, context: Any = None) -> dict[str, Any]:
    log.configure()
    applied = migrate.apply(get_settings())
    return {"applied": applied, "pending": migrate.status(get_settings()).pending}
