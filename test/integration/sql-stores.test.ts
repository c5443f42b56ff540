import { randomBytes, scryptSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqlDeadLetterStore, deadLetterMigrations } from '../../ingest/index.js'
import { Registry, SqlAccountStore, SqlDeviceStore, registryMigrations } from '../../registry/index.js'
import { isAppError } from '../../shared/index.js'
import { migrate, type SqlClient } from '../../stores/index.js'
import { sqlFlavours } from '../helpers/stores.js'

const migrations = [...registryMigrations, ...deadLetterMigrations]

/** The same contract for each SqlClient: embedded PGlite and a real PostgreSQL server. */
describe.each(sqlFlavours)('SQL stores on %s', (_name, open: () => Promise<SqlClient>) => {
  let db: SqlClient
  let registry: Registry

  beforeAll(async () => {
    db = await open()
    registry = new Registry(new SqlDeviceStore(db), new SqlAccountStore(db), { cacheSeconds: 300 })
  })
  afterAll(async () => db?.close())

  it('when migrations run twice, then the second run applies nothing', async () => {
    expect(await migrate(db, migrations)).toEqual([
      '0001-registry',
      '0014-device-sites',
      '0018-users',
      '0002-dead-letters'
    ])
    expect(await migrate(db, migrations)).toEqual([])
  })

  it('when a device is provisioned, then it reads back with its delivery date and only a hash of its secret', async () => {
    const { device, secret } = await registry.provision({
      id: 'sql-1',
      kind: 'purifier',
      model: 'RO-500',
      region: 'cn-east',
      outlet: 'sh-01',
      deliveredOn: '2026-01-31'
    })
    expect(device).toMatchObject({ id: 'sql-1', deliveredOn: '2026-01-31', outlet: 'sh-01', disabled: false })
    expect(await registry.getDevice('sql-1')).toEqual(device)
    const { rows } = await db.query<{ secret_hash: string }>(
      'SELECT secret_hash FROM devices WHERE id = $1',
      ['sql-1']
    )
    expect(rows[0]?.secret_hash).not.toContain(secret)
    expect(await registry.authenticateDevice('sql-1', secret)).toMatchObject({
      id: 'sql-1',
      region: 'cn-east'
    })
    expect(await registry.authenticateDevice('sql-1', 'wrong')).toBeUndefined()
  })

  it('when a device still has a scrypt hash from an earlier version, then its login works and the hash becomes a salted SHA-256', async () => {
    const { secret } = await registry.provision({
      id: 'sql-old',
      kind: 'purifier',
      model: 'RO-500',
      region: 'jp-kanto'
    })
    // the format earlier versions stored: scrypt$N$r$p$salt$key
    const salt = randomBytes(16)
    const key = scryptSync(secret, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 })
    const old = ['scrypt', 2 ** 15, 8, 1, salt.toString('base64'), key.toString('base64')].join('$')
    await db.query('UPDATE devices SET secret_hash = $2 WHERE id = $1', ['sql-old', old])
    const fresh = new Registry(new SqlDeviceStore(db), new SqlAccountStore(db))
    expect(await fresh.authenticateDevice('sql-old', 'not-the-secret')).toBeUndefined()
    expect(await fresh.authenticateDevice('sql-old', secret)).toMatchObject({ id: 'sql-old' })
    const { rows } = await db.query<{ secret_hash: string }>(
      'SELECT secret_hash FROM devices WHERE id = $1',
      ['sql-old']
    )
    expect(rows[0]?.secret_hash).toMatch(/^sha256\$/)
    expect(
      await new Registry(new SqlDeviceStore(db), new SqlAccountStore(db)).authenticateDevice(
        'sql-old',
        secret
      )
    ).toMatchObject({ id: 'sql-old' })
  })

  it('when a device is disabled, then authentication says FORBIDDEN even with a cached login', async () => {
    const { secret } = await registry.provision({
      id: 'sql-off',
      kind: 'machine',
      model: 'PUMP-52',
      region: 'cn-north'
    })
    await registry.authenticateDevice('sql-off', secret)
    await registry.setDisabled('sql-off', true)
    await expect(registry.authenticateDevice('sql-off', secret)).rejects.toSatisfy((err) =>
      isAppError(err, 'FORBIDDEN')
    )
  })

  it('when devices are listed by region and kind, then only matching ones come back in id order', async () => {
    await registry.provision({ id: 'sql-2', kind: 'machine', model: 'PUMP-52', region: 'cn-east' })
    const list = await registry.listDevices({ region: 'cn-east', kind: 'purifier' })
    expect(list.map((d) => d.id)).toEqual(['sql-1'])
  })

  it('when dead letters with NUL bytes (in payload and reason) and quotes are kept, then they read back with counts by code', async () => {
    const store = new SqlDeadLetterStore(db)
    await store.add([
      {
        deviceId: 'sql-1',
        topic: 'devices/sql-1/telemetry',
        code: 'bad_json',
        reason: 'payload is not JSON: Unexpected token \u0000',
        payload: "a\u0000b'c"
      },
      {
        deviceId: 'sql-1',
        topic: 'devices/sql-1/telemetry',
        code: 'schema',
        reason: 'seq: expected number',
        payload: '{}'
      }
    ])
    expect(await store.countByCode()).toEqual({ bad_json: 1, schema: 1 })
    const [latest, first] = await store.list({ deviceId: 'sql-1' })
    expect(latest?.code).toBe('schema')
    expect(first?.payload).toBe("a\\u0000b'c")
    expect(first?.reason).toBe('payload is not JSON: Unexpected token \\u0000')
  })

  it('when a transaction throws, then nothing of it is kept', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO dead_letters (topic, code, reason, payload) VALUES ('t', 'schema', 'r', 'p')`
        )
        throw new Error('boom')
      })
    ).rejects.toThrow('boom')
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM dead_letters WHERE topic = 't'`
    )
    expect(rows[0]?.n).toBe(0)
  })
})
