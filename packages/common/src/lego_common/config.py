"""Typed settings read from the environment once per container (see docs/contracts.md)."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from lego_common.errors import ConfigurationError

_TRUE = {"1", "true", "yes", "on"}


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"environment variable {name} must be true or false, got {raw!r}")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(
            f"environment variable {name} must be an integer, got {raw!r}"
        ) from None


def _str(name: str, default: str | None = None) -> str | None:
    raw = os.environ.get(name)
    return raw if raw not in (None, "") else default


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a function reads from its environment; built once by get_settings()."""

    service_name: str
    stage: str
    deploy_colour: str
    app_version: str
    log_level: str
    function_name: str
    aws_region: str
    aws_endpoint_url: str | None
    # database (RDS Proxy in AWS)
    db_host: str | None
    db_port: int
    db_name: str
    db_user: str
    db_password: str | None
    db_secret_arn: str | None
    db_iam_auth: bool
    db_sslmode: str
    db_sslrootcert: str | None
    db_connect_timeout_s: int
    db_statement_timeout_ms: int
    # cache
    redis_url: str | None
    redis_auth_secret_arn: str | None
    redis_timeout_ms: int
    cache_breaker_cooldown_s: int
    # search
    opensearch_url: str | None
    opensearch_auth: str
    opensearch_timeout_ms: int
    search_breaker_cooldown_s: int
    # storage and other AWS resources
    s3_bucket: str | None
    assets_base_url: str | None
    cognito_user_pool_id: str | None
    csv_parser_function_name: str | None
    tracing_enabled: bool

    def require(self, attribute: str, env_name: str) -> str:
        """A setting this code path needs, or ConfigurationError naming its variable."""
        value = getattr(self, attribute)
        if not value:
            raise ConfigurationError(f"environment variable {env_name} is not set")
        return str(value)


def load_settings() -> Settings:
    """Read and validate the environment (no caching: tests call this directly)."""
    opensearch_auth = (_str("OPENSEARCH_AUTH", "none") or "none").lower()
    if opensearch_auth not in {"iam", "none"}:
        raise ConfigurationError(f"OPENSEARCH_AUTH must be iam or none, got {opensearch_auth!r}")
    colour = (_str("DEPLOY_COLOUR", "green") or "green").lower()
    region = _str("AWS_REGION") or _str("AWS_DEFAULT_REGION") or "us-east-1"
    return Settings(
        service_name=_str("SERVICE_NAME", "lego-projects-api") or "lego-projects-api",
        stage=_str("STAGE", "local") or "local",
        deploy_colour=colour,
        app_version=_str("APP_VERSION", "dev") or "dev",
        log_level=(_str("LOG_LEVEL", "INFO") or "INFO").upper(),
        function_name=_str("AWS_LAMBDA_FUNCTION_NAME") or _str("FUNCTION_NAME", "local") or "local",
        aws_region=region,
        aws_endpoint_url=_str("AWS_ENDPOINT_URL"),
        db_host=_str("DB_HOST"),
        db_port=_int("DB_PORT", 5432),
        db_name=_str("DB_NAME", "lego") or "lego",
        db_user=_str("DB_USER", "lego") or "lego",
        db_password=_str("DB_PASSWORD"),
        db_secret_arn=_str("DB_SECRET_ARN"),
        db_iam_auth=_bool("DB_IAM_AUTH", False),
        db_sslmode=_str("DB_SSLMODE", "prefer") or "prefer",
        db_sslrootcert=_str("DB_SSLROOTCERT"),
        db_connect_timeout_s=_int("DB_CONNECT_TIMEOUT_S", 3),
        db_statement_timeout_ms=_int("DB_STATEMENT_TIMEOUT_MS", 10_000),
        redis_url=_str("REDIS_URL"),
        redis_auth_secret_arn=_str("REDIS_AUTH_SECRET_ARN"),
        redis_timeout_ms=_int("REDIS_TIMEOUT_MS", 200),
        cache_breaker_cooldown_s=_int("CACHE_BREAKER_COOLDOWN_S", 30),
        opensearch_url=_str("OPENSEARCH_URL"),
        opensearch_auth=opensearch_auth,
        opensearch_timeout_ms=_int("OPENSEARCH_TIMEOUT_MS", 1_000),
        search_breaker_cooldown_s=_int("SEARCH_BREAKER_COOLDOWN_S", 30),
        s3_bucket=_str("S3_BUCKET"),
        assets_base_url=_str("ASSETS_BASE_URL"),
        cognito_user_pool_id=_str("COGNITO_USER_POOL_ID"),
        csv_parser_function_name=_str("CSV_PARSER_FUNCTION_NAME"),
        tracing_enabled=_bool("TRACING_ENABLED", False),
    )


@functools.cache
def get_settings() -> Settings:
    """Settings of this container, validated on first use."""
    return load_settings()


def reset() -> None:
    """Forget cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
