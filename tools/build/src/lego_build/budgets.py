"""Size limits and per-function budgets: the one place they are set."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024

# AWS Lambda quotas for a .zip deployment package uploaded directly (not raisable).
LAMBDA_MAX_ZIPPED_BYTES = 50 * MIB
LAMBDA_MAX_UNZIPPED_BYTES = 250 * MIB

# Issue 12 section 4: each zip's measured size (arm64, CPython 3.13 .pyc; tools/build/README.md
# "Size budget") plus ~0.5 MiB. A new heavy dependency (pydantic ~3 MiB, Pillow ~6.8 MiB,
# aws-xray-sdk ~0.6 MiB, bundled botocore ~16 MiB) fails `lego-build check`; `build` warns.
# Functions without a handler yet were measured with a stand-in handler and their extras.
DEFAULT_BUDGET_ZIPPED_BYTES = 10 * MIB
BUDGET_ZIPPED_BYTES: dict[str, int] = {
    "health": int(9.25 * MIB),  # measured 8.73 MiB: psycopg-binary, redis, opensearch-py
    "migrate": int(5.75 * MIB),  # 5.29: psycopg-binary, yoyo
    "mocs": int(12.75 * MIB),  # 12.24: + pydantic, tenacity
    "csv_parser": int(7 * MIB),  # 6.56: psycopg-binary, redis, tenacity
    "upload": int(10.5 * MIB),  # 10.03: + pydantic, multipart
    "profile": int(17.25 * MIB),  # 16.73 (stand-in): + Pillow
    "gallery": int(19.5 * MIB),  # 19.03 (stand-in): + Pillow, opensearch-py
    "wishlist": int(19.75 * MIB),  # measured 19.15: + Pillow, opensearch-py, multipart
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


def check_sizes(
    function: str, zipped_bytes: int, unzipped_bytes: int, *, strict: bool = False
) -> SizeVerdict:
    """Errors above Lambda's hard limits; above the function's budget a warning, or an error
    when `strict` (what `lego-build check` asks)."""
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
        (errors if strict else warnings).append(
            f"{function}: zip is {human_bytes(zipped_bytes)}, above its budget of "
            f"{human_bytes(budget)} (lego_build/budgets.py)"
        )
    return SizeVerdict(tuple(errors), tuple(warnings))
