"""The fault kit (issue 18): a TCP proxy that puts latency, resets, drops and blackholes
between the handlers and a server of the test stack. Test support, so it lives here and not
in lego_common, which ships in every Lambda zip."""

from __future__ import annotations

from lego_devstack.faults.proxy import Fault, FaultProxy

__all__ = ["Fault", "FaultProxy"]
