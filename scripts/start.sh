#!/usr/bin/env bash
# The one command to run aftercare on its embedded defaults: sets up what is missing, then `aftercare start`.
# Extra arguments go to `aftercare start` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/app/main.js start "$@"
