#!/usr/bin/env bash
# The one command to run the tests: sets up what is missing (InfluxDB, mosquitto-clients, npm deps), then vitest.
# Extra arguments go to vitest (e.g. a file name).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
exec npx vitest run "$@"
