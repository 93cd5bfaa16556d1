#!/usr/bin/env bash
# The main job end to end on a fresh machine, as an operator would run it (README command 1):
#   bash scripts/try.sh up     engines + stand-in control plane up, then edge preflight, edge init
#                              --tls internal on the locally built stand-in images, a bootstrap token
#                              from `admin bootstrap-tokens create`, edge enroll, edge status, edge doctor
#   bash scripts/try.sh down   remove the demo edge stack and stop the stand-in control plane
# Idempotent: a second `up` finds the stack and the context and only re-checks them.
# Needs the `frameworks` command on PATH (npm link) and Node 22 first on PATH (source scripts/node22.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
dir=${FW_TRY_DIR:-$HOME/frameworks-edge-demo}
project=${FW_TRY_PROJECT:-fw-edge-demo}
domain=edge.localhost
http_port=${FW_TRY_HTTP_PORT:-18080}
https_port=${FW_TRY_HTTPS_PORT:-18443}
manifest=$root/test/fixtures/edge/release-manifest.yaml
tenant=5eed0000-0000-4000-8000-000000000001 # the stand-in control plane's demo tenant
standin_state=${FW_STANDIN_STATE:-/tmp/frameworks-standin}
export DOCKER_HOST=${FW_TRY_DOCKER_HOST:-unix:///tmp/frameworks-infra/docker.sock}

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }
fw() { printf '$ frameworks %s\n' "$*" >&2; frameworks "$@"; }
command -v frameworks >/dev/null || { echo "frameworks is not on PATH: run npm link first (README command 1)" >&2; exit 1; }

case "${1:-up}" in
  up)
    step "Engines: Docker engine on its own socket, stand-in edge images (scripts/infra.sh)"
    bash "$here/infra.sh" up
    step "Stand-in control plane on the contract's default localhost ports"
    bash "$here/standin.sh" up
    step "A context for it, and the demo service token the stand-in printed"
    fw context use local
    fw login --service-token-stdin <"$standin_state/service-token"
    fw auth status

    step "The edge stack: files written by edge init (this machine cannot grant nofile 1048576: its hard limit is passed)"
    if [ -f "$dir/.edge.env" ]; then
      echo "$dir already holds an edge stack: keeping it" >&2
    else
      fw edge init --dir "$dir" --domain "$domain" --tls internal --release-manifest "$manifest" --allow-unpinned \
        --bind 127.0.0.1 --http-port "$http_port" --https-port "$https_port" --project "$project" --nofile "$(ulimit -Hn)"
    fi
    step "Preflight of this host for that stack"
    fw edge preflight --dir "$dir" --domain "$domain"

    step "Enroll: a bootstrap token from Quartermaster, then every enrollment stage"
    if grep -q '^EDGE_ENROLLMENT_TOKEN=.' "$dir/.edge.env"; then
      fw edge enroll --dir "$dir"
    else
      token=$(frameworks admin bootstrap-tokens create --kind edge_node --tenant-id "$tenant" --cluster-id central-1 --ttl 1h --json | node -e \
        'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).result.token.token))')
      printf '%s\n' "$token" | fw edge enroll --dir "$dir" --token-stdin
    fi
    step "Status and doctor"
    fw edge status --dir "$dir"
    fw edge doctor --dir "$dir"
    printf '\nDone. Try: frameworks edge logs helmsman --dir %s · frameworks admin nodes list · frameworks services health\nTear down: bash scripts/try.sh down\n' "$dir" >&2
    ;;
  down)
    if docker compose -p "$project" ps -q >/dev/null 2>&1; then docker compose -p "$project" down -v --remove-orphans >&2 || true; fi
    rm -rf "$dir"
    bash "$here/standin.sh" down
    echo "demo stack removed; the engines stay up (bash scripts/infra.sh down stops them)" >&2
    ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
