"""Audit trail of every action (who, when, from, to, why, metrics): local JSONL, S3, SNS."""

from __future__ import annotations

import getpass
import json
import os
import socket
import uuid
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from lego_traffic.clock import iso

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient

    from lego_traffic.clock import Clock

ACTOR_ENV_VAR = "LEGO_TRAFFIC_ACTOR"
# Actions worth a page/notification; heartbeat-like ones stay in the log only.
NOTIFY_ACTIONS = frozenset(
    {
        "shift",
        "rollback",
        "rollout.started",
        "rollout.resumed",
        "rollout.rolled_back",
        "rollout.completed",
        "rollout.aborted",
    }
)


def default_actor() -> str:
    """`$LEGO_TRAFFIC_ACTOR`, else user@host: who typed the command."""
    explicit = os.environ.get(ACTOR_ENV_VAR)
    if explicit:
        return explicit
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


class Auditor:
    """Appends one JSON object per action; S3 and SNS failures warn, never block a change."""

    def __init__(
        self,
        *,
        env: str,
        path: Path,
        clock: Clock,
        actor: str,
        warn: Callable[[str], None],
        s3: S3Client | None = None,
        s3_uri: str | None = None,
        sns: SNSClient | None = None,
        topic_arn: str | None = None,
        principal: Callable[[], str | None] | None = None,
    ) -> None:
        self.env = env
        self.path = path
        self.clock = clock
        self.actor = actor
        self.warn = warn
        self.s3 = s3
        self.s3_uri = s3_uri
        self.sns = sns
        self.topic_arn = topic_arn
        self._principal = principal
        self._principal_value: str | None = None
        self._principal_known = False

    def _aws_principal(self) -> str | None:
        if not self._principal_known and self._principal is not None:
            self._principal_known = True
            try:
                self._principal_value = self._principal()
            except (BotoCoreError, ClientError) as exc:
                self.warn(f"could not read the AWS caller identity: {exc}")
        return self._principal_value

    def record(self, action: str, **fields: Any) -> dict[str, Any]:
        """Write the entry locally (fsync), then best-effort to S3 and SNS; returns it."""
        now = self.clock.now()
        entry: dict[str, Any] = {
            "ts": iso(now),
            "epoch_s": round(now, 3),
            "env": self.env,
            "action": action,
            "who": {"actor": self.actor, "aws_principal": self._aws_principal()},
            **fields,
        }
        line = json.dumps(entry, sort_keys=False, default=str)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self._to_s3(entry, line)
        if action in NOTIFY_ACTIONS:
            self._notify(entry)
        return entry

    def _to_s3(self, entry: dict[str, Any], line: str) -> None:
        if not (self.s3 and self.s3_uri):
            return
        bucket, _, prefix = self.s3_uri.removeprefix("s3://").partition("/")
        key = "/".join(
            p
            for p in (
                prefix.strip("/"),
                self.env,
                f"{entry['ts']}-{entry['action']}-{uuid.uuid4().hex[:8]}.json",
            )
            if p
        )
        try:
            self.s3.put_object(
                Bucket=bucket, Key=key, Body=line.encode(), ContentType="application/json"
            )
        except (BotoCoreError, ClientError) as exc:
            self.warn(f"audit entry kept locally only; S3 put to s3://{bucket}/{key} failed: {exc}")

    def _notify(self, entry: dict[str, Any]) -> None:
        if not (self.sns and self.topic_arn):
            return
        moved = ""
        if entry.get("from") and entry.get("to"):
            moved = f" {entry['from']['green']}->{entry['to']['green']} green"
        subject = f"lego-traffic {self.env}: {entry['action']}{moved}"[:100]
        try:
            self.sns.publish(
                TopicArn=self.topic_arn,
                Subject=subject,
                Message=json.dumps(entry, indent=2, default=str),
            )
        except (BotoCoreError, ClientError) as exc:
            self.warn(f"SNS notify to {self.topic_arn} failed: {exc}")

    def last(
        self, predicate: Callable[[dict[str, Any]], bool] | None = None
    ) -> dict[str, Any] | None:
        """The newest local entry (matching `predicate`), for `status`."""
        try:
            lines = self.path.read_text().splitlines()
        except FileNotFoundError:
            return None
        for line in reversed(lines):
            try:
                entry: dict[str, Any] = json.loads(line)
            except json.JSONDecodeError:
                continue
            if predicate is None or predicate(entry):
                return entry
        return None
