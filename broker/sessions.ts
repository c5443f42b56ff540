import { mkdirSync } from 'node:fs'
import { Readable } from 'node:stream'
import { createRequire } from 'node:module'
import { ClassicLevel } from 'classic-level'
import { Redis, type RedisOptions } from 'ioredis'
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

interface Persistence extends AsyncPersistence {
  createRetainedStreamCombi(patterns: string[]): Readable
}

/** A device's own command filter: `devices/{id}/commands` or below it (the only filters a device may hold). */
const COMMAND_FILTER = /^devices\/[^/#+]+\/commands(\/|$)/

/**
 * Every persistence answers a SUBSCRIBE by scanning all retained messages for
 * matches: one per device (its status), so a reconnect storm of N devices
 * would cost N² (15,000 devices: hours on LevelDB). Retained messages here
 * exist only on `devices/{id}/status`, which the broker owns — device data and
 * commands are always stored with retain off — so a filter under a device's
 * `commands` can never match one: for those the scan is skipped.
 */
export function noRetainedScanForCommands<P extends Persistence>(persistence: P): P {
  const scan = persistence.createRetainedStreamCombi.bind(persistence)
  persistence.createRetainedStreamCombi = (patterns: string[]) =>
    patterns.every((p) => COMMAND_FILTER.test(p)) ? Readable.from([]) : scan(patterns)
  return persistence
}

export function sessionBackend(store: SessionStore): SessionBackend {
  if (store.kind === 'memory') {
    const memoryPersistence = require('aedes-persistence') as () => Persistence
    return { persistence: noRetainedScanForCommands(memoryPersistence()), close: async () => undefined }
  }
  if (store.kind === 'disk') {
    mkdirSync(store.dir, { recursive: true })
    const db = new ClassicLevel<string, Buffer>(store.dir, { valueEncoding: 'buffer' })
    const levelPersistence = require('aedes-persistence-level') as (db: unknown) => Persistence
    const persistence = noRetainedScanForCommands(levelPersistence(db))
    return { persistence, close: () => closeQuietly(persistence) }
  }
  const redisPersistence = require('aedes-persistence-redis') as (opts: unknown) => Persistence
  const mqemitterRedis = require('mqemitter-redis') as (opts: unknown) => unknown
  const connect = (options: RedisOptions = {}) =>
    fireAndForgetHandled(new Redis(store.url, { maxRetriesPerRequest: null, ...options }))
  const conn = connect()
  const persistence = noRetainedScanForCommands(redisPersistence({ conn }))
  // the bus subscribes as soon as the connection opens; ioredis 5.x's handshake (CLIENT SETINFO, then the
  // ready check's INFO) can land after a SUBSCRIBE, and Redis refuses both on a subscriber connection:
  // "Connection in subscriber mode, only subscriber commands may be used", thrown uncaught (ioredis
  // #2037, seen once in CI). A subscriber connection needs neither.
  const subConn = connect({ enableReadyCheck: false, disableClientInfo: true })
  const mq = mqemitterRedis({ pubConn: connect(), subConn, concurrency: MQ_CONCURRENCY })
  return {
    persistence,
    mq,
    close: async () => {
      // QUIT first: it is answered after every command already sent (some the persistence sends without
      // awaiting them, e.g. on wills), whereas its destroy() disconnects at once and fails those unhandled
      if (conn.status !== 'end') await conn.quit().catch(() => undefined)
      await closeQuietly(persistence)
    }
  }
}

async function closeQuietly(persistence: AsyncPersistence): Promise<void> {
  const async = (persistence as { asyncPersistence?: AsyncPersistence }).asyncPersistence ?? persistence
  await async.destroy().catch(() => undefined)
}

/**
 * aedes-persistence-redis sends some list clean-ups (`lrem`, `rpush`, on wills and stale queue entries)
 * and mqemitter-redis its `quit` without awaiting them; if the connection closes first — a node
 * stopping — their rejections would be unhandled and end the process. A catch on those commands'
 * promises marks them handled; whoever awaits one still gets its error.
 */
function fireAndForgetHandled(conn: Redis): Redis {
  for (const name of ['lrem', 'rpush', 'quit'] as const) {
    const send = conn[name].bind(conn) as (...args: unknown[]) => Promise<unknown>
    Object.assign(conn, {
      [name]: (...args: unknown[]) => {
        const sent = send(...args)
        sent.catch(() => undefined)
        return sent
      }
    })
  }
  return conn
}
