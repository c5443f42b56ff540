import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs'
import path from 'node:path'
import { AppError, type Logger, silentLogger } from '../shared/index.js'
import { freePort } from './free-port.js'

export interface LocalInfluxdOptions {
  /** Folder for meta, data, wal, config, pid file and log. */
  dir: string
  /** The influxd binary (default `influxd` on PATH). */
  binary?: string
  httpPort?: number
  rpcPort?: number
  startTimeoutMs?: number
  logger?: Logger
}

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

  /** Starts influxd and resolves once it answers /ping. Restarting keeps the same ports. */
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true })
    killStale(path.join(this.dir, 'influxd.pid'))
    this.ports ??= {
      http: this.options.httpPort ?? (await freePort()),
      rpc: this.options.rpcPort ?? (await freePort())
    }
    const configFile = path.join(this.dir, 'influxd.conf')
    writeFileSync(configFile, renderConfig(this.dir, this.ports))
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

function renderConfig(dir: string, ports: { http: number; rpc: number }): string {
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
