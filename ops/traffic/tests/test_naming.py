"""The gates read the Lambda metrics of the functions Terraform deployed: lego-traffic's naming
rule (naming.py) and Terraform's `function_names` expression must give the same names.

The expression is parsed out of the .tf files wherever the composition keeps it (the env roots
today, terraform/modules/stack after issue 12), so moving it does not silence this test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lego_traffic.config import load_config
from lego_traffic.naming import function_name

REPO = Path(__file__).resolve().parents[3]
TERRAFORM = REPO / "terraform"
ENVS = ("dev", "staging", "production")
# function_names = { for fn in keys(var.functions) : fn => "${var.project}-...-${var.stage}" }
NAME_MAP = re.compile(
    r"function_names\s*=\s*\{\s*for\s+(?P<var>\w+)\s+in\s+keys\(var\.functions\)\s*:\s*"
    r'(?P=var)\s*=>\s*"(?P<template>.+)"\s*\}\s*$',
    re.M,
)
INTERPOLATION = re.compile(r"\$\{([^}]*)\}")
REPLACE_CALL = re.compile(r'^replace\((?P<arg>[^,]+),\s*"(?P<old>[^"]*)",\s*"(?P<new>[^"]*)"\)$')


def _tf_files() -> list[Path]:
    return sorted(TERRAFORM.glob("modules/**/*.tf")) + sorted(TERRAFORM.glob("envs/*/*.tf"))


def _name_templates() -> dict[Path, tuple[str, str]]:
    """.tf file -> (loop variable, name template) of every `function_names` map in terraform/."""
    found = {}
    for path in _tf_files():
        match = NAME_MAP.search(path.read_text())
        if match:
            found[path] = (match["var"], match["template"])
    return found


def _variable_default(name: str, near: Path) -> str:
    """The string default of `variable "<name>"` in the .tf files of the template's directory."""
    block = re.compile(
        rf'variable\s+"{name}"\s*\{{(?:(?!variable\s+").)*?default\s*=\s*"([^"]*)"', re.S
    )
    for path in sorted(near.parent.glob("*.tf")):
        match = block.search(path.read_text())
        if match:
            return match[1]
    pytest.fail(f'no string default for variable "{name}" next to {near}')


def _tfvars_value(env: str, name: str) -> str | None:
    text = (TERRAFORM / f"envs/{env}/{env}.tfvars").read_text()
    match = re.search(rf'^\s*{name}\s*=\s*"([^"]*)"', text, re.M)
    return match[1] if match else None


def _evaluate(expr: str, scope: dict[str, str]) -> str:
    """The few HCL forms a name template uses: var.x, the loop variable, replace(e, "a", "b")."""
    expr = expr.strip()
    if expr in scope:
        return scope[expr]
    call = REPLACE_CALL.match(expr)
    if call:
        return _evaluate(call["arg"], scope).replace(call["old"], call["new"])
    pytest.fail(f"the function name template uses {expr!r}, which this test cannot evaluate")


def _terraform_name(template: str, scope: dict[str, str]) -> str:
    return INTERPOLATION.sub(lambda m: _evaluate(m[1], scope), template)


def test_terraform_has_one_function_name_rule() -> None:
    templates = _name_templates()

    assert templates, "no `function_names = { for fn in keys(var.functions) : ... }` in terraform/"
    assert len({t for _, t in templates.values()}) == 1, templates


@pytest.mark.parametrize("env", ENVS)
def test_gate_function_names_are_the_names_terraform_deploys(env: str) -> None:
    cfg = load_config(env, root=REPO)
    assert cfg.gates is not None
    path, (loop_var, template) = next(iter(_name_templates().items()))
    project = _tfvars_value(env, "project") or _variable_default("project", path)
    stage = _tfvars_value(env, "stage")
    assert stage == env  # lego-traffic takes the stage from the env file's name

    expected = tuple(
        _terraform_name(template, {"var.project": project, "var.stage": stage, loop_var: fn})
        for fn in _gate_function_keys(env)
    )

    assert cfg.gates.function_names == expected
    assert expected, f"{env}.json gates list no functions"


@pytest.mark.parametrize("env", ENVS)
def test_gate_functions_are_deployed_functions(env: str) -> None:
    deployed = {p.name for p in (REPO / "functions").iterdir() if (p / "pyproject.toml").is_file()}

    assert set(_gate_function_keys(env)) <= deployed


def test_naming_rule_dashes_underscores_and_appends_the_stage() -> None:
    assert function_name("csv_parser", "production") == "lego-api-csv-parser-production"


def _gate_function_keys(env: str) -> list[str]:
    raw = json.loads((REPO / f"ops/traffic/envs/{env}.json").read_text())
    keys: list[str] = raw["gates"]["functions"]
    return keys
