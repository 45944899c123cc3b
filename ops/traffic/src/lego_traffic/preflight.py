"""lego-preflight: what an AWS account needs before an env's first `terraform apply` (reads only).

`make preflight ENV=<env>` (issue 20 item 13) reads the env's values from
terraform/envs/<env>/<env>.tfvars and the functions map of terraform/modules/stack, asks AWS
(read-only calls) and prints one line per check with what to do for each miss. Exit 0 when
nothing blocks the apply, 1 when something does, 2 on bad input.

Checks: the OpenSearch service-linked role; the Lambda concurrency quota against the reserved
(and, where on, provisioned) concurrency the env asks for; the hosted zone and what `api.<zone>`
is today (a plain record must be adopted first); the legacy Cognito pool and client, its domain
(a pool with a domain is incompatible with PrivateLink, so profile's admin calls need
`network.cognito_via_nat`) and its email sender (Cognito's default sender caps the pool at about
50 emails a day: DEVELOPER with a verified SES identity); the availability zone ids; whether
Billing knows the `Environment` tag key (activation fails until it does; a warning only).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from lego_traffic.config import find_root

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

OPENSEARCH_SLR = "AWSServiceRoleForAmazonOpenSearchService"
MIN_UNRESERVED = 100  # Lambda keeps at least 100 unreserved concurrent executions per account
ENDPOINT_SERVICES = ("secretsmanager", "lambda", "xray", "cognito-idp")


@dataclass(frozen=True)
class EnvValues:
    """What preflight needs from <env>.tfvars and the stack's functions map."""

    env: str
    region: str
    hosted_zone_id: str | None
    hosted_zone_name: str
    api_domain_name: str
    legacy_target: str
    user_pool_id: str | None
    user_pool_client_id: str | None
    zone_ids: list[str]
    reserved_concurrency: int
    cognito_via_nat: bool = False


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok, miss (blocks the apply), warn
    detail: str
    todo: str = ""


def _strip_comments(text: str) -> str:
    return "\n".join(re.sub(r'\s*#[^"\n]*$', "", line) for line in text.splitlines())


def _string(text: str, key: str) -> str | None:
    found = re.search(rf'\b{key}\s*=\s*"([^"]*)"', text)
    return found.group(1) if found else None


def read_env(root: Path, env: str) -> EnvValues:
    """The env's values; tfvars hold a small HCL subset, read by pattern (no HCL parser here)."""
    path = root / "terraform/envs" / env / f"{env}.tfvars"
    if not path.is_file():
        raise ValueError(f"{path} does not exist (--env dev, staging or production)")
    text = _strip_comments(path.read_text())
    dns = re.search(r"\bdns\s*=\s*\{(.*?)\n\}", text, re.S)
    pool = re.search(r"\bexisting_user_pool\s*=\s*\{(.*?)\}", text, re.S)
    zones = re.search(r"\bavailability_zone_ids\s*=\s*\[([^\]]*)\]", text)
    provisioned = re.search(r"\benable_provisioned_concurrency\s*=\s*(true|false)", text)
    network = re.search(r"\bnetwork\s*=\s*\{(.*?)\n\}", text, re.S)
    via_nat = network and re.search(r"\bcognito_via_nat\s*=\s*(true|false)", network.group(1))
    if dns is None or zones is None:
        raise ValueError(f"{path}: no dns object or network.availability_zone_ids")
    values = {k: _string(dns.group(1), k) for k in ("hosted_zone_name", "api_domain_name")}
    if None in values.values() or _string(dns.group(1), "legacy_target") is None:
        raise ValueError(f"{path}: dns needs hosted_zone_name, api_domain_name, legacy_target")
    return EnvValues(
        env=env,
        region=_string(text, "region") or "us-east-1",
        hosted_zone_id=_string(dns.group(1), "hosted_zone_id"),
        hosted_zone_name=str(values["hosted_zone_name"]),
        api_domain_name=str(values["api_domain_name"]),
        legacy_target=str(_string(dns.group(1), "legacy_target")),
        user_pool_id=_string(pool.group(1), "id") if pool else None,
        user_pool_client_id=_string(pool.group(1), "client_id") if pool else None,
        zone_ids=re.findall(r'"([^"]+)"', zones.group(1)),
        reserved_concurrency=stack_concurrency(
            root, provisioned=bool(provisioned and provisioned.group(1) == "true")
        ),
        cognito_via_nat=bool(via_nat and via_nat.group(1) == "true"),
    )


def stack_concurrency(root: Path, *, provisioned: bool) -> int:
    """Concurrency the stack's functions take out of the unreserved pool: each function's
    reserved concurrency, plus provisioned concurrency of functions without a reservation when
    the env keeps them warm."""
    text = (root / "terraform/modules/stack/variables.tf").read_text()
    block = text[text.index('variable "functions"') :]
    block = block[block.index("default = {") : block.index("\n  nullable")]
    total = 0
    for entry in re.finditer(r"^    (\w+) = \{(.*?)^    \}", block, re.M | re.S):
        body = entry.group(2)
        reserved = re.search(r"\breserved_concurrency\s*=\s*(\d+)", body)
        warm = re.search(r"\bprovisioned_concurrency\s*=\s*(\d+)", body)
        if reserved:
            total += int(reserved.group(1))
        elif provisioned and warm:
            total += int(warm.group(1))
    return total


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def check_opensearch_role(iam: Any) -> Check:
    # Found by path, not name: the role of opensearchservice.amazonaws.com, or the older one of
    # es.amazonaws.com, which OpenSearch Service also accepts.
    for service in ("opensearchservice.amazonaws.com", "es.amazonaws.com"):
        roles = iam.list_roles(PathPrefix=f"/aws-service-role/{service}/")["Roles"]
        if roles:
            return Check("opensearch service-linked role", "ok", f"{roles[0]['RoleName']} exists")
    return Check(
        "opensearch service-linked role",
        "miss",
        f"{OPENSEARCH_SLR} does not exist; a VPC domain cannot be created without it",
        "aws iam create-service-linked-role --aws-service-name opensearchservice.amazonaws.com",
    )


def check_lambda_concurrency(lambda_: Any, wanted: int) -> Check:
    limits = lambda_.get_account_settings()["AccountLimit"]
    total = int(limits["ConcurrentExecutions"])
    unreserved = int(limits["UnreservedConcurrentExecutions"])
    left = unreserved - wanted
    detail = (
        f"account limit {total}, unreserved {unreserved}; the env reserves {wanted} "
        f"-> {left} left (Lambda keeps >= {MIN_UNRESERVED})"
    )
    if left < MIN_UNRESERVED:
        need = total + (MIN_UNRESERVED - left)
        return Check(
            "lambda concurrency",
            "miss",
            detail,
            f"request a Lambda 'Concurrent executions' quota of at least {need} (Service Quotas "
            "L-B99A9384); new accounts often start at 10",
        )
    return Check("lambda concurrency", "ok", detail)


def check_zone_and_record(route53: Any, values: EnvValues) -> list[Check]:
    if not values.hosted_zone_id:
        return [Check("hosted zone", "miss", "dns.hosted_zone_id is not set", "set it in tfvars")]
    try:
        zone = route53.get_hosted_zone(Id=values.hosted_zone_id)["HostedZone"]
    except ClientError as exc:
        if _code(exc) not in ("NoSuchHostedZone", "InvalidInput"):
            raise
        return [
            Check(
                "hosted zone",
                "miss",
                f"{values.hosted_zone_id} does not exist in this account",
                f"create the zone {values.hosted_zone_name} or fix dns.hosted_zone_id",
            )
        ]
    name = zone["Name"].rstrip(".")
    if name != values.hosted_zone_name.rstrip("."):
        return [
            Check(
                "hosted zone",
                "miss",
                f"{values.hosted_zone_id} is {name}, not {values.hosted_zone_name}",
                "fix dns.hosted_zone_id or dns.hosted_zone_name",
            )
        ]
    checks = [Check("hosted zone", "ok", f"{values.hosted_zone_id} is {name}")]
    record = values.api_domain_name.rstrip(".") + "."
    sets = route53.list_resource_record_sets(
        HostedZoneId=values.hosted_zone_id, StartRecordName=record, MaxItems="20"
    )["ResourceRecordSets"]
    mine = [rs for rs in sets if rs["Name"].lower() == record.lower()]
    plain = [rs for rs in mine if "SetIdentifier" not in rs]
    if plain:
        kinds = ", ".join(rs["Type"] for rs in plain)
        checks.append(
            Check(
                "api record",
                "miss",
                f"{record} is a plain record ({kinds}); Route53 refuses the weighted records "
                "beside it",
                f"lego-traffic adopt --env {values.env} --legacy-target {values.legacy_target}",
            )
        )
    elif mine:
        ids = ", ".join(sorted(str(rs["SetIdentifier"]) for rs in mine))
        checks.append(Check("api record", "ok", f"{record} is already weighted ({ids})"))
    else:
        checks.append(Check("api record", "ok", f"{record} does not exist; apply creates it"))
    return checks


def check_user_pool(cognito: Any, ses: Any, values: EnvValues) -> list[Check]:
    if values.user_pool_id is None:
        return [Check("legacy user pool", "ok", "none named: the stack creates a pool (dev)")]
    try:
        pool = cognito.describe_user_pool(UserPoolId=values.user_pool_id)["UserPool"]
        if values.user_pool_client_id:
            cognito.describe_user_pool_client(
                UserPoolId=values.user_pool_id, ClientId=values.user_pool_client_id
            )
    except ClientError as exc:
        if _code(exc) != "ResourceNotFoundException":
            raise
        return [
            Check(
                "legacy user pool",
                "miss",
                f"pool {values.user_pool_id} / client {values.user_pool_client_id} not found in "
                f"{values.region}: green would trust an issuer no token comes from",
                "set existing_user_pool to the legacy pool's id and web client id",
            )
        ]
    return [_pool_route(pool, values), _pool_email(pool, ses, values)]


def _pool_route(pool: dict[str, Any], values: EnvValues) -> Check:
    """How profile's admin calls reach the pool: AWS PrivateLink does not support a user pool
    with a domain (Cognito guide, "Access Amazon Cognito using an interface endpoint"), so such a
    pool needs the NAT path of network.cognito_via_nat."""
    domain = pool.get("CustomDomain") or pool.get("Domain")
    tfvars = f"terraform/envs/{values.env}/{values.env}.tfvars"
    if domain and values.cognito_via_nat:
        return Check(
            "legacy user pool",
            "ok",
            f"pool {values.user_pool_id} has the domain {domain}; network.cognito_via_nat is on, "
            "so profile reaches Cognito through the NAT gateway",
        )
    if domain:
        return Check(
            "legacy user pool",
            "miss",
            f"pool {values.user_pool_id} has the domain {domain}: a pool with a domain is "
            "incompatible with PrivateLink, so profile's admin calls through the cognito-idp "
            "VPC endpoint would not complete",
            f"set network.cognito_via_nat = true in {tfvars} (profile's Cognito calls then go "
            "through a NAT gateway and the cognito-idp endpoint is dropped), or delete the "
            "domain if nothing signs in through it any more",
        )
    if values.cognito_via_nat:
        return Check(
            "legacy user pool",
            "warn",
            f"pool {values.user_pool_id} has no domain, yet network.cognito_via_nat is on: the "
            "NAT gateway is not needed",
            f"set network.cognito_via_nat = false in {tfvars} to use the cognito-idp endpoint",
        )
    return Check("legacy user pool", "ok", f"pool {values.user_pool_id} found, no domain")


def _pool_email(pool: dict[str, Any], ses: Any, values: EnvValues) -> Check:
    """The stack does not manage the legacy pool, so its SES sender is checked here: Cognito's
    default sender (COGNITO_DEFAULT) caps the pool at about 50 emails a day."""
    email = pool.get("EmailConfiguration") or {}
    account = email.get("EmailSendingAccount", "COGNITO_DEFAULT")
    source = str(email.get("SourceArn") or "")
    todo = (
        "switch the legacy pool to DEVELOPER with a verified SES identity (README, 'First apply "
        "to a real account': the update-user-pool step); update-user-pool resets every setting "
        "it is not given, so pass the pool's current settings with it"
    )
    if account != "DEVELOPER" or not source:
        return Check(
            "legacy pool email",
            "miss",
            f"pool {values.user_pool_id} sends with Cognito's default sender ({account}): about "
            "50 emails a day for the account, then sign-up codes and password resets stop",
            todo,
        )
    identity = source.rsplit("identity/", 1)[-1]
    if source.split(":")[3] != values.region:
        return Check(
            "legacy pool email",
            "warn",
            f"pool {values.user_pool_id} sends as SES identity {identity} in another region; "
            "its verification is not checked here",
        )
    attributes = ses.get_identity_verification_attributes(Identities=[identity])
    status = attributes["VerificationAttributes"].get(identity, {}).get("VerificationStatus")
    if status != "Success":
        return Check(
            "legacy pool email",
            "miss",
            f"pool {values.user_pool_id} sends as SES identity {identity}, which is not "
            f"verified ({status or 'unknown to SES'})",
            f"verify {identity} in SES {values.region} (and leave the SES sandbox) before the "
            "cutover",
        )
    return Check(
        "legacy pool email",
        "ok",
        f"pool {values.user_pool_id} sends through SES as {identity} (verified)",
    )


def check_zone_ids(ec2: Any, values: EnvValues) -> Check:
    zones = ec2.describe_availability_zones(
        Filters=[{"Name": "zone-type", "Values": ["availability-zone"]}]
    )["AvailabilityZones"]
    names = {z["ZoneId"]: z["ZoneName"] for z in zones if z.get("State") == "available"}
    unknown = [z for z in values.zone_ids if z not in names]
    if unknown:
        return Check(
            "availability zone ids",
            "miss",
            f"{unknown} are not available zone ids in {values.region} (have: "
            f"{', '.join(sorted(names))})",
            "set network.availability_zone_ids to zone ids of this region (use1-az1, not names)",
        )
    lacking: list[str] = []
    for service in ENDPOINT_SERVICES:
        full = f"com.amazonaws.{values.region}.{service}"
        try:
            found = ec2.describe_vpc_endpoint_services(ServiceNames=[full])["ServiceDetails"]
        except (ClientError, NotImplementedError):
            continue  # not answerable here: the apply will tell
        offered = {az for detail in found for az in detail.get("AvailabilityZones", [])}
        lacking += [
            f"{service}@{z}" for z in values.zone_ids if offered and names[z] not in offered
        ]
    if lacking:
        return Check(
            "availability zone ids",
            "miss",
            f"interface endpoints not offered in: {', '.join(lacking)}",
            "choose other zone ids for network.availability_zone_ids",
        )
    pairs = ", ".join(f"{z}={names[z]}" for z in values.zone_ids)
    return Check("availability zone ids", "ok", f"{pairs}; endpoints offered in each")


def check_cost_tag(ce: Any) -> Check:
    try:
        tags = ce.list_cost_allocation_tags(TagKeys=["Environment"])["CostAllocationTags"]
    except (ClientError, BotoCoreError, NotImplementedError) as exc:  # a warning only
        return Check("cost allocation tag", "warn", f"could not read it ({exc})")
    if not tags:
        return Check(
            "cost allocation tag",
            "warn",
            "Billing has not seen the Environment tag key yet: aws_ce_cost_allocation_tag "
            "fails until it has (up to 24 h after the first tagged resource)",
            "apply; if only that resource fails, apply again the next day",
        )
    return Check("cost allocation tag", "ok", f"Environment is {tags[0].get('Status')}")


def run_checks(values: EnvValues, client: Callable[[str], Any]) -> list[Check]:
    return [
        check_opensearch_role(client("iam")),
        check_lambda_concurrency(client("lambda"), values.reserved_concurrency),
        *check_zone_and_record(client("route53"), values),
        *check_user_pool(client("cognito-idp"), client("ses"), values),
        check_zone_ids(client("ec2"), values),
        check_cost_tag(client("ce")),
    ]


def main(
    argv: Sequence[str] | None = None,
    *,
    client: Callable[[str], Any] | None = None,
    stdout: Any = None,
) -> int:
    parser = argparse.ArgumentParser(prog="lego-preflight", description=__doc__.split("\n")[0])
    parser.add_argument("--env", required=True, help="dev, staging or production")
    parser.add_argument("--root", help="repo root (default: found from cwd)")
    parser.add_argument("--json", action="store_true", help="checks as JSON")
    args = parser.parse_args(argv)
    out = stdout or sys.stdout
    try:
        values = read_env(find_root(args.root), args.env)
    except (ValueError, OSError) as exc:
        print(f"preflight: {exc}", file=sys.stderr)
        return 2
    if client is None:
        import boto3

        session = boto3.Session(region_name=values.region)

        def client(service: str) -> Any:
            return session.client(service)  # type: ignore[call-overload]

    try:
        checks = run_checks(values, client)
    except (ClientError, BotoCoreError) as exc:
        print(f"preflight: AWS call failed: {exc}", file=sys.stderr)
        return 1
    if args.json:
        out.write(json.dumps([asdict(c) for c in checks], indent=2) + "\n")
    else:
        for c in checks:
            out.write(f"{c.status.upper():4}  {c.name}: {c.detail}\n")
            if c.todo and c.status != "ok":
                out.write(f"      -> {c.todo}\n")
    return 1 if any(c.status == "miss" for c in checks) else 0


if __name__ == "__main__":
    raise SystemExit(main())
