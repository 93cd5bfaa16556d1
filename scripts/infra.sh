#!/usr/bin/env bash
# scripts/infra.sh up|down|status — the real local engines the e2e tests run against.
#
#   up      install the Debian packages the tests call, then start every engine. Idempotent:
#           re-running skips what is already installed or running.
#   down    stop every daemon `up` started (by pid file). Leaves installed packages and data.
#   status  one line per engine; exit 0 when all are up, 1 otherwise.
#
# Engines (start order):
#   verdaccio  offline npm registry, 127.0.0.1:4873, no uplinks, anonymous publish
#              (test/e2e/plugins.test.ts: `frameworks plugins install`).
#   dockerd    a private Docker engine: socket $S/docker.sock, data-root $S/docker, exec-root
#              $S/docker-exec, pidfile $S/docker.pid, config $S/daemon.json (never /etc/docker), its
#              own bridge fw-docker0 and address pools, its own containerd namespace. A system docker
#              (/var/run/docker.sock, /var/lib/docker, docker0) is never used or touched.
#              Compose: the v2 plugin (Debian trixie's docker-compose 2.x, extracted with a private
#              apt state into /usr/local/lib/docker/cli-plugins/docker-compose) and v1
#              (bookworm's docker-compose 1.29.2, ~1 MB of python3 libraries) side by side.
#   registry   local image registry (Debian docker-registry) on 127.0.0.1:5000, storage $S/registry.
#   images     the stand-in images of scripts/images/ (local/caddy:2.6.2, local/mistserver:1,
#              local/helmsman:1, local/helmsman:2, local/busybox:1), built without any registry
#              pull and pushed as 127.0.0.1:5000/edge/<name>:<tag>. Stopping it removes every
#              container of the private engine, so `down` stops containers, then registry, then dockerd.
# Nothing is exported: tests find the engine through test/support/docker.ts
# (DOCKER_HOST=unix://$S/docker.sock). By hand: DOCKER_HOST=unix://$S/docker.sock docker ps
# Adding an engine: write install/start/stop/status functions like the verdaccio ones below,
# add its Debian packages to APT_PACKAGES, and list it in ENGINES (start order; stopped in reverse).
#
# State (pid files, logs, data) lives in ${FW_INFRA_STATE:-/tmp/frameworks-infra}.
# Needs root (or passwordless sudo) only when Debian packages are missing.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
S=${FW_INFRA_STATE:-/tmp/frameworks-infra}

# Debian packages the tests need: shells for the completion tests, openssl for the TLS test,
# time for the bench's peak RSS, python3 for the pty driver of the menu test; the engine
# (docker.io), what the stand-in images are made of (busybox-static, caddy), the image registry
# (docker-registry), sshd for the SSH executor tests, and Compose v1 (docker-compose 1.29.2: 1 MB of
# pure-python libraries on top of python3, installs in a few seconds, no conflict with the v2 plugin),
# e2fsprogs (mkfs.ext4 and chattr) for the loop-mounted filesystems of the all-or-nothing tests.
# Releases (issue 10): skopeo. Workspace mode (issue 11): git, Go, meson + ninja + g++ (cosign comes from sid, below).
APT_PACKAGES="zsh fish curl openssl time python3 docker.io busybox-static caddy openssh-server docker-registry docker-compose e2fsprogs iproute2 skopeo git golang-go meson ninja-build g++ pkg-config make file"

# Start order; `down` stops them in reverse.
ENGINES="verdaccio dockerd registry images"

VERDACCIO_HOST=127.0.0.1
VERDACCIO_PORT=4873
VERDACCIO_URL="http://$VERDACCIO_HOST:$VERDACCIO_PORT"

DOCKER_SOCK=$S/docker.sock
DOCKER_URL=unix://$DOCKER_SOCK
DOCKER_BRIDGE=fw-docker0                      # not docker0: a system docker may own that one
DOCKER_BRIDGE_CIDR=172.31.254.1/24
DOCKER_POOL=172.31.0.0/17                      # compose networks: 172.31.0-127.x/24, clear of the bridge
COMPOSE_PLUGIN=/usr/local/lib/docker/cli-plugins/docker-compose

REGISTRY_HOST=127.0.0.1
REGISTRY_PORT=5000
REGISTRY_URL="http://$REGISTRY_HOST:$REGISTRY_PORT"

export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1

log() { printf '[infra %4ss] %s\n' "$SECONDS" "$*" >&2; }
die() {
  log "FAIL: $*"
  local f
  for f in "$S"/*.log; do [ -s "$f" ] && { echo "--- last lines of $f" >&2; tail -n 15 "$f" >&2; }; done
  exit 1
}
trap 'die "line $LINENO: $BASH_COMMAND"' ERR

wait_for() {   # wait_for <what> <seconds> <command…>: poll every 0.1 s
  local what=$1 secs=$2 i; shift 2
  for ((i = 0; i < secs * 10; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "$what not ready after ${secs}s"
}
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
gone() { ! kill -0 "$1" 2>/dev/null || grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }   # a zombie is gone
stop_pidfile() {   # TERM the daemon named by a pid file, wait up to 15 s, then KILL
  local f=$1 p i
  if alive "$f"; then
    p=$(cat "$f")
    kill "$p" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do gone "$p" && break; sleep 0.1; done
    gone "$p" || kill -9 "$p" 2>/dev/null || true
  fi
  rm -f "$f"
}
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# ---------------------------------------------------------------- Debian packages
install_apt() {
  local miss=() p
  for p in $APT_PACKAGES; do dpkg -s "$p" >/dev/null 2>&1 || miss+=("$p"); done
  [ ${#miss[@]} -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null && sudo -n true 2>/dev/null || die "missing Debian packages: ${miss[*]} (run as root, or: sudo apt-get install ${miss[*]})"
    sudo=(sudo -n)
  fi
  log "apt-get install ${miss[*]}"
  # Packages with daemons (docker.io, caddy, docker-registry, openssh-server) must not start them:
  # a system docker, :80 or :5000 taken by Debian's units would collide with our engines. Containers
  # ship a policy-rc.d that forbids it; where there is none, one is put in place for this install only.
  local policy=''
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\n# written by frameworks scripts/infra.sh during apt-get install; removed afterwards\nexit 101\n' |
      "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
  fi
  local rc=0
  { "${sudo[@]}" apt-get update -qq >"$S/apt.log" 2>&1 &&
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${miss[@]}" >>"$S/apt.log" 2>&1; } || rc=$?
  [ -z "$policy" ] || "${sudo[@]}" rm -f "$policy"
  [ "$rc" = 0 ] && log "apt-get install done"
  return "$rc"
}

# ---------------------------------------------------------------- Node 22 + verdaccio in .tools/
install_tools() {
  # shellcheck source=scripts/node22.sh
  source "$ROOT/scripts/node22.sh" 2>"$S/node22.log" || { cat "$S/node22.log" >&2; return 1; }
}

# ---------------------------------------------------------------- verdaccio
verdaccio_install() { install_tools; }

verdaccio_start() {
  alive "$S/verdaccio.pid" && return 0
  if port_open "$VERDACCIO_HOST" "$VERDACCIO_PORT"; then
    die "$VERDACCIO_HOST:$VERDACCIO_PORT is taken by a process this script did not start (no live $S/verdaccio.pid). Stop it, or run down with the FW_INFRA_STATE it was started with."
  fi
  log "starting verdaccio on $VERDACCIO_URL (offline)"
  mkdir -p "$S/verdaccio-storage"
  cat >"$S/verdaccio.yaml" <<EOF
# generated by scripts/infra.sh — offline registry for e2e tests
storage: $S/verdaccio-storage
listen: $VERDACCIO_HOST:$VERDACCIO_PORT
auth: {htpasswd: {file: $S/verdaccio-htpasswd, max_users: -1}}
uplinks: {}
packages:
  '@*/*': {access: \$all, publish: \$anonymous, unpublish: \$anonymous}
  '**': {access: \$all, publish: \$anonymous, unpublish: \$anonymous}
web: {enable: false}
max_body_size: 100mb
log: {type: stdout, format: pretty, level: warn}
EOF
  nohup "$ROOT/.tools/node_modules/.bin/node" "$ROOT/.tools/node_modules/verdaccio/bin/verdaccio" \
    --config "$S/verdaccio.yaml" >"$S/verdaccio.log" 2>&1 </dev/null &
  echo $! >"$S/verdaccio.pid"
  wait_for verdaccio 60 verdaccio_ping
  # npm refuses to publish without *a* token; verdaccio accepts any. For manual `npm publish --userconfig`.
  printf '//%s:%s/:_authToken=anonymous\n' "$VERDACCIO_HOST" "$VERDACCIO_PORT" >"$S/npmrc"
}

verdaccio_ping() { curl -fsS --max-time 2 "$VERDACCIO_URL/-/ping" >/dev/null; }
verdaccio_stop() { stop_pidfile "$S/verdaccio.pid"; }
verdaccio_status() {
  if alive "$S/verdaccio.pid" && verdaccio_ping; then echo "verdaccio  up    $VERDACCIO_URL  pid $(cat "$S/verdaccio.pid")  storage $S/verdaccio-storage"
  elif alive "$S/verdaccio.pid"; then echo "verdaccio  stuck pid $(cat "$S/verdaccio.pid") does not answer $VERDACCIO_URL/-/ping (log $S/verdaccio.log)"; return 1
  else echo "verdaccio  down"; return 1; fi
}

# ---------------------------------------------------------------- dockerd (+ compose v2/v1)
D() { DOCKER_HOST=$DOCKER_URL /usr/bin/docker "$@"; }   # Debian's 20.10 client, same version as the daemon

# fetch_deb <suite> <package> <file in the .deb> <destination>: one binary from a newer Debian suite's .deb,
# through a private apt state (the system's apt lists and lock are untouched), installed 0755.
fetch_deb() {
  local suite=$1 pkg=$2 inside=$3 dest=$4 T=$S/apt-$1 A bin
  log "fetching $pkg from Debian $suite (private apt state in $T)"
  mkdir -p "$T/lists/partial" "$T/cache/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" >"$T/sources.list"
  A=(-o "Dir::Etc::SourceList=$T/sources.list" -o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$T/lists"
     -o "Dir::Cache=$T/cache" -o Acquire::Languages=none)
  apt-get "${A[@]}" update -qq >"$S/apt-$suite-$pkg.log" 2>&1 || die "apt-get update ($suite, private state) failed"
  rm -rf "$T/x" "$T"/*.deb
  (cd "$T" && apt-get "${A[@]}" download "$pkg/$suite" >>"$S/apt-$suite-$pkg.log" 2>&1) || die "apt-get download $pkg/$suite failed"
  dpkg-deb -x "$T"/"${pkg}"_*_amd64.deb "$T/x"
  bin=$(find "$T/x" -path "*$inside" -type f | head -n1)
  [ -n "$bin" ] || die "no $inside in $(ls "$T"/*.deb)"
  if [ "$(id -u)" = 0 ]; then install -D -m 755 "$bin" "$dest"; else sudo -n install -D -m 755 "$bin" "$dest"; fi
  rm -rf "$T"   # the suite's lists: not needed once the binary is in place
}

dockerd_install() {   # bookworm has only compose v1 (python); trixie's docker-compose 2.x .deb runs on bookworm (libc6 >= 2.34)
  [ -x "$COMPOSE_PLUGIN" ] && return 0
  fetch_deb trixie docker-compose cli-plugins/docker-compose "$COMPOSE_PLUGIN"
  log "compose v2 plugin $("$COMPOSE_PLUGIN" version --short 2>/dev/null) -> $COMPOSE_PLUGIN"
}

# cosign (signatures and SBOM attestations made by the release tests): sid's 3.x, one Go binary (libc >= 2.34).
COSIGN=/usr/local/bin/cosign
cosign_install() {
  [ -x "$COSIGN" ] && return 0
  fetch_deb sid cosign usr/bin/cosign "$COSIGN"
  log "$("$COSIGN" version 2>/dev/null | grep -m1 GitVersion | tr -s ' ') -> $COSIGN"
}

dockerd_ping() { D version --format '{{.Server.Version}}' >/dev/null 2>&1; }

dockerd_start() {
  if alive "$S/docker.pid"; then wait_for dockerd 30 dockerd_ping; return 0; fi
  command -v dockerd >/dev/null || die "dockerd is not installed (apt-get install docker.io)"
  log "starting dockerd on $DOCKER_URL (data-root $S/docker)"
  rm -f "$DOCKER_SOCK"
  mkdir -p "$S/docker" "$S/docker-exec"
  [ -s "$S/daemon.json" ] || echo '{}' >"$S/daemon.json"   # so /etc/docker/daemon.json (a system docker's) is not read
  if ! ip link show "$DOCKER_BRIDGE" >/dev/null 2>&1; then
    ip link add "$DOCKER_BRIDGE" type bridge && ip addr add "$DOCKER_BRIDGE_CIDR" dev "$DOCKER_BRIDGE" || die "cannot create bridge $DOCKER_BRIDGE"
  fi
  ip link set "$DOCKER_BRIDGE" up
  nohup dockerd --host "$DOCKER_URL" --data-root "$S/docker" --exec-root "$S/docker-exec" --pidfile "$S/docker.pid" \
    --config-file "$S/daemon.json" --bridge "$DOCKER_BRIDGE" --default-address-pool "base=$DOCKER_POOL,size=24" \
    --containerd-namespace frameworks-e2e --containerd-plugins-namespace frameworks-e2e-plugins \
    --log-level warn >"$S/dockerd.log" 2>&1 </dev/null &
  local pid=$! i   # dockerd writes $S/docker.pid itself (it refuses a pid file naming a live process)
  for ((i = 0; i < 600; i++)); do
    dockerd_ping && break
    kill -0 "$pid" 2>/dev/null || die "dockerd exited during start (see $S/dockerd.log)"
    sleep 0.1
  done
  dockerd_ping || { kill "$pid" 2>/dev/null; die "dockerd not ready after 60s (see $S/dockerd.log)"; }
  log "dockerd $(D version --format '{{.Server.Version}}') up (pid $pid, bridge $DOCKER_BRIDGE $DOCKER_BRIDGE_CIDR)"
}

dockerd_stop() {
  stop_pidfile "$S/docker.pid"
  # dockerd leaves its exec-root's netns/default bind mount behind (and, if killed, overlay mounts):
  # unmount whatever is still mounted under $S so that the state folder can be removed.
  local m
  for m in $(awk -v s="$S/" 'index($2, s) == 1 { print $2 }' /proc/self/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "cannot unmount $m"
  done
  rm -f "$DOCKER_SOCK"
  ip link del "$DOCKER_BRIDGE" 2>/dev/null || true
}

dockerd_status() {
  local v1='' v2=''
  v2=$(docker compose version --short 2>/dev/null || true)
  v1=$(docker-compose version --short 2>/dev/null || true)
  if alive "$S/docker.pid" && dockerd_ping; then
    echo "dockerd    up    $DOCKER_URL  pid $(cat "$S/docker.pid")  server $(D version --format '{{.Server.Version}}')  containers $(D ps -q | wc -l) running / $(D ps -aq | wc -l)  compose v2 ${v2:-MISSING}  v1 ${v1:-absent}"
  elif alive "$S/docker.pid"; then echo "dockerd    stuck pid $(cat "$S/docker.pid") does not answer on $DOCKER_URL (log $S/dockerd.log)"; return 1
  else echo "dockerd    down  (compose v2 ${v2:-MISSING}, v1 ${v1:-absent})"; return 1; fi
}

# ---------------------------------------------------------------- registry (127.0.0.1:5000)
registry_install() { :; }   # Debian's docker-registry comes with APT_PACKAGES
registry_ping() { curl -fsS --max-time 2 "$REGISTRY_URL/v2/" >/dev/null; }

registry_start() {
  alive "$S/registry.pid" && { wait_for registry 20 registry_ping; return 0; }
  if port_open "$REGISTRY_HOST" "$REGISTRY_PORT"; then
    die "$REGISTRY_HOST:$REGISTRY_PORT is taken by a process this script did not start (no live $S/registry.pid). Stop it, or run down with the FW_INFRA_STATE it was started with."
  fi
  log "starting the image registry on $REGISTRY_HOST:$REGISTRY_PORT (storage $S/registry)"
  mkdir -p "$S/registry"
  cat >"$S/registry.yml" <<EOF
# generated by scripts/infra.sh — local image registry for e2e tests (the engine treats 127.0.0.0/8 as insecure)
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $S/registry}, delete: {enabled: true}}
http: {addr: "$REGISTRY_HOST:$REGISTRY_PORT"}
EOF
  nohup docker-registry serve "$S/registry.yml" >"$S/registry.log" 2>&1 </dev/null &
  echo $! >"$S/registry.pid"
  wait_for registry 20 registry_ping
}

registry_stop() { stop_pidfile "$S/registry.pid"; }
registry_status() {
  if alive "$S/registry.pid" && registry_ping; then
    local repos; repos=$(curl -fsS --max-time 2 "$REGISTRY_URL/v2/_catalog?n=1000" | grep -o '"[^"]*/[^"]*"' | tr -d '"' || true)
    echo "registry   up    $REGISTRY_URL  pid $(cat "$S/registry.pid")  storage $S/registry  repositories: $(echo "$repos" | grep -c '^edge/' || true) edge/*, $(echo "$repos" | grep -vc '^edge/' || true) from tests"
  elif alive "$S/registry.pid"; then echo "registry   stuck pid $(cat "$S/registry.pid") does not answer $REGISTRY_URL/v2/ (log $S/registry.log)"; return 1
  else echo "registry   down"; return 1; fi
}

# ---------------------------------------------------------------- stand-in images (scripts/images/)
images_install() { :; }
images_start() {
  DOCKER_HOST=$DOCKER_URL bash "$ROOT/scripts/images/build.sh" build --push "$REGISTRY_HOST:$REGISTRY_PORT" ||
    die "building the stand-in images failed"
}
# Stopping "images" removes every container of the private engine (and their anonymous volumes), so
# that the registry and dockerd stop on an idle engine. Images, named volumes and data stay.
images_stop() {
  alive "$S/docker.pid" && dockerd_ping || return 0
  local ids; ids=$(D ps -aq)
  [ -z "$ids" ] && return 0
  log "removing $(echo "$ids" | wc -l) container(s) from the private engine"
  # shellcheck disable=SC2086
  D rm -f -v $ids >/dev/null 2>&1 || true
}
images_status() {
  if ! alive "$S/docker.pid" || ! dockerd_ping; then echo "images     unknown (dockerd down)"; return 1; fi
  DOCKER_HOST=$DOCKER_URL bash "$ROOT/scripts/images/build.sh" status --push "$REGISTRY_HOST:$REGISTRY_PORT"
}

# ---------------------------------------------------------------- commands
up() {
  mkdir -p "$S"
  local e apt_pid
  install_apt & apt_pid=$!              # apt and npm are network-bound: run them side by side
  for e in $ENGINES; do "${e}_install"; done
  cosign_install
  wait "$apt_pid" || die "apt-get install $APT_PACKAGES (see $S/apt.log)"
  for e in $ENGINES; do "${e}_start"; done
  log "up in ${SECONDS}s: npm registry $VERDACCIO_URL; DOCKER_HOST=$DOCKER_URL; image registry $REGISTRY_HOST:$REGISTRY_PORT; state in $S"
}

down() {
  local e rev=''
  for e in $ENGINES; do rev="$e $rev"; done
  for e in $rev; do log "stopping $e"; "${e}_stop"; done
  log "down in ${SECONDS}s"
}

status() {
  local e rc=0
  for e in $ENGINES; do "${e}_status" || rc=1; done
  return "$rc"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) trap - ERR; status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
