// The bare broker's one subscriber in the ingest benchmark, in its own process (as a consumer such as
// Telegraf's mqtt_consumer would be): one MQTT.js client subscribed to every device's telemetry, counting
// what it receives. Prints "ready" once subscribed; when the parent writes the number of messages the
// publishers had acknowledged to stdin, waits (at most `timeLimitMs`) until it has received that many, then
// prints one JSON line {received, cpuMicros} and exits.
// Usage: node bench/consumer.mjs '<json: {url, qos, timeLimitMs}>'
import mqtt from 'mqtt'

const cfg = JSON.parse(process.argv[2])
const cpu0 = process.cpuUsage()
let received = 0
let expected = Infinity // until the parent says how many were acknowledged
let finished = false
const client = await mqtt.connectAsync(cfg.url, {
  clientId: 'bench-consumer',
  protocolVersion: 4,
  reconnectPeriod: 0,
  keepalive: 60
})
client.on('message', () => {
  received++
  if (received >= expected) finish()
})
await client.subscribeAsync('devices/+/telemetry', { qos: cfg.qos })
console.log('ready')

let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk) => (input += chunk))
process.stdin.on('end', () => {
  expected = Number(input.trim())
  if (received >= expected) finish()
  else setTimeout(finish, cfg.timeLimitMs).unref()
})

function finish() {
  if (finished) return
  finished = true
  const { user, system } = process.cpuUsage(cpu0)
  console.log(JSON.stringify({ received, cpuMicros: user + system }))
  void client.endAsync().finally(() => process.exit(0))
}
