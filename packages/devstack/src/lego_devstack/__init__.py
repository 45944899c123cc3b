"""The dev and test stack of the LEGO API: never zipped, never imported by runtime code."""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping


def reset_clients() -> None:
    """Forget every cached setting, client and breaker, so a changed environment takes effect."""
    from lego_common import aws, cache, config, db, search, tracing

    config.reset()
    db.close()
    cache.reset()
    search.reset()
    aws.reset()
    tracing.reset()


@contextlib.contextmanager
def applied_env(
    values: Mapping[str, str], *, unset: Iterable[str] = (), reset: bool = True
) -> Iterator[None]:
    """os.environ with values set and the unset keys removed for the block, then each key as it
    was (unset if it was); reset=True: reset_clients() on the way in and out, since lego_common
    reads it once."""
    removed = tuple(unset)
    saved = {key: os.environ.get(key) for key in (*values, *removed)}
    os.environ.update(values)
    for key in removed:
        os.environ.pop(key, None)
    if reset:
        reset_clients()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if reset:
            reset_clients()
