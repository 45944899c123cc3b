#!/usr/bin/env bash
# make tf-moved-check: prove the moved {} blocks of terraform/envs/dev (issue 12 §1). Applies dev
# as laid out at BASE (default c873d15, the last commit with the composition in the env) on a
# local moto server, switches the same state to this tree's layout, requires a plan of moves
# only (every resource and output change a no-op), applies it, and then requires
# `terraform plan -detailed-exitcode` = 0.
#
#   BASE=<commit>          the layout to start from (default c873d15)
#   TF_MOVED_FULL=1        take BASE's modules too; by default only BASE's env root files
#                          (main.tf, variables.tf, outputs.tf, versions.tf, dev.tfvars) are old and
#                          the modules are this tree's, so module changes made since BASE (which
#                          the regular tf-check applies and re-plans) do not hide what the moves do.
#   TF_CHECK_KEEP=1        keep the temp dir (logs, state)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TF_MIRROR="${TF_MIRROR:-/opt/tf-plugins}"
BASE="${BASE:-c873d15}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tf-moved-check.XXXXXX")"
MOTO_PID=""
START=$(date +%s)
# shellcheck source=scripts/tf-lib.sh
source "$ROOT/scripts/tf-lib.sh"

cleanup() {
  moto_stop
  [[ -n "${TF_CHECK_KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

tf_offline_config
cd "$ROOT"

step "1/4 trees: old layout from $BASE ($([[ -n "${TF_MOVED_FULL:-}" ]] && echo "env root and modules" || echo "env root; modules from this tree")), new layout from this tree"
mkdir -p "$WORK/old" "$WORK/new/functions"
if [[ -n "${TF_MOVED_FULL:-}" ]]; then
  git archive "$BASE" terraform functions/routes.json | tar -xf - -C "$WORK/old"
else
  mkdir -p "$WORK/old/functions"
  cp functions/routes.json "$WORK/old/functions/"
  (tar --exclude=.terraform -cf - terraform) | tar -xf - -C "$WORK/old"
  rm -rf "$WORK/old/terraform/envs/dev" "$WORK/old/terraform/moto"
  git archive "$BASE" terraform/envs/dev terraform/moto | tar -xf - -C "$WORK/old"
fi
cp functions/routes.json "$WORK/new/functions/"
(tar --exclude=.terraform -cf - terraform) | tar -xf - -C "$WORK/new"
python3 scripts/tf_check.py artifacts "$WORK/dist"

step "2/4 start moto"
moto_start

# Both layouts share one state file (local backend) and one moto: only the layout changes.
for tree in old new; do
  sed -e "s#@URL@#http://127.0.0.1:$port#g" -e "s#@STATE@#$WORK/dev.tfstate#g" \
    terraform/moto/provider_override.tf.tmpl >"$WORK/$tree/terraform/envs/dev/zz_moto_override.tf"
done
tf() { # tree command args...
  local tree="$1"; shift
  TF_DATA_DIR="$WORK/data-$tree" terraform -chdir="$WORK/$tree/terraform/envs/dev" "$@" -no-color -input=false
}
vars=(-var-file=dev.tfvars -var-file=../../moto/moto.tfvars -var "artifacts_dir=$WORK/dist")

step "3/4 apply dev with the old layout ($BASE)"
tf old init -lockfile=readonly >"$WORK/init-old.log" 2>&1 || { cat "$WORK/init-old.log"; exit 1; }
# moto races now and then when revoking a new group's default egress rule under parallel
# creates (InvalidPermission.NotFound); a second apply replaces the tainted group.
if ! tf old apply -auto-approve -parallelism=20 "${vars[@]}" >"$WORK/apply-old.log" 2>&1; then
  grep -q 'revoking default IPv4 egress rule' "$WORK/apply-old.log" \
    || { tail -60 "$WORK/apply-old.log"; echo "  FAIL apply of the old layout"; exit 1; }
  echo "  old: moto's default-egress race hit; applying again"
  tf old apply -auto-approve -parallelism=20 "${vars[@]}" >"$WORK/apply-old.log" 2>&1 \
    || { tail -60 "$WORK/apply-old.log"; echo "  FAIL apply of the old layout"; exit 1; }
fi
grep -E '^Apply complete' "$WORK/apply-old.log" | sed 's/^/  old: /'
TF_DATA_DIR="$WORK/data-old" terraform -chdir="$WORK/old/terraform/envs/dev" state list >"$WORK/state-old.txt"
old_count="$(grep -vc '^data\.\|\.data\.' "$WORK/state-old.txt")"
echo "  old: $old_count managed resources, e.g. $(grep -m1 '^module\.function' "$WORK/state-old.txt")"

step "4/4 same state, new layout: only moves, then terraform plan -detailed-exitcode = 0"
tf new init -lockfile=readonly >"$WORK/init-new.log" 2>&1 || { cat "$WORK/init-new.log"; exit 1; }
# A plan whose only changes are moves exits 2 (Terraform counts a move as a change): read it
# back and require that every resource and output change is a no-op, then apply it (it writes
# only the new addresses into the state) and plan again, which must exit 0.
set +e
tf new plan -detailed-exitcode -parallelism=20 -out="$WORK/moved.tfplan" "${vars[@]}" >"$WORK/plan-new.log" 2>&1
code=$?
set -e
grep -E '^(Plan:|No changes)' "$WORK/plan-new.log" | sed 's/^/  new: /' || true
[[ $code -ne 1 ]] || { tail -40 "$WORK/plan-new.log"; echo "  FAIL plan of the new layout"; exit 1; }
TF_DATA_DIR="$WORK/data-new" terraform -chdir="$WORK/new/terraform/envs/dev" show -json "$WORK/moved.tfplan" >"$WORK/moved.json"
python3 - "$WORK/moved.json" "$code" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
changes = plan.get("resource_changes", [])
moved = [c for c in changes if c.get("previous_address")]
acting = [f"{c['address']}: {c['change']['actions']}" for c in changes if c["change"]["actions"] != ["no-op"]]
outputs = [n for n, c in plan.get("output_changes", {}).items() if c["actions"] != ["no-op"]]
wrong = [c["address"] for c in moved if not c["address"].startswith("module.stack.")]
print(f"  new: plan exit {sys.argv[2]}: {len(moved)} resource instances moved into module.stack, "
      f"{len(acting)} with an action, {len(outputs)} outputs changed")
for line in acting[:40] + [f"output {n} changes" for n in outputs] + [f"moved outside the stack: {a}" for a in wrong]:
    print(f"  FAIL {line}")
sys.exit(1 if acting or outputs or wrong or not moved else 0)
PY
TF_DATA_DIR="$WORK/data-new" terraform -chdir="$WORK/new/terraform/envs/dev" apply -no-color -input=false \
  -auto-approve "$WORK/moved.tfplan" >"$WORK/apply-moves.log" 2>&1 \
  || { tail -30 "$WORK/apply-moves.log"; echo "  FAIL applying the moves"; exit 1; }
grep -E '^Apply complete' "$WORK/apply-moves.log" | sed 's/^/  moves: /'
set +e
tf new plan -detailed-exitcode -parallelism=20 "${vars[@]}" >"$WORK/replan-new.log" 2>&1
code=$?
set -e
if [[ $code -ne 0 ]]; then
  grep -E '^\s+[~+-/]|# .* (will|must|has)|Error' "$WORK/replan-new.log" | head -60 || true
  echo "  FAIL plan after the moves: exit $code (0 = no changes)"
  exit 1
fi
new_count="$(TF_DATA_DIR="$WORK/data-new" terraform -chdir="$WORK/new/terraform/envs/dev" state list | grep -vc '^data\.\|\.data\.')"
echo "  new: terraform plan -detailed-exitcode: exit 0 ($new_count resources, all under module.stack; applied with $BASE's layout: $old_count)"
step "tf-moved-check passed in $(($(date +%s) - START)) s"
