import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs'
import path from 'node:path'
import { AppError, type Logger, silentLogger } from '../shared/index.js'
import { freePort } from './free-port.js'
import { basicAuthHeader } from './influx-query.js'

export interface LocalInfluxdOptions {
  /** Folder for meta, data, wal, config, pid file and log. */
  dir: string
  /** The influxd binary (default `influxd` on PATH). */
  binary?: string
  httpPort?: number
  rpcPort?: number
  startTimeoutMs?: number
  logger?: Logger
  /**
   * Require credentials (auth-enabled): an admin user `aftercare` whose generated password is kept in
   * `<dir>/admin-password` (0600), so no other local user can read or write the data over HTTP.
   */
  auth?: boolean
}

/** The admin user of a local influxd started with `auth`. */
export const LOCAL_INFLUX_USER = 'aftercare'

/**
 * An InfluxDB 1.x server that aftercare (or a test) starts and stops itself:
 * every directory under `dir`, HTTP and RPC ports chosen free so two
 * instances never collide, stopped by its pid.
 */
export class LocalInfluxd {
  readonly dir: string
  private child?: ChildProcess
  private ports?: { http: number; rpc: number }
  private readonly options: LocalInfluxdOptions
  private readonly log: Logger

  constructor(options: LocalInfluxdOptions) {
    this.options = options
    this.dir = path.resolve(options.dir)
    this.log = options.logger ?? silentLogger
  }

  get url(): string {
    if (!this.ports) throw new AppError('NOT_RUNNING', 'influxd has not been started')
    return `http://127.0.0.1:${this.ports.http}`
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  /** `user:password` for HTTP Basic auth, when started with `auth`. */
  get basicAuth(): string | undefined {
    return this.options.auth ? `${LOCAL_INFLUX_USER}:${this.password()}` : undefined
  }

  /** The admin password, made once and kept in the folder (0600). */
  private password(): string {
    const file = path.join(this.dir, 'admin-password')
    if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600 })
    return readFileSync(file, 'utf8').trim()
  }

  /** Starts influxd and resolves once it answers /ping. Restarting keeps the same ports. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true })
    killStale(path.join(this.dir, 'influxd.pid'))
    this.ports ??= {
      http: this.options.httpPort ?? (await freePort()),
      rpc: this.options.rpcPort ?? (await freePort())
    }
    const configFile = path.join(this.dir, 'influxd.conf')
    writeFileSync(configFile, renderConfig(this.dir, this.ports, this.options.auth === true))
    const logFd = openSync(path.join(this.dir, 'influxd.log'), 'a')
    const binary = this.options.binary ?? 'influxd'
    const child = spawn(
      binary,
      ['run', '-config', configFile, '-pidfile', path.join(this.dir, 'influxd.pid')],
      {
        stdio: ['ignore', logFd, logFd]
      }
    )
    closeSync(logFd)
    this.child = child
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'ENOENT' ? missingInfluxd(binary) : new AppError('INFLUXD_FAILED', err.message))
      )
      child.once('exit', (code) =>
        reject(
          new AppError(
            'INFLUXD_FAILED',
            `influxd exited with code ${code} at start; see ${this.dir}/influxd.log`
          )
        )
      )
    })
    await Promise.race([exited, this.waitReady(this.options.startTimeoutMs ?? 30000)])
    if (this.options.auth) await this.ensureAdmin()
    child.removeAllListeners('exit')
    child.on('exit', (code, signal) => this.log.warn({ code, signal }, 'influxd exited'))
    this.log.info({ url: this.url, pid: child.pid, dir: this.dir }, 'local influxd started')
  }

  /** Stops influxd by its pid: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 10000): Promise<void> {
    const child = this.child
    this.child = undefined
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    child.removeAllListeners('exit')
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    await gone
    clearTimeout(timer)
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the server, for tests of a hung database. */
  pause(): void {
    this.child?.kill('SIGSTOP')
  }

  resume(): void {
    this.child?.kill('SIGCONT')
  }

  /**
   * With auth on and no user yet, InfluxDB 1.x lets the first admin be created without credentials: the
   * first start makes it; later starts find it (a wrong password file is an error that says so).
   */
  private async ensureAdmin(): Promise<void> {
    const password = this.password()
    const query = async (q: string, auth: boolean) =>
      fetch(`${this.url}/query`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(auth ? { authorization: basicAuthHeader(`${LOCAL_INFLUX_USER}:${password}`) } : {})
        },
        body: new URLSearchParams({ q }).toString()
      })
    if ((await query('SHOW USERS', true)).ok) return
    const created = await query(
      `CREATE USER "${LOCAL_INFLUX_USER}" WITH PASSWORD '${password}' WITH ALL PRIVILEGES`,
      false
    )
    if (!created.ok)
      throw new AppError(
        'INFLUXD_FAILED',
        `the local influxd refuses ${path.join(this.dir, 'admin-password')}: ${await created.text()}`
      )
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${this.url}/ping`, { signal: AbortSignal.timeout(1000) })
        if (res.status === 204) return
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new AppError(
      'INFLUXD_FAILED',
      `influxd did not answer /ping within ${timeoutMs} ms; see ${this.dir}/influxd.log`
    )
  }
}

function renderConfig(dir: string, ports: { http: number; rpc: number }, auth: boolean): string {
  const q = (p: string) => JSON.stringify(path.join(dir, p))
  return `reporting-disabled = true
bind-address = "127.0.0.1:${ports.rpc}"

[meta]
  dir = ${q('meta')}

[data]
  dir = ${q('data')}
  wal-dir = ${q('wal')}
  query-log-enabled = false

[http]
  bind-address = "127.0.0.1:${ports.http}"
  log-enabled = false
  auth-enabled = ${auth}

[monitor]
  store-enabled = false

[subscriber]
  enabled = false
`
}

/** A previous run killed with -9 leaves its influxd behind; it holds the data folder, so stop it. */
function killStale(pidFile: string): void {
  if (!existsSync(pidFile)) return
  const pid = Number(readFileSync(pidFile, 'utf8').trim())
  if (!Number.isInteger(pid) || pid <= 0) return
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    if (cmdline.includes('influxd') && cmdline.includes(path.dirname(pidFile))) process.kill(pid, 'SIGKILL')
  } catch {
    // not running (or no /proc): nothing to stop
  }
}

/** The exact install line for this platform, for the error a user sees. */
export function influxInstallHint(): string {
  if (process.platform === 'darwin') return 'brew install influxdb@1'
  if (existsSync('/etc/debian_version')) return 'sudo apt-get update && sudo apt-get install -y influxdb'
  if (existsSync('/etc/redhat-release'))
    return 'see https://docs.influxdata.com/influxdb/v1/introduction/install/ (yum install influxdb)'
  return 'install InfluxDB 1.x so that `influxd` is on PATH: https://docs.influxdata.com/influxdb/v1/introduction/install/'
}

function missingInfluxd(binary: string): AppError {
  return new AppError(
    'INFLUXD_MISSING',
    `cannot start the embedded InfluxDB: '${binary}' was not found. Install it with:\n  ${influxInstallHint()}\n` +
      'or point aftercare at a running InfluxDB with INFLUX_URL.'
  )
}
