"""Typed errors; each carries the process exit code the CLI returns for it."""

from __future__ import annotations


class TrafficError(Exception):
    """Base of every expected failure: a clear message and an exit code, never a traceback."""

    exit_code = 1


class InputError(TrafficError):
    """Bad argument or config value (weights out of range, unknown env, ...)."""

    exit_code = 2


class TargetError(TrafficError):
    """The hosted zone or the blue/green record set is not what Terraform should have made."""

    exit_code = 2


class GateBreachError(TrafficError):
    """A gate failed during a rollout; traffic was rolled back to 100 % blue."""

    exit_code = 3


class RolloutStateError(TrafficError):
    """Nothing to resume, a rollout already in progress, or weights changed under the rollout."""

    exit_code = 4


class SyncTimeoutError(TrafficError):
    """Route53 accepted the change but did not report INSYNC in time."""

    exit_code = 5


class RollbackFailedError(TrafficError):
    """A rollback could not be confirmed: traffic may still reach green. The message says what
    to run; the rollout state records the attempt, so --resume finishes it and never goes on."""

    exit_code = 6
