"""docs/openapi.yaml keeps issue 12's rule: no schema a response can reach is nullable (an
unset field is omitted, never null); request bodies may be (a PATCH null clears a field)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SPEC = yaml.safe_load((Path(__file__).resolve().parents[1] / "docs" / "openapi.yaml").read_text())


def _resolve(node: Any) -> Any:
    if isinstance(node, dict) and "$ref" in node:
        target: Any = SPEC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return target
    return node


def _nullable_paths(node: Any, path: str, seen: set[int]) -> list[str]:
    """Where, under node, a schema says nullable (following $refs once each)."""
    node = _resolve(node)
    if id(node) in seen:
        return []
    seen.add(id(node))
    found = []
    if isinstance(node, dict):
        if node.get("nullable") is True:
            found.append(path)
        for key, value in node.items():
            if key not in {"example", "examples", "links"}:
                found += _nullable_paths(value, f"{path}/{key}", seen)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _nullable_paths(value, f"{path}/{i}", seen)
    return found


def test_no_response_schema_is_nullable() -> None:
    found: list[str] = []
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                found += _nullable_paths(operation["responses"], f"{method} {path}", set())
    assert found == []


def test_patch_bodies_still_accept_null_to_clear_a_field() -> None:
    schema = SPEC["components"]["schemas"]["MOCPatch"]["properties"]
    assert schema["thumbnailUrl"]["nullable"] is True
