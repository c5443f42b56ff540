import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { adminTokenFile } from '../../app/index.js'
import { freePort, type InfluxTarget } from '../../stores/index.js'
import { eventually, freshInflux, tempDir } from './stores.js'

/** aftercare as a real process (`aftercare start`), for tests that kill it or must see it survive. */
export interface AftercareProcess {
  child: ChildProcess
  mqttPort: number
  apiPort: number
  /** The last 8 KB it wrote to stderr. */
  stderr(): string
}

/** The environment of an aftercare process on its own database, free ports and a data folder. */
export async function aftercareEnv(
  dataDir: string,
  overrides: Record<string, string> = {}
): Promise<{
  env: NodeJS.ProcessEnv
  mqttPort: number
  apiPort: number
  influx: InfluxTarget
}> {
  const { target } = await freshInflux()
  const [mqttPort, apiPort] = [await freePort(), await freePort()]
  const env = {
    ...process.env,
    AFTERCARE_DATA_DIR: dataDir,
    INFLUX_URL: target.url,
    INFLUX_DB: target.database,
    MQTT_PORT: String(mqttPort),
    API_PORT: String(apiPort),
    PLAN_EVERY_HOURS: '0',
    LOG_LEVEL: 'warn',
    ...overrides
  }
  return { env, mqttPort, apiPort, influx: target }
}

/** Starts `aftercare start` with this environment and resolves once `/health` answers. */
export async function spawnAftercare(env: NodeJS.ProcessEnv): Promise<AftercareProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('app/main.ts'), 'start'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-8192)
  })
  const apiPort = Number(env.API_PORT)
  await eventually(
    async () =>
      child.exitCode === null &&
      (await fetch(`http://127.0.0.1:${apiPort}/health`).catch(() => undefined))?.ok,
    'aftercare to answer /health',
    60000
  )
  return { child, mqttPort: Number(env.MQTT_PORT), apiPort, stderr: () => stderr }
}

/** Calls aftercare's API with the admin token it wrote into its data folder on first start. */
export async function asAdmin(
  dataDir: string,
  apiPort: number,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  body?: object
): Promise<Response> {
  const token = readFileSync(adminTokenFile(dataDir), 'utf8').trim()
  const res = await fetch(`http://127.0.0.1:${apiPort}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined
  })
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`)
  return res
}

/** Provisions a purifier through the API; resolves with its secret. */
export async function provisionOverApi(dataDir: string, apiPort: number, id: string): Promise<string> {
  await asAdmin(dataDir, apiPort, 'PUT', '/outlets/sh-01', { regions: ['cn-east'], capacityPerDay: 8 })
  const res = await asAdmin(dataDir, apiPort, 'POST', '/devices', {
    id,
    kind: 'purifier',
    model: 'RO-400',
    region: 'cn-east',
    outlet: 'sh-01'
  })
  return ((await res.json()) as { secret: string }).secret
}

/** Stops a process started by a test: SIGTERM, then SIGKILL if it has not exited in 10 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10000)
  await exited
  clearTimeout(timer)
}

/**
 * A data folder for a test that runs aftercare as processes in it (killed, started again): `spawn` starts
 * one and remembers it, `stopAll` (afterAll) stops every one by its pid and removes the folder.
 */
export function processesInTempDir(): {
  dir: string
  spawn(env: NodeJS.ProcessEnv): Promise<AftercareProcess>
  stopAll(): Promise<void>
} {
  const data = tempDir()
  const started: AftercareProcess[] = []
  return {
    dir: data.dir,
    spawn: async (env) => {
      const p = await spawnAftercare(env)
      started.push(p)
      return p
    },
    stopAll: async () => {
      for (const p of started) await stopProcess(p.child)
      data.remove()
    }
  }
}
