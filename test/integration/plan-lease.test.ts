import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PlanLease, planLeaseMigrations } from '../../maintenance/index.js'
import { isAppError } from '../../shared/index.js'
import { migrate, type SqlClient } from '../../stores/index.js'
import { sqlFlavours } from '../helpers/stores.js'

const HOUR = 3600000

/** Two nodes sharing one SQL store, each with the plan lease; one clock both read, moved by the test. */
describe.each(sqlFlavours)('the plan lease on %s', (_name, open: () => Promise<SqlClient>) => {
  let db: SqlClient
  let now = Date.parse('2026-11-23T00:00:00Z')
  const clock = { now: () => now }
  let a: PlanLease
  let b: PlanLease

  beforeAll(async () => {
    db = await open()
    await migrate(db, planLeaseMigrations)
    a = new PlanLease(db, 'node-a', 2 * HOUR, clock)
    b = new PlanLease(db, 'node-b', 2 * HOUR, clock)
  })
  afterAll(async () => db?.close())

  it('when two nodes ask at once for a lease nobody held yet, then exactly one gets it', async () => {
    const answers = await Promise.all([a.acquire(), b.acquire()])
    expect(answers.filter((x) => x.held)).toHaveLength(1)
    // the test goes on with node A holding it
    if (!answers[0]?.held) {
      now += 2 * HOUR + 1
      expect(await a.acquire()).toEqual({ held: true, takenOver: true })
    }
    now += 1
  })

  it('when one node holds the lease, then the other is refused with the holder named until it lapses, and the holder keeps renewing it', async () => {
    expect(await a.acquire()).toEqual({ held: true, takenOver: false })
    const refused = await b.require().catch((err: unknown) => err)
    expect(isAppError(refused, 'PLAN_LEASE_HELD')).toBe(true)
    expect(String((refused as Error).message)).toMatch(/node-a .*until 2026-11-23T0\d:00:00\.\d{3}Z/)
    now += 1.5 * HOUR
    expect(await a.acquire()).toEqual({ held: true, takenOver: false })
    now += 1.5 * HOUR // past the first term, inside the renewed one
    expect(await b.acquire()).toMatchObject({ held: false, holder: 'node-a' })
  })

  it('when the holder stops renewing, then after the lease lapses the other node takes over (and is told it took over)', async () => {
    now += 2 * HOUR + 1
    expect(await b.acquire()).toEqual({ held: true, takenOver: true })
    expect(await a.acquire()).toMatchObject({ held: false, holder: 'node-b' })
  })

  it('when both ask at the same moment of a lapsed lease, then exactly one gets it', async () => {
    now += 3 * HOUR
    const answers = await Promise.all([a.acquire(), b.acquire()])
    expect(answers.filter((x) => x.held)).toHaveLength(1)
  })
})
