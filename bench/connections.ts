/**
 * Idle connections on one node: N authenticated devices (keepalive 60, one subscription each) held open
 * against (a) a bare Aedes broker and (b) aftercare, each broker in its own process; prints the broker
 * process's RSS growth per connection for both, measured in the same run.
 *   npm run bench -- connections [--devices 5000] [--concurrency 200]
 * The per-process file-descriptor limit here is 20,000; the client process holds one per connection.
 */
import { fork, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { benchInfluxd, benchScript } from './common.js'

const { values } = parseArgs({
  options: { devices: { type: 'string', default: '5000' }, concurrency: { type: 'string', default: '200' } },
  allowPositionals: true
})
const devices = Number(values.devices)
const concurrency = Number(values.concurrency)

interface Sample {
  rss: number
  heap: number
  connected: number
}

async function measure(mode: 'bare' | 'aftercare', dataDir: string, influxUrl: string) {
  // compiled (dist/bench) or, run by hand from source, through tsx
  const own = path.extname(import.meta.filename)
  const broker = fork(
    path.join(import.meta.dirname, `connections-broker${own}`),
    [mode, dataDir, influxUrl, String(devices)],
    {
      execArgv: own === '.ts' ? ['--import', 'tsx', '--expose-gc'] : ['--expose-gc']
    }
  )
  const ask = () =>
    new Promise<Sample>((r) => {
      broker.once('message', (m) => r(m as Sample))
      broker.send({ cmd: 'rss' })
    })
  const ready = await new Promise<Sample & { port: number; credentials: { id: string; secret: string }[] }>(
    (r) => broker.once('message', (m) => r(m as never))
  )
  const before = await ask()
  const clients = spawn(
    'node',
    [
      benchScript('connections-clients.mjs'),
      // the credentials of 15,000 devices are too long for a command line: they go through a file
      writeJson(path.join(dir, `clients-${mode}.json`), {
        port: ready.port,
        credentials: ready.credentials,
        concurrency,
        timeLimitMs: 900000
      })
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit']
    }
  )
  const line = await new Promise<string>((r) => clients.stdout.once('data', (d: Buffer) => r(d.toString())))
  const load = JSON.parse(line) as { connected: number; failed: number; seconds: number }
  await new Promise((r) => setTimeout(r, 3000))
  const after = await ask()
  clients.kill('SIGKILL')
  broker.send({ cmd: 'stop' })
  await new Promise((r) => broker.once('exit', r))
  return { mode, load, before, after, perConnection: (after.rss - before.rss) / Math.max(1, after.connected) }
}

function writeJson(file: string, value: unknown): string {
  writeFileSync(file, JSON.stringify(value))
  return file
}

const { dir, influxd, cleanUp } = await benchInfluxd('conn')
try {
  const bare = await measure('bare', '', '')
  const ours = await measure('aftercare', path.join(dir, 'data'), influxd.url)
  console.log(
    `\nconnections benchmark: ${devices} devices, keepalive 60, one subscription each, ${os.cpus().length} cores, node ${process.version}`
  )
  console.log(
    'broker                  | connected | failed | connect s | RSS before MiB | RSS after MiB | KB per connection | heap per connection KB'
  )
  for (const r of [bare, ours])
    console.log(
      `${r.mode.padEnd(23)} | ${String(r.after.connected).padStart(9)} | ${String(r.load.failed).padStart(6)} | ${r.load.seconds.toFixed(1).padStart(9)} | ${(r.before.rss / 2 ** 20).toFixed(0).padStart(14)} | ${(r.after.rss / 2 ** 20).toFixed(0).padStart(13)} | ${(r.perConnection / 1024).toFixed(1).padStart(17)} | ${((r.after.heap - r.before.heap) / 1024 / Math.max(1, r.after.connected)).toFixed(1)}`
    )
  console.log(
    `ratio aftercare / bare per connection: ${(ours.perConnection / bare.perConnection).toFixed(2)}`
  )
} finally {
  await cleanUp()
}
