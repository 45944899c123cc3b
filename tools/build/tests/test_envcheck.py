"""env-check: each deployed function, from its zip, with its Terraform environment, against the
local stack (issue 20 blocker 1 and item 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lego_build.cli import HOST_DIST_DIR
from lego_build.envcheck import check_functions, local_env, match_spec
from lego_build.functions import discover, find_root
from lego_build.smoke import missing_packages
from lego_build.tfenv import deployed_functions, function_module_env
from lego_devstack.stack import Stack

REPO_ROOT = find_root(Path(__file__).parent)

# What Terraform gives every function in AWS: RDS Proxy with IAM tokens over TLS, a TLS Redis
# with an AUTH secret, OpenSearch signed with IAM, and the function module's TRACING_ENABLED.
AWS_ENV = {
    "DB_HOST": "lego-dev.proxy-abc.us-east-1.rds.amazonaws.com",
    "DB_PORT": "5432",
    "DB_NAME": "lego",
    "DB_USER": "lego_app",
    "DB_IAM_AUTH": "true",
    "DB_SSLMODE": "verify-full",
    "DB_SSLROOTCERT": "lego_common/certs/amazon-root-ca.pem",
    "REDIS_URL": "rediss://master.lego-dev.cache.amazonaws.com:6379/0",
    "REDIS_AUTH_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:redis",
    "OPENSEARCH_URL": "https://vpc-lego-dev.us-east-1.es.amazonaws.com",
    "OPENSEARCH_AUTH": "iam",
    "S3_BUCKET": "lego-moc-files-dev",
    "SERVICE_NAME": "lego-projects-api",
    "STAGE": "dev",
    "DEPLOY_COLOUR": "green",
    "APP_VERSION": "abc123",
    "LOG_LEVEL": "INFO",
    "TRACING_ENABLED": "true",
}


MIGRATE_ENV = {
    "DB_USER": "lego_admin",
    "APP_DB_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:app",
}


def _function(name: str, handler: str, env: dict[str, str]) -> dict[str, object]:
    return {
        "address": f'module.function["{name}"]',
        "resources": [
            {
                "address": f'module.function["{name}"].aws_lambda_function.this',
                "mode": "managed",
                "type": "aws_lambda_function",
                "name": "this",
                "values": {
                    "function_name": f"lego-api-{name}-dev",
                    "handler": handler,
                    "filename": f"./../../../dist/{name}.zip",
                    "source_code_hash": "c3RhbGU=",
                    "environment": [{"variables": env}],
                },
            }
        ],
    }


def synthetic_state(env: dict[str, str] = AWS_ENV) -> dict[str, object]:
    """A `terraform show -json` document shaped like the dev env's (functions in child modules)."""
    children = [
        _function("health", "lego_health.handler.lambda_handler", env),
        _function("mocs", "lego_mocs.handler.lambda_handler", env),
        # migrate alone logs in as the master and sets lego_app's password (issue 13 item 2)
        _function("migrate", "lego_schema.handler.lambda_handler", {**env, **MIGRATE_ENV}),
    ]
    not_a_function = {"address": "aws_s3_bucket.this", "mode": "managed", "type": "aws_s3_bucket"}
    return {
        "format_version": "1.0",
        "values": {"root_module": {"resources": [not_a_function], "child_modules": children}},
    }


def _stack() -> Stack:
    return Stack("native", "127.0.0.1", 55432, "redis://127.0.0.1:56379/0", "http://m:5000", None)


def test_state_functions_found_in_child_modules_with_their_environment() -> None:
    functions = deployed_functions(synthetic_state())

    assert [f.zip_name for f in functions] == ["health.zip", "migrate.zip", "mocs.zip"]
    assert functions[0].environment["TRACING_ENABLED"] == "true"
    assert functions[0].handler == "lego_health.handler.lambda_handler"


def test_function_module_env_is_read_from_the_module() -> None:
    env = function_module_env(REPO_ROOT)

    assert env["TRACING_ENABLED"] == "true"  # the setting behind issue 20 blocker 1
    assert env["SERVICE_NAME"] == "lego-projects-api"


def test_local_env_replaces_endpoints_and_aws_only_credentials_nothing_else() -> None:
    [health, *_] = deployed_functions(synthetic_state())

    env, replaced = local_env(health, _stack())

    assert env["DB_HOST"] == "127.0.0.1"
    assert env["DB_PORT"] == "55432"
    assert env["DB_IAM_AUTH"] == "false"
    assert env["REDIS_URL"] == "redis://127.0.0.1:56379/0"
    assert "REDIS_AUTH_SECRET_ARN" not in env
    assert env["OPENSEARCH_URL"].startswith("http://127.0.0.1:")  # no OpenSearch: closed port
    kept = {k: v for k, v in AWS_ENV.items() if k not in replaced}
    assert kept == {k: env[k] for k in kept}
    assert {"TRACING_ENABLED", "OPENSEARCH_AUTH", "S3_BUCKET", "STAGE"} <= set(kept)
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "lego-api-health-dev"


def test_local_env_logs_in_as_the_app_role_and_migrate_as_the_owner() -> None:
    """Issue 13 item 2 locally as in AWS: functions as lego_app, migrate as the schema owner
    with the app role's password to set (in place of the AWS secret)."""
    from lego_devstack.stack import APP_DB_PASSWORD, APP_DB_USER, DB_USER

    by_zip = {f.zip_name: f for f in deployed_functions(synthetic_state())}
    health_env, _ = local_env(by_zip["health.zip"], _stack())
    migrate_env, _ = local_env(by_zip["migrate.zip"], _stack())

    assert health_env["DB_USER"] == APP_DB_USER
    assert "APP_DB_PASSWORD" not in health_env
    assert migrate_env["DB_USER"] == DB_USER
    assert migrate_env["APP_DB_PASSWORD"] == APP_DB_PASSWORD
    assert "APP_DB_SECRET_ARN" not in migrate_env
    assert "DB_SSLROOTCERT" not in health_env  # the local stack speaks no TLS


def test_zip_matched_by_file_name_then_by_handler() -> None:
    specs = discover(REPO_ROOT)
    [health, migrate, _] = deployed_functions(synthetic_state())
    renamed = health.__class__(**{**health.__dict__, "zip_name": "health-abc123.zip"})

    assert match_spec(health, specs).name == "health"
    assert match_spec(migrate, specs).name == "migrate"
    assert match_spec(renamed, specs).name == "health"


def test_health_check_that_failed_on_an_import_is_reported() -> None:
    body = {
        "checks": {
            "database": {"status": "healthy", "error": None},
            "opensearch": {"status": "unhealthy", "error": "ModuleNotFoundError"},
        }
    }

    assert missing_packages(body) == {"opensearch": "ModuleNotFoundError"}


# The seam as it was (issue 20 blocker 1): the SDK imported on the first request when
# TRACING_ENABLED=true, and the dispatcher answering 500 for the ImportError.
OLD_TRACING_HANDLER = """\
import json
import os


def lambda_handler(event, context):
    try:
        if os.environ.get("TRACING_ENABLED") == "true":
            import aws_xray_sdk.core  # noqa: F401  (no zip carries it)
        status, body = 503, {"status": "unhealthy", "checks": {}}
    except Exception:
        status, body = 500, {"error": {"code": "INTERNAL_SERVER_ERROR"}}
    return {"statusCode": status, "headers": {}, "body": json.dumps(body)}
"""


def test_old_packaging_with_terraform_tracing_setting_fails_env_check(
    sandbox: Path, tmp_path: Path, services: Stack
) -> None:
    handler = sandbox / "functions/health/src/lego_health/handler.py"
    handler.write_text(OLD_TRACING_HANDLER)
    [health, *_] = deployed_functions(synthetic_state())
    untraced = health.__class__(
        **{**health.__dict__, "environment": {**AWS_ENV, "TRACING_ENABLED": "false"}}
    )
    dist = sandbox / "dist"

    [traced_result, untraced_result] = check_functions(
        sandbox, [health, untraced], services, tmp_path / "w", tmp_path / "host", dist
    )

    assert not traced_result.ok
    assert traced_result.status_code == 500
    assert untraced_result.ok, untraced_result.detail  # same zip: only the setting differs


def test_function_without_handler_is_skipped_not_failed(sandbox: Path, tmp_path: Path) -> None:
    # tf-check applies stub artefacts for functions not written yet; there is nothing to run.
    (sandbox / "functions/health/src/lego_health/handler.py").unlink()
    [health, *_] = deployed_functions(synthetic_state())

    [result] = check_functions(
        sandbox, [health], _stack(), tmp_path / "w", tmp_path / "host", sandbox / "dist"
    )

    assert (result.ok, result.detail) == (True, "skipped: no handler.py yet")


def test_real_zips_answer_with_the_terraform_environment(tmp_path: Path, services: Stack) -> None:
    specs = discover(REPO_ROOT)
    deployed = [
        f for f in deployed_functions(synthetic_state()) if specs[f.zip_name[:-4]].has_handler
    ]

    results = check_functions(
        REPO_ROOT,
        deployed,
        services,
        tmp_path / "w",
        REPO_ROOT / HOST_DIST_DIR,
        REPO_ROOT / "dist",
    )

    assert [(r.zip_name, r.ok, r.detail) for r in results if not r.ok] == []
    statuses = {r.zip_name: r.status_code for r in results}
    assert statuses["health.zip"] == 200  # degraded at worst: OpenSearch absent, not unimportable
    assert statuses["mocs.zip"] == 200


@pytest.mark.parametrize("bad", [{}, {"values": {}}])
def test_a_document_that_is_not_terraform_show_json_is_refused(bad: dict[str, object]) -> None:
    from lego_build.tfenv import TerraformEnvError

    with pytest.raises(TerraformEnvError):
        deployed_functions(bad)


def test_state_json_file_round_trip(tmp_path: Path) -> None:
    from lego_build.tfenv import load_state

    path = tmp_path / "dev-state.json"
    path.write_text(json.dumps(synthetic_state()))

    assert len(load_state(path)) == 3


def test_plan_document_read_from_planned_values() -> None:
    # `terraform show -json plan.bin` puts the resources under planned_values (checked by hand
    # against a real plan of terraform/modules/function for health, mocs and migrate).
    plan = {"format_version": "1.2", "planned_values": synthetic_state()["values"]}

    [health, *_] = deployed_functions(plan)

    assert health.function_name == "lego-api-health-dev"
    assert health.environment["TRACING_ENABLED"] == "true"
