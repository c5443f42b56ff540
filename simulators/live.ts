import type { DeviceEvent, Sample } from '../shared/index.js'
import { createFleet, simulatorFor, type DeviceSim } from './fleet.js'
import { DAY_MS, dayNumber } from './fleet-spec.js'
import { MqttDevice } from './mqtt-device.js'
import { forEachLimit, type FleetPorts } from './ports.js'

export interface LiveOptions {
  seed: number
  devices: number
  /** Real seconds between a device's samples. */
  intervalSeconds: number
  /** Simulated time runs this many times faster than real time (counters age faster; timestamps stay real). */
  speed: number
  prefix?: string
  purifierShare?: number
  /** The fleet's first day (UTC day number), as given to a backfill this run continues; default today. */
  firstDay?: number
  /** Stop after this many real seconds (default: until the signal). */
  durationSeconds?: number
  signal?: AbortSignal
  onStatus?: (status: LiveStatus) => void
}

export interface LiveStatus {
  connected: number
  published: number
  acked: number
  failed: number
}

interface Scheduled {
  device: MqttDevice
  sim: DeviceSim
  queue: { at: number; kind: 'telemetry' | 'events'; payload: Sample | DeviceEvent }[]
}

/**
 * Keeps N simulated devices live: each connects with its own credentials and
 * publishes a sample every interval; with `speed` > 1 their usage runs that
 * much faster while timestamps stay real, so the data remains valid.
 */
export async function runLive(
  ports: FleetPorts,
  options: LiveOptions,
  clock = () => Date.now()
): Promise<LiveStatus> {
  const realStart = clock()
  const simStart = realStart
  const today = dayNumber(realStart)
  const fleet = createFleet({
    seed: options.seed,
    devices: options.devices,
    firstDay: options.firstDay ?? today,
    prefix: options.prefix,
    purifierShare: options.purifierShare
  })
  const toReal = (simTs: number) => realStart + (simTs - simStart) / options.speed
  const intervalMin = (options.intervalSeconds * options.speed) / 60

  const scheduled: Scheduled[] = []
  await forEachLimit(fleet, 16, async (spec) => {
    if (options.signal?.aborted) return
    const secret = await ports.provision(spec)
    const device = await MqttDevice.connect(ports.mqttUrl, spec.id, secret, 8)
    const sim = simulatorFor(options.seed, spec)
    while (sim.day < today) sim.step()
    // a per-run start keeps seq rising across runs of the same fleet
    sim.seq = Math.floor(realStart / 1000)
    scheduled.push({ device, sim, queue: [] })
  })

  const status = (): LiveStatus => ({
    connected: scheduled.filter((s) => s.device.client.connected).length,
    published: scheduled.reduce((a, s) => a + s.device.published, 0),
    acked: scheduled.reduce((a, s) => a + s.device.acked, 0),
    failed: scheduled.reduce((a, s) => a + s.device.failed, 0)
  })

  const refill = (s: Scheduled) => {
    const { samples, events } = s.sim.step(intervalMin)
    for (const e of events)
      s.queue.push({ at: toReal(e.ts), kind: 'events', payload: { ...e, ts: Math.round(toReal(e.ts)) } })
    for (const x of samples)
      s.queue.push({ at: toReal(x.ts), kind: 'telemetry', payload: { ...x, ts: Math.round(toReal(x.ts)) } })
    s.queue.sort((a, b) => a.at - b.at)
  }

  await new Promise<void>((resolve) => {
    const deadline = options.durationSeconds ? realStart + options.durationSeconds * 1000 : Infinity
    const tick = () => {
      const now = clock()
      if (options.signal?.aborted || now >= deadline) {
        clearInterval(timer)
        resolve()
        return
      }
      for (const s of scheduled) {
        while (s.queue.length === 0 || (s.queue.at(-1)?.at ?? 0) < now) {
          if (s.sim.day * DAY_MS > simStart + (now - realStart) * options.speed + DAY_MS) break
          refill(s)
        }
        while (s.queue.length > 0 && (s.queue[0]?.at ?? Infinity) <= now) {
          const item = s.queue.shift()!
          // samples from before this run started are history, not live data
          if (item.at >= realStart) void s.device.publish(item.kind, item.payload)
        }
      }
      options.onStatus?.(status())
    }
    const timer = setInterval(tick, 200)
    options.signal?.addEventListener('abort', tick, { once: true })
  })

  await Promise.all(scheduled.map((s) => s.device.close().catch(() => undefined)))
  return status()
}
