"""The capacity model of docs/capacity.md against what production deploys: the reserved
concurrency and proxy settings of terraform/envs/production/production.tfvars, the stack's
function defaults, the API's throttles and the database module's pool. Pure: it reads files.

Each inequality of the model is one entry of `violations()`; the first test wants none, the
second breaks production one value at a time and wants the matching violation, so the model
cannot pass by checking nothing.
"""

from __future__ import annotations

import copy
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
import pytest

from lego_gateway.loadtest import ROUTE_MIX

ROOT = Path(__file__).resolve().parents[1]
TFVARS = ROOT / "terraform/envs/production/production.tfvars"
STACK_VARIABLES = ROOT / "terraform/modules/stack/variables.tf"
STACK_MAIN = ROOT / "terraform/modules/stack/main.tf"
API_VARIABLES = ROOT / "terraform/modules/api/variables.tf"
DATABASE_MAIN = ROOT / "terraform/modules/database/main.tf"
ROUTES_FILE = ROOT / "functions/routes.json"

# --- the model's inputs (docs/capacity.md "Inputs") ---------------------------------------------
SPIKE_RPS = 500  # seed 001 "Blue/Green Deployment Plan": 500 RPS spike
PESSIMISTIC_DURATION_S = 0.5  # seed 001 "Cost Model": average 500 ms
MIX_HEADROOM = 1.2  # the spike's mix may shift from the load run's by a fifth
ACCOUNT_CONCURRENCY = 1000  # Lambda's default regional quota
UNRESERVED_MINIMUM = 100  # Lambda keeps 100 of it for functions without a reservation
SCALING_PER_10_S = 1000  # new execution environments per function every 10 s
API_GATEWAY_TIMEOUT_S = 30  # HTTP API integration timeout
# DBInstanceClassMemory is below the class's RAM (RDS keeps some for itself); 90 % of it is a
# floor (db.r4.large shows 97 %). max_connections = LEAST(DBInstanceClassMemory/9531392, 5000).
INSTANCE_MEMORY_GIB = {"db.r6g.large": 16}
USABLE_MEMORY_SHARE = 0.9
DIRECT_SESSIONS_MIN = 50  # outside the proxy: rdsadmin, a break-glass psql, monitoring
MIGRATE_CONNECTIONS = 1  # the migrate function runs once per apply, unreserved
REDIS_MAX_CLIENTS = 65_000  # per ElastiCache node


def _hcl(path: Path) -> dict[str, Any]:
    options = hcl2.SerializationOptions(strip_string_quotes=True, with_comments=False)
    with path.open() as handle:
        parsed: dict[str, Any] = hcl2.load(handle, serialization_options=options)
    return parsed


def _variable_default(path: Path, name: str) -> Any:
    for block in _hcl(path)["variable"]:
        if name in block:
            return block[name]["default"]
    raise LookupError(f"no variable {name} in {path}")


def _number_in(path: Path, pattern: str) -> int:
    found = re.search(pattern, path.read_text())
    assert found, f"{pattern!r} not found in {path}: the model reads it from there"
    return int(found.group(1))


@dataclass
class Production:
    """What production deploys, as far as the model needs it."""

    reserved: dict[str, int | None]
    provisioned: dict[str, int]
    uses_cache: set[str]
    uses_db: set[str]
    instance_class: str
    proxy_max_connections_percent: int
    borrow_timeout_s: int
    stage_rate_limit: int
    upload_route_rate_limit: int
    shares: dict[str, float] = field(default_factory=dict)  # function -> share of the spike

    @classmethod
    def load(cls) -> Production:
        tfvars = _hcl(TFVARS)
        functions: dict[str, dict[str, Any]] = _variable_default(STACK_VARIABLES, "functions")
        overrides: dict[str, int] = tfvars.get("reserved_concurrency", {})
        provisioned_on = bool(tfvars["enable_provisioned_concurrency"])
        routes = json.loads(ROUTES_FILE.read_text())["routes"]
        shares: dict[str, float] = {}
        for name, percent in ROUTE_MIX.items():  # "GET /api/mocs?search" is GET /api/mocs
            function = routes[name.split("?", 1)[0]]["function"]
            shares[function] = shares.get(function, 0) + percent / sum(ROUTE_MIX.values())
        return cls(
            reserved={
                name: overrides.get(name, spec.get("reserved_concurrency"))
                for name, spec in functions.items()
            },
            provisioned={
                name: spec.get("provisioned_concurrency", 0) if provisioned_on else 0
                for name, spec in functions.items()
            },
            uses_cache={name for name, spec in functions.items() if spec.get("cache")},
            # every function folder that depends on lego-common's db extra, plus migrate
            uses_db={
                path.parent.name
                for path in (ROOT / "functions").glob("*/pyproject.toml")
                if re.search(r"lego-common\[[^\]]*\bdb\b", path.read_text())
            }
            | {"migrate"},
            instance_class=tfvars["db"]["instance_class"],
            proxy_max_connections_percent=tfvars["db"].get("proxy_max_connections_percent", 100),
            borrow_timeout_s=_number_in(DATABASE_MAIN, r"connection_borrow_timeout\s*=\s*(\d+)"),
            stage_rate_limit=_number_in(
                API_VARIABLES, r"rate_limit\s*=\s*optional\(number,\s*(\d+)"
            ),
            upload_route_rate_limit=_number_in(
                STACK_MAIN, r"rate_limit = (\d+) \} if route.function == \"upload\""
            ),
            shares=shares,
        )


def max_connections(instance_class: str) -> int:
    """RDS's default max_connections for the class, with DBInstanceClassMemory at its floor."""
    memory = INSTANCE_MEMORY_GIB[instance_class] * 2**30 * USABLE_MEMORY_SHARE
    return min(math.floor(memory / 9531392), 5000)


def needed_concurrency(rate_rps: float) -> int:
    """Concurrency = rate x duration, at the pessimistic duration, with the mix headroom."""
    return math.ceil(rate_rps * PESSIMISTIC_DURATION_S * MIX_HEADROOM)


def violations(p: Production) -> list[str]:
    """Every inequality of the model that production breaks (empty: the model holds)."""
    found: list[str] = []
    for function, share in sorted(p.shares.items()):
        needed = needed_concurrency(SPIKE_RPS * share)
        reserved = p.reserved.get(function)
        if reserved is None or reserved < needed:
            found.append(f"{function}: reserved {reserved} < {needed} for its share of the spike")
    upload_needed = needed_concurrency(p.upload_route_rate_limit)
    if (p.reserved.get("upload") or 0) < upload_needed:
        found.append(f"upload: reserved {p.reserved.get('upload')} < {upload_needed}")
    total_reserved = sum(r for r in p.reserved.values() if r is not None)
    if total_reserved > ACCOUNT_CONCURRENCY - UNRESERVED_MINIMUM:
        found.append(f"account: {total_reserved} reserved leaves < {UNRESERVED_MINIMUM}")
    for function, reserved in p.reserved.items():
        if reserved is not None and reserved > SCALING_PER_10_S:
            found.append(f"{function}: reserved {reserved} beyond 10 s of Lambda's scaling")
        if reserved is not None and p.provisioned[function] > reserved:
            found.append(f"{function}: provisioned {p.provisioned[function]} > reserved {reserved}")
    unbounded = sorted(f for f in p.uses_db - {"migrate"} if p.reserved.get(f) is None)
    if unbounded:
        found.append(f"database: {unbounded} have no reserved concurrency to bound connections")
    clients = MIGRATE_CONNECTIONS + sum(p.reserved.get(f) or 0 for f in p.uses_db if f != "migrate")
    ceiling = max_connections(p.instance_class)
    pool = math.floor(ceiling * p.proxy_max_connections_percent / 100)
    if clients > pool:
        found.append(f"proxy: {clients} containers could pin more than the pool's {pool}")
    if ceiling - pool < DIRECT_SESSIONS_MIN:
        found.append(f"proxy: pool {pool} of {ceiling} leaves < {DIRECT_SESSIONS_MIN} direct")
    if p.borrow_timeout_s > API_GATEWAY_TIMEOUT_S:
        found.append(f"proxy: borrow timeout {p.borrow_timeout_s} s outlives API Gateway's 30 s")
    redis_clients = sum(p.reserved.get(f) or 0 for f in p.uses_cache)
    if redis_clients > REDIS_MAX_CLIENTS:
        found.append(f"redis: {redis_clients} clients > {REDIS_MAX_CLIENTS}")
    if p.stage_rate_limit < SPIKE_RPS:
        found.append(f"api: stage rate {p.stage_rate_limit}/s throttles the {SPIKE_RPS} RPS spike")
    return found


@pytest.fixture(scope="module")
def production() -> Production:
    return Production.load()


def test_production_holds_the_capacity_model(production: Production) -> None:
    assert violations(production) == []


def test_the_mix_covers_every_api_function_and_sums_to_one(production: Production) -> None:
    assert set(production.shares) == {"mocs", "gallery", "wishlist", "profile", "health"}
    assert math.isclose(sum(production.shares.values()), 1.0)


def test_the_model_reads_production_values(production: Production) -> None:
    # a parser that silently read nothing would make every inequality vacuous
    assert production.reserved["mocs"] is not None
    assert production.reserved["mocs"] > 50  # the seed's defaults reserve nothing for mocs
    assert production.instance_class == "db.r6g.large"
    assert 1500 < max_connections(production.instance_class) < 1803  # formula on 16 GiB: 1802
    assert production.borrow_timeout_s == 30  # seed 001 "Connection Strategy"
    assert production.stage_rate_limit == 1000  # seed 001 "Rate Limiting"
    assert {"mocs", "gallery", "wishlist", "profile", "health", "migrate"} <= production.uses_db


def _broken(production: Production, **changes: Any) -> Production:
    copied = copy.deepcopy(production)
    for name, value in changes.items():
        if name.startswith("reserved_"):
            copied.reserved[name.removeprefix("reserved_")] = value
        else:
            setattr(copied, name, value)
    return copied


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"reserved_mocs": 100}, "mocs: reserved 100 <"),
        ({"reserved_health": 5}, "health: reserved 5 <"),  # the seed's 5 is short at 500 ms
        ({"reserved_gallery": None}, "gallery: reserved None <"),
        ({"reserved_upload": 10}, "upload: reserved 10 <"),
        ({"reserved_wishlist": 700}, "account:"),
        ({"reserved_profile": 1200}, "profile: reserved 1200 beyond 10 s"),
        ({"reserved_mocs": 1}, "mocs: provisioned 2 > reserved 1"),
        ({"reserved_csv_parser": None}, "database: ['csv_parser'] have no reserved"),
        ({"proxy_max_connections_percent": 10}, "proxy: 376 containers could pin"),
        ({"proxy_max_connections_percent": 100}, "leaves < 50 direct"),
        ({"borrow_timeout_s": 120}, "borrow timeout 120 s"),
        ({"stage_rate_limit": 400}, "api: stage rate 400/s"),
    ],
)
def test_each_inequality_fails_when_production_breaks_it(
    production: Production, changes: dict[str, Any], expected: str
) -> None:
    found = violations(_broken(production, **changes))

    assert any(expected in violation for violation in found), found
