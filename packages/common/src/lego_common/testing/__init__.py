"""Test stack and fixtures shared by every test folder (never zipped)."""

from __future__ import annotations


def reset_clients() -> None:
    """Forget every cached setting, client and breaker, so a changed environment takes effect."""
    from lego_common import aws, cache, config, db, search, tracing

    config.reset()
    db.close()
    cache.reset()
    search.reset()
    aws.reset()
    tracing.reset()
