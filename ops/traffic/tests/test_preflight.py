"""lego-preflight against moto (issue 20 item 13): every check reads only, names each miss and
what to do, and passes on an account prepared as the first-apply steps say."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from lego_traffic.preflight import check_user_pool, main, read_env

if TYPE_CHECKING:
    from collections.abc import Iterator

REPO = Path(__file__).resolve().parents[3]

TFVARS = """
stage  = "production"
region = "us-east-1"

network = {
  cidr_block            = "10.40.0.0/16"
  availability_zone_ids = [%(zones)s] # ids, not names
  cognito_via_nat       = %(nat)s
}

enable_provisioned_concurrency = true

dns = {
  api_domain_name  = "api.lego-moc.example.com"
  hosted_zone_name = "lego-moc.example.com"
  hosted_zone_id   = "%(zone_id)s"
  legacy_target    = "legacy-api.lego-moc.example.com"
}

create_user_pool = false
existing_user_pool = {
  id        = "%(pool_id)s"
  client_id = "%(client_id)s"
}
"""


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def _root(tmp_path: Path, nat: str = "false", **values: str) -> Path:
    (tmp_path / "terraform/modules/stack").mkdir(parents=True)
    shutil.copy(REPO / "terraform/modules/stack/variables.tf", tmp_path / "terraform/modules/stack")
    env_dir = tmp_path / "terraform/envs/production"
    env_dir.mkdir(parents=True)
    (env_dir / "production.tfvars").write_text(TFVARS % {**values, "nat": nat})
    return tmp_path


class _LambdaLimits:
    """moto does not implement GetAccountSettings; this answers it as Lambda does."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def get_account_settings(self) -> dict[str, Any]:
        return {
            "AccountLimit": {
                "ConcurrentExecutions": self.limit,
                "UnreservedConcurrentExecutions": self.limit,
            }
        }


def _client(service: str) -> Any:
    return boto3.client(service, region_name="us-east-1")


def _run(root: Path, lambda_limit: int = 1000) -> tuple[int, dict[str, dict[str, str]]]:
    def client(service: str) -> Any:
        return _LambdaLimits(lambda_limit) if service == "lambda" else _client(service)

    out = io.StringIO()
    code = main(["--env", "production", "--root", str(root), "--json"], client=client, stdout=out)
    return code, {c["name"]: c for c in json.loads(out.getvalue())}


SES_IDENTITY = "arn:aws:ses:us-east-1:123456789012:identity/lego-moc.example.com"


def _account(*, plain_record: bool, domain: bool, email: str = "verified") -> dict[str, str]:
    """email: verified (DEVELOPER, identity verified in SES), unverified (DEVELOPER, identity
    unknown to SES) or default (COGNITO_DEFAULT)."""
    route53 = _client("route53")
    zone_id = route53.create_hosted_zone(Name="lego-moc.example.com", CallerReference="pf")[
        "HostedZone"
    ]["Id"].removeprefix("/hostedzone/")
    if plain_record:
        record = {
            "Name": "api.lego-moc.example.com",
            "Type": "CNAME",
            "TTL": 300,
            "ResourceRecords": [{"Value": "legacy-api.lego-moc.example.com"}],
        }
        route53.change_resource_record_sets(
            HostedZoneId=zone_id,
            ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": record}]},
        )
    cognito = _client("cognito-idp")
    sender: dict[str, Any] = {}
    if email != "default":
        sender["EmailConfiguration"] = {
            "EmailSendingAccount": "DEVELOPER",
            "SourceArn": SES_IDENTITY,
            "From": "no-reply@lego-moc.example.com",
        }
    if email == "verified":
        _client("ses").verify_domain_identity(Domain="lego-moc.example.com")
    pool_id = cognito.create_user_pool(PoolName="legacy", **sender)["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")[
        "UserPoolClient"
    ]["ClientId"]
    if domain:
        cognito.create_user_pool_domain(Domain="legacy-login", UserPoolId=pool_id)
    return {"zone_id": zone_id, "pool_id": pool_id, "client_id": client_id}


def test_prepared_account_passes(aws: None, tmp_path: Path) -> None:
    _client("iam").create_service_linked_role(AWSServiceName="opensearchservice.amazonaws.com")
    ids = _account(plain_record=False, domain=False)
    root = _root(tmp_path, zones='"use1-az1", "use1-az2", "use1-az4"', **ids)

    code, checks = _run(root)

    assert code == 0, checks
    assert {c["status"] for n, c in checks.items() if n != "cost allocation tag"} == {"ok"}
    assert "use1-az1=us-east-1b" in checks["availability zone ids"]["detail"]


def test_each_miss_is_named_with_what_to_do(aws: None, tmp_path: Path) -> None:
    ids = _account(plain_record=True, domain=True)
    root = _root(tmp_path, zones='"us-east-1a", "use1-az2"', **ids)

    code, checks = _run(root, lambda_limit=10)

    assert code == 1
    assert checks["lambda concurrency"]["status"] == "miss"
    assert "at least 109" in checks["lambda concurrency"]["todo"]  # 9 reserved + 100 kept free
    assert checks["opensearch service-linked role"]["status"] == "miss"
    assert "create-service-linked-role" in checks["opensearch service-linked role"]["todo"]
    assert checks["api record"]["status"] == "miss"
    assert checks["api record"]["todo"] == (
        "lego-traffic adopt --env production --legacy-target legacy-api.lego-moc.example.com"
    )
    assert checks["legacy user pool"]["status"] == "miss"
    assert "PrivateLink" in checks["legacy user pool"]["detail"]
    assert checks["availability zone ids"]["status"] == "miss"
    assert "us-east-1a" in checks["availability zone ids"]["detail"]


def test_missing_zone_and_pool(aws: None, tmp_path: Path) -> None:
    root = _root(
        tmp_path,
        zones='"use1-az1", "use1-az2"',
        zone_id="Z0000000000NOTHERE",
        pool_id="us-east-1_Missing",
        client_id="nope",
    )

    code, checks = _run(root)

    assert code == 1
    assert checks["hosted zone"]["status"] == "miss"
    assert checks["legacy user pool"]["status"] == "miss"


def test_reads_the_committed_production_values() -> None:
    values = read_env(REPO, "production")

    assert values.zone_ids == ["use1-az1", "use1-az2", "use1-az4"]
    assert values.user_pool_id is not None
    assert values.hosted_zone_name == "lego-moc.example.com"
    # health reserves 5; production keeps mocs and gallery warm (2 + 2, no reservation)
    assert values.reserved_concurrency == 9
    assert read_env(REPO, "dev").reserved_concurrency == 5


# Issue 20 item 4: a legacy pool with a domain cannot be reached through the cognito-idp endpoint;
# preflight names the input that gives profile a path (network.cognito_via_nat).
def test_pool_with_a_domain_asks_for_the_nat_path(aws: None, tmp_path: Path) -> None:
    ids = _account(plain_record=False, domain=True)
    root = _root(tmp_path, zones='"use1-az1", "use1-az2"', **ids)

    code, checks = _run(root)

    assert code == 1
    pool = checks["legacy user pool"]
    assert pool["status"] == "miss"
    assert "legacy-login" in pool["detail"]
    assert pool["todo"].startswith(
        "set network.cognito_via_nat = true in terraform/envs/production/production.tfvars"
    )


def test_pool_with_a_domain_passes_once_cognito_goes_through_the_nat(
    aws: None, tmp_path: Path
) -> None:
    _client("iam").create_service_linked_role(AWSServiceName="opensearchservice.amazonaws.com")
    ids = _account(plain_record=False, domain=True)
    root = _root(tmp_path, nat="true", zones='"use1-az1", "use1-az2"', **ids)

    code, checks = _run(root)

    assert code == 0, checks
    assert checks["legacy user pool"]["status"] == "ok"
    assert "cognito_via_nat is on" in checks["legacy user pool"]["detail"]


def test_nat_without_a_domain_is_a_warning(aws: None, tmp_path: Path) -> None:
    ids = _account(plain_record=False, domain=False)
    root = _root(tmp_path, nat="true", zones='"use1-az1", "use1-az2"', **ids)

    _, checks = _run(root)

    assert checks["legacy user pool"]["status"] == "warn"
    assert "cognito_via_nat = false" in checks["legacy user pool"]["todo"]


# Issue 20 item 10: the stack does not manage the legacy pool, so preflight reads its sender.
def test_default_cognito_sender_fails_with_the_switch_to_ses(aws: None, tmp_path: Path) -> None:
    ids = _account(plain_record=False, domain=False, email="default")
    root = _root(tmp_path, zones='"use1-az1", "use1-az2"', **ids)

    code, checks = _run(root)

    assert code == 1
    email = checks["legacy pool email"]
    assert email["status"] == "miss"
    assert "COGNITO_DEFAULT" in email["detail"]
    assert "50 emails a day" in email["detail"]
    assert "DEVELOPER" in email["todo"]
    assert "resets every setting" in email["todo"]


def test_unverified_ses_identity_fails(aws: None, tmp_path: Path) -> None:
    ids = _account(plain_record=False, domain=False, email="unverified")
    root = _root(tmp_path, zones='"use1-az1", "use1-az2"', **ids)

    code, checks = _run(root)

    assert code == 1
    email = checks["legacy pool email"]
    assert email["status"] == "miss"
    assert "lego-moc.example.com" in email["detail"]
    assert "not verified" in email["detail"]


def test_verified_ses_sender_passes(aws: None, tmp_path: Path) -> None:
    ids = _account(plain_record=False, domain=False, email="verified")
    root = _root(tmp_path, zones='"use1-az1", "use1-az2"', **ids)

    _, checks = _run(root)

    assert checks["legacy pool email"]["status"] == "ok"
    assert "verified" in checks["legacy pool email"]["detail"]


def test_dev_creates_its_pool_so_no_legacy_pool_checks() -> None:
    values = read_env(REPO, "dev")

    checks = check_user_pool(cognito=None, ses=None, values=values)

    assert [(c.name, c.status) for c in checks] == [("legacy user pool", "ok")]
    assert not values.cognito_via_nat
