import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { freePort } from '../../stores/index.js'

const run = promisify(execFile)

/** Finds the PostgreSQL server binaries (Debian: /usr/lib/postgresql/<version>/bin). */
function binDir(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : []
  const found = versions.map((v) => path.join(root, v, 'bin')).find((d) => existsSync(path.join(d, 'initdb')))
  if (!found)
    throw new Error('PostgreSQL server binaries not found; install them with: apt-get install postgresql')
  return found
}

/**
 * A real PostgreSQL server for the test run, in `dir`, on a free loopback port.
 * As root it runs as the `postgres` user (the server refuses to run as root).
 * Stopped by the postmaster's pid.
 */
export async function startLocalPostgres(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const bin = binDir()
  const asRoot = process.getuid?.() === 0
  const wrap = (cmd: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]
  const data = path.join(dir, 'pgdata')
  mkdirSync(dir, { recursive: true })
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres'])
    const { stdout: gid } = await run('id', ['-g', 'postgres'])
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()))
  }
  await run(
    ...wrap(path.join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'aftercare',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync'
    ])
  )
  const port = await freePort()
  const [cmd, args] = wrap(path.join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'max_connections=200'
  ])
  const child: ChildProcess = spawn(cmd, args, { stdio: 'ignore' })
  const url = `postgres://aftercare@127.0.0.1:${port}/postgres`
  const deadline = Date.now() + 30000
  for (;;) {
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      await client.end()
      break
    } catch {
      await client.end().catch(() => undefined)
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`PostgreSQL did not start in ${data}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return {
    url,
    stop: async () => {
      const pidFile = path.join(data, 'postmaster.pid')
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined
      if (pid) process.kill(pid, 'SIGINT') // fast shutdown
      const until = Date.now() + 15000
      while (pid && Date.now() < until) {
        try {
          process.kill(pid, 0)
          await new Promise((r) => setTimeout(r, 100))
        } catch {
          break
        }
      }
      child.kill('SIGKILL')
    }
  }
}

/** A fresh database on the run's PostgreSQL server; returns its URL. */
export async function freshPostgresDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  await client.query(`CREATE DATABASE "${name}"`)
  await client.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}
