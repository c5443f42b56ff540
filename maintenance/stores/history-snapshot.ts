import { randomUUID } from 'node:crypto'
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { deserialize, serialize } from 'node:v8'
import { AppError, measurements } from '../../shared/index.js'
import type { InfluxQueryClient } from '../../stores/index.js'
import { DayTable, type PackedDayTable } from '../engine/day-table.js'
import type { DeviceHistory } from '../engine/device-history.js'

const FORMAT = 'aftercare-histories-1'
/**
 * Devices a frame: frames keep each v8.serialize call small however large the fleet — the save runs after
 * every pass, beside the broker, and a frame holds the event loop while it is serialised (20,000 devices,
 * `monitorEventLoopDelay`: longest stall 113–116 ms at 1,000 a frame, 51–52 ms at 100, the save no slower).
 */
const FRAME_DEVICES = 100

/** The kept histories of a planning pass, and the rollup refresh they are current with. */
export interface KeptHistories {
  sinceDay: number
  epoch: string
  histories: Map<string, DeviceHistory>
}

/** A history's day tables; its part changes are not kept (every pass reads them again, whole). */
interface PackedHistory {
  counters: Record<string, PackedDayTable<string>>
  readings: PackedDayTable<string>
}

/**
 * The planning pass's kept histories on disk, so a restarted node's first pass reads what changed since
 * rather than every device's year (at 100,000 devices, 80 % of that pass). A snapshot is current only
 * while no rollup refresh ran after it: each refresh first writes a new epoch point to InfluxDB (shared by
 * every node), and a snapshot whose epoch is not the newest is ignored — the marks of the days that
 * refresh rebuilt are gone, so the snapshot could not learn of them.
 */
export class HistorySnapshots {
  constructor(
    private readonly file: string,
    private readonly influx: InfluxQueryClient,
    private readonly writer: { write(lines: readonly string[]): Promise<void> },
    /** Told why a snapshot on disk was not used (stale, unreadable); the pass then reads everything. */
    private readonly passedOver: (reason: string) => void = () => undefined,
    private readonly timeoutMs = 60000
  ) {}

  /**
   * Records that a rollup refresh is about to run; resolves with its epoch once InfluxDB holds it. The
   * writer waits out an InfluxDB that is down; the pass does not (an epoch stored late is harmless: the
   * newest by time wins).
   */
  async beginRefresh(now: number): Promise<string> {
    const epoch = randomUUID()
    // a UUID needs no escaping in a line protocol string
    const stored = this.writer.write([`${measurements.rollupRefresh} id="${epoch}" ${Math.floor(now)}000000`])
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AppError(
              'INFLUX_UNAVAILABLE',
              `InfluxDB did not store the refresh epoch in ${this.timeoutMs} ms`
            )
          ),
        this.timeoutMs
      )
    })
    try {
      await Promise.race([stored, late])
    } finally {
      clearTimeout(timer)
    }
    return epoch
  }

  /** The newest refresh's epoch, or undefined when none was recorded. */
  async latestEpoch(): Promise<string | undefined> {
    const [row] = await this.influx.rows(`SELECT last(id) AS id FROM ${measurements.rollupRefresh}`, {
      timeoutMs: this.timeoutMs
    })
    return typeof row?.id === 'string' ? row.id : undefined
  }

  /** Writes the histories (to a temporary file, then renamed: a crash leaves the old snapshot or none). */
  async save(kept: KeptHistories): Promise<void> {
    const dir = path.dirname(this.file)
    await mkdir(dir, { recursive: true })
    // a stop killed while writing left its temporary file behind (at 100,000 devices, 1.6 GB)
    const base = `${path.basename(this.file)}.`
    for (const name of await readdir(dir))
      if (name.startsWith(base) && name.endsWith('.tmp')) await rm(path.join(dir, name), { force: true })
    const temp = `${this.file}.${process.pid}.tmp`
    const out = await open(temp, 'w')
    // a frame is its length and its v8-serialised body, written straight to the file (no stream buffering)
    const frame = async (value: unknown) => {
      const body = serialize(value)
      const head = Buffer.alloc(4)
      head.writeUInt32BE(body.length)
      await out.writev([head, body])
    }
    try {
      await frame({
        format: FORMAT,
        sinceDay: kept.sinceDay,
        epoch: kept.epoch,
        devices: kept.histories.size
      })
      let batch: [string, PackedHistory][] = []
      for (const [id, h] of kept.histories) {
        batch.push([id, pack(h)])
        if (batch.length < FRAME_DEVICES) continue
        await frame(batch)
        batch = []
      }
      if (batch.length > 0) await frame(batch)
      await out.close()
      await rename(temp, this.file)
    } catch (err) {
      await out.close().catch(() => undefined)
      await rm(temp, { force: true })
      throw err
    }
  }

  /** The snapshot if there is one, it reads back whole, and it is current (its epoch is the newest). */
  async load(): Promise<{ kept?: KeptHistories; queried: boolean }> {
    const file = await open(this.file, 'r').catch(() => undefined)
    if (!file) return { queried: false }
    try {
      return { kept: await this.read(file), queried: true }
    } catch (err) {
      this.passedOver(`${this.file} could not be read back: ${(err as Error).message}`)
      return { queried: true }
    } finally {
      await file.close()
    }
  }

  private async read(file: FileHandle): Promise<KeptHistories | undefined> {
    const next = async (): Promise<unknown> => {
      const head = Buffer.alloc(4)
      if ((await file.read(head, 0, 4)).bytesRead < 4) return undefined
      const body = Buffer.alloc(head.readUInt32BE(0))
      if ((await file.read(body, 0, body.length)).bytesRead < body.length)
        throw new Error('the snapshot ends inside a frame')
      return deserialize(body)
    }
    const header = (await next()) as { format?: string; sinceDay: number; epoch: string; devices: number }
    if (header?.format !== FORMAT) throw new Error('not a snapshot of this version')
    if (header.epoch !== (await this.latestEpoch())) {
      this.passedOver(`${this.file} is older than the last rollup refresh`)
      return undefined
    }
    const histories = new Map<string, DeviceHistory>()
    for (let frame = await next(); frame !== undefined; frame = await next())
      for (const [id, h] of frame as [string, PackedHistory][]) histories.set(id, unpack(h))
    if (histories.size !== header.devices) throw new Error('the snapshot lacks devices its header counts')
    return { sinceDay: header.sinceDay, epoch: header.epoch, histories }
  }
}

function pack(h: DeviceHistory): PackedHistory {
  const counters: Record<string, PackedDayTable<string>> = {}
  for (const [unit, table] of Object.entries(h.counters)) if (table) counters[unit] = table.packed()
  return { counters, readings: h.readings.packed() }
}

function unpack(p: PackedHistory): DeviceHistory {
  const counters: DeviceHistory['counters'] = {}
  for (const [unit, table] of Object.entries(p.counters))
    counters[unit as keyof DeviceHistory['counters']] = DayTable.fromPacked(
      table as PackedDayTable<'first' | 'last'>
    )
  return {
    counters,
    readings: DayTable.fromPacked(p.readings as PackedDayTable<'tdsIn' | 'tdsOut' | 'pressure'>),
    replacements: []
  }
}
