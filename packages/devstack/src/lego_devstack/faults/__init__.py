"""The fault kit (issue 18): a TCP proxy that puts latency, resets, drops and blackholes
between the handlers and a server of the test stack, and a clock tests move by hand.

Test support lives here, not in lego_common: lego_common ships in every Lambda zip."""

from __future__ import annotations

from lego_devstack.faults.clock import ManualClock
from lego_devstack.faults.proxy import Fault, FaultProxy

__all__ = ["Fault", "FaultProxy", "ManualClock"]
