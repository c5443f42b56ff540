import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SqlOrderStore, type Order } from '../../maintenance/index.js'
import { People } from '../../registry/index.js'
import { startTestAftercare, type TestAftercare } from '../helpers/aftercare.js'

const PASSWORD = 'correct horse battery'

describe('people in the console: sessions, CSRF, lock-out and one outlet each', () => {
  let app: TestAftercare
  const logged: { level: number; msg: string; user?: string }[] = []
  const admin = () => ({ authorization: `Bearer ${app.adminToken}` })
  const orderIds: Record<string, number> = {}

  /** Signs in and returns the cookie header and the CSRF token. */
  const signIn = async (name: string, password = PASSWORD) => {
    const res = await app.api.inject({ method: 'POST', url: '/session', payload: { name, password } })
    expect(res.statusCode, res.body).toBe(200)
    const cookie = String(res.headers['set-cookie'])
    return { cookie: cookie.split(';')[0] ?? '', setCookie: cookie, csrf: res.json<{ csrf: string }>().csrf }
  }

  beforeAll(async () => {
    app = await startTestAftercare(
      { PLAN_EVERY_HOURS: 0 },
      pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) })
    )
    await app.outlets.upsert({ code: 'bj-01', regions: ['cn-north'], capacityPerDay: 8 })
    await app.provision({
      id: 'a-1',
      outlet: 'sh-01',
      site: { name: 'Mrs Zhang', address: '1 Nanjing Rd', phone: '021-555' }
    })
    await app.provision({
      id: 'b-1',
      region: 'cn-north',
      outlet: 'bj-01',
      site: { name: 'Mr Wang', address: '9 Chang’an Ave', phone: '010-555' }
    })
    const orders = new SqlOrderStore(app.sql)
    for (const [device, outlet] of [
      ['a-1', 'sh-01'],
      ['b-1', 'bj-01']
    ] as const) {
      await orders.openLive({
        deviceId: device,
        cause: 'leak',
        type: 'emergency',
        outlet,
        reason: 'leak reported',
        promiseAt: new Date(Date.now() + 86400000)
      })
      const listed = await orders.list({ deviceId: device, limit: 10 })
      orderIds[outlet] = listed[0]?.id ?? -1
    }
    for (const [name, role, outlet] of [
      ['tech-a', 'technician', 'sh-01'],
      ['plan-a', 'planner', 'sh-01'],
      ['lock-me', 'planner', null]
    ] as const) {
      const res = await app.api.inject({
        method: 'POST',
        url: '/users',
        headers: admin(),
        payload: { name, role, password: PASSWORD, ...(outlet ? { outlet } : {}) }
      })
      expect(res.statusCode, res.body).toBe(201)
    }
  })
  afterAll(async () => {
    await app?.close()
  })

  it('when a person signs in, then the session cookie is httpOnly and SameSite=Strict and /session names them', async () => {
    const { cookie, setCookie, csrf } = await signIn('tech-a')
    expect(setCookie).toMatch(/HttpOnly/i)
    expect(setCookie).toMatch(/SameSite=Strict/i)
    const me = await app.api.inject({ method: 'GET', url: '/session', headers: { cookie } })
    expect(me.json()).toEqual({ user: { name: 'tech-a', role: 'technician', outlet: 'sh-01' }, csrf })
    // the stored password is an scrypt hash, never the password
    const { rows } = await app.sql.query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE name = 'tech-a'"
    )
    expect(rows[0]?.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/)
    expect(rows[0]?.password_hash).not.toContain(PASSWORD)
  })

  it('when a session writes without its CSRF token, then it is refused and nothing changes; with it, the write goes through', async () => {
    const { cookie, csrf } = await signIn('plan-a')
    const id = orderIds['sh-01']
    const without = await app.api.inject({
      method: 'POST',
      url: `/orders/${id}/transition`,
      headers: { cookie },
      payload: { to: 'scheduled' }
    })
    expect(without.statusCode).toBe(403)
    expect(without.json()).toMatchObject({ code: 'CSRF' })
    const wrong = await app.api.inject({
      method: 'POST',
      url: `/orders/${id}/transition`,
      headers: { cookie, 'x-csrf-token': `${csrf.slice(0, -2)}xx` },
      payload: { to: 'scheduled' }
    })
    expect(wrong.statusCode).toBe(403)
    expect(
      (await app.api.inject({ method: 'GET', url: `/orders/${id}`, headers: admin() })).json()
    ).toMatchObject({
      status: 'proposed'
    })
    const withToken = await app.api.inject({
      method: 'POST',
      url: `/orders/${id}/transition`,
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { to: 'scheduled' }
    })
    expect(withToken.statusCode, withToken.body).toBe(200)
    expect(withToken.json<Order>().status).toBe('scheduled')
  })

  it('when a technician of one outlet asks for another outlet’s orders, devices or sites, then they do not exist for them', async () => {
    const { cookie, csrf } = await signIn('tech-a')
    const get = (url: string) => app.api.inject({ method: 'GET', url, headers: { cookie } })
    const mine = await get('/orders?sites=true')
    expect(mine.json<{ orders: Order[] }>().orders.map((o) => o.outlet)).toEqual(['sh-01'])
    expect(mine.json<{ orders: (Order & { site?: unknown })[] }>().orders[0]?.site).toMatchObject({
      name: 'Mrs Zhang'
    })
    expect((await get('/orders?outlet=bj-01')).statusCode).toBe(403)
    expect((await get(`/orders/${orderIds['bj-01']}`)).statusCode).toBe(404)
    expect((await get('/devices/b-1')).statusCode).toBe(404)
    expect((await get('/devices/b-1/health')).statusCode).toBe(404)
    expect((await get('/devices/b-1/telemetry')).statusCode).toBe(404)
    const devices = await get('/devices')
    expect(devices.body).not.toContain('Mr Wang')
    expect(devices.json<{ devices: { id: string }[] }>().devices.map((d) => d.id)).toEqual(['a-1'])
    expect((await get('/plan?outlet=bj-01')).statusCode).toBe(403)
    expect((await get('/outlets/bj-01/stock')).statusCode).toBe(403)
    expect((await get('/dead-letters')).statusCode).toBe(403)
    const change = await app.api.inject({
      method: 'POST',
      url: `/orders/${orderIds['bj-01']}/transition`,
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { to: 'cancelled', note: 'not mine' }
    })
    expect(change.statusCode).toBe(404)
    expect(
      (await app.api.inject({ method: 'GET', url: `/orders/${orderIds['bj-01']}`, headers: admin() })).json()
    ).toMatchObject({ status: 'proposed' })
  })

  it('when the password is wrong five times, then the account is locked (logged) and even the right password is refused until an admin resets it', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await app.api.inject({
        method: 'POST',
        url: '/session',
        payload: { name: 'lock-me', password: `wrong password ${i}` }
      })
      expect(res.statusCode).toBe(401)
    }
    const fifth = await app.api.inject({
      method: 'POST',
      url: '/session',
      payload: { name: 'lock-me', password: 'wrong again, fifth' }
    })
    expect(fifth.statusCode).toBe(423)
    expect(logged.some((l) => l.level === 40 && l.user === 'lock-me' && /locked/.test(l.msg))).toBe(true)
    const right = await app.api.inject({
      method: 'POST',
      url: '/session',
      payload: { name: 'lock-me', password: PASSWORD }
    })
    expect(right.statusCode).toBe(423)
    expect(right.json<{ message: string }>().message).toMatch(/locked until/)
    // an unknown name is told the same as a wrong password
    const unknown = await app.api.inject({
      method: 'POST',
      url: '/session',
      payload: { name: 'nobody', password: PASSWORD }
    })
    expect(unknown.statusCode).toBe(401)
    expect(unknown.json<{ message: string }>().message).toBe('the name or the password is wrong')
    await app.api.inject({
      method: 'POST',
      url: '/users/lock-me/password',
      headers: admin(),
      payload: { password: 'a brand new password' }
    })
    await signIn('lock-me', 'a brand new password')
  })

  it('when a proposed visit is moved to a day past its deadline, then nothing changes; to a day within it, then it is scheduled on that day in one step', async () => {
    await app.provision({ id: 'a-2', outlet: 'sh-01' })
    const orders = new SqlOrderStore(app.sql)
    await orders.openLive({
      deviceId: 'a-2',
      cause: 'leak',
      type: 'emergency',
      outlet: 'sh-01',
      reason: 'leak reported',
      promiseAt: new Date(Date.now() + 2 * 86400000)
    })
    const [order] = await orders.list({ deviceId: 'a-2', limit: 1 })
    const { cookie, csrf } = await signIn('plan-a')
    const move = (visitDay: string) =>
      app.api.inject({
        method: 'POST',
        url: `/orders/${order?.id}/reschedule`,
        headers: { cookie, 'x-csrf-token': csrf },
        payload: { visitDay, schedule: true }
      })
    const day = (n: number) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10)
    const late = await move(day(5))
    expect(late.statusCode, late.body).toBe(400)
    expect(late.json<{ message: string }>().message).toContain('after its deadline')
    expect((await orders.get(order?.id ?? 0)).status).toBe('proposed')
    const inTime = await move(day(1))
    expect(inTime.statusCode, inTime.body).toBe(200)
    expect(inTime.json<Order>()).toMatchObject({ status: 'scheduled', visitDay: day(1) })
  })

  it('when a person signs out, then the cookie no longer opens anything', async () => {
    const { cookie, csrf } = await signIn('plan-a')
    const out = await app.api.inject({
      method: 'DELETE',
      url: '/session',
      headers: { cookie, 'x-csrf-token': csrf }
    })
    expect(out.statusCode).toBe(204)
    expect((await app.api.inject({ method: 'GET', url: '/orders', headers: { cookie } })).statusCode).toBe(
      401
    )
  })

  it('when a session is idle longer than allowed, then it ends', async () => {
    let now = Date.now()
    const people = new People(app.sql, {
      clock: { now: () => now },
      idleMinutes: 30,
      maxFailures: 5,
      lockMinutes: 15
    })
    const signed = await people.signIn('tech-a', PASSWORD)
    if (!signed.ok) throw new Error('sign-in failed')
    now += 29 * 60000
    expect(await people.session(signed.sessionId)).toBeDefined()
    now += 29 * 60000 // used a minute ago: still within 30 idle minutes
    expect(await people.session(signed.sessionId)).toBeDefined()
    now += 31 * 60000
    expect(await people.session(signed.sessionId)).toBeUndefined()
  })
})
