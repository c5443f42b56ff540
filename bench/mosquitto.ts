import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { freePort } from '../stores/index.js'

/** Where Debian's mosquitto package puts its dynamic-security plugin. */
const DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so'

export interface LocalMosquitto {
  port: number
  url: string
  /** The TLS listener's address, when started with `tls`. */
  tlsUrl?: string
  pid: number | undefined
  /** Stops the broker by its pid (SIGTERM, then SIGKILL) and removes its folder. */
  stop(): Promise<void>
}

/**
 * A real Mosquitto 2 from Debian on a free loopback port, in a temp folder (for the tests and the
 * consumer benchmark). Sessions are kept in memory
 * for as long as it runs; QoS 1 queues are unbounded (the default 1,000 would drop messages for a
 * consumer that is away). With `dynsec`, clients and ACLs come from the dynamic-security plugin, with
 * an admin client of that name and password; else anonymous clients may do anything.
 */
export async function startMosquitto(
  options: { dynsec?: { admin: string; password: string }; tls?: { cert: string; key: string } } = {}
): Promise<LocalMosquitto> {
  const { dynsec, tls } = options
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aftercare-mosquitto-'))
  const folder = { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
  const port = await freePort()
  const lines = [
    // started as root, mosquitto would switch to the mosquitto user, who cannot read this private folder
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    'per_listener_settings false',
    `listener ${port} 127.0.0.1`,
    'persistence false',
    'max_queued_messages 0',
    'log_dest stderr',
    'log_type error',
    'log_type warning'
  ]
  if (dynsec) {
    const file = path.join(folder.dir, 'dynamic-security.json')
    const init = spawnSync('mosquitto_ctrl', ['dynsec', 'init', file, dynsec.admin, dynsec.password], {
      encoding: 'utf8'
    })
    if (init.status !== 0) throw new Error(`mosquitto_ctrl dynsec init failed: ${init.stderr}`)
    lines.push('allow_anonymous false', `plugin ${DYNSEC_PLUGIN}`, `plugin_opt_config_file ${file}`)
  } else lines.push('allow_anonymous true')
  const tlsPort = tls ? await freePort() : undefined
  if (tls) lines.push(`listener ${tlsPort} 127.0.0.1`, `certfile ${tls.cert}`, `keyfile ${tls.key}`)
  const conf = path.join(folder.dir, 'mosquitto.conf')
  writeFileSync(conf, lines.join('\n') + '\n')
  const child: ChildProcess = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)))
  const deadline = Date.now() + 10000
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      folder.remove()
      throw new Error(`mosquitto did not start: ${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    ...(tlsPort ? { tlsUrl: `mqtts://127.0.0.1:${tlsPort}` } : {}),
    pid: child.pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await exited
        clearTimeout(timer)
      }
      folder.remove()
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('error', () => resolve(false))
  })
}
