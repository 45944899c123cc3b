#!/usr/bin/env bash
# make tf-plan ENV=<env> [OUT=dir]: `terraform plan` of one env, saved as OUT/<env>.tfplan (binary,
# for `terraform apply`) and OUT/<env>.plan.txt (text, for review). The CI workflow's plan job
# uploads both. Two targets:
#   TF_PLAN_AGAINST=aws   the env's S3 backend and whatever AWS credentials are set (CI: the OIDC
#                         role); -lock=false, so a read-only role can plan
#   TF_PLAN_AGAINST=moto  (default) a local moto server with terraform/moto's switches, exactly as
#                         make tf-check plans staging and production, so a plan exists without AWS
# Artefacts: against AWS only the real ones in dist/ (make build; a missing one would plan its
# function's removal); against moto dist/ where built, stubs elsewhere (scripts/tf_check.py
# artifacts), and that plan is for review only: it names a temporary zip path and moto's ids.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TF_MIRROR="${TF_MIRROR:-/opt/tf-plugins}"
ENV_NAME="${1:?usage: scripts/tf-plan.sh <dev|staging|production> [out_dir]}"
OUT="$(mkdir -p "${2:-$ROOT/.local/tf/plans}" && cd "${2:-$ROOT/.local/tf/plans}" && pwd)"
AGAINST="${TF_PLAN_AGAINST:-moto}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tf-plan.XXXXXX")"
MOTO_PID=""
START=$(date +%s)
# shellcheck source=scripts/tf-lib.sh
source "$ROOT/scripts/tf-lib.sh"

cleanup() {
  moto_stop
  [[ -n "${TF_CHECK_KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

[[ -d "$ROOT/terraform/envs/$ENV_NAME" && "$ENV_NAME" != _shared ]] || { echo "no env $ENV_NAME" >&2; exit 2; }
# AWS_ACCESS_KEY_ID etc. come from the caller here: tf_offline_config keeps them when set.
tf_offline_config
cd "$ROOT"

case "$AGAINST" in
  moto)
    step "plan $ENV_NAME against a local moto server (terraform/moto switches)"
    python3 scripts/tf_check.py artifacts "$WORK/dist"
    moto_start
    moto_tree "$ENV_NAME"
    tf_init "$WORK/repo/terraform/envs/$ENV_NAME" "$WORK/moto-$ENV_NAME" -lockfile=readonly
    moto_tf "$ENV_NAME" plan -parallelism=20 -out="$OUT/$ENV_NAME.tfplan" >"$WORK/plan.log" 2>&1 \
      || { tail -60 "$WORK/plan.log"; echo "  FAIL plan of $ENV_NAME against moto"; exit 1; }
    TF_DATA_DIR="$WORK/moto-$ENV_NAME" terraform -chdir="$WORK/repo/terraform/envs/$ENV_NAME" \
      show -no-color "$OUT/$ENV_NAME.tfplan" >"$OUT/$ENV_NAME.plan.txt"
    ;;
  aws)
    step "plan $ENV_NAME against AWS (backend.hcl, the caller's credentials)"
    dir="terraform/envs/$ENV_NAME"
    if python3 scripts/tf_check.py artifacts "$WORK/dist" | grep STUB; then
      echo "  FAIL a plan against AWS needs every zip: run make build first"; exit 1
    fi
    tf_init "$dir" "$WORK/aws-$ENV_NAME" -backend-config=backend.hcl -lockfile=readonly
    TF_DATA_DIR="$WORK/aws-$ENV_NAME" terraform -chdir="$dir" plan -no-color -input=false -lock=false \
      -var-file="$ENV_NAME.tfvars" -var "artifacts_dir=$ROOT/dist" -out="$OUT/$ENV_NAME.tfplan" >"$WORK/plan.log" 2>&1 \
      || { tail -60 "$WORK/plan.log"; echo "  FAIL plan of $ENV_NAME against AWS"; exit 1; }
    TF_DATA_DIR="$WORK/aws-$ENV_NAME" terraform -chdir="$dir" show -no-color "$OUT/$ENV_NAME.tfplan" >"$OUT/$ENV_NAME.plan.txt"
    ;;
  *)
    echo "TF_PLAN_AGAINST must be aws or moto, not $AGAINST" >&2; exit 2
    ;;
esac
grep -E '^Plan:|^No changes' "$WORK/plan.log" | sed "s/^/  $ENV_NAME ($AGAINST): /"
echo "  wrote $OUT/$ENV_NAME.tfplan and $OUT/$ENV_NAME.plan.txt"
