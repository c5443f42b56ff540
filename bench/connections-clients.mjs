// The client side of `npm run bench -- connections` (its settings in the JSON file named by argv[2]): N MQTT.js clients (keepalive 60, one subscription each),
// connected `concurrency` at a time; prints one JSON line when all are in, then idles until killed.
import { readFileSync } from 'node:fs'
import mqtt from 'mqtt'

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const clients = []
let failed = 0
const t0 = performance.now()
for (let i = 0; i < cfg.credentials.length; i += cfg.concurrency) {
  const wave = cfg.credentials.slice(i, i + cfg.concurrency)
  const done = await Promise.allSettled(
    wave.map(async (c) => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${cfg.port}`, {
        clientId: c.id,
        username: c.id,
        password: c.secret,
        keepalive: 60,
        reconnectPeriod: 0,
        connectTimeout: 120000
      })
      const [granted] = await client.subscribeAsync(`devices/${c.id}/commands`, { qos: 1 })
      if (!granted || granted.qos > 2) throw new Error(`subscription refused: ${JSON.stringify(granted)}`)
      return client
    })
  )
  for (const d of done) {
    if (d.status === 'fulfilled') clients.push(d.value)
    else failed++
  }
  if (performance.now() - t0 > cfg.timeLimitMs) break
}
console.log(JSON.stringify({ connected: clients.length, failed, seconds: (performance.now() - t0) / 1000 }))
setInterval(() => undefined, 1 << 30)
