// A load generator in its own process: N MQTT.js clients connect, then each publishes `count` QoS 1 samples
// with at most `window` unacknowledged, and a bound on time. Prints one JSON line of results.
// Usage: node bench/publishers.mjs '<json: {url, devices:[{id,secret}], count, window, kind, timeLimitMs, batch?, rate?}>'
// With `batch`, each message is an upload {"samples": [...]} of that many samples. With `rate` (msgs/s for
// all devices together), each device publishes on a fixed schedule instead of as fast as it can, and a
// latency counts from the scheduled moment (a publish held back by a slow broker counts its wait too).
import mqtt from 'mqtt'

const cfg = JSON.parse(process.argv[2])
const latencies = []
let acked = 0
let errors = 0
const deadline = Date.now() + cfg.timeLimitMs

function sample(seq) {
  const ts = cfg.baseTs + seq
  return cfg.kind === 'machine'
    ? JSON.stringify({
        ts,
        seq,
        engineHours: 1000 + seq / 100,
        rpm: 1800,
        coolantC: 85,
        hydOilC: 60,
        hydBar: 210
      })
    : JSON.stringify({
        ts,
        seq,
        litersTotal: 100 + seq / 10,
        tdsIn: 210,
        tdsOut: 14,
        tempC: 18.5,
        pressureKpa: 320,
        leak: false
      })
}

function connect(device) {
  return mqtt.connectAsync(cfg.url, {
    clientId: device.id,
    username: device.id,
    password: device.secret,
    protocolVersion: 4,
    reconnectPeriod: 0,
    keepalive: 60
  })
}

async function runDevice(device, index, client) {
  let next = 0
  const inflight = new Set()
  // paced: the devices' schedules are offset so the load is even, not in bursts
  const every = cfg.rate ? (1000 * cfg.devices.length) / cfg.rate : 0
  const offset = (every * index) / cfg.devices.length
  while (next < cfg.count && Date.now() < deadline) {
    const seq = ++next
    const scheduled = t0 + offset + (seq - 1) * every
    if (every > 0 && scheduled > performance.now())
      await new Promise((r) => setTimeout(r, scheduled - performance.now()))
    const started = every > 0 ? scheduled : performance.now()
    const p = client.publishAsync(`devices/${device.id}/telemetry`, bodies[seq - 1], { qos: 1 }).then(
      () => {
        acked++
        latencies.push(performance.now() - started)
      },
      () => {
        errors++
      }
    )
    inflight.add(p)
    p.finally(() => inflight.delete(p))
    if (inflight.size >= cfg.window) await Promise.race(inflight)
  }
  await Promise.all(inflight)
  await client.endAsync()
}

// The payloads are made before the clock starts (as the ceiling's lines are in the points bench): a message
// `seq` is the same for every device, and what is measured is the broker's work, not JSON.stringify here.
const bodies = Array.from({ length: cfg.count }, (_, i) => {
  const seq = i + 1
  return Buffer.from(
    cfg.batch
      ? `{"samples":[${Array.from({ length: cfg.batch }, (_, j) => sample((seq - 1) * cfg.batch + j + 1)).join(',')}]}`
      : sample(seq)
  )
})

// connect everyone first (logins are measured on their own), then publish together
const c0 = performance.now()
const clients = await Promise.all(cfg.devices.map(connect))
const connectSeconds = (performance.now() - c0) / 1000
const t0 = performance.now()
await Promise.all(cfg.devices.map((d, i) => runDevice(d, i, clients[i])))
const seconds = (performance.now() - t0) / 1000
latencies.sort((a, b) => a - b)
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0
console.log(
  JSON.stringify({
    acked,
    errors,
    connectSeconds,
    seconds,
    rate: acked / seconds,
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    max: latencies.at(-1) ?? 0
  })
)
