"""The environment Terraform gives each function: the function module's defaults (read from its
main.tf) for the smoke test, and each aws_lambda_function of a `terraform show -json` state for
env-check. A dependency that only a setting pulls in (TRACING_ENABLED, OPENSEARCH_URL) is then
exercised by the checks, not first by AWS (issue 20 blocker 1, item 8)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

FUNCTION_MODULE_MAIN = "terraform/modules/function/main.tf"
# `environment = merge(var.environment, { NAME = "literal" | var.name ... })` in the module's locals
_ENV_BLOCK = re.compile(r"environment\s*=\s*merge\(\s*var\.environment\s*,\s*\{(?P<body>[^}]*)\}")
_ENTRY = re.compile(
    r'^\s*(?P<key>[A-Z][A-Z0-9_]*)\s*=\s*(?:"(?P<literal>[^"]*)"|var\.(?P<var>\w+))'
)
# Stand-ins for the module's variables in the smoke environment (no Terraform run).
VARIABLE_STAND_INS = {"stage": "smoke", "app_version": "smoke", "log_level": "WARNING"}


class TerraformEnvError(RuntimeError):
    """The function module or the state document is not shaped as expected."""


def function_module_env(root: Path) -> dict[str, str]:
    """What terraform/modules/function sets on every function (TRACING_ENABLED, STAGE, ...)."""
    path = root / FUNCTION_MODULE_MAIN
    try:
        text = path.read_text()
    except OSError as exc:
        raise TerraformEnvError(f"cannot read {FUNCTION_MODULE_MAIN}: {exc}") from None
    block = _ENV_BLOCK.search(text)
    if block is None:
        raise TerraformEnvError(
            f"{FUNCTION_MODULE_MAIN}: no `environment = merge(var.environment, {{...}})` local; "
            "lego_build/tfenv.py must learn the new shape so the smoke test keeps the deployed env"
        )
    env: dict[str, str] = {}
    for line in block["body"].splitlines():
        entry = _ENTRY.match(line)
        if entry is None:
            continue
        if entry["literal"] is not None:
            env[entry["key"]] = entry["literal"]
        else:
            env[entry["key"]] = VARIABLE_STAND_INS.get(entry["var"], "smoke")
    return env


@dataclass(frozen=True)
class DeployedFunction:
    """One aws_lambda_function of a state document."""

    address: str
    function_name: str
    handler: str
    zip_name: str
    source_code_hash: str | None
    environment: dict[str, str]


def _resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        yield from _resources(child)


def deployed_functions(state: dict[str, Any]) -> list[DeployedFunction]:
    """Every managed aws_lambda_function in a `terraform show -json` (state or plan) document."""
    values = state.get("values") or state.get("planned_values")
    if not isinstance(values, dict) or "root_module" not in values:
        raise TerraformEnvError("not a `terraform show -json` document: no values.root_module")
    found: list[DeployedFunction] = []
    for resource in _resources(values["root_module"]):
        if resource.get("type") != "aws_lambda_function" or resource.get("mode") != "managed":
            continue
        attrs = resource.get("values") or {}
        environment = attrs.get("environment") or []
        variables = (environment[0].get("variables") if environment else None) or {}
        filename = attrs.get("filename") or ""
        found.append(
            DeployedFunction(
                address=str(resource.get("address")),
                function_name=str(attrs.get("function_name")),
                handler=str(attrs.get("handler") or ""),
                zip_name=PurePosixPath(filename.replace("\\", "/")).name,
                source_code_hash=attrs.get("source_code_hash"),
                environment={str(k): str(v) for k, v in variables.items()},
            )
        )
    return sorted(found, key=lambda f: f.address)


def load_state(path: Path) -> list[DeployedFunction]:
    """deployed_functions() of a JSON file."""
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise TerraformEnvError(f"cannot read the state document {path}: {exc}") from None
    return deployed_functions(state)
