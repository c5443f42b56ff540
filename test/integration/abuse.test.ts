import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  connectDevice,
  purifierSample,
  startTestAftercare,
  type TestAftercare
} from '../helpers/aftercare.js'
import { eventually } from '../helpers/stores.js'
import { connectPacket } from '../helpers/raw-mqtt.js'

/** Opens a raw TCP connection, optionally sends bytes, and resolves with what came back once the broker closes it. */
function rawSession(port: number, send?: Buffer): Promise<{ received: Buffer; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now()
    const chunks: Buffer[] = []
    const socket = net.connect(port, '127.0.0.1', () => send && socket.write(send))
    socket.on('data', (c) => chunks.push(c))
    socket.on('error', () => undefined)
    socket.on('close', () =>
      resolve({ received: Buffer.concat(chunks), closedAfterMs: Date.now() - started })
    )
  })
}

describe('abuse: floods, failed logins, half-open connections', () => {
  let app: TestAftercare
  const secrets = new Map<string, string>()

  beforeAll(async () => {
    app = await startTestAftercare({
      MQTT_DEVICE_MSGS_PER_SECOND: 50,
      MQTT_DEVICE_BURST: 50,
      MQTT_CONNECT_TIMEOUT_MS: 500,
      MQTT_KEEPALIVE_LIMIT_SECONDS: 60,
      MQTT_LOGIN_FAILURES_PER_SECOND: 5
    })
    for (const id of ['flood-1', 'calm-1', 'calm-2'])
      secrets.set(id, (await app.provision({ id, model: 'RO-400' })).secret)
  })
  afterAll(async () => app?.close())

  it('when one device floods, then it is slowed to its rate while another device is answered at once, and nothing is dropped', async () => {
    const flooder = await connectDevice(app.mqttPort, 'flood-1', secrets.get('flood-1')!)
    const calm = await connectDevice(app.mqttPort, 'calm-1', secrets.get('calm-1')!)
    const ts0 = Date.now() - 600000
    let flooded = 0
    const started = Date.now()
    const flood = (async () => {
      const inflight = new Set<Promise<unknown>>()
      for (let s = 1; s <= 300; s++) {
        const p = flooder
          .publishAsync('devices/flood-1/telemetry', purifierSample(s, ts0 + s), { qos: 1 })
          .then(() => flooded++)
        inflight.add(p)
        void p.then(() => inflight.delete(p))
        if (inflight.size >= 50) await Promise.race(inflight)
      }
      await Promise.all(inflight)
    })()
    await new Promise((r) => setTimeout(r, 300))
    for (let s = 1; s <= 20; s++)
      await calm.publishAsync('devices/calm-1/telemetry', purifierSample(s, ts0 + s), { qos: 1 })
    const elapsed = (Date.now() - started) / 1000
    // the flooder got its burst and its rate, no more, while the calm device was served in full
    expect(flooded).toBeLessThanOrEqual(50 + Math.ceil(50 * elapsed) + 1)
    expect(flooded).toBeLessThan(300)
    await flood
    expect(flooded).toBe(300)
    expect(app.broker.stats.throttledPublishes).toBeGreaterThan(200)
    flooder.end(true)
    calm.end(true)
    const [row] = await app.influx.rows(
      `SELECT count(tdsIn) AS n FROM purifier_telemetry WHERE device = 'flood-1'`
    )
    expect(Number(row?.n)).toBe(300)
  })

  it('when one address fails to log in again and again, then after a burst it is refused without a password check, logged, and let in again once it stops', async () => {
    const before = { ...app.broker.stats }
    const attempts = Array.from({ length: 200 }, () =>
      connectDevice(app.mqttPort, 'calm-2', 'wrong-secret').then(
        () => 'in',
        (err: Error & { code?: number }) => err.code ?? err.message
      )
    )
    const results = await Promise.all(attempts)
    expect(results).not.toContain('in')
    const throttled = app.broker.stats.throttledLogins - before.throttledLogins
    // only the burst (20), the refills while the storm lasts (5 a second) and the 4 checks in flight met
    // the registry's password check; the rest were refused without a password check
    expect(throttled).toBeGreaterThanOrEqual(200 - 45)
    // the right secret from the same address works again once the address has calmed down
    await eventually(
      async () =>
        connectDevice(app.mqttPort, 'calm-2', secrets.get('calm-2')!).then(
          (c) => (c.end(true), true),
          () => false
        ),
      'a good login after the storm',
      15000
    )
  })

  it('when an address keeps flooding wrong passwords for one client id, then a device with its right secret behind the same address gets in at its first try', async () => {
    const { secret } = await app.provision({ id: 'neighbour-1', model: 'RO-400' })
    const before = app.broker.stats.throttledLogins
    let flooding = true
    let admitted = 0
    // twenty wrong logins in flight at all times, for as long as the test needs
    const storm = Array.from({ length: 20 }, async () => {
      while (flooding)
        await connectDevice(app.mqttPort, 'calm-1', 'wrong-secret').then(
          (c) => (admitted++, c.end(true)),
          () => undefined
        )
    })
    await new Promise((r) => setTimeout(r, 1500))
    try {
      const neighbour = await connectDevice(app.mqttPort, 'neighbour-1', secret)
      neighbour.end(true)
    } finally {
      flooding = false
      await Promise.all(storm)
    }
    expect(admitted).toBe(0)
    expect(app.broker.stats.throttledLogins - before).toBeGreaterThan(100)
  })

  it('when a socket never sends CONNECT, or asks for no keepalive, or goes silent after connecting, then the broker closes it', async () => {
    const silent = await rawSession(app.mqttPort)
    expect(silent.received.length).toBe(0)
    expect(silent.closedAfterMs).toBeLessThan(5000)

    const forever = await rawSession(
      app.mqttPort,
      connectPacket('calm-2', 'calm-2', secrets.get('calm-2')!, 0)
    )
    // CONNACK with a refusal (no session) and the socket closed
    expect(forever.received[0]).toBe(0x20)
    expect(forever.received[3]).not.toBe(0)

    const halfOpen = await rawSession(
      app.mqttPort,
      connectPacket('calm-2', 'calm-2', secrets.get('calm-2')!, 1)
    )
    // accepted (CONNACK 0), then never a PINGREQ: reaped after 1.5 × keepalive
    expect([...halfOpen.received.subarray(0, 4)]).toEqual([0x20, 2, 0, 0])
    expect(halfOpen.closedAfterMs).toBeGreaterThanOrEqual(1000)
    expect(halfOpen.closedAfterMs).toBeLessThan(10000)
  })
})
