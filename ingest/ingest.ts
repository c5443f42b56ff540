import { Point } from '@influxdata/influxdb-client'
import {
  isAppError,
  measurements,
  parseDeviceTopic,
  type DeviceEvent,
  type Clock,
  type DeviceInfo,
  type Logger
} from '../shared/index.js'
import { DayMarks } from './day-marks.js'
import type { DeadLetterStore, NewDeadLetter } from './dead-letter-store.js'
import type { TelemetryWriter } from './influx-writer.js'
import { CounterWatch } from './counter-watch.js'
import { normalise, type FaultLookup, type Normalised, type RejectCode } from './normalise.js'
import { ResendCheck, type StoredSamples } from './resend-check.js'

export interface IngestOptions {
  maxAgeDays: number
  maxFutureSeconds: number
  /** Told about what was stored, after it was stored (live rules); never delays or fails the PUBACK. */
  onStored?: (device: DeviceInfo, accepted: Normalised['accepted']) => Promise<void>
  /** The maker's fault catalogue (grade and category tags on fault events); the contract's list by default. */
  faultOf?: FaultLookup
  /** A model's parts (catalogue): a part change naming another part is dead-lettered (`unknown_part`). */
  partsOf?: (model: string) => readonly string[] | undefined
  /** Reads stored samples back, to refuse a resent sample with other values (`conflicting_duplicate`). */
  storedSamples?: StoredSamples
}

export interface IngestStats {
  messages: number
  samplesStored: number
  deadLetters: Partial<Record<RejectCode, number>>
}

/**
 * Ingest: the broker's publish gate calls `handle` for each device publish,
 * and the promise settles once the data is durably stored — valid samples in
 * InfluxDB, anything invalid in the dead-letter store with its reason.
 */
export class Ingest {
  readonly stats: IngestStats = { messages: 0, samplesStored: 0, deadLetters: {} }
  private readonly dayMarks = new DayMarks()
  /** Reads made to compare resent samples with what is stored. */
  get resendReads(): number {
    return this.resends.reads
  }

  /** Marks samples whose cumulative counter went backwards; `counters.backwards` counts them. */
  readonly counters = new CounterWatch()
  private readonly resends: ResendCheck

  constructor(
    private readonly writer: TelemetryWriter,
    private readonly deadLetters: DeadLetterStore,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: IngestOptions
  ) {
    this.resends = new ResendCheck(options.storedSamples)
  }

  /**
   * The publish gate. Rejects only when the data could not be stored anywhere (the device will resend).
   * Resolves to whether the message may be delivered to subscribers: only when all of it was stored as
   * data — anything dead-lettered (a command topic, bad JSON, a bad sample) is kept, never passed on.
   */
  handle = async (device: DeviceInfo, topic: string, payload: Buffer): Promise<boolean> => {
    this.stats.messages++
    const parts = parseDeviceTopic(topic)
    const kind = parts?.kind ?? 'other'
    const result = normalise(
      device,
      kind,
      payload,
      {
        now: this.clock.now(),
        maxAgeMs: this.options.maxAgeDays * 86400000,
        maxFutureMs: this.options.maxFutureSeconds * 1000
      },
      {
        faultOf: this.options.faultOf,
        partsOf: this.options.partsOf,
        subtopic: parts?.rest ?? topic,
        counters: this.counters
      }
    )
    // a device's normal stream is newer than what it stored before: only a resend costs a read
    const suspects = kind === 'telemetry' ? this.resends.suspects(device.id, result.accepted.samples) : []
    if (suspects.length > 0) {
      const conflicts = await this.resends.conflicts(device, result.accepted.samples, suspects)
      if (conflicts.size > 0) refuseConflicts(result, conflicts)
    }
    const now = this.clock.now()
    const marks = this.dayMarks.linesFor(
      device.kind,
      result.accepted.samples.map((sample) => sample.ts),
      now
    )
    const lines = marks.lines.length > 0 ? result.lines.concat(marks.lines) : result.lines
    // what the callbacks below keep until the write is stored: not the lines (the writer holds their text)
    const { accepted, rejections } = result
    const samples = result.lines.length
    let refused = false
    const stored = this.writer.write(lines).then(
      () => {
        this.dayMarks.written(marks.keys, now)
        this.resends.stored(device.id, accepted.samples)
        this.stats.samplesStored += samples
        if (this.options.onStored && samples > 0) {
          this.options
            .onStored(device, accepted)
            .catch((err: Error) =>
              this.log.error({ device: device.id, err: err.message }, 'acting on stored data failed')
            )
        }
      },
      (err: unknown) => {
        if (!isAppError(err, 'INFLUX_WRITE_REJECTED')) throw err
        refused = true
        // InfluxDB itself refused the lines (e.g. a field type conflict): keep the message with that reason
        return this.keep([
          {
            deviceId: device.id,
            topic,
            code: 'influx_rejected',
            reason: err.message,
            payload: payload.toString('utf8')
          }
        ])
      }
    )
    // most publishes are all good: no dead letters to keep beside the write (the hot path)
    if (rejections.length === 0) {
      await stored
      return !refused
    }
    const letters: NewDeadLetter[] = rejections.map((r) => ({ deviceId: device.id, topic, ...r }))
    await Promise.all([stored, this.keep(letters)])
    return false
  }

  /**
   * Stores an event on a device's behalf (a technician's part change), exactly as if the device had
   * published it, so the engine sees one history. Resolves when it is in InfluxDB.
   */
  async recordEvent(device: DeviceInfo, event: DeviceEvent): Promise<void> {
    const result = normalise(
      device,
      'events',
      Buffer.from(JSON.stringify(event)),
      {
        now: this.clock.now(),
        maxAgeMs: this.options.maxAgeDays * 86400000,
        maxFutureMs: this.options.maxFutureSeconds * 1000
      },
      { faultOf: this.options.faultOf, partsOf: this.options.partsOf }
    )
    if (result.rejections.length > 0) throw new Error(result.rejections.map((r) => r.reason).join('; '))
    await this.writer.write(result.lines)
  }

  /** Records a device's online/offline change as a point; best effort, never blocks the broker. */
  recordStatus(device: DeviceInfo, status: 'online' | 'offline'): void {
    const point = new Point(measurements.status)
      .tag('device', device.id)
      .tag('model', device.model)
      .tag('region', device.region)
      .booleanField('online', status === 'online')
      // the same as a number, so boards can sum who is online
      .intField('up', status === 'online' ? 1 : 0)
      .timestamp(`${BigInt(this.clock.now()) * 1_000_000n}`)
    const outlet = device.outlet
    if (outlet) point.tag('outlet', outlet)
    this.writer
      .write([point.toLineProtocol() ?? ''])
      .catch((err: Error) =>
        this.log.warn({ device: device.id, status, err: err.message }, 'could not record device status')
      )
  }

  private async keep(letters: NewDeadLetter[]): Promise<void> {
    if (letters.length === 0) return
    await this.deadLetters.add(letters)
    for (const l of letters) {
      this.stats.deadLetters[l.code] = (this.stats.deadLetters[l.code] ?? 0) + 1
      this.log.info({ device: l.deviceId, topic: l.topic, code: l.code, reason: l.reason }, 'dead letter')
    }
  }
}

/** Moves the samples that conflict with stored ones (by index) from what is written to the dead letters. */
function refuseConflicts(result: Normalised, conflicts: ReadonlyMap<number, string>): void {
  const samples = result.accepted.samples
  const lines = result.lines
  result.accepted.samples = []
  result.lines = []
  samples.forEach((sample, i) => {
    const reason = conflicts.get(i)
    if (reason === undefined) {
      result.accepted.samples.push(sample)
      result.lines.push(lines[i] as string)
    } else result.rejections.push({ code: 'conflicting_duplicate', reason, payload: JSON.stringify(sample) })
  })
}
