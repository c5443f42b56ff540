import net from 'node:net'
import fc from 'fast-check'
import mqtt from 'mqtt'
import { afterAll, describe, expect, it } from 'vitest'
import { InfluxQueryClient } from '../../stores/index.js'
import { purifierSample } from '../helpers/aftercare.js'
import { arbitraryPayloads } from '../helpers/arbitraries.js'
import {
  aftercareEnv,
  asAdmin,
  provisionOverApi,
  spawnAftercare,
  stopProcess,
  type AftercareProcess
} from '../helpers/process.js'
import { connectPacket, publishQos0Packet, rawConnect, subscribePacket } from '../helpers/raw-mqtt.js'
import { eventually, tempDir } from '../helpers/stores.js'

const SEED = 20261123
const RAW_SESSIONS = 400
const PAYLOADS = 300

/** Sends bytes on a fresh socket and waits until the broker closes it or 200 ms pass. */
function throwAt(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes))
    const done = () => (socket.destroy(), resolve())
    const timer = setTimeout(done, 200)
    socket.on('error', () => undefined)
    socket.on('close', () => (clearTimeout(timer), resolve()))
  })
}

/** Raw byte sequences: garbage, a good CONNECT followed by random packets, mutated good packets, random CONNECTs. */
function rawSessions(goodConnect: Buffer): fc.Arbitrary<Buffer> {
  const randomPacket = fc
    .tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 200 }))
    .map(([first, body]) => Buffer.concat([Buffer.from([first, Math.min(body.length, 127)]), body]))
  const good = [
    subscribePacket(1, 'devices/fuzz-1/commands/#', 1),
    publishQos0Packet('devices/fuzz-1/telemetry', Buffer.from(purifierSample(1)))
  ]
  const mutated = fc
    .tuple(
      fc.constantFrom(...good),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 })
    )
    .map(([packet, flips]) => {
      const copy = Buffer.from(packet)
      for (const [at, value] of flips) copy[at % copy.length] = value
      return copy
    })
  const randomConnect = fc
    .tuple(fc.string({ maxLength: 70 }), fc.string({ maxLength: 40 }), fc.string(), fc.nat({ max: 65535 }))
    .map(([id, user, pass, keepalive]) => connectPacket(id, user, pass, keepalive))
  return fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
    fc.array(randomPacket, { maxLength: 5 }).map((ps) => Buffer.concat([goodConnect, ...ps])),
    fc.array(mutated, { minLength: 1, maxLength: 3 }).map((ps) => Buffer.concat([goodConnect, ...ps])),
    randomConnect
  )
}

describe('fuzzing the broker of a running aftercare process', () => {
  const data = tempDir()
  let app: AftercareProcess | undefined
  afterAll(async () => {
    if (app) await stopProcess(app.child)
    data.remove()
  })

  it('when random MQTT byte sequences and then random payloads arrive, then the process never exits, every payload is acknowledged, and a good device is still stored', async () => {
    const { env, influx } = await aftercareEnv(data.dir, {
      MQTT_LOGIN_FAILURES_PER_SECOND: '100000',
      MQTT_DEVICE_MSGS_PER_SECOND: '100000'
    })
    app = await spawnAftercare(env)
    const running = app
    const alive = () => expect(running.child.exitCode, running.stderr()).toBeNull()
    const secret = await provisionOverApi(data.dir, app.apiPort, 'fuzz-1')
    const goodConnect = connectPacket('fuzz-1', 'fuzz-1', secret, 30)
    ;(await rawConnect(app.mqttPort, goodConnect)).destroy() // caches the login

    // 1. raw packets, 16 sockets at a time
    const sessions = fc.sample(rawSessions(goodConnect), { numRuns: RAW_SESSIONS, seed: SEED })
    for (let i = 0; i < sessions.length; i += 16) {
      await Promise.all(sessions.slice(i, i + 16).map((bytes) => throwAt(running.mqttPort, bytes)))
      alive()
    }

    // 2. random payloads from a real client on its own topics: each one is PUBACKed (stored or dead-lettered)
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${app.mqttPort}`, {
      clientId: 'fuzz-1',
      username: 'fuzz-1',
      password: secret,
      reconnectPeriod: 0
    })
    const payloads = fc.sample(
      fc.tuple(fc.constantFrom('telemetry', 'events', 'logs'), arbitraryPayloads(Date.now())),
      { numRuns: PAYLOADS, seed: SEED }
    )
    let acked = 0
    for (const [kind, payload] of payloads) {
      // a payload that can be neither stored nor dead-lettered gets no PUBACK: fail naming it, do not hang
      const unanswered = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error(`no PUBACK for ${kind} ${payload.toString('hex')}`)), 10000).unref()
      )
      await Promise.race([device.publishAsync(`devices/fuzz-1/${kind}`, payload, { qos: 1 }), unanswered])
      acked++
    }
    expect(acked).toBe(PAYLOADS)
    const marker = Date.now() - 1000
    await device.publishAsync('devices/fuzz-1/telemetry', purifierSample(424242, marker), { qos: 1 })
    await device.endAsync()
    alive()

    const stored = await new InfluxQueryClient(influx).rows(
      `SELECT seq FROM purifier_telemetry WHERE device = 'fuzz-1' AND seq = 424242`
    )
    expect(stored.length).toBe(1)
    // the dead letters hold what was refused, each with its reason
    const letters = await eventually(async () => {
      const res = await asAdmin(data.dir, running.apiPort, 'GET', '/dead-letters?limit=1')
      const body = (await res.json()) as { counts: Record<string, number> }
      return Object.values(body.counts).reduce((a, b) => a + b, 0)
    }, 'dead letters')
    expect(letters).toBeGreaterThan(PAYLOADS / 3)
    alive()
  }, 180000)
})
