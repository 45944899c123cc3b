"""Size limits and per-function budgets: the one place they are set."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024

# AWS Lambda quotas for a .zip deployment package uploaded directly (not raisable).
LAMBDA_MAX_ZIPPED_BYTES = 50 * MIB
LAMBDA_MAX_UNZIPPED_BYTES = 250 * MIB

# Issue 5 goals: health <= 1 MB; every other function <= 10 MB zipped. Above: a warning.
DEFAULT_BUDGET_ZIPPED_BYTES = 10 * MIB
BUDGET_ZIPPED_BYTES: dict[str, int] = {
    "health": 1 * MIB,
}


@dataclass(frozen=True)
class SizeVerdict:
    """Outcome of checking one zip against the Lambda limits and its budget."""

    errors: tuple[str, ...]
    warnings: tuple[str, ...]


def budget_for(function: str) -> int:
    """Zipped-size budget of one function in bytes."""
    return BUDGET_ZIPPED_BYTES.get(function, DEFAULT_BUDGET_ZIPPED_BYTES)


def human_bytes(size: int) -> str:
    """1536 -> '1.5 KiB'; sizes in the build output and README use binary units."""
    if size < 1024:
        return f"{size} B"
    if size < MIB:
        return f"{size / 1024:.1f} KiB"
    return f"{size / MIB:.2f} MiB"


def check_sizes(function: str, zipped_bytes: int, unzipped_bytes: int) -> SizeVerdict:
    """Errors above Lambda's hard limits, warnings above the function's budget."""
    errors: list[str] = []
    warnings: list[str] = []
    if zipped_bytes > LAMBDA_MAX_ZIPPED_BYTES:
        errors.append(
            f"{function}: zip is {human_bytes(zipped_bytes)}, above Lambda's "
            f"{human_bytes(LAMBDA_MAX_ZIPPED_BYTES)} limit for a zipped package"
        )
    if unzipped_bytes > LAMBDA_MAX_UNZIPPED_BYTES:
        errors.append(
            f"{function}: unzipped size is {human_bytes(unzipped_bytes)}, above Lambda's "
            f"{human_bytes(LAMBDA_MAX_UNZIPPED_BYTES)} limit"
        )
    budget = budget_for(function)
    if zipped_bytes > budget:
        warnings.append(
            f"{function}: zip is {human_bytes(zipped_bytes)}, above its budget of "
            f"{human_bytes(budget)} (lego_build/budgets.py)"
        )
    return SizeVerdict(tuple(errors), tuple(warnings))
