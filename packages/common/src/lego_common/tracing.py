"""X-Ray subsegments behind one seam; swapping the SDK (e.g. for OpenTelemetry) touches only
this file.

Chosen (tools/build/README.md "Tracing"): Lambda active tracing, which the function module
turns on, records every invocation's segment with no code in the zip; no zip carries
aws-xray-sdk (measured +~500 ms CPU on the first traced request; end of support 2027-02-25).
TRACING_ENABLED=true adds per-route subsegments only where the SDK is installed (the `xray`
extra); where it is not, the seam is a no-op and says so once: a setting never fails a request.
"""

from __future__ import annotations

import contextlib
import functools
from typing import TYPE_CHECKING, Any

import structlog

from lego_common.config import get_settings

if TYPE_CHECKING:
    from collections.abc import Iterator


@functools.cache
def _recorder() -> Any | None:
    """The X-Ray recorder with psycopg/botocore/requests patched, or None when tracing is off
    or the SDK is not in the zip."""
    if not get_settings().tracing_enabled:
        return None
    try:
        # deferred: importing and patching costs ~500 ms CPU (it loads botocore)
        from aws_xray_sdk.core import patch, xray_recorder
    except ImportError:
        structlog.get_logger().info(
            "tracing_subsegments_off", reason="aws-xray-sdk not in the zip: active tracing only"
        )
        return None

    xray_recorder.configure(context_missing="LOG_ERROR", service=get_settings().service_name)
    patch(("botocore", "psycopg", "requests"), raise_errors=False)
    return xray_recorder


_UNTRACED: contextlib.AbstractContextManager[None] = contextlib.nullcontext()


def subsegment(name: str, **annotations: str) -> contextlib.AbstractContextManager[None]:
    """Record the block as an X-Ray subsegment (annotations are indexed); no-op when disabled
    (one shared nullcontext: every request enters this, so the off path costs no generator)."""
    recorder = _recorder()
    if recorder is None:
        return _UNTRACED
    return _traced(recorder, name, annotations)


@contextlib.contextmanager
def _traced(recorder: Any, name: str, annotations: dict[str, str]) -> Iterator[None]:
    with recorder.in_subsegment(name[:200]) as sub:
        if sub is not None:  # None outside a traced invocation (context missing)
            for key, value in annotations.items():
                sub.put_annotation(key, value)
        yield


def reset() -> None:
    _recorder.cache_clear()
