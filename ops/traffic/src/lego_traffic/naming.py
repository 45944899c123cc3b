"""Lambda function names: the rule Terraform names them by, so the gates read the real metrics.

Terraform (`local.function_names`, terraform/modules/stack or the env roots before it):
`"${var.project}-${replace(fn, "_", "-")}-${var.stage}"` with `var.project` = "lego-api" (seed:
lego-api-{function}-{stage}). tests/test_naming.py parses that expression out of the .tf files
and fails when the two rules part.
"""

from __future__ import annotations

PROJECT = "lego-api"  # terraform var.project default; no env's tfvars overrides it


def function_name(fn: str, stage: str, project: str = PROJECT) -> str:
    """The deployed name of function key `fn` (a key of Terraform's var.functions) in `stage`."""
    return f"{project}-{fn.replace('_', '-')}-{stage}"
