#!/bin/sh
# The main job (README): bring the CPU suite up on this host, from a fresh clone.
#   ./scripts/quickstart.sh [extra `aisuite up` flags]
# Starts a Docker engine when none answers (root on Debian), installs the locked dependencies, builds the
# CLI, and runs `aisuite up --phase 3 --cpu`. When no image registry is reachable (air-gapped hosts, this
# project's CI machines), it builds the offline stand-in images and uses test/stand-in.aisuite.yaml, which
# leaves out Grafana, Loki, Alloy and cAdvisor (no offline build of those exists).
set -eu
cd "$(dirname "$0")/.."
sh scripts/ensure-docker.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
config=""
if [ -n "${AISUITE_CONFIG:-}" ]; then
  config="$AISUITE_CONFIG"
elif ! docker pull -q prom/node-exporter:v1.9.1 >/dev/null 2>&1; then
  echo "quickstart: no image registry answers; using the offline stand-in images (test/stand-in.aisuite.yaml)"
  command -v debootstrap >/dev/null 2>&1 || sh scripts/host-tools.sh
  npm run stand-in-images
  config="test/stand-in.aisuite.yaml"
fi
if [ -n "$config" ]; then
  exec ./bin/aisuite up --phase 3 --cpu --config "$config" --build-ca /etc/ssl/certs/ca-certificates.crt "$@"
fi
exec ./bin/aisuite up --phase 3 --cpu "$@"
