"""The rule that turns component states into the overall status (seed "Health Check Lambda")."""

from __future__ import annotations

import pytest

from lego_health.service import overall_status


@pytest.mark.parametrize(
    ("database", "redis", "opensearch", "expected"),
    [
        ("healthy", "healthy", "healthy", "healthy"),
        ("healthy", "unhealthy", "healthy", "degraded"),
        ("healthy", "healthy", "unhealthy", "degraded"),
        ("healthy", "unhealthy", "unhealthy", "degraded"),
        ("unhealthy", "healthy", "healthy", "unhealthy"),
        ("unhealthy", "unhealthy", "unhealthy", "unhealthy"),
    ],
)
def test_overall_status_follows_database_then_optional_components(
    database: str, redis: str, opensearch: str, expected: str
) -> None:
    components = {"database": database, "redis": redis, "opensearch": opensearch}
    assert overall_status(components) == expected
