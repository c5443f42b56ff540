import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { PlanningSummary } from '../../maintenance/index.js'
import { connectDevice, purifierSample } from '../helpers/aftercare.js'
import {
  aftercareEnv,
  asAdmin,
  provisionOverApi,
  processesInTempDir,
  type AftercareProcess
} from '../helpers/process.js'
import { eventually } from '../helpers/stores.js'

describe('planning histories across a crash', () => {
  const data = processesInTempDir()
  afterAll(() => data.stopAll())

  it('when aftercare is killed with SIGKILL after a pass, then the first pass of the next start begins from the histories kept after that pass', async () => {
    const { env } = await aftercareEnv(data.dir)
    const first = await data.spawn(env)
    // two devices with ten days of readings, uploaded through the broker
    for (const id of ['crash-1', 'crash-2']) {
      const secret = await provisionOverApi(data.dir, first.apiPort, id)
      const device = await connectDevice(first.mqttPort, id, secret)
      const now = Date.now()
      const samples = Array.from({ length: 40 }, (_, i) =>
        JSON.parse(purifierSample(i + 1, now - (40 - i) * 6 * 3600000))
      )
      await device.publishAsync(`devices/${id}/telemetry`, JSON.stringify({ samples }), { qos: 1 })
      await device.endAsync()
    }
    const plan = async (p: AftercareProcess) =>
      (await (await asAdmin(data.dir, p.apiPort, 'POST', '/plan/run')).json()) as PlanningSummary
    const before = await plan(first)
    expect(before.historiesFromDisk).toBe(false)
    const file = path.join(data.dir, 'planning', 'histories.bin')
    await eventually(async () => existsSync(file), 'the histories kept after the pass', 20000)

    first.child.kill('SIGKILL')
    await new Promise((r) => first.child.once('exit', r))
    const second = await data.spawn(env)
    const after = await plan(second)
    expect(after.historiesFromDisk).toBe(true)
    expect(after.devices).toBe(before.devices)
    expect(after.planned).toBe(before.planned)
  }, 120000)
})
