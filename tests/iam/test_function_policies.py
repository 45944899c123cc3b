"""Issue 13 item 1: each function's planned role policy allows every AWS call its code makes,
and item 2's split of database logins, proven on the plan rather than on moto (which enforces
no IAM). The calls come from the code: lego_devstack.iam records them during the function
tests into aws_calls.json (a call missing there fails that test session). The policies come
from `terraform test -verbose -json` of terraform/modules/stack/tests/policies.tftest.hcl: the
composition applied on the mock provider, its state printed with every role policy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lego_devstack.iam import Call, Request, evaluate, load_declared

REPO = Path(__file__).resolve().parents[2]
STACK = REPO / "terraform" / "modules" / "stack"
MIRROR = Path(os.environ.get("TF_MIRROR", "/opt/tf-plugins"))
DECLARED = Path(__file__).with_name("aws_calls.json")

pytestmark = pytest.mark.skipif(
    shutil.which("terraform") is None or not MIRROR.is_dir(),
    reason="needs terraform and its provider mirror (make install); tf-check runs it too",
)


def _walk(module: dict[str, Any]) -> list[dict[str, Any]]:
    resources = list(module.get("resources", []))
    for child in module.get("child_modules", []):
        resources.extend(_walk(child))
    return resources


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The stack's state on the mock provider, resources by address."""
    work = tmp_path_factory.mktemp("tf")
    rc = work / "terraformrc"
    rc.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n'
        '    include = ["registry.terraform.io/*/*"]\n  }\n'
        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n'
    )
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(rc),
        "TF_DATA_DIR": str(work / "data"),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
    }
    artifacts = work / "dist"
    subprocess.run(
        [sys.executable, str(REPO / "scripts/tf_check.py"), "artifacts", str(artifacts)],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    init = subprocess.run(
        ["terraform", "init", "-backend=false", "-input=false"],
        cwd=STACK, check=False, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert init.returncode == 0, init.stdout[-3000:] + init.stderr[-3000:]
    run = subprocess.run(
        ["terraform", "test", "-filter=tests/policies.tftest.hcl", "-verbose", "-json",
         f"-var=artifacts_dir={artifacts}"],
        cwd=STACK, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    (STACK / ".terraform.lock.hcl").unlink(missing_ok=True)  # tf-check's habit: none committed
    states = [
        json.loads(line)["test_state"]
        for line in run.stdout.splitlines()
        if line.startswith("{") and '"type":"test_state"' in line
    ]
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert states, "terraform test -verbose -json printed no state"
    return {r["address"]: r for r in _walk(states[-1]["root_module"])}


@pytest.fixture(scope="module")
def policies(planned: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each function's role policy document, by function name (migrate is a module call of its
    own, `module.migrate`, so the others can wait for its run)."""
    prefix, suffix = 'module.function["', '"].aws_iam_role_policy.this'
    documents = {
        address[len(prefix) : -len(suffix)]: json.loads(resource["values"]["policy"])
        for address, resource in planned.items()
        if address.startswith(prefix) and address.endswith(suffix)
    }
    documents["migrate"] = json.loads(
        planned["module.migrate.aws_iam_role_policy.this"]["values"]["policy"]
    )
    return documents


@pytest.fixture(scope="module")
def resolve(planned: dict[str, dict[str, Any]]) -> Any:
    """A declared call's logical resource ({bucket}/mocs/{key}) -> the planned ARN."""

    def value(address: str, attribute: str = "arn") -> str:
        return str(planned[address]["values"][attribute])

    csv_parser = value('module.function["csv_parser"].aws_lambda_function.this', "function_name")
    arn = {
        "{bucket}": value("module.storage.module.bucket.aws_s3_bucket.this"),
        "{cache_auth_secret}": value("module.cache[0].aws_secretsmanager_secret.auth"),
        "{app_db_secret}": value("module.database.aws_secretsmanager_secret.app"),
        # the auth module builds the pool's ARN from its id
        "{user_pool}": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/"
        + value("module.auth.aws_cognito_user_pool.this[0]", "id"),
        "{function:csv_parser}": f"arn:aws:lambda:us-east-1:123456789012:function:{csv_parser}",
    }

    def to_request(call: Call) -> Request:
        resource = call.resource
        for name, value in arn.items():
            resource = resource.replace(name, value)
        assert "{unnamed}" not in resource, f"{call}: a resource no setting names"
        # {key} stands for any key under the prefix: a literal the policy's `*` must cover
        return Request(call.action, resource.replace("{key}", "u/m/f"), dict(call.context))

    return to_request


DECLARED_CALLS = load_declared(DECLARED)
LAMBDA_CALLS = sorted(
    (function, call)
    for function, kinds in DECLARED_CALLS.items()
    for call in kinds.get("lambda", ())
)


def test_the_declared_calls_cover_the_functions_that_call_aws() -> None:
    """Recorded from the function suites: an empty or stale file would prove nothing."""
    callers = {function for function, _ in LAMBDA_CALLS}
    assert {"mocs", "gallery", "wishlist", "profile", "upload"} <= callers
    assert (
        Call("s3:ListBucket", "{bucket}", (("s3:prefix", "mocs/{key}"),))
        in DECLARED_CALLS["mocs"]["lambda"]
    )


@pytest.mark.parametrize(("function", "call"), LAMBDA_CALLS, ids=lambda v: getattr(v, "action", v))
def test_each_function_policy_allows_every_call_its_code_makes(
    policies: dict[str, dict[str, Any]], resolve: Any, function: str, call: Call
) -> None:
    assert evaluate([policies[function]], resolve(call)), f"{function} is denied {call}"


# Least privilege: what the code never needs stays denied (and the check above is not vacuous).
DENIED = [
    ("mocs", Call("s3:ListBucket", "{bucket}", (("s3:prefix", "images/{key}"),))),
    ("mocs", Call("s3:ListBucket", "{bucket}")),  # the whole bucket
    ("mocs", Call("s3:GetObject", "{bucket}/mocs/{key}")),
    ("mocs", Call("s3:DeleteObject", "{bucket}/images/{key}")),
    ("upload", Call("s3:ListBucket", "{bucket}", (("s3:prefix", "mocs/{key}"),))),
    ("gallery", Call("s3:DeleteObject", "{bucket}/mocs/{key}")),
    ("wishlist", Call("s3:GetObject", "{bucket}/avatars/{key}")),
    ("health", Call("s3:GetObject", "{bucket}/mocs/{key}")),
    ("mocs", Call("secretsmanager:GetSecretValue", "{app_db_secret}")),
    ("health", Call("lambda:InvokeFunction", "{function:csv_parser}")),
]


@pytest.mark.parametrize(("function", "call"), DENIED, ids=lambda v: getattr(v, "action", v))
def test_calls_the_code_does_not_make_are_denied(
    policies: dict[str, dict[str, Any]], resolve: Any, function: str, call: Call
) -> None:
    assert not evaluate([policies[function]], resolve(call)), f"{function} may {call}"


def test_functions_connect_as_the_app_role_and_only_migrate_as_master(
    policies: dict[str, dict[str, Any]], planned: dict[str, dict[str, Any]]
) -> None:
    """Item 2: rds-db:connect names the login; the app login's secret is migrate's alone."""
    proxy = planned["module.database.aws_db_proxy.this"]["values"]["arn"].split(":")
    dbuser = f"arn:aws:rds-db:{proxy[3]}:{proxy[4]}:dbuser:{proxy[6]}"
    app_secret = planned["module.database.aws_secretsmanager_secret.app"]["values"]["arn"]
    assert set(policies) >= {"health", "mocs", "migrate"}
    for function, policy in policies.items():
        as_app = evaluate([policy], Request("rds-db:connect", f"{dbuser}/lego_app"))
        as_master = evaluate([policy], Request("rds-db:connect", f"{dbuser}/lego_admin"))
        reads_app_secret = evaluate([policy], Request("secretsmanager:GetSecretValue", app_secret))
        assert (as_app, as_master, reads_app_secret) == (
            (False, True, True) if function == "migrate" else (True, False, False)
        ), function
