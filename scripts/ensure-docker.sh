#!/bin/sh
# Make sure a Docker engine answers. Used by .ci/run and by hand on Linux hosts without an engine.
#
#   sh scripts/ensure-docker.sh
#
# - An engine already answers (DOCKER_HOST honoured): print one line, exit 0.
# - Root on Debian: install docker.io if dockerd is missing, start dockerd in the background
#   (log in $DOCKERD_LOG, default /var/log/dockerd.log) and wait up to $DOCKERD_WAIT seconds (default 60).
# - Anything else: say what to do and exit 1.
set -eu

log_file="${DOCKERD_LOG:-/var/log/dockerd.log}"
wait_seconds="${DOCKERD_WAIT:-60}"

say() { printf 'ensure-docker: %s\n' "$*"; }
fail() {
  printf 'ensure-docker: error: %s\n' "$*" >&2
  exit 1
}

# `timeout`: a wedged engine must not hang CI here.
engine_answers() {
  command -v docker >/dev/null 2>&1 && timeout 20 docker info >/dev/null 2>&1
}

engine_version() {
  docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null || echo unknown
}

if engine_answers; then
  say "engine answers at ${DOCKER_HOST:-unix:///var/run/docker.sock}: $(engine_version)"
  exit 0
fi

# An explicit DOCKER_HOST names an engine elsewhere: starting a local dockerd would not make it answer.
case "${DOCKER_HOST:-}" in
  '' | unix:///var/run/docker.sock | unix:///run/docker.sock) ;;
  *) fail "no engine answers at DOCKER_HOST=${DOCKER_HOST}. Start that engine, or unset DOCKER_HOST to use a local one." ;;
esac

is_debian() {
  [ -r /etc/os-release ] && grep -Eq '^(ID|ID_LIKE)=.*debian' /etc/os-release
}

if [ "$(id -u)" != 0 ] || ! is_debian; then
  cat >&2 <<'EOF'
ensure-docker: error: no Docker engine answers, and this script only starts one as root on Debian.
  Debian/Ubuntu (as root):  apt-get install -y docker.io && (dockerd >/var/log/dockerd.log 2>&1 &)
  With systemd:             sudo systemctl start docker
  Other systems:            install Docker Engine or Docker Desktop (https://docs.docker.com/engine/install/)
  As a non-root user:       add yourself to the `docker` group, or point DOCKER_HOST at a rootless engine.
Then check with: docker info
EOF
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  say "installing docker.io (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || fail "apt-get update failed"
  apt-get install -y -qq docker.io >/dev/null || fail "apt-get install docker.io failed"
fi

dockerd_running() {
  if command -v pgrep >/dev/null 2>&1; then pgrep -x dockerd >/dev/null 2>&1; else pidof dockerd >/dev/null 2>&1; fi
}

give_up() {
  printf 'ensure-docker: error: %s. Last lines of %s:\n' "$1" "$log_file" >&2
  tail -n 20 "$log_file" >&2 2>/dev/null || true
  exit 1
}

# A dockerd that runs but does not answer yet (just started by someone else) is waited for, not doubled.
pid=''
if dockerd_running; then
  say "dockerd is running but not answering yet; waiting"
else
  mkdir -p "$(dirname "$log_file")"
  # setsid: dockerd must outlive this script and the CI step's process group.
  setsid dockerd >>"$log_file" 2>&1 </dev/null &
  pid=$!
fi

elapsed=0
until engine_answers; do
  if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && ! dockerd_running; then give_up "dockerd exited after ${elapsed}s"; fi
  if [ "$elapsed" -ge "$wait_seconds" ]; then give_up "dockerd did not answer within ${wait_seconds}s"; fi
  sleep 1
  elapsed=$((elapsed + 1))
done

say "started dockerd in ${elapsed}s (log: $log_file): $(engine_version)"
