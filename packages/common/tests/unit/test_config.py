"""lego_common.config: typed settings, clear errors naming the variable."""

from __future__ import annotations

import pytest

from lego_common.config import load_settings
from lego_common.errors import ConfigurationError


def test_defaults_apply_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DB_HOST", "REDIS_URL", "OPENSEARCH_URL", "DB_PORT", "DEPLOY_COLOUR"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.db_host is None
    assert settings.db_port == 5432
    assert settings.redis_url is None
    assert settings.deploy_colour == "green"


def test_require_names_the_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("S3_BUCKET", raising=False)
    with pytest.raises(ConfigurationError, match="S3_BUCKET is not set") as info:
        load_settings().require("s3_bucket", "S3_BUCKET")
    assert info.value.status == 503


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DB_PORT", "five", "DB_PORT must be an integer"),
        ("DB_IAM_AUTH", "maybe", "DB_IAM_AUTH must be true or false"),
        ("OPENSEARCH_AUTH", "basic", "OPENSEARCH_AUTH must be iam or none"),
    ],
)
def test_malformed_values_raise_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message):
        load_settings()


def test_booleans_and_ints_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_IAM_AUTH", "TRUE")
    monkeypatch.setenv("REDIS_TIMEOUT_MS", "150")
    settings = load_settings()
    assert settings.db_iam_auth is True
    assert settings.redis_timeout_ms == 150


def test_search_and_cache_breakers_have_their_own_cooldowns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lego_common import cache, config, search

    monkeypatch.setenv("SEARCH_BREAKER_COOLDOWN_S", "7")
    monkeypatch.setenv("CACHE_BREAKER_COOLDOWN_S", "11")
    config.reset()
    search.reset()
    cache.breaker.cache_clear()
    try:
        assert (search.breaker().cooldown_s, cache.breaker().cooldown_s) == (7, 11)
    finally:
        monkeypatch.undo()
        config.reset()
        search.reset()
        cache.breaker.cache_clear()
