"""Budgets set from the measured sizes: a new heavy dependency fails `lego-build check`."""

from __future__ import annotations

from lego_build.budgets import MIB, budget_for, check_sizes

# Measured zipped sizes (arm64, .pyc) the budgets were set from, and what heavy additions weigh.
HEALTH_MEASURED = int(8.73 * MIB)
XRAY_SDK = int(0.56 * MIB)  # aws-xray-sdk + wrapt, measured
PYDANTIC = int(3.17 * MIB)  # pydantic + pydantic-core


def test_measured_health_fits_its_budget() -> None:
    assert check_sizes("health", HEALTH_MEASURED, 30 * MIB, strict=True).errors == ()


def test_a_heavy_dependency_in_health_fails_the_check_and_warns_the_build() -> None:
    for extra in (XRAY_SDK, PYDANTIC):
        strict = check_sizes("health", HEALTH_MEASURED + extra, 30 * MIB, strict=True)
        lenient = check_sizes("health", HEALTH_MEASURED + extra, 30 * MIB)

        assert strict.errors
        assert "budget" in strict.errors[0]
        assert lenient.errors == ()
        assert lenient.warnings


def test_every_function_has_a_measured_budget_under_lambda_limits() -> None:
    names = ["health", "migrate", "mocs", "gallery", "wishlist", "profile", "upload", "csv_parser"]

    assert all(0 < budget_for(n) < 50 * MIB for n in names)
    assert budget_for("health") < budget_for("mocs") < budget_for("gallery")
