#!/bin/sh
# Host tools the tests use besides Node: promtool and amtool (Debian's prometheus and
# prometheus-alertmanager), debootstrap (offline stand-in images), docker-compose (the engine benchmark's
# baseline) and a Docker engine (scripts/ensure-docker.sh). Installs what is missing when run as root on
# Debian; otherwise says what to install and exits 1. Idempotent.
set -eu

say() { printf 'host-tools: %s\n' "$*"; }
missing=""
command -v promtool >/dev/null 2>&1 || missing="$missing prometheus"
command -v amtool >/dev/null 2>&1 || missing="$missing prometheus-alertmanager"
command -v debootstrap >/dev/null 2>&1 || missing="$missing debootstrap"
# mmdebstrap bootstraps the stand-in images' Debian bases with half the CPU of debootstrap
command -v mmdebstrap >/dev/null 2>&1 || missing="$missing mmdebstrap"
command -v docker-compose >/dev/null 2>&1 || missing="$missing docker-compose"

if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    # Debian starts the prometheus services it installs; the tests run their own instances
    for unit in prometheus prometheus-alertmanager prometheus-node-exporter; do
      if command -v systemctl >/dev/null 2>&1; then systemctl stop "$unit" >/dev/null 2>&1 || true; fi
    done
    pkill -x prometheus >/dev/null 2>&1 || true
    pkill -x prometheus-alertmanager >/dev/null 2>&1 || true
  else
    say "missing:$missing"
    say "install them (Debian/Ubuntu: sudo apt-get install -y$missing) and run again"
    exit 1
  fi
fi
say "promtool, amtool, debootstrap, mmdebstrap and docker-compose present"
exec sh "$(dirname "$0")/ensure-docker.sh"
