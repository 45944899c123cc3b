"""Helpers of scripts/tf-check.sh: static checks of terraform/, build artefacts, checkov summary.

Standard library only: it runs before (and without) the uv workspace.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TF = ROOT / "terraform"
ENVS = ("dev", "staging", "production")
# An env directory holds values; its .tf files are links to the one root in envs/_shared
# (terraform/envs/_shared/README.md), so the three envs cannot drift apart.
ENV_TF_FILES = {"main.tf", "variables.tf", "versions.tf"}
SHARED_ROOT = "_shared"


def _names(path: Path, kind: str) -> list[str]:
    return re.findall(rf'^{kind} "([^"]+)"', path.read_text(), flags=re.M) if path.exists() else []


def functions() -> list[str]:
    """Function names: the keys of the stack's `functions` default (the one list of them)."""
    text = (TF / "modules" / "stack" / "variables.tf").read_text()
    block = text.split('variable "functions" {', 1)[1].split("\n  nullable", 1)[0]
    return re.findall(r"^    (\w+) = \{", block, flags=re.M)


def lint() -> int:
    """Envs hold values and one stack call, weights only in traffic.auto.tfvars.json, READMEs."""
    problems: list[str] = []
    for tf_file in sorted(TF.rglob("*.tf")):
        if re.search(r"var\.stage\s*[!=]=", tf_file.read_text()):
            problems.append(
                f"{tf_file.relative_to(TF)} compares var.stage: make the difference an input"
            )
    for env in ENVS:
        env_dir = TF / "envs" / env
        extra = {p.name for p in env_dir.glob("*.tf")} - ENV_TF_FILES - {"zz_moto_override.tf"}
        if extra or (env_dir / "tests").exists():
            problems.append(
                f"envs/{env} holds {sorted(extra) or 'tests/'}: compositions and tests "
                "belong in modules/stack"
            )
        for name in sorted(ENV_TF_FILES):
            link = env_dir / name
            if not link.is_symlink() or link.readlink() != Path("..", SHARED_ROOT, name):
                problems.append(f"envs/{env}/{name} must be a link to ../{SHARED_ROOT}/{name}")
        calls = re.findall(
            r'^module "[^"]+" \{\n\s+source\s+=\s+"([^"]+)"',
            (env_dir / "main.tf").read_text(),
            flags=re.M,
        )
        if calls != ["../../modules/stack"]:
            problems.append(f"envs/{env}/main.tf must call ../../modules/stack once, not {calls}")
        tfvars = (env_dir / f"{env}.tfvars").read_text()
        if re.search(r"^\s*(blue|green)_weight\s*=", tfvars, flags=re.M):
            problems.append(
                f"envs/{env}/{env}.tfvars sets a weight: "
                "weights live only in traffic.auto.tfvars.json"
            )
        weights = json.loads((env_dir / "traffic.auto.tfvars.json").read_text())
        if set(weights) != {"blue_weight", "green_weight"} or not all(
            isinstance(v, int) and 0 <= v <= 255 for v in weights.values()
        ):
            problems.append(
                f"envs/{env}/traffic.auto.tfvars.json must be "
                "{blue_weight, green_weight} in 0..255"
            )
        for required in ("backend.hcl", ".terraform.lock.hcl"):
            if not (env_dir / required).exists():
                problems.append(f"envs/{env}/{required} is missing")
    for module in sorted(p for p in (TF / "modules").iterdir() if p.is_dir()):
        readme = module / "README.md"
        if not readme.exists():
            problems.append(f"modules/{module.name}/README.md is missing")
            continue
        text = readme.read_text()
        for section in ("## Inputs", "## Outputs"):
            if section not in text:
                problems.append(f"modules/{module.name}/README.md lacks {section}")
        for var in _names(module / "variables.tf", "variable"):
            if f"| {var} |" not in text:
                problems.append(
                    f"modules/{module.name}/README.md: input {var} is not in the Inputs table"
                )
        for out in _names(module / "outputs.tf", "output"):
            if f"| {out} |" not in text:
                problems.append(
                    f"modules/{module.name}/README.md: output {out} is not in the Outputs table"
                )
        if not list((module / "tests").glob("*.tftest.hcl")):
            problems.append(f"modules/{module.name} has no tests/*.tftest.hcl")
    for problem in problems:
        print(f"  FAIL {problem}")
    print(f"  static checks: {len(problems)} problem(s)")
    return 1 if problems else 0


def _stub_zip(function: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo(f"lego_{function}/handler.py", date_time=(2020, 1, 1, 0, 0, 0))
        archive.writestr(
            info, "def lambda_handler(event, context):\n    return {'statusCode': 503}\n"
        )
    return buffer.getvalue()


def artifacts(out_dir: str) -> int:
    """Copy dist/<fn>.{zip,json} when both exist, else write a stub pair; report which."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    real, stubbed = [], []
    for function in functions():
        zip_path, sidecar = ROOT / "dist" / f"{function}.zip", ROOT / "dist" / f"{function}.json"
        if zip_path.exists() and sidecar.exists():
            shutil.copyfile(zip_path, out / zip_path.name)
            shutil.copyfile(sidecar, out / sidecar.name)
            real.append(function)
            continue
        data = _stub_zip(function)
        (out / f"{function}.zip").write_bytes(data)
        handler = f"lego_{function}.handler.lambda_handler"  # the stub's own module
        (out / f"{function}.json").write_text(
            json.dumps(
                {
                    "function": function,
                    "zip": f"dist/{function}.zip",
                    "handler": handler,
                    "runtime": "python3.13",
                    "architecture": "arm64",
                    "platform": "stub",
                    "source_code_hash": base64.b64encode(hashlib.sha256(data).digest()).decode(),
                    "zipped_bytes": len(data),
                    "unzipped_bytes": 0,
                    "dependencies": {},
                },
                indent=2,
            )
        )
        stubbed.append(function)
    print(f"  artefacts from dist/: {', '.join(real) or 'none'}")
    if stubbed:
        print(
            "  STUB artefacts (dist/ lacks them; run `make build` for real ones): "
            + ", ".join(stubbed)
        )
    return 0


def checkov_summary(report: str, config: str = str(TF / ".checkov.yaml")) -> int:
    """Print checkov's counts and every failure; non-zero when anything failed."""
    skip_ids = re.findall(r"^\s*-\s*(CKV\w+)", Path(config).read_text(), flags=re.M)
    data = json.loads(Path(report).read_text())
    reports = data if isinstance(data, list) else [data]
    passed = failed = skipped = 0
    for entry in reports:
        summary = entry.get("summary", {})
        passed += summary.get("passed", 0)
        failed += summary.get("failed", 0)
        skipped += summary.get("skipped", 0)
        for check in entry.get("results", {}).get("failed_checks", []):
            print(
                f"  FAIL {check['check_id']} {check['resource']} "
                f"({check['file_path']}): {check['check_name']}"
            )
    print(f"  checkov: passed={passed} failed={failed} skipped={skipped} (inline)")
    print(
        f"  checkov: {len(skip_ids)} check ids skipped by {Path(config).name}, "
        f"each with its reason: {' '.join(skip_ids)}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    sys.exit(
        {"lint": lint, "artifacts": artifacts, "checkov-summary": checkov_summary}[command](*args)
    )
