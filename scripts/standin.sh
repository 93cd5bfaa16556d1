#!/usr/bin/env bash
# Start/stop the stand-in control plane (scripts/control-plane-standin.mjs) in the background.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
state=${FW_STANDIN_STATE:-/tmp/frameworks-standin}
mkdir -p "$state"
case "${1:-up}" in
  up)
    if [ -s "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then echo "stand-in control plane already up (pid $(cat "$state/pid"))"; exit 0; fi
    FW_STANDIN_STATE=$state nohup node "$here/control-plane-standin.mjs" >"$state/log" 2>&1 &
    echo $! >"$state/pid"
    for _ in $(seq 1 100); do grep -q 'stand-in control plane up' "$state/log" 2>/dev/null && { cat "$state/log"; exit 0; }; kill -0 "$(cat "$state/pid")" 2>/dev/null || break; sleep 0.1; done
    echo "stand-in control plane failed to start:" >&2; cat "$state/log" >&2; exit 1 ;;
  down)
    [ -s "$state/pid" ] && kill "$(cat "$state/pid")" 2>/dev/null || true
    rm -f "$state/pid"; echo "stand-in control plane down" ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
