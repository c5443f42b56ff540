#!/usr/bin/env bash
# Installs what a fresh machine lacks, then builds. Used by scripts/start.sh and scripts/test.sh.
#   - npm dependencies (npm ci, when node_modules is missing or older than package-lock.json)
#   - InfluxDB 1.x (`influxd`) from the OS packages on Debian/Ubuntu, unless INFLUX_URL points elsewhere;
#     on other platforms it stops with the exact install line
#   - with --test: mosquitto-clients (mosquitto_pub, driven as a third-party client), the mosquitto
#     broker (consumer-mode ingest and its dynamic-security plugin are tested against it) and the
#     PostgreSQL server (the tests start their own instance to check every SQL store against it)
#     and redis-server (the cluster-mode tests start their own) and chromium (the console's browser
#     tests drive it with playwright-core; nothing is downloaded)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test_tools=0
[ "${1:-}" = "--test" ] && want_test_tools=1

major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "aftercare needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing $* from the OS packages" >&2
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

missing=()
if [ -z "${INFLUX_URL:-}" ] && ! command -v "${INFLUXD_PATH:-influxd}" >/dev/null 2>&1; then missing+=(influxdb); fi
if [ "$want_test_tools" = 1 ] && ! command -v mosquitto_pub >/dev/null 2>&1; then missing+=(mosquitto-clients); fi
if [ "$want_test_tools" = 1 ] && [ ! -x /usr/sbin/mosquitto ]; then missing+=(mosquitto); fi
if [ "$want_test_tools" = 1 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing+=(postgresql); fi
if [ "$want_test_tools" = 1 ] && ! command -v redis-server >/dev/null 2>&1; then missing+=(redis-server); fi
if [ "$want_test_tools" = 1 ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ -f /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
    apt_install "${missing[@]}"
  else
    echo "setup: missing ${missing[*]}. Install it first:" >&2
    case "$(uname -s)" in
      Darwin) echo "  brew install influxdb@1 mosquitto postgresql redis" >&2 ;;
      *) echo "  Fedora/RHEL: sudo dnf install influxdb mosquitto   (InfluxDB 1.x: https://docs.influxdata.com/influxdb/v1/introduction/install/)" >&2 ;;
    esac
    echo "or set INFLUX_URL to a running InfluxDB." >&2
    exit 1
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -f dist/.built ] || [ -n "$(find shared stores registry broker ingest api maintenance dashboards simulators app console package.json tsconfig*.json -newer dist/.built -print -quit 2>/dev/null)" ]; then
  echo "setup: building" >&2
  npm run --silent build
  chmod +x dist/app/main.js
  touch dist/.built
fi
