"""terraform/envs/<env>/traffic.auto.tfvars.json: the weights Terraform applies next.

docs/contracts.md "Traffic": only lego-traffic writes this file; <env>.tfvars never sets weights.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import TYPE_CHECKING

from lego_traffic.errors import InputError
from lego_traffic.weights import Weights

if TYPE_CHECKING:
    from pathlib import Path


def read_tfvars(path: Path) -> Weights | None:
    """The weights Terraform will apply, or None when the file is absent."""
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON: {exc}") from None
    return Weights(blue=raw["blue_weight"], green=raw["green_weight"])


def write_tfvars(path: Path, weights: Weights) -> None:
    """Replace the file atomically (temp file + rename): Terraform never reads half a file."""
    if not path.parent.is_dir():
        raise InputError(f"terraform env directory {path.parent} does not exist")
    body = json.dumps({"blue_weight": weights.blue, "green_weight": weights.green}, indent=2) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".traffic.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
