import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import mqtt from 'mqtt'
import { afterAll, describe, expect, it } from 'vitest'
import { InfluxQueryClient } from '../../stores/index.js'
import { purifierSample } from '../helpers/aftercare.js'
import { aftercareEnv, provisionOverApi, spawnAftercare } from '../helpers/process.js'
import { eventually, tempDir } from '../helpers/stores.js'

const DEVICES = 5
const SAMPLES = 400

describe('kill -9 in the middle of a stream', () => {
  const data = tempDir()
  const processes: ChildProcess[] = []
  afterAll(async () => {
    for (const p of processes) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL')
    data.remove()
  })

  it('when aftercare is killed with SIGKILL while devices stream and is started again, then every acknowledged sample is in InfluxDB', async () => {
    const {
      env,
      mqttPort,
      influx: target
    } = await aftercareEnv(data.dir, {
      MQTT_DEVICE_MSGS_PER_SECOND: '100000'
    })
    const start = async () => {
      const started = await spawnAftercare(env)
      processes.push(started.child)
      return started.child
    }
    let aftercare = await start()
    const secrets = new Map<string, string>()
    for (let i = 0; i < DEVICES; i++) {
      const id = `crash-${i}`
      secrets.set(id, await provisionOverApi(data.dir, Number(env.API_PORT), id))
    }

    // each device publishes its samples in order; a publish that fails (the broker died) is sent again after
    // the client reconnects, as a real device's firmware does; only PUBACKed samples count as acknowledged
    const acked = new Map<string, Set<number>>()
    const ts0 = Date.now() - 600000
    const stream = async (id: string) => {
      const mine = new Set<number>()
      acked.set(id, mine)
      const client = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, {
        clientId: id,
        username: id,
        password: secrets.get(id),
        reconnectPeriod: 300,
        connectTimeout: 5000,
        queueQoSZero: false
      })
      client.on('error', () => undefined)
      try {
        for (let seq = 1; seq <= SAMPLES;) {
          if (!client.connected) {
            await new Promise((r) => setTimeout(r, 50))
            continue
          }
          try {
            await client.publishAsync(`devices/${id}/telemetry`, purifierSample(seq, ts0 + seq * 1000), {
              qos: 1
            })
            mine.add(seq)
            seq++
          } catch {
            await new Promise((r) => setTimeout(r, 100))
          }
        }
      } finally {
        await client.endAsync(true)
      }
    }
    const streaming = Promise.all([...secrets.keys()].map(stream))
    // let the stream get going, then kill the process outright
    await eventually(
      async () => [...acked.values()].every((s) => s.size >= 50),
      'the first acknowledgements',
      30000
    )
    aftercare.kill('SIGKILL')
    await new Promise((r) => aftercare.once('exit', r))
    const beforeCrash = [...acked.values()].reduce((a, s) => a + s.size, 0)
    expect(beforeCrash).toBeLessThan(DEVICES * SAMPLES)
    aftercare = await start()
    await streaming

    const influx = new InfluxQueryClient(target)
    for (const [id, seqs] of acked) {
      expect(seqs.size).toBe(SAMPLES)
      const rows = await influx.rows(`SELECT seq FROM purifier_telemetry WHERE device = '${id}'`)
      const stored = new Set(rows.map((r) => Number(r.seq)))
      const missing = [...seqs].filter((s) => !stored.has(s))
      expect(missing, `${id}: acknowledged but not stored`).toEqual([])
      // a sample sent twice (unacknowledged when the broker died) is one point
      expect(rows.length).toBe(SAMPLES)
    }
    aftercare.kill('SIGTERM')
    await new Promise((r) => aftercare.once('exit', r))
    expect(existsSync(path.join(data.dir, 'aftercare.lock'))).toBe(false)
  }, 180000)
})
