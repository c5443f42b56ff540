#!/usr/bin/env bash
# Proves the README's start command on this checkout: runs scripts/start.sh on a fresh data folder,
# provisions a device with the CLI, publishes a sample with mosquitto_pub, finds it in InfluxDB, checks
# that the console is served, then stops aftercare with SIGTERM and checks that its influxd is gone too.
# Bounded: 120 s.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$(mktemp -d /tmp/aftercare-smoke-XXXXXX)
log="$data/start.log"
export AFTERCARE_DATA_DIR="$data/data"
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT

bash scripts/start.sh --mqtt-port 0 --api-port 0 >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  grep -q "aftercare is running" "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "smoke: aftercare exited during start" >&2; exit 1; }
  sleep 1
done
grep -q "aftercare is running" "$log" || { cat "$log"; echo "smoke: no start within 120 s" >&2; exit 1; }
grep -E "started in|MQTT|HTTP API|InfluxDB|Postgres" "$log"

cli="node dist/app/main.js"
# the README's quickstart: the outlet first (provisioning checks it covers the region), then the device
$cli outlets add sh-01 --regions cn-east --capacity 8 >/dev/null
$cli catalogue show | grep -q "RO-400" || { echo "smoke: the example catalogue does not list RO-400" >&2; exit 1; }
secret=$($cli devices add --id smoke-1 --kind purifier --model RO-400 --region cn-east --outlet sh-01 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).secret))')
mqtt_port=$(node -p 'new URL(require(process.env.AFTERCARE_DATA_DIR + "/endpoints.json").mqtt).port')
influx=$(node -p 'require(process.env.AFTERCARE_DATA_DIR + "/endpoints.json").influx')
ts=$(node -p 'Date.now()')
mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -i smoke-1 -u smoke-1 -P "$secret" -q 1 \
  -t devices/smoke-1/telemetry -m "{\"ts\":$ts,\"seq\":1,\"litersTotal\":1.5,\"tdsIn\":180,\"tdsOut\":9}"
# the local influxd asks for the credentials aftercare keeps in the data folder; without them it refuses
unauth=$(curl -s -o /dev/null -w '%{http_code}' "$influx/query?db=aftercare" --data-urlencode "q=SHOW MEASUREMENTS")
[ "$unauth" = "401" ] || { echo "smoke: the local influxd answered $unauth without credentials" >&2; exit 1; }
count=$(curl -s -u "aftercare:$(cat "$AFTERCARE_DATA_DIR/influxdb/admin-password")" "$influx/query?db=aftercare" --data-urlencode "q=SELECT count(tdsIn) FROM purifier_telemetry WHERE device='smoke-1'" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).results[0].series?.[0].values[0][1] ?? 0))')
[ "$count" = "1" ] || { echo "smoke: expected 1 point in InfluxDB, found $count" >&2; exit 1; }

# the console comes with the start: its page and its bundle, built by the setup, served by aftercare
api=$(node -p 'require(process.env.AFTERCARE_DATA_DIR + "/endpoints.json").api')
for asset in /console/ /console/console.js /console/console.css; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$api$asset")
  [ "$code" = "200" ] || { echo "smoke: $asset answered $code" >&2; exit 1; }
done

influxd_pid=$(cat "$AFTERCARE_DATA_DIR/influxdb/influxd.pid")
kill -TERM "$pid"
wait "$pid" || { echo "smoke: aftercare did not exit cleanly" >&2; exit 1; }
pid=""
sleep 1
if kill -0 "$influxd_pid" 2>/dev/null; then echo "smoke: influxd ($influxd_pid) still runs after stop" >&2; exit 1; fi
echo "smoke: start command ok (device provisioned, sample stored, console served, clean stop)"
