#!/usr/bin/env bash
# make tf-check: fmt, static checks, validate, terraform test, checkov, and a real apply of dev
# (plus plans of staging and production) against a local moto server. See terraform/README.md.
# Offline: providers come from the filesystem mirror; only PyPI is needed (checkov, moto).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TF_MIRROR="${TF_MIRROR:-/opt/tf-plugins}"
CHECKOV_VERSION="${CHECKOV_VERSION:-3.3.30}"
ENVS=(dev staging production)
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tf-check.XXXXXX")"
MOTO_PID=""
APPLY_PID=""
START=$(date +%s)
# shellcheck source=scripts/tf-lib.sh
source "$ROOT/scripts/tf-lib.sh"

cleanup() {
  if [[ -n "$APPLY_PID" ]] && kill -0 "$APPLY_PID" 2>/dev/null; then
    kill "$APPLY_PID" 2>/dev/null || true
  fi
  moto_stop
  [[ -n "${TF_CHECK_KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

tf_offline_config
cd "$ROOT"

step "terraform $(terraform version | head -1 | cut -d' ' -f2), provider mirror $TF_MIRROR"
step "1/7 terraform fmt -check -recursive"
terraform fmt -check -recursive -diff terraform

step "2/7 static checks (envs: values + one stack call, weights only in traffic.auto.tfvars.json, module READMEs)"
python3 scripts/tf_check.py lint

step "3/7 terraform validate (every env)"
for env in "${ENVS[@]}"; do
  tf_init "terraform/envs/$env" "$WORK/validate-$env" -backend=false -lockfile=readonly
  TF_DATA_DIR="$WORK/validate-$env" terraform -chdir="terraform/envs/$env" validate -no-color | sed -e '/^$/d' -e "s/^/  $env: /"
done

step "4/7 start moto, apply dev's network, then the rest of dev in the background (tests and checkov run meanwhile)"
python3 scripts/tf_check.py artifacts "$WORK/dist"
moto_start

moto_tree "${ENVS[@]}"

for env in "${ENVS[@]}"; do
  tf_init "$WORK/repo/terraform/envs/$env" "$WORK/moto-$env" -lockfile=readonly
done
apply_start=$(date +%s)
# moto races when revoking a new security group's default egress rule under parallel creates
# (InvalidPermission.NotFound), and the group is then lost from the state, so no second apply
# can mend it: the network (every security group) goes first, one resource at a time, and in the
# foreground: run beside terraform test and checkov (CPU-bound), moto answered slowly enough for
# the SDK to retry creates (InvalidGroup.Duplicate) even then.
if ! moto_tf dev apply -auto-approve -parallelism=1 -target=module.stack.module.network \
  >"$WORK/apply-dev-network.log" 2>&1; then
  tail -60 "$WORK/apply-dev-network.log"; echo "  FAIL apply of dev's network against moto"; exit 1
fi
echo "  dev: network applied in $(($(date +%s) - apply_start)) s; the rest applies in the background"
(moto_tf dev apply -auto-approve -parallelism=20 >"$WORK/apply-dev.log" 2>&1; echo $? >"$WORK/apply-dev.rc") &
APPLY_PID=$!

step "5/7 terraform test (every module, the stack composition included; mock provider)"
tests_total=0
for module in terraform/modules/*/; do
  name="$(basename "$module")"
  extra=()
  [[ "$name" == stack ]] && extra=(-var "artifacts_dir=$WORK/dist") # the stack reads the sidecars
  tf_init "$module" "$WORK/test-$name" -backend=false
  out="$(TF_DATA_DIR="$WORK/test-$name" terraform -chdir="$module" test -no-color "${extra[@]}" 2>&1)" || { echo "$out"; exit 1; }
  line="$(grep -E '^(Success|Failure)!' <<<"$out")"
  echo "  $name: $line"
  tests_total=$((tests_total + $(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")))
  rm -f "$module/.terraform.lock.hcl"
done
echo "  terraform test: $tests_total run blocks passed"

step "6/7 checkov $CHECKOV_VERSION (skips and reasons: terraform/.checkov.yaml)"
uv tool run --quiet --from "checkov==$CHECKOV_VERSION" checkov --config-file terraform/.checkov.yaml \
  -d terraform -o json >"$WORK/checkov.json" 2>"$WORK/checkov.err" || true
[[ -s "$WORK/checkov.json" ]] || { cat "$WORK/checkov.err"; exit 1; }
python3 scripts/tf_check.py checkov-summary "$WORK/checkov.json"

step "7/7 dev applied against moto; second plan of dev; plans of staging and production"
wait "$APPLY_PID" || true
APPLY_PID=""
if [[ "$(cat "$WORK/apply-dev.rc" 2>/dev/null)" != "0" ]]; then
  tail -60 "$WORK/apply-dev.log"; echo "  FAIL apply of dev against moto"; exit 1
fi
grep -E '^Apply complete' "$WORK/apply-dev.log" | sed 's/^/  dev: /'
resources="$(TF_DATA_DIR="$WORK/moto-dev" terraform -chdir="$WORK/repo/terraform/envs/dev" state list | grep -vc '^data\.\|\.data\.')"
echo "  dev: $resources managed resources in state, apply took $(($(date +%s) - apply_start)) s (wall, shared with steps 5-6)"

# What Terraform gave each Lambda, for `lego-build env-check` (runs every zip's handler with
# exactly that environment). .local/ is gitignored; the subcommand may not exist yet.
mkdir -p "$ROOT/.local/tf"
TF_DATA_DIR="$WORK/moto-dev" terraform -chdir="$WORK/repo/terraform/envs/dev" show -json >"$ROOT/.local/tf/dev-state.json"
echo "  dev: state written to .local/tf/dev-state.json"
if uv run --quiet --project "$ROOT" lego-build env-check --help >/dev/null 2>&1; then
  if ! uv run --quiet --project "$ROOT" lego-build env-check --tf-state-json "$ROOT/.local/tf/dev-state.json" 2>&1 | sed 's/^/  env-check: /'; then
    echo "  FAIL lego-build env-check"; exit 1
  fi
else
  echo "  env-check: skipped (this tree's lego-build has no env-check subcommand yet)"
fi

plan_pids=()
for env in staging production; do
  (moto_tf "$env" plan -parallelism=20 >"$WORK/plan-$env.log" 2>&1; echo $? >"$WORK/plan-$env.rc") &
  plan_pids+=($!)
done
set +e
moto_tf dev plan -detailed-exitcode -parallelism=20 >"$WORK/replan-dev.log" 2>&1
code=$?
set -e
wait "${plan_pids[@]}" || true # never a bare `wait`: it would wait for moto too
if [[ $code -ne 0 ]]; then
  grep -E '^\s+[~+-/]|# .* (will|must) be|Error' "$WORK/replan-dev.log" | head -60
  echo "  FAIL second plan of dev is not empty (exit $code)"; exit 1
fi
echo "  dev: second plan shows no changes"
for env in staging production; do
  [[ "$(cat "$WORK/plan-$env.rc")" == "0" ]] || { tail -40 "$WORK/plan-$env.log"; echo "  FAIL plan of $env"; exit 1; }
  grep -E '^Plan:' "$WORK/plan-$env.log" | sed "s/^/  $env: /"
done

step "tf-check passed in $(($(date +%s) - START)) s"
