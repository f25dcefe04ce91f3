#!/bin/sh
# The test command (README): host tools and a Docker engine, the locked dependencies, then every test
# (unit + end-to-end against the real engine). Usage: ./scripts/test.sh [vitest args]
set -eu
cd "$(dirname "$0")/.."
sh scripts/host-tools.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# build the offline stand-in images once, up front (cached by content; seconds when nothing changed), so
# no test hook waits on a cold build
npm run stand-in-images
npm test -- "$@"
