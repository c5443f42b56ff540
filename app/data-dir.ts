import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { AppError } from '../shared/index.js'
import { LOCAL_INFLUX_USER } from '../stores/index.js'

/**
 * Takes the data folder for this process: PGlite and the embedded influxd
 * must never be opened by two aftercare processes at once.
 */
export function lockDataDir(dir: string): { release(): void } {
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'aftercare.lock')
  if (heldHere.has(file)) throw locked(dir, process.pid)
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim())
    // a lock with our own pid that we do not hold is left over from an earlier process
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw locked(dir, pid)
  }
  writeFileSync(file, String(process.pid))
  heldHere.add(file)
  return {
    release: () => {
      heldHere.delete(file)
      rmSync(file, { force: true })
    }
  }
}

const heldHere = new Set<string>()

function locked(dir: string, pid: number): AppError {
  return new AppError(
    'DATA_DIR_LOCKED',
    `the data folder ${dir} is in use by aftercare process ${pid}; stop it or set AFTERCARE_DATA_DIR`
  )
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Where a running aftercare listens, written at start so the CLI and simulators can find it. */
export interface Endpoints {
  api: string
  mqtt: string
  mqtts?: string
  influx: string
  influxDatabase: string
  pid: number
}

export function writeEndpoints(dir: string, endpoints: Endpoints): void {
  writeFileSync(path.join(dir, 'endpoints.json'), JSON.stringify(endpoints, null, 2))
}

export function readEndpoints(dir: string): Endpoints | undefined {
  const file = path.join(dir, 'endpoints.json')
  if (!existsSync(file)) return undefined
  return JSON.parse(readFileSync(file, 'utf8')) as Endpoints
}

export function adminTokenFile(dir: string): string {
  return path.join(dir, 'admin-token')
}

/** `user:password` of the local influxd that `aftercare start` runs in this data folder (none when absent). */
export function localInfluxAuth(dir: string): string | undefined {
  const file = path.join(dir, 'influxdb', 'admin-password')
  return existsSync(file) ? `${LOCAL_INFLUX_USER}:${readFileSync(file, 'utf8').trim()}` : undefined
}
