"""Deps for real AWS: one boto3 session, each client built on first use and kept, and no
botocore retries under tenacity's."""

from __future__ import annotations

from lego_traffic.clock import RealClock
from lego_traffic.ops import Deps


def test_deps_for_region_builds_each_client_once_on_first_use() -> None:
    deps = Deps.for_region("eu-west-1")

    cloudwatch = deps.client("cloudwatch")

    assert deps.cloudwatch is cloudwatch
    assert cloudwatch.meta.region_name == "eu-west-1"
    assert cloudwatch.meta.config.retries["total_max_attempts"] == 1  # tenacity retries, alone
    assert isinstance(deps.clock, RealClock)


def test_deps_without_factory_has_no_client_it_was_not_given() -> None:
    deps = Deps(clock=RealClock())

    assert deps.client("sns") is None
    assert deps.caller_arn() is None
