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
  ./bin/aisuite up --phase 3 --cpu --config "$config" --build-ca /etc/ssl/certs/ca-certificates.crt "$@"
  with=" --config $config"
else
  ./bin/aisuite up --phase 3 --cpu "$@"
  with=""
fi
# what to do with it (default ports; aisuite.yaml's ports: may move them)
cat <<EOF

Next:
  ./bin/aisuite status$with        # every service, its state and ports
  ./bin/aisuite checklist$with     # the post-deploy checklist against it
  curl -s http://127.0.0.1:8000/v1/chat/completions \\
    -H "Authorization: Bearer \$(./bin/aisuite secrets get gateway-api-key$with)" \\
    -H 'content-type: application/json' -d '{"model": "chat", "messages": [{"role": "user", "content": "hello"}]}'
  ./bin/aisuite down$with          # stop it (volumes kept; --volumes --yes removes them)
EOF
