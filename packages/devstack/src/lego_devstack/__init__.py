"""The dev and test stack of the LEGO API: never zipped, never imported by runtime code."""

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
