"""What the operator reads: progress lines while waiting (stderr) and each command's result
(stdout), as human text or, with --json, one JSON object per line / one JSON document."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TextIO

from lego_traffic.clock import iso

if TYPE_CHECKING:
    from lego_traffic.clock import Clock


class Reporter:
    def __init__(self, stream: TextIO, clock: Clock, *, as_json: bool) -> None:
        self.stream = stream
        self.clock = clock
        self.as_json = as_json

    def progress(self, event: str, message: str, **fields: Any) -> None:
        now = self.clock.now()
        if self.as_json:
            line = json.dumps(
                {"ts": iso(now), "event": event, "message": message, **fields}, default=str
            )
        else:
            line = f"[{iso(now)[11:19]}] {message}"
        self.stream.write(line + "\n")
        self.stream.flush()

    def warn(self, message: str) -> None:
        self.progress("warning", f"WARNING: {message}")

    def failed(self, message: str, exit_code: int) -> None:
        """The command ends with exit_code; message says why."""
        self.progress("error", f"ERROR: {message}", exit_code=exit_code)

    def interrupted(self, exit_code: int) -> None:
        self.progress(
            "error",
            "INTERRUPTED: a submitted change still applies; see `lego-traffic status`",
            exit_code=exit_code,
        )


def render(command: str, result: dict[str, Any], *, as_json: bool) -> str:
    """A command's result for stdout: indented JSON with --json, else a few lines of text."""
    if as_json:
        return json.dumps(result, indent=2, default=str)
    if command == "status":
        return _status(result)
    if result.get("dry_run") and command == "rollout":
        return _rollout_plan(result)
    if result.get("dry_run"):
        return json.dumps(result, indent=2, default=str)  # the ChangeBatch, as Route53 takes it
    if command == "adopt":
        return ("adopted: " if result.get("adopted") else "unchanged: ") + str(result["why"])
    if command in ("shift", "rollback"):
        return _shift(result)
    return _rollout(result)


def _status(r: dict[str, Any]) -> str:
    lines = [
        f"env {r['env']}: {r['record_name']} {r['type']} TTL {r['ttl']} "
        f"in zone {r['zone_id']} ({r['zone_name']})",
        f"  blue   {r['weights']['blue']:>3}  -> {r['targets']['blue']}",
        f"  green  {r['weights']['green']:>3}  -> {r['targets']['green']}",
        f"  green share {r['green_pct']:g} %",
    ]
    change = r["last_change"]
    if change:
        lines.append(
            f"last change: {change['change_id']} {change['status']} at {change['at']} by "
            f"{change['who']} ({change['action']}: {change['why']})"
        )
    else:
        lines.append("last change: none in the local audit log")
    tf = r["tfvars"]
    drift = (
        "matches Route53"
        if tf["matches_route53"]
        else "DIFFERS from Route53: terraform apply would move traffic"
    )
    held = tf["weights"]
    shown = f"blue {held['blue']} / green {held['green']}" if held else "missing"
    lines.append(f"tfvars: {tf['path']} = {shown} ({drift})")
    if r.get("rollout"):
        ro = r["rollout"]
        lines.append(f"rollout: {ro['rollout_id']} {ro['status']}, passed steps {ro['passed']}")
    return "\n".join(lines)


def _shift(r: dict[str, Any]) -> str:
    return (
        f"{r['action']} {r['env']}: blue {r['from']['blue']} / green {r['from']['green']} -> "
        f"blue {r['to']['blue']} / green {r['to']['green']} ({r['green_pct']:g} % green); "
        f"change {r['change_id']} INSYNC in {r['seconds_to_insync']:g} s; "
        f"tfvars {r['tfvars'] or 'NOT written'}"
    )


def _rollout(r: dict[str, Any]) -> str:
    lines = [f"rollout {r.get('rollout_id', '')} {r['env']}: {r['status']}"]
    if "passed_steps" in r:
        w = r["weights"]
        lines.append(
            f"  passed steps (green %): {r['passed_steps']}; "
            f"weights now blue {w['blue']} / green {w['green']}"
        )
    if r.get("reason"):
        lines.append(f"  reason: {r['reason']}")
    if "detection_to_insync_s" in r:
        lines.append(
            f"  breach detected {r['detected_at']}, 100 % blue INSYNC "
            f"{r['rollback']['insync_at']} ({r['detection_to_insync_s']:g} s later)"
        )
    return "\n".join(lines)


def _rollout_plan(r: dict[str, Any]) -> str:
    plan = r["plan"]
    steps = " -> ".join(f"{s['green_pct']} % for {_duration(s['hold_s'])}" for s in plan["steps"])
    w = r["weights"]
    lines = [
        f"rollout plan {r['env']}: {steps}",
        f"  gates every {plan['check_interval_s']} s; missing data fails after "
        f"{plan['missing_grace_s']} s; INSYNC timeout {plan['insync_timeout_s']} s",
        f"  now: blue {w['blue']} / green {w['green']} on {r['target']['record_name']}",
    ]
    for gate in r["gates_now"].values():
        value = "n/a" if gate["value"] is None else f"{gate['value']:g}{gate['unit']}"
        lines.append(
            f"  gate {gate['name']}: {value} (max {gate['threshold']:g}{gate['unit']}) "
            f"{gate['status']} {gate['detail']}".rstrip()
        )
    state = r["state"]
    if state:
        lines.append(f"  last rollout: {state['rollout_id']} {state['status']}")
    statuses = {g["status"] for g in r["gates_now"].values()}
    if r["gates_would_pass"]:
        lines.append("  gates pass now")
    elif statuses == {"missing"} and w["green"] == 0:
        lines.append(
            "  no datapoints yet: expected while green takes no traffic (judged after step 1)"
        )
    else:
        lines.append("  gates FAIL now: find out why before starting")
    return "\n".join(lines)


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0 and seconds >= 3600:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"
