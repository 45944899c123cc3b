"""status, shift and rollback: the operations every command is built from, and the rules of the
manual commands around a rollout (a shift warns about it, a rollback marks it rolled back)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from lego_traffic.audit import Auditor
from lego_traffic.clock import RealClock, iso
from lego_traffic.errors import InputError, RollbackFailedError, SyncTimeoutError
from lego_traffic.retry import describe, is_transient
from lego_traffic.rollout import StateStore
from lego_traffic.route53 import Route53Traffic, Target
from lego_traffic.tfvars import read_tfvars, write_tfvars
from lego_traffic.weights import ALL_BLUE, Weights

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_route53 import Route53Client
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient

    from lego_traffic.clock import Clock
    from lego_traffic.config import EnvConfig
    from lego_traffic.report import Reporter

DEFAULT_INSYNC_TIMEOUT_S = 300
DEFAULT_INSYNC_POLL_S = 2.0
PROGRESS_EVERY_S = 10.0


class Deps:
    """AWS clients and the clock. Tests pass moto-backed clients; the CLI passes a factory and
    each client is built on first use (about 0.1 s each), so a rollback builds only Route53's."""

    def __init__(
        self,
        *,
        clock: Clock,
        route53: Route53Client | None = None,
        cloudwatch: CloudWatchClient | None = None,
        s3: S3Client | None = None,
        sns: SNSClient | None = None,
        sts: Any = None,
        factory: Callable[[str], Any] | None = None,
    ) -> None:
        self.clock = clock
        self._clients: dict[str, Any] = {
            name: client
            for name, client in (
                ("route53", route53),
                ("cloudwatch", cloudwatch),
                ("s3", s3),
                ("sns", sns),
                ("sts", sts),
            )
            if client is not None
        }
        self._factory = factory

    @classmethod
    def for_region(cls, region: str) -> Deps:
        """Real AWS: clients built on first use in one boto3 session, and the real clock."""
        import boto3
        from botocore.config import Config

        # One retry policy (tenacity, route53.py) instead of two stacked; short timeouts for 3 am.
        # total_max_attempts counts the first try; max_attempts=1 would still retry once
        cfg = Config(
            retries={"mode": "standard", "total_max_attempts": 1},
            connect_timeout=5,
            read_timeout=20,
        )
        session = boto3.session.Session(region_name=region)

        def factory(service: str) -> Any:
            return session.client(service, config=cfg)  # type: ignore[call-overload]

        return cls(clock=RealClock(), factory=factory)

    def caller_arn(self) -> str | None:
        """Who AWS says we are (STS), for the audit log; None without an STS client."""
        sts = self.client("sts")
        return None if sts is None else str(sts.get_caller_identity()["Arn"])

    def client(self, service: str) -> Any:
        if service not in self._clients:
            if self._factory is None:
                return None
            self._clients[service] = self._factory(service)
        return self._clients[service]

    @property
    def route53(self) -> Route53Client:
        client: Route53Client = self.client("route53")
        return client

    @property
    def cloudwatch(self) -> CloudWatchClient:
        client: CloudWatchClient = self.client("cloudwatch")
        return client


class TrafficOps:
    def __init__(self, cfg: EnvConfig, deps: Deps, reporter: Reporter, auditor: Auditor) -> None:
        self.cfg = cfg
        self.deps = deps
        self.reporter = reporter
        self.auditor = auditor
        self.r53 = Route53Traffic(deps.route53, deps.clock, on_retry=reporter.warn)
        self.store = StateStore(cfg.state_directory)
        self._zone: tuple[str, str] | None = None

    @classmethod
    def for_env(cls, cfg: EnvConfig, deps: Deps, reporter: Reporter, *, actor: str) -> TrafficOps:
        """The operations on cfg's records, auditing as actor (local log, S3 and SNS if set)."""
        auditor = Auditor(
            env=cfg.env,
            path=cfg.state_directory / "audit.jsonl",
            clock=deps.clock,
            actor=actor,
            warn=reporter.warn,
            s3=deps.client("s3") if cfg.audit_s3_uri else None,
            s3_uri=cfg.audit_s3_uri,
            sns=deps.client("sns") if cfg.sns_topic_arn else None,
            topic_arn=cfg.sns_topic_arn,
            principal=deps.caller_arn,
        )
        return cls(cfg, deps, reporter, auditor)

    @property
    def insync_timeout_s(self) -> float:
        return self.cfg.rollout.insync_timeout_s if self.cfg.rollout else DEFAULT_INSYNC_TIMEOUT_S

    @property
    def insync_poll_s(self) -> float:
        return self.cfg.rollout.insync_poll_s if self.cfg.rollout else DEFAULT_INSYNC_POLL_S

    def target(self, r53: Route53Traffic | None = None) -> Target:
        """Find the zone (once) and read both records as they are now."""
        r53 = r53 or self.r53
        if self._zone is None:
            self._zone = r53.resolve_zone(self.cfg.zone_id, self.cfg.zone_name)
        return r53.read_target(*self._zone, self.cfg.record_name)

    def status(self) -> dict[str, Any]:
        """Both records, the last change and its sync state, tfvars drift, the rollout state."""
        target = self.target()
        weights = target.weights
        last = self.auditor.last(lambda e: bool(e.get("change_id")))
        change: dict[str, Any] | None = None
        if last is not None:
            change = {
                "change_id": last["change_id"],
                "status": self._change_status(last["change_id"]),
                "at": last["ts"],
                "action": last["action"],
                "who": last["who"]["actor"],
                "from": last.get("from"),
                "to": last.get("to"),
                "why": last.get("why"),
            }
        tfvars = read_tfvars(self.cfg.tfvars_file)
        result: dict[str, Any] = {
            "env": self.cfg.env,
            **target.describe(),
            "weights": weights.to_dict(),
            "green_pct": weights.green_pct,
            "last_change": change,
            "tfvars": {
                "path": self._rel(self.cfg.tfvars_file),
                "weights": tfvars.to_dict() if tfvars else None,
                "matches_route53": tfvars == weights,
            },
        }
        state = self.store.load()
        if state is not None:
            result["rollout"] = state.summary()
        return result

    def manual_shift(self, weights: Weights, *, why: str, dry_run: bool = False) -> dict[str, Any]:
        """`shift`: move the weights by hand; a running rollout will stop when it sees them."""
        state = self.store.load()
        if state is not None and state.status == "running" and not dry_run:
            self.reporter.warn(
                f"rollout {state.rollout_id} is recorded as running; if it is, it will stop "
                "(exit 4) when it sees these weights"
            )
        return self.shift(weights, why=why, dry_run=dry_run)

    def manual_rollback(self, *, why: str) -> dict[str, Any]:
        """`rollback`: 100 % blue now, then mark a running rollout as rolled back.

        The attempt is recorded first, so a rollback that fails leaves no `running` rollout
        for --resume to shift forward again.
        """
        self.store.mark_rolling_back(f"manual rollback: {why}")
        result = self.rollback(why=why)
        rollout_id = self.store.mark_rolled_back(f"manual rollback: {why}")
        if rollout_id is not None:
            result["rollout_id"] = rollout_id
        return result

    def adopt(self, legacy_target: str, *, ttl: int, dry_run: bool = False) -> dict[str, Any]:
        """`adopt`: the plain `api.<zone>` record becomes the weighted blue record (first apply)."""
        if self._zone is None:
            self._zone = self.r53.resolve_zone(self.cfg.zone_id, self.cfg.zone_name)
        zone_id, zone_name = self._zone
        batch, what = self.r53.adoption(
            zone_id, zone_name, self.cfg.record_name, legacy_target, ttl
        )
        result: dict[str, Any] = {"env": self.cfg.env, "zone_id": zone_id, "adopted": False}
        if batch is None:
            self.reporter.progress("adopt", f"nothing to adopt: {what}")
            return {**result, "why": what}
        if dry_run:
            return {**result, "dry_run": True, "change_batch": batch}
        change_id = self.r53.submit_batch(zone_id, batch)
        self.reporter.progress("adopt", f"adopting: {what} (change {change_id})")
        self.r53.wait_insync(change_id, timeout_s=self.insync_timeout_s, poll_s=self.insync_poll_s)
        self.auditor.record("adopt", why=what, change_id=change_id)
        return {**result, "adopted": True, "change_id": change_id, "why": what}

    def _change_status(self, change_id: str) -> str:
        try:
            return self.r53.change_status(change_id)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "NoSuchChange":
                return "unknown (Route53 no longer keeps this change)"
            raise

    def _rel(self, path: Any) -> str:
        try:
            return str(path.relative_to(self.cfg.root))
        except ValueError:
            return str(path)

    def shift(
        self,
        weights: Weights,
        *,
        why: str,
        action: str = "shift",
        dry_run: bool = False,
        extra: dict[str, Any] | None = None,
        target: Target | None = None,
        while_waiting: Callable[[], None] | None = None,
        r53: Route53Traffic | None = None,
    ) -> dict[str, Any]:
        """Move both weights in one ChangeBatch, wait for INSYNC, write tfvars, audit.

        `while_waiting` runs after every GetChange poll (the rollout reads its gates there: traffic
        already moves while Route53 propagates); an exception from it ends the wait.
        `r53` replaces the default retry policy (a rollback retries for longer).
        """
        r53 = r53 or self.r53
        target = target or self.target(r53)
        before = target.weights
        comment = f"lego-traffic {action} {self.cfg.env}: {why}"
        if dry_run:
            return {
                "env": self.cfg.env,
                "action": action,
                "dry_run": True,
                "from": before.to_dict(),
                "to": weights.to_dict(),
                "zone_id": target.zone_id,
                "change_batch": r53.change_batch(target, weights, comment),
            }
        clock = self.deps.clock
        submitted_at = clock.now()
        change_id = r53.submit(target, weights, comment)
        self.reporter.progress(
            "submitted",
            f"{action}: {before} -> {weights}; change {change_id} submitted, waiting for INSYNC",
            change_id=change_id,
        )
        result: dict[str, Any] = {
            "env": self.cfg.env,
            "action": action,
            "from": before.to_dict(),
            "to": weights.to_dict(),
            "green_pct": weights.green_pct,
            "change_id": change_id,
            "submitted_at": iso(submitted_at),
            "why": why,
            **(extra or {}),
        }
        printed = {"at": -PROGRESS_EVERY_S}

        def on_poll(status: str, waited: float) -> None:
            if waited - printed["at"] >= PROGRESS_EVERY_S:
                printed["at"] = waited
                self.reporter.progress(
                    "waiting",
                    f"change {change_id} {status} for {waited:.0f} s",
                    change_id=change_id,
                    status=status,
                )
            if while_waiting is not None:
                while_waiting()

        try:
            insync_at = r53.wait_insync(
                change_id,
                timeout_s=self.insync_timeout_s,
                poll_s=self.insync_poll_s,
                progress=on_poll,
            )
        except Exception as exc:
            result["status"] = "PENDING"
            result["wait_ended_by"] = str(exc) or type(exc).__name__
            self.auditor.record(action, **_audit_fields(result))
            raise
        result.update(
            status="INSYNC",
            insync_at=iso(insync_at),
            insync_epoch_s=insync_at,
            seconds_to_insync=round(insync_at - submitted_at, 1),
        )
        result["tfvars"] = self._write_tfvars(weights)
        self.auditor.record(action, **_audit_fields(result))
        self.reporter.progress(
            "insync", f"{action}: change {change_id} INSYNC after {result['seconds_to_insync']:g} s"
        )
        return result

    def rollback(
        self, *, why: str, action: str = "rollback", extra: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """100 % blue now: no gate evaluation, same atomic batch, the fastest path we have.

        Every Route53 call retries transient failures (throttling, connection errors, timeouts)
        until insync_timeout_s has passed, not six times; what still fails raises
        RollbackFailedError, whose message says what to run.
        """
        r53 = self.r53.retrying_until(self.deps.clock.now() + self.insync_timeout_s)
        try:
            return self.shift(ALL_BLUE, why=why, action=action, extra=extra, r53=r53)
        except SyncTimeoutError as exc:
            raise RollbackFailedError(self._rollback_failed(str(exc))) from exc
        except (ClientError, BotoCoreError) as exc:
            retried = f" for {self.insync_timeout_s:g} s of retries" if is_transient(exc) else ""
            cause = f"Route53 answered {describe(exc)}{retried}"
            raise RollbackFailedError(self._rollback_failed(cause)) from exc

    def _rollback_failed(self, cause: str) -> str:
        env = self.cfg.env
        message = (
            f"ROLLBACK NOT CONFIRMED in {env}: {cause}. Traffic may still reach green. Run "
            f"`lego-traffic rollback --env {env}` now (safe to repeat; `lego-traffic status "
            f"--env {env}` shows the weights). If Route53 stays unreachable, set the "
            f"{self.cfg.record_name} records 'blue' to weight 100 and 'green' to 0 in the Route53 "
            f"console and write {self._rel(self.cfg.tfvars_file)} to match"
        )
        state = self.store.load()
        if state is not None and state.status == "rolling_back":
            message += (
                f". Rollout {state.rollout_id} is marked rolling back: `lego-traffic rollout "
                f"--env {env} --resume` finishes the rollback and never shifts forward"
            )
        return message

    def _write_tfvars(self, weights: Weights) -> str | None:
        path = self.cfg.tfvars_file
        try:
            write_tfvars(path, weights)
        except (InputError, OSError) as exc:
            self.reporter.warn(
                f"Route53 is at {weights} but {path} was not written ({exc}); write it by hand "
                f'as {{"blue_weight": {weights.blue}, "green_weight": {weights.green}}} '
                "before the next terraform apply, or it will undo this change"
            )
            return None
        return self._rel(path)


def _audit_fields(result: dict[str, Any]) -> dict[str, Any]:
    skip = {"env", "action", "insync_epoch_s"}
    return {k: v for k, v in result.items() if k not in skip}
