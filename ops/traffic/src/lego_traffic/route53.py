"""The two weighted records in Route53: find them, change both in one batch, wait for INSYNC."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError

from lego_traffic.errors import SyncTimeoutError, TargetError
from lego_traffic.retry import call_with_retry
from lego_traffic.weights import Weights

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_route53 import Route53Client
    from mypy_boto3_route53.type_defs import (
        ChangeBatchTypeDef,
        ChangeTypeDef,
        ResourceRecordSetOutputTypeDef,
    )

    from lego_traffic.clock import Clock

T = TypeVar("T")
COLOURS = ("blue", "green")


def fqdn(name: str) -> str:
    return name.lower().rstrip(".") + "."


@dataclass(frozen=True)
class Target:
    """Where the blue/green records live and what Terraform made them say."""

    zone_id: str
    zone_name: str
    record_name: str
    records: dict[str, ResourceRecordSetOutputTypeDef]  # colour -> record set as Route53 returns it

    @property
    def weights(self) -> Weights:
        return Weights(
            blue=int(self.records["blue"].get("Weight", 0)),
            green=int(self.records["green"].get("Weight", 0)),
        )

    def targets(self) -> dict[str, str]:
        return {
            colour: ",".join(r["Value"] for r in rs.get("ResourceRecords", []))
            for colour, rs in self.records.items()
        }

    def describe(self) -> dict[str, Any]:
        first = self.records["blue"]
        return {
            "zone_id": self.zone_id,
            "zone_name": self.zone_name,
            "record_name": self.record_name,
            "type": first["Type"],
            "ttl": first.get("TTL"),
            "targets": self.targets(),
        }


class Route53Traffic:
    """Reads and moves the weights of the two records; every call retried when transient."""

    def __init__(
        self,
        client: Route53Client,
        clock: Clock,
        on_retry: Callable[[str], None] | None = None,
        *,
        retry_until: float | None = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.on_retry = on_retry
        self.retry_until = retry_until

    def retrying_until(self, deadline: float) -> Route53Traffic:
        """The same records, each call retried until `deadline` (clock time), not six times."""
        return Route53Traffic(self.client, self.clock, self.on_retry, retry_until=deadline)

    def _call(self, fn: Callable[[], T]) -> T:
        return call_with_retry(
            self.clock, fn, service="Route53", on_retry=self.on_retry, until=self.retry_until
        )

    def resolve_zone(self, zone_id: str | None, zone_name: str | None) -> tuple[str, str]:
        """(zone id, zone name); a zone id that does not exist or an ambiguous name is refused."""
        if zone_id:
            bare = zone_id.removeprefix("/hostedzone/")
            try:
                zone = self._call(lambda: self.client.get_hosted_zone(Id=bare))["HostedZone"]
            except ClientError as exc:
                if exc.response["Error"]["Code"] in ("NoSuchHostedZone", "InvalidInput"):
                    raise TargetError(
                        f"hosted zone {zone_id!r} does not exist in this account "
                        f"({exc.response['Error']['Code']}); check zone_id (terraform output) - "
                        "weights untouched"
                    ) from None
                raise
            return bare, zone["Name"]
        assert zone_name is not None
        name = fqdn(zone_name)
        zones = self._call(lambda: self.client.list_hosted_zones_by_name(DNSName=name))
        matches = [z for z in zones["HostedZones"] if z["Name"] == name]
        if not matches:
            raise TargetError(f"no hosted zone named {name} in this account - weights untouched")
        if len(matches) > 1:
            ids = ", ".join(z["Id"].removeprefix("/hostedzone/") for z in matches)
            raise TargetError(
                f"{len(matches)} hosted zones are named {name} ({ids}); set zone_id - "
                "weights untouched"
            )
        return matches[0]["Id"].removeprefix("/hostedzone/"), name

    def read_target(self, zone_id: str, zone_name: str, record_name: str) -> Target:
        """The blue and green weighted records of `record_name`; anything else is refused."""
        name = fqdn(record_name)
        if not name.endswith("." + zone_name) and name != zone_name:
            raise TargetError(f"record {name} is not inside zone {zone_name} - weights untouched")
        page = self._call(
            lambda: self.client.list_resource_record_sets(
                HostedZoneId=zone_id, StartRecordName=name, MaxItems="20"
            )
        )
        found = [
            rs
            for rs in page["ResourceRecordSets"]
            if fqdn(rs["Name"]) == name and rs["Type"] in ("CNAME", "A", "AAAA")
        ]
        by_id = {rs.get("SetIdentifier"): rs for rs in found}
        missing = [c for c in COLOURS if c not in by_id or "Weight" not in by_id[c]]
        if missing:
            have = sorted(str(k) for k in by_id) or ["no records"]
            raise TargetError(
                f"{name} in zone {zone_id} lacks weighted record(s) {missing} (found: "
                f"{', '.join(have)}); terraform/modules/traffic must create set identifiers "
                "'blue' and 'green' - weights untouched"
            )
        if by_id["blue"]["Type"] != by_id["green"]["Type"]:
            raise TargetError(f"{name}: blue and green records differ in type - weights untouched")
        return Target(zone_id, zone_name, name, {c: by_id[c] for c in COLOURS})

    def adoption(
        self, zone_id: str, zone_name: str, record_name: str, legacy_target: str, ttl: int
    ) -> tuple[ChangeBatchTypeDef | None, str]:
        """The ChangeBatch that turns a plain `record_name` into the weighted `blue` record.

        Route53 refuses a weighted CNAME beside a plain record of the same name, so the first
        apply cannot create blue and green while the legacy `api.<zone>` record exists. One
        batch deletes the plain record(s) and creates blue (weight 100, the same target), so
        resolution never has a gap; Terraform then takes blue over (allow_overwrite) and adds
        green at weight 0. Returns (None, why) when there is nothing to adopt.
        """
        name = fqdn(record_name)
        if not name.endswith("." + zone_name) and name != zone_name:
            raise TargetError(f"record {name} is not inside zone {zone_name} - nothing changed")
        page = self._call(
            lambda: self.client.list_resource_record_sets(
                HostedZoneId=zone_id, StartRecordName=name, MaxItems="20"
            )
        )
        mine = [rs for rs in page["ResourceRecordSets"] if fqdn(rs["Name"]) == name]
        plain = [
            rs for rs in mine if "SetIdentifier" not in rs and rs["Type"] in ("CNAME", "A", "AAAA")
        ]
        if not plain:
            weighted = sorted(str(rs.get("SetIdentifier")) for rs in mine if "SetIdentifier" in rs)
            why = (
                f"{name} is already weighted ({', '.join(weighted)})"
                if weighted
                else f"{name} does not exist: terraform apply creates blue and green"
            )
            return None, why
        targets = {_plain_target(rs) for rs in plain}
        if len(targets) != 1:
            raise TargetError(
                f"{name} has plain records pointing at different targets {sorted(targets)} - "
                "nothing changed"
            )
        target = targets.pop()
        if fqdn(target) != fqdn(legacy_target):
            raise TargetError(
                f"{name} points at {target}, not at the legacy target {legacy_target} "
                "(dns.legacy_target in <env>.tfvars); fix one of them first - nothing changed"
            )
        changes: list[ChangeTypeDef] = [
            {"Action": "DELETE", "ResourceRecordSet": copy.deepcopy(rs)} for rs in plain
        ]
        changes.append(
            {
                "Action": "CREATE",
                "ResourceRecordSet": {
                    "Name": name,
                    "Type": "CNAME",
                    "SetIdentifier": "blue",
                    "Weight": 100,
                    "TTL": ttl,
                    "ResourceRecords": [{"Value": target.rstrip(".")}],
                },
            }
        )
        comment = f"lego-traffic adopt: {name} becomes the weighted blue record"
        return {"Comment": comment, "Changes": changes}, f"{name} -> blue (weight 100) {target}"

    def submit_batch(self, zone_id: str, batch: ChangeBatchTypeDef) -> str:
        answer = self._call(
            lambda: self.client.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch=batch)
        )
        return answer["ChangeInfo"]["Id"].removeprefix("/change/")

    @staticmethod
    def change_batch(target: Target, weights: Weights, comment: str) -> ChangeBatchTypeDef:
        """UPSERT both records, copied as Terraform made them, with only Weight changed."""
        changes: list[ChangeTypeDef] = []
        for colour in COLOURS:
            record: Any = copy.deepcopy(target.records[colour])
            record["Weight"] = getattr(weights, colour)
            changes.append({"Action": "UPSERT", "ResourceRecordSet": record})
        return {"Comment": comment[:256], "Changes": changes}

    def submit(self, target: Target, weights: Weights, comment: str) -> str:
        """One atomic ChangeBatch for both records; returns the change id."""
        batch = self.change_batch(target, weights, comment)
        answer = self._call(
            lambda: self.client.change_resource_record_sets(
                HostedZoneId=target.zone_id, ChangeBatch=batch
            )
        )
        return answer["ChangeInfo"]["Id"].removeprefix("/change/")

    def change_status(self, change_id: str) -> str:
        return self._call(lambda: self.client.get_change(Id=change_id))["ChangeInfo"]["Status"]

    def wait_insync(
        self,
        change_id: str,
        *,
        timeout_s: float,
        poll_s: float,
        progress: Callable[[str, float], None] | None = None,
    ) -> float:
        """Poll GetChange until INSYNC; returns the clock time it was seen INSYNC."""
        started = self.clock.now()
        while True:
            status = self.change_status(change_id)
            now = self.clock.now()
            if status == "INSYNC":
                return now
            waited = now - started
            if waited >= timeout_s:
                raise SyncTimeoutError(
                    f"change {change_id} still {status} after {waited:.0f} s; Route53 has the "
                    f"change and will apply it - check with `lego-traffic status`"
                )
            if progress is not None:
                progress(status, waited)
            self.clock.sleep(min(poll_s, timeout_s - waited))


def _plain_target(record: ResourceRecordSetOutputTypeDef) -> str:
    """The hostname a plain record sends clients to: its CNAME value or its alias target."""
    if record["Type"] == "CNAME":
        return ",".join(r["Value"] for r in record.get("ResourceRecords", [])).rstrip(".")
    alias = record.get("AliasTarget")
    if alias is None:
        raise TargetError(
            f"{record['Name']} is a plain {record['Type']} record of IP addresses; a weighted "
            "CNAME needs a hostname: point dns.legacy_target at the legacy load balancer's "
            "name and make the record an alias or CNAME first - nothing changed"
        )
    return alias["DNSName"].rstrip(".").removeprefix("dualstack.")
