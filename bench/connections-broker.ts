// The broker side of `npm run bench -- connections`, in its own process so its memory is its own:
//   bare: a bare Aedes (no authentication) on a free port
//   aftercare: aftercare on an existing data folder and InfluxDB, with N devices provisioned
// Answers IPC messages: {cmd:'rss'} → {rss, heap, connected}; {cmd:'stop'} → exits.
import net from 'node:net'
import { Aedes } from 'aedes'
import { provisionPurifiers, startBenchAftercare } from './common.js'

const [mode, dataDir, influxUrl, devices] = process.argv.slice(2) as [string, string, string, string]
let port: number
let connected: () => number
let stop: () => Promise<void>
let credentials: { id: string; secret: string }[]
if (mode === 'bare') {
  const aedes = new Aedes({ maxClientsIdLength: 64 })
  await aedes.listen()
  const server = net.createServer(aedes.handle)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  port = (server.address() as net.AddressInfo).port
  connected = () => (aedes as unknown as { connectedClients: number }).connectedClients
  stop = async () => {
    server.close()
    await new Promise<void>((r) => aedes.close(() => r()))
  }
  credentials = Array.from({ length: Number(devices) }, (_, i) => ({ id: `conn-${i}`, secret: 'x' }))
} else {
  const app = await startBenchAftercare(dataDir, influxUrl)
  credentials = await provisionPurifiers(app, Number(devices), 'conn-')
  port = Number(new URL(app.endpoints.mqtt).port)
  connected = () => app.broker.connectedClients
  stop = () => app.stop()
}
const measure = () => {
  global.gc?.()
  const m = process.memoryUsage()
  return { rss: m.rss, heap: m.heapUsed, connected: connected() }
}
process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'rss') process.send?.({ ...measure() })
  if (msg.cmd === 'stop') void stop().then(() => process.exit(0))
})
process.send?.({ ready: true, port, credentials, ...measure() })
