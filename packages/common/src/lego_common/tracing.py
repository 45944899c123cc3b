"""X-Ray behind one seam. aws-xray-sdk reaches end of support in Feb 2027: swapping it
(e.g. for OpenTelemetry) touches only this file. A no-op unless TRACING_ENABLED=true."""

from __future__ import annotations

import contextlib
import functools
from typing import TYPE_CHECKING, Any

from lego_common.config import get_settings

if TYPE_CHECKING:
    from collections.abc import Iterator


@functools.cache
def _recorder() -> Any | None:
    """The X-Ray recorder with psycopg/botocore/requests patched, or None when tracing is off."""
    if not get_settings().tracing_enabled:
        return None
    # deferred: aws_xray_sdk.core costs ~280 ms of imports (it builds botocore clients)
    from aws_xray_sdk.core import patch, xray_recorder

    xray_recorder.configure(context_missing="LOG_ERROR", service=get_settings().service_name)
    patch(("botocore", "psycopg", "requests"), raise_errors=False)
    return xray_recorder


@contextlib.contextmanager
def subsegment(name: str, **annotations: str) -> Iterator[None]:
    """Record the block as an X-Ray subsegment (annotations are indexed); no-op when disabled."""
    recorder = _recorder()
    if recorder is None:
        yield
        return
    with recorder.in_subsegment(name[:200]) as sub:
        if sub is not None:  # None outside a traced invocation (context missing)
            for key, value in annotations.items():
                sub.put_annotation(key, value)
        yield


def reset() -> None:
    _recorder.cache_clear()
