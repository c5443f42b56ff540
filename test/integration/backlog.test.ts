import { spawn } from 'node:child_process'
import type net from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  connectDevice,
  publishAcked,
  purifierSample,
  startTestAftercare,
  type TestAftercare
} from '../helpers/aftercare.js'
import { connectPacket, publishQos0Packet, rawConnect, subscribePacket } from '../helpers/raw-mqtt.js'

const PUBLISHERS = 20

/**
 * The load that kills bare Aedes 1.2: a QoS 0 subscriber that stops reading
 * its socket while 20 publishers send QoS 0 bursts at it for 4 s; then it
 * disconnects with the backlog queued. Resolves with the subscriber's socket
 * already destroyed.
 */
async function backlogThenLeave(
  port: number,
  subscriber: Buffer,
  publisher: (i: number) => Buffer,
  topic: string
): Promise<void> {
  const sub = await rawConnect(port, subscriber)
  sub.write(subscribePacket(1, topic, 0))
  await new Promise((r) => sub.once('data', r)) // SUBACK
  sub.pause()
  const pubs: net.Socket[] = []
  for (let i = 0; i < PUBLISHERS; i++) pubs.push(await rawConnect(port, publisher(i)))
  const burst = Buffer.concat(
    Array.from({ length: 2000 }, () => publishQos0Packet(topic, Buffer.alloc(200, 7)))
  )
  const pump = setInterval(() => {
    for (const p of pubs) if (!p.destroyed && p.writableLength < 1_000_000) p.write(burst)
  }, 20)
  await new Promise((r) => setTimeout(r, 4000))
  clearInterval(pump)
  sub.destroy()
  await new Promise((r) => setTimeout(r, 1500))
  for (const p of pubs) p.destroy()
}

describe('a subscriber that leaves with a large QoS 0 backlog', () => {
  it('when bare Aedes 1.2 meets it, then it dies with "Maximum call stack size exceeded" (the control)', async () => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL('../fixtures/bare-aedes.mjs', import.meta.url))],
      {
        stdio: ['ignore', 'pipe', 'pipe']
      }
    )
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
    try {
      const port = await new Promise<number>((resolve) =>
        child.stdout.once('data', (c: Buffer) => resolve((JSON.parse(c.toString()) as { port: number }).port))
      )
      const anyone = (id: string) => connectPacket(id, id, 'x', 60)
      await backlogThenLeave(port, anyone('slow-sub'), (i) => anyone(`pub-${i}`), 'devices/d1/commands')
      expect(
        await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 5000))])
      ).toBe(1)
      expect(stderr).toContain('Maximum call stack size exceeded')
    } finally {
      child.kill('SIGKILL')
    }
  })

  describe('aftercare', () => {
    let app: TestAftercare
    let deviceSecret = ''
    let calmSecret = ''
    let token = ''

    beforeAll(async () => {
      app = await startTestAftercare({ MQTT_SUBSCRIBER_BACKLOG_BYTES: 65536 })
      deviceSecret = (await app.provision({ id: 'stuck-1' })).secret
      calmSecret = (await app.provision({ id: 'calm-1' })).secret
      token = (await app.registry.createAccount('ops', ['mqtt-command'])).token
    })
    afterAll(async () => app?.close())

    it('when a device stops reading while a command storm is queued for it and then drops off, then the broker stays up, sheds QoS 0 to it, and other devices are stored', async () => {
      const calm = await connectDevice(app.mqttPort, 'calm-1', calmSecret)
      const ts0 = Date.now() - 60000
      let acked = 0
      const steady = (async () => {
        for (let s = 1; s <= 40; s++) {
          await publishAcked(calm, 'devices/calm-1/telemetry', purifierSample(s, ts0 + s))
          acked++
          await new Promise((r) => setTimeout(r, 100))
        }
      })()
      await backlogThenLeave(
        app.mqttPort,
        connectPacket('stuck-1', 'stuck-1', deviceSecret, 60),
        (i) => connectPacket(`svc:ops:${i}`, 'svc:ops', token, 60),
        'devices/stuck-1/commands'
      )
      await steady
      expect(acked).toBe(40)
      expect(app.broker.stats.droppedDeliveries).toBeGreaterThan(0)
      // the broker is still taking logins and storing samples
      const again = await connectDevice(app.mqttPort, 'stuck-1', deviceSecret)
      await publishAcked(again, 'devices/stuck-1/telemetry', purifierSample(1, ts0))
      again.end(true)
      calm.end(true)
      const [row] = await app.influx.rows(`SELECT count(tdsIn) AS n FROM purifier_telemetry`)
      expect(Number(row?.n)).toBe(41)
    })
  })
})
