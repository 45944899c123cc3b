"""The migrator's connect budget: about 5 minutes by default, set by MIGRATE_CONNECT_TIMEOUT_S."""

from __future__ import annotations

import pytest

from lego_common.errors import ConfigurationError
from lego_schema.migrate import CONNECT_TIMEOUT_ENV, ConnectRetry


def test_connect_retry_default_total_is_about_five_minutes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(CONNECT_TIMEOUT_ENV, raising=False)

    retry = ConnectRetry.from_env()

    assert retry.total_s == 300
    assert retry == ConnectRetry()
    # many tries in the budget: the longest single wait is a small part of it
    assert retry.max_wait_s <= retry.total_s / 10


def test_connect_retry_from_env_reads_the_total(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONNECT_TIMEOUT_ENV, "45")

    assert ConnectRetry.from_env().total_s == 45


@pytest.mark.parametrize("raw", ["soon", "-1", "nan"])
def test_connect_retry_from_env_bad_value_raises_configuration_error(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv(CONNECT_TIMEOUT_ENV, raw)

    with pytest.raises(ConfigurationError, match=CONNECT_TIMEOUT_ENV):
        ConnectRetry.from_env()


@pytest.mark.parametrize(("cap_s", "total_s"), [(100.0, 100.0), (900.0, 300.0), (-5.0, 0.0)])
def test_connect_retry_capped_never_exceeds_the_cap_or_the_total(
    cap_s: float, total_s: float
) -> None:
    assert ConnectRetry().capped(cap_s).total_s == total_s
