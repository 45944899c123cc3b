# Shared by scripts/tf-check.sh, scripts/tf-moved-check.sh and scripts/tf-plan.sh (sourced, not
# run): the offline Terraform CLI config, a local moto server and the env copies planned against it.
# Callers set ROOT, WORK, TF_MIRROR and START.

step() { printf '\n==> [%3ss] %s\n' "$(($(date +%s) - START))" "$*"; }

# Our own CLI config: the registry is unreachable and the default TF_CLI_CONFIG_FILE may not exist.
tf_offline_config() {
  cat >"$WORK/terraformrc" <<CFG
provider_installation {
  filesystem_mirror {
    path    = "$TF_MIRROR"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
CFG
  export TF_CLI_CONFIG_FILE="$WORK/terraformrc"
  export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
  export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-testing}" AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-testing}"
  export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}" AWS_EC2_METADATA_DISABLED=true
}

# Starts moto_server in its own process group (setsid: uv and the server stop together) on a
# free port; sets MOTO_PID and port, and returns once it answers.
moto_start() {
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  setsid uv run --quiet --project "$ROOT" moto_server -H 127.0.0.1 -p "$port" >"$WORK/moto.log" 2>&1 </dev/null &
  MOTO_PID=$!
  for _ in $(seq 1 120); do
    moto_up && break
    kill -0 "$MOTO_PID" 2>/dev/null || { cat "$WORK/moto.log"; exit 1; }
    sleep 0.5
  done
  moto_up || { echo "moto did not start"; cat "$WORK/moto.log"; exit 1; }
  echo "  moto_server (process group $MOTO_PID) on port $port"
}

moto_up() { python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$port/moto-api/', timeout=2)" 2>/dev/null; }

moto_stop() {
  if [[ -n "${MOTO_PID:-}" ]] && kill -0 "$MOTO_PID" 2>/dev/null; then
    kill -- "-$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
}

tf_init() { # dir data_dir [extra args]: init with .terraform kept out of the tree
  local dir="$1" data="$2"; shift 2
  TF_DATA_DIR="$data" terraform -chdir="$dir" init -input=false -no-color "$@" >"$data.init.log" 2>&1 \
    || { cat "$data.init.log"; return 1; }
}

# A copy of the tree under $WORK/repo whose env roots ($@) talk to the moto server on $port, so the
# backend/provider override never lands in terraform/.
moto_tree() { # env...
  local env
  mkdir -p "$WORK/repo/functions"
  cp "$ROOT/functions/routes.json" "$WORK/repo/functions/"
  (cd "$ROOT" && tar --exclude=.terraform -cf - terraform) | tar -xf - -C "$WORK/repo"
  for env in "$@"; do
    sed -e "s#@URL@#http://127.0.0.1:$port#g" -e "s#@STATE@#$WORK/state-$env.tfstate#g" \
      "$ROOT/terraform/moto/provider_override.tf.tmpl" >"$WORK/repo/terraform/envs/$env/zz_moto_override.tf"
  done
}

moto_tf() { # env command args...: terraform in the moto copy of env, with its tfvars, the moto switches, $WORK/dist
  local env="$1"; shift
  TF_DATA_DIR="$WORK/moto-$env" terraform -chdir="$WORK/repo/terraform/envs/$env" "$@" -no-color -input=false \
    -var-file="$env.tfvars" -var-file=../../moto/moto.tfvars -var "artifacts_dir=$WORK/dist"
}
