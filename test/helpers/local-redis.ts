import { spawn } from 'node:child_process'
import { Redis } from 'ioredis'
import { freePort } from '../../stores/index.js'

/**
 * A real redis-server (Debian's `redis-server`) on a free loopback port, data
 * in `dir`, nothing saved to disk; stopped by its pid.
 */
export async function startLocalRedis(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort()
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' }
  )
  const url = `redis://127.0.0.1:${port}`
  const deadline = Date.now() + 20000
  for (;;) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    client.on('error', () => undefined) // refused until it listens
    try {
      await client.connect()
      if ((await client.ping()) === 'PONG') {
        client.disconnect()
        break
      }
    } catch {
      client.disconnect()
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`redis-server did not start on ${port}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000)
      await exited
      clearTimeout(timer)
    }
  }
}
