#!/usr/bin/env bash
# scripts/images/build.sh build|status [--push HOST:PORT] — the stand-in images of the edge stack,
# built with no registry pull: a rootfs of busybox-static (+ Debian's caddy and its libraries) is
# piped into `docker import`. Uses the engine named by DOCKER_HOST (scripts/infra.sh sets it).
#
#   local/busybox:1        busybox-static, CMD sh (a toolbox image for tests)
#   local/caddy:2.6.2      Debian's /usr/bin/caddy 2.6.2 (+ the libraries ldd lists, CA bundle),
#                          XDG_DATA_HOME=/data, XDG_CONFIG_HOME=/config, WORKDIR /srv,
#                          CMD caddy run --config /etc/caddy/Caddyfile --adapter caddyfile
#   local/mistserver:1     HTTP on :8080 — /, /api, /api2, /health, /view/... answer 200; else 404
#   local/helmsman:1, :2   Helmsman on :18007 — /health, /node/mode (GET, POST), /metrics; enrollment
#                          log lines. :2 differs only in its version ("v2" in /health and the logs)
# Exact endpoints, env and log lines: test/support/docker.ts. Every image has busybox (sh, wget, nc…)
# at /bin; compose files should still use `init: true` (busybox as PID 1 ignores SIGTERM; the stand-in
# entrypoints trap it, but `docker exec` children and caddy's reload are better off under an init).
# ⚠ busybox 1.35 (Debian 12) `wget -T N` segfaults: healthchecks use `wget -q -O- URL`, bounded by
# the healthcheck's own timeout (or `timeout N wget …`).
#
# Idempotent: each image carries the label dev.frameworks.standin.hash (a hash of this folder and
# the busybox and caddy binaries) and is rebuilt only when that changes. --push tags each image as
# HOST:PORT/edge/<name>:<tag> and pushes it unless the registry already serves that exact image.
set -Eeuo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
D=${DOCKER_BIN:-/usr/bin/docker}
LABEL=dev.frameworks.standin.hash
IMAGES="busybox:1 caddy:2.6.2 mistserver:1 helmsman:1 helmsman:2"
BUSYBOX=/bin/busybox
CADDY=/usr/bin/caddy

log() { printf '[images %4ss] %s\n' "$SECONDS" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }

cmd=${1:-build}; shift || true
PUSH=''
while [ $# -gt 0 ]; do
  case $1 in
    --push) PUSH=$2; shift 2 ;;
    *) echo "usage: $0 build|status [--push HOST:PORT]" >&2; exit 2 ;;
  esac
done

[ -x "$BUSYBOX" ] && "$BUSYBOX" --list >/dev/null 2>&1 || die "$BUSYBOX missing (apt-get install busybox-static)"
[ -x "$CADDY" ] || die "$CADDY missing (apt-get install caddy)"

HASH=$( (cd "$HERE" && find . -type f ! -name '*.swp' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
  sha256sum "$BUSYBOX" "$CADDY") | sha256sum | cut -c1-16)

label_of() { "$D" image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$1" 2>/dev/null || true; }

base_rootfs() {   # $1 = rootfs dir, $2 = version string written to /etc/standin/version
  local R=$1 a
  mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,usr/local/lib/standin,etc/standin,tmp,run,root,var/lib,var/log}
  chmod 1777 "$R/tmp"
  cp "$BUSYBOX" "$R/bin/busybox"
  for a in $("$BUSYBOX" --list); do [ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
  echo 'hosts: files dns' >"$R/etc/nsswitch.conf"
  echo "$2" >"$R/etc/standin/version"
  install -m 644 "$HERE/lib/http.sh" "$R/usr/local/lib/standin/http.sh"
}

import() {   # $1 = rootfs, $2 = image ref, rest = --change values
  local R=$1 ref=$2; shift 2
  local changes=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    --change "LABEL $LABEL=$HASH" --change "LABEL org.opencontainers.image.title=${ref%%:*}"
    --change 'LABEL org.opencontainers.image.description="frameworks e2e stand-in (scripts/images)"')
  local c; for c in "$@"; do changes+=(--change "$c"); done
  tar --numeric-owner --owner=0 --group=0 -C "$R" -c . | "$D" import "${changes[@]}" - "$ref" >/dev/null
}

build_one() {   # $1 = name:tag
  local name=${1%%:*} tag=${1##*:} W R
  W=$(mktemp -d); R=$W/rootfs
  case $name in
    busybox)
      base_rootfs "$R" "$tag"
      import "$R" "local/$1" 'CMD ["/bin/sh"]' ;;
    caddy)
      base_rootfs "$R" "$tag"
      mkdir -p "$R/etc/caddy" "$R/etc/ssl/certs" "$R/data" "$R/config" "$R/srv"
      install -m 755 "$CADDY" "$R/usr/bin/caddy"
      local lib   # Debian's caddy is dynamically linked (libc, libzstd…): bring what ldd lists
      for lib in $(ldd "$CADDY" | grep -o '/[^ ]*'); do mkdir -p "$R$(dirname "$lib")"; cp -L "$lib" "$R$lib"; done
      cp /etc/ssl/certs/ca-certificates.crt "$R/etc/ssl/certs/"
      install -m 644 "$HERE/caddy/Caddyfile" "$R/etc/caddy/Caddyfile"
      import "$R" "local/$1" 'ENV XDG_CONFIG_HOME=/config' 'ENV XDG_DATA_HOME=/data' 'WORKDIR /srv' \
        'EXPOSE 80 443 443/udp 2019' 'CMD ["caddy","run","--config","/etc/caddy/Caddyfile","--adapter","caddyfile"]' ;;
    mistserver)
      base_rootfs "$R" "$tag"
      install -m 755 "$HERE/mistserver/mistserver" "$R/usr/local/bin/mistserver"
      install -m 755 "$HERE/mistserver/mistserver-http" "$R/usr/local/lib/standin/mistserver-http"
      import "$R" "local/$1" 'EXPOSE 8080' 'CMD ["/usr/local/bin/mistserver"]' ;;
    helmsman)
      base_rootfs "$R" "v$tag"
      mkdir -p "$R/var/lib/helmsman" "$R/run/helmsman"
      install -m 755 "$HERE/helmsman/helmsman" "$R/usr/local/bin/helmsman"
      install -m 755 "$HERE/helmsman/helmsman-http" "$R/usr/local/lib/standin/helmsman-http"
      import "$R" "local/$1" 'EXPOSE 18007' "LABEL org.opencontainers.image.version=v$tag" 'CMD ["/usr/local/bin/helmsman"]' ;;
    *) die "unknown image $name" ;;
  esac
  rm -rf "$W"
}

registry_digest() {   # $1 = repo (edge/name), $2 = tag → the digest the registry serves, or nothing
  curl -fsSI --max-time 5 -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$PUSH/v2/$1/manifests/$2" 2>/dev/null | tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" { print $2 }'
}
pushed() {   # $1 = name:tag → true when the registry serves exactly local/name:tag
  local name=${1%%:*} tag=${1##*:} remote
  remote=$(registry_digest "edge/$name" "$tag")
  [ -n "$remote" ] && "$D" image inspect -f '{{join .RepoDigests " "}}' "local/$1" 2>/dev/null | tr ' ' '\n' | grep -qx "$PUSH/edge/$name@$remote"
}

case $cmd in
  build)
    built=() pushed_now=()
    for i in $IMAGES; do
      [ "$(label_of "local/$i")" = "$HASH" ] && continue
      log "building local/$i (docker import, no registry)"
      build_one "$i"; built+=("$i")
    done
    if [ -n "$PUSH" ]; then
      for i in $IMAGES; do
        pushed "$i" && continue
        log "pushing $PUSH/edge/$i"
        "$D" tag "local/$i" "$PUSH/edge/$i"
        "$D" push -q "$PUSH/edge/$i" >/dev/null || "$D" push "$PUSH/edge/$i" >&2 || die "docker push $PUSH/edge/$i failed"
        pushed_now+=("$i")
      done
    fi
    log "images ${HASH}: ${#built[@]} built, ${#pushed_now[@]} pushed, $IMAGES${PUSH:+ (also $PUSH/edge/*)}"
    ;;
  status)
    missing=() stale=() unpushed=()
    for i in $IMAGES; do
      l=$(label_of "local/$i")
      if [ -z "$l" ]; then missing+=("local/$i"); elif [ "$l" != "$HASH" ]; then stale+=("local/$i"); fi
      [ -z "$PUSH" ] || [ -z "$l" ] || pushed "$i" || unpushed+=("$PUSH/edge/$i")
    done
    if [ ${#missing[@]} -eq 0 ] && [ ${#stale[@]} -eq 0 ] && [ ${#unpushed[@]} -eq 0 ]; then
      echo "images     ok    $(for i in $IMAGES; do printf 'local/%s ' "$i"; done)(hash $HASH)${PUSH:+, pushed to $PUSH/edge/}"
    else
      echo "images     not ready:${missing[*]:+ missing ${missing[*]}}${stale[*]:+ stale ${stale[*]}}${unpushed[*]:+ not pushed ${unpushed[*]}}"
      exit 1
    fi
    ;;
  *) echo "usage: $0 build|status [--push HOST:PORT]" >&2; exit 2 ;;
esac
