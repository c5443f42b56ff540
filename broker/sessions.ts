import { mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { ClassicLevel } from 'classic-level'
import { Redis } from 'ioredis'
import { MQ_CONCURRENCY } from './backlog.js'

const require = createRequire(import.meta.url)

/**
 * Where the broker keeps sessions (subscriptions, QoS 1 queues of offline
 * devices, retained status) and how its nodes hear each other's messages:
 *  - `memory`: this process only, gone with it (tests, throwaway brokers);
 *  - `disk`: LevelDB in a folder (the embedded default, under the data dir): sessions survive a restart;
 *  - `redis`: shared by every node pointed at the same Redis (cluster mode):
 *    messages cross nodes through Redis pub/sub (mqemitter-redis), sessions live in Redis
 *    (aedes-persistence-redis), so a device may reconnect to any node.
 */
export type SessionStore = { kind: 'memory' } | { kind: 'disk'; dir: string } | { kind: 'redis'; url: string }

/** What Aedes is built with for a session store, and how to let go of it after Aedes has closed. */
export interface SessionBackend {
  persistence?: unknown
  mq?: unknown
  close(): Promise<void>
}

interface AsyncPersistence {
  destroy(): Promise<void>
}

export function sessionBackend(store: SessionStore): SessionBackend {
  if (store.kind === 'memory') return { close: async () => undefined }
  if (store.kind === 'disk') {
    mkdirSync(store.dir, { recursive: true })
    const db = new ClassicLevel<string, Buffer>(store.dir, { valueEncoding: 'buffer' })
    const levelPersistence = require('aedes-persistence-level') as (db: unknown) => AsyncPersistence
    const persistence = levelPersistence(db)
    return { persistence, close: () => closeQuietly(persistence) }
  }
  const redisPersistence = require('aedes-persistence-redis') as (opts: unknown) => AsyncPersistence
  const mqemitterRedis = require('mqemitter-redis') as (opts: unknown) => unknown
  const conn = new Redis(store.url, { maxRetriesPerRequest: null })
  const persistence = redisPersistence({ conn })
  const mq = mqemitterRedis({ connectionString: store.url, concurrency: MQ_CONCURRENCY })
  return {
    persistence,
    mq,
    close: async () => {
      await closeQuietly(persistence)
      if (conn.status !== 'end') await conn.quit().catch(() => undefined)
    }
  }
}

async function closeQuietly(persistence: AsyncPersistence): Promise<void> {
  const async = (persistence as { asyncPersistence?: AsyncPersistence }).asyncPersistence ?? persistence
  await async.destroy().catch(() => undefined)
}
