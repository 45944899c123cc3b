"""The rollout: steps as data, gates every interval, rollback on breach, state for --resume."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from lego_traffic.clock import iso
from lego_traffic.config import RolloutPlan, plan_from_dict
from lego_traffic.errors import InputError, RollbackFailedError, RolloutStateError
from lego_traffic.gates import evaluate, unreadable
from lego_traffic.retry import call_with_retry, describe

if TYPE_CHECKING:
    from pathlib import Path

    from lego_traffic.config import Gates, Step
    from lego_traffic.gates import Verdict
    from lego_traffic.ops import TrafficOps

# rolling_back: a rollback was started and not confirmed; --resume finishes it, never goes on.
RolloutStatus = Literal["running", "rolling_back", "completed", "rolled_back", "aborted"]
EXIT_OK = 0
EXIT_BREACH = 3
EXIT_ABORTED = 4
EXIT_INTERRUPTED = 130
# One gate reading: up to 4 GetMetricData tries (waits 0.5, 1, 2 s + jitter) before it counts as
# unreadable; unreadable for missing_grace_s since the last good reading rolls back.
GATE_READ_ATTEMPTS = 4


@dataclass
class RolloutState:
    """Persisted after every transition, so a crash loses at most the current hold."""

    rollout_id: str
    env: str
    plan: dict[str, Any]
    started_by: str
    started_at: str
    status: RolloutStatus = "running"
    passed: list[int] = field(default_factory=list)  # indexes of steps whose hold completed
    current: int | None = None
    updated_at: str = ""
    last_reason: str = ""

    def summary(self) -> dict[str, Any]:
        """What `status` shows of this rollout."""
        return {
            "rollout_id": self.rollout_id,
            "status": self.status,
            "passed": [self.plan["steps"][i]["green_pct"] for i in self.passed],
            "current_step": None if self.current is None else self.current + 1,
            "updated_at": self.updated_at,
        }


class _BreachDuringShiftError(Exception):
    def __init__(self, verdict: Verdict) -> None:
        super().__init__(f"gate failed while the shift propagated: {verdict.reason}")
        self.verdict = verdict


class StateStore:
    def __init__(self, directory: Path) -> None:
        self.path = directory / "rollout.json"

    def load(self) -> RolloutState | None:
        try:
            raw = json.loads(self.path.read_text())
        except FileNotFoundError:
            return None
        except json.JSONDecodeError as exc:
            raise RolloutStateError(f"rollout state {self.path} is corrupt ({exc})") from None
        return RolloutState(**raw)

    def save(self, state: RolloutState) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".rollout.", suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump(asdict(state), handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    def mark_rolling_back(self, reason: str) -> str | None:
        """Before a rollback's ChangeBatch: a running rollout becomes rolling back, so a rollback
        that fails leaves nothing --resume would shift forward. Returns its id, else None."""
        state = self.load()
        if state is None or state.status != "running":
            return None
        state.status = "rolling_back"
        state.last_reason = reason
        self.save(state)
        return state.rollout_id

    def mark_rolled_back(self, reason: str) -> str | None:
        """A running or rolling-back rollout becomes rolled back (traffic left it); returns its
        id, else None."""
        state = self.load()
        if state is None or state.status not in ("running", "rolling_back"):
            return None
        state.status = "rolled_back"
        state.last_reason = reason
        self.save(state)
        return state.rollout_id


def _fmt_s(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


class Rollout:
    def __init__(self, ops: TrafficOps, gates: Gates, plan: RolloutPlan, store: StateStore) -> None:
        self.ops = ops
        self.gates = gates
        self.plan = plan
        self.store = store
        self.clock = ops.deps.clock
        self.reporter = ops.reporter
        self.audit = ops.auditor

    @classmethod
    def for_env(cls, ops: TrafficOps) -> Rollout:
        """The rollout of ops' env config; InputError if it lacks a usable plan or gates."""
        plan, gates = require_plan(ops.cfg.rollout, ops.cfg.gates, f"config for {ops.cfg.env}")
        return cls(ops, gates, plan, ops.store)

    # ---- entry points -------------------------------------------------------------------------

    def dry_run(self) -> dict[str, Any]:
        """The plan, the records and one gate reading now; nothing changes."""
        target = self.ops.target()
        now = self.clock.now()
        verdict = evaluate(
            self.ops.deps.cloudwatch,
            self.gates,
            now=now,
            since=now - self.gates.window_s,
            in_grace=False,
        )
        return {
            "env": self.ops.cfg.env,
            "dry_run": True,
            "plan": self.plan.to_dict(),
            "target": target.describe(),
            "weights": target.weights.to_dict(),
            "gates_now": verdict.metrics(),
            "gates_would_pass": not verdict.failed,
            "state": asdict(state) if (state := self.store.load()) else None,
        }

    def run(self, *, resume: bool, fresh: bool, why: str) -> tuple[dict[str, Any], int]:
        existing = self.store.load()
        if resume and existing is not None and existing.status == "rolling_back":
            return self._finish_rollback(existing)
        state, start = self._begin(resume=resume, fresh=fresh, why=why)
        if state is None:
            return {
                "env": self.ops.cfg.env,
                "status": "completed",
                "message": "the last rollout is complete: nothing to resume",
                "weights": self.ops.target().weights.to_dict(),
            }, EXIT_OK
        steps = self.plan.steps
        try:
            for index in range(start, len(steps)):
                outcome = self._run_step(state, index, steps[index])
                if outcome is not None:
                    return outcome
                state.passed.append(index)
                self._save(state)
                self.audit.record(
                    "rollout.step_passed",
                    rollout_id=state.rollout_id,
                    step=index + 1,
                    green_pct=steps[index].green_pct,
                )
        except KeyboardInterrupt:
            weights = self.ops.target().weights
            self.audit.record(
                "rollout.interrupted",
                rollout_id=state.rollout_id,
                step=(state.current or 0) + 1,
                weights=weights.to_dict(),
                why="operator interrupt (Ctrl-C)",
            )
            self.reporter.warn(
                f"interrupted; weights left at {weights}. Continue with `lego-traffic rollout "
                f"--env {self.ops.cfg.env} --resume` or go back with `lego-traffic rollback`"
            )
            return self._result(state, "interrupted"), EXIT_INTERRUPTED
        state.status = "completed"
        state.current = None
        self._save(state)
        self.audit.record("rollout.completed", rollout_id=state.rollout_id, why=why)
        last = self.plan.steps[-1].green_pct
        self.reporter.progress(
            "completed", f"rollout {state.rollout_id} completed: {last} % green held"
        )
        return self._result(state, "completed"), EXIT_OK

    # ---- internals ----------------------------------------------------------------------------

    def _begin(self, *, resume: bool, fresh: bool, why: str) -> tuple[RolloutState | None, int]:
        existing = self.store.load()
        env = self.ops.cfg.env
        if resume:
            if existing is None:
                raise RolloutStateError(f"no rollout state in {self.store.path}: nothing to resume")
            if existing.status == "completed":
                self.reporter.progress("noop", f"rollout {existing.rollout_id} already completed")
                return None, 0
            # Resume the plan the rollout started with, not whatever the file says today.
            self.plan = plan_from_dict(existing.plan)
            if existing.status == "running":
                start = len(existing.passed)  # crash/stop: the first step not yet held
            else:
                # Rolled back or aborted: seed "Rollback Procedure" step 5, resume from the last
                # stable phase, which is re-held because traffic left it.
                start = max(len(existing.passed) - 1, 0)
            if start >= len(self.plan.steps):
                # Stopped after the last hold passed but before it was recorded as completed.
                existing.status = "completed"
                existing.current = None
                self._save(existing)
                self.audit.record("rollout.completed", rollout_id=existing.rollout_id, why=why)
                return None, 0
            existing.passed = existing.passed[:start]
            existing.status = "running"
            self._save(existing)
            self.audit.record(
                "rollout.resumed",
                rollout_id=existing.rollout_id,
                step=start + 1,
                green_pct=self.plan.steps[start].green_pct,
                why=why,
            )
            self.reporter.progress(
                "resumed",
                f"resuming rollout {existing.rollout_id} at step "
                f"{start + 1}/{len(self.plan.steps)} ({self.plan.steps[start].green_pct} % green)",
            )
            return existing, start
        if existing is not None and existing.status == "rolling_back":
            raise RolloutStateError(
                f"the rollback of rollout {existing.rollout_id} in {env} was not confirmed "
                f"({existing.last_reason}); finish it first with `lego-traffic rollout --env "
                f"{env} --resume` or `lego-traffic rollback --env {env}`"
            )
        if existing is not None and existing.status == "running" and not fresh:
            step = (existing.current or 0) + 1
            raise RolloutStateError(
                f"rollout {existing.rollout_id} in {env} is still running or crashed at step "
                f"{step} (started {existing.started_at} by {existing.started_by}); use --resume "
                "to continue it or --fresh to start over from step 1"
            )
        now = self.clock.now()
        state = RolloutState(
            rollout_id="r-" + datetime.fromtimestamp(now, UTC).strftime("%Y%m%dT%H%M%SZ"),
            env=env,
            plan=self.plan.to_dict(),
            started_by=self.audit.actor,
            started_at=iso(now),
        )
        self._save(state)
        self.audit.record("rollout.started", rollout_id=state.rollout_id, plan=state.plan, why=why)
        pcts = " -> ".join(f"{s.green_pct} %" for s in self.plan.steps)
        self.reporter.progress("started", f"rollout {state.rollout_id} in {env}: {pcts} green")
        return state, 0

    def _save(self, state: RolloutState) -> None:
        state.updated_at = iso(self.clock.now())
        self.store.save(state)

    def _result(self, state: RolloutState, outcome: str, **extra: Any) -> dict[str, Any]:
        return {
            "env": state.env,
            "rollout_id": state.rollout_id,
            "status": outcome,
            "passed_steps": [self.plan.steps[i].green_pct for i in state.passed],
            "weights": self.ops.target().weights.to_dict(),
            **extra,
        }

    def _run_step(
        self, state: RolloutState, index: int, step: Step
    ) -> tuple[dict[str, Any], int] | None:
        n = len(self.plan.steps)
        label = f"step {index + 1}/{n} ({step.green_pct} % green)"
        state.current = index
        self._save(state)
        since = self.clock.now()
        hold_end = since + step.hold_s  # refined below once the shift is INSYNC
        last_check = {"at": since}
        last_read = {"at": since}  # the gates were last read (or the step started) then

        def check(now: float) -> Verdict:
            last_check["at"] = now
            in_grace = now - since < self.plan.missing_grace_s and now < hold_end
            try:
                verdict = call_with_retry(
                    self.clock,
                    lambda: evaluate(
                        self.ops.deps.cloudwatch,
                        self.gates,
                        now=now,
                        since=since,
                        in_grace=in_grace,
                    ),
                    service="CloudWatch",
                    on_retry=self.reporter.warn,
                    attempts=GATE_READ_ATTEMPTS,
                )
                last_read["at"] = now
            except (ClientError, BotoCoreError) as exc:
                # Judged like a silent metric: pending for missing_grace_s, then a rollback.
                now = self.clock.now()
                verdict = unreadable(
                    self.gates,
                    now=now,
                    error=describe(exc),
                    unread_s=now - last_read["at"],
                    in_grace=now - last_read["at"] < self.plan.missing_grace_s,
                )
            self.reporter.progress(
                "gates",
                f"{label} {_fmt_s(hold_end - now)} left | {verdict.summary()}",
                step=index + 1,
                gates=verdict.metrics(),
            )
            return verdict

        def while_propagating() -> None:
            # Some resolvers already answer with the new weights: watch the gates meanwhile.
            now = self.clock.now()
            if now - last_check["at"] >= self.plan.check_interval_s:
                verdict = check(now)
                if verdict.failed:
                    raise _BreachDuringShiftError(verdict)

        try:
            shifted = self.ops.shift(
                step.weights,
                why=f"rollout {state.rollout_id} {label}",
                action="rollout.step",
                extra={"rollout_id": state.rollout_id, "step": index + 1},
                while_waiting=while_propagating,
            )
        except _BreachDuringShiftError as breach:
            return self._roll_back(state, label, breach.verdict)
        hold_end = self.clock.now() + step.hold_s  # the hold counts from INSYNC
        self.reporter.progress(
            "holding",
            f"{label}: holding {_fmt_s(step.hold_s)}, gates every {self.plan.check_interval_s} s",
        )
        while True:
            live = self.ops.target().weights
            if live != step.weights:
                return self._abort(state, label, live, shifted)
            now = self.clock.now()
            verdict = check(now)
            if verdict.failed:
                return self._roll_back(state, label, verdict)
            if now >= hold_end and not verdict.unread:
                return None
            # A hold ends on a reading: unread at its end, read again until read or out of grace.
            left = hold_end - now
            self.clock.sleep(
                min(self.plan.check_interval_s, left) if left > 0 else self.plan.check_interval_s
            )

    def _roll_back(
        self, state: RolloutState, label: str, verdict: Verdict
    ) -> tuple[dict[str, Any], int]:
        why = f"gate failed at {label}: {verdict.reason}"
        self.reporter.progress("breach", f"ROLLBACK: {why}")
        # Recorded before the ChangeBatch: if the rollback fails, --resume must not go on.
        state.status = "rolling_back"
        state.last_reason = why
        self._save(state)
        rollback = self._send_rollback(
            state, why=why, extra={"rollout_id": state.rollout_id, "metrics": verdict.metrics()}
        )
        state.status = "rolled_back"
        state.last_reason = why
        self._save(state)
        breach_to_insync = round(rollback["insync_epoch_s"] - verdict.at, 1)
        self.audit.record(
            "rollout.rolled_back",
            rollout_id=state.rollout_id,
            why=why,
            metrics=verdict.metrics(),
            detected_at=iso(verdict.at),
            insync_at=rollback["insync_at"],
            detection_to_insync_s=breach_to_insync,
        )
        result = self._result(
            state,
            "rolled_back",
            reason=why,
            detected_at=iso(verdict.at),
            detected_epoch_s=verdict.at,
            rollback=rollback,
            detection_to_insync_s=breach_to_insync,
        )
        return result, EXIT_BREACH

    def _send_rollback(
        self, state: RolloutState, *, why: str, extra: dict[str, Any]
    ) -> dict[str, Any]:
        try:
            return self.ops.rollback(why=why, action="rollout.rollback", extra=extra)
        except RollbackFailedError as exc:
            self.audit.record(
                "rollout.rollback_failed", rollout_id=state.rollout_id, why=why, error=str(exc)
            )
            raise

    def _finish_rollback(self, state: RolloutState) -> tuple[dict[str, Any], int]:
        """--resume after a rollback that was not confirmed: finish it, never shift forward."""
        self.plan = plan_from_dict(state.plan)
        why = (
            f"finishing the unconfirmed rollback of rollout {state.rollout_id}: {state.last_reason}"
        )
        self.reporter.progress("resumed", f"ROLLBACK: {why}")
        rollback = self._send_rollback(state, why=why, extra={"rollout_id": state.rollout_id})
        state.status = "rolled_back"
        state.last_reason = why
        self._save(state)
        self.audit.record(
            "rollout.rolled_back",
            rollout_id=state.rollout_id,
            why=why,
            insync_at=rollback["insync_at"],
        )
        self.reporter.warn(
            f"rollout {state.rollout_id} is rolled back (100 % blue). `lego-traffic rollout "
            f"--env {self.ops.cfg.env} --resume` again re-holds its last good step"
        )
        return self._result(state, "rolled_back", reason=why, rollback=rollback), EXIT_BREACH

    def _abort(
        self, state: RolloutState, label: str, live: Any, shifted: dict[str, Any]
    ) -> tuple[dict[str, Any], int]:
        why = (
            f"weights changed outside this rollout during {label}: expected {shifted['to']}, "
            f"found {live.to_dict()}; stopping without touching them"
        )
        state.status = "aborted"
        state.last_reason = why
        self._save(state)
        self.audit.record(
            "rollout.aborted", rollout_id=state.rollout_id, why=why, weights=live.to_dict()
        )
        self.reporter.warn(why)
        return self._result(state, "aborted", reason=why), EXIT_ABORTED


def require_plan(
    plan: RolloutPlan | None, gates: Gates | None, source: str
) -> tuple[RolloutPlan, Gates]:
    if plan is None or gates is None:
        raise InputError(f"{source} needs both a 'rollout' and a 'gates' section for a rollout")
    placeholders = [v for v in (gates.api_id, *gates.function_names) if "REPLACE" in v]
    if placeholders:
        # Gates on a made-up API id would read "no datapoints" and roll back after the grace.
        raise InputError(
            f"{source}: gates hold placeholders {placeholders}; set the green API id and Lambda "
            "names from `terraform output` before a rollout"
        )
    return plan, gates
