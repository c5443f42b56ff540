#!/usr/bin/env bash
# The one command to run aftercare on its embedded defaults: sets up what is missing, then `aftercare start`.
# Extra arguments go to `aftercare start` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# a larger young generation: see docs/performance.md ("Garbage collection")
exec node --max-semi-space-size=64 dist/app/main.js start "$@"
