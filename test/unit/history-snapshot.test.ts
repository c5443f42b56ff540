import { describe, expect, it } from 'vitest'
import { HistorySnapshots } from '../../maintenance/index.js'
import { isAppError } from '../../shared/index.js'
import type { InfluxQueryClient } from '../../stores/index.js'

describe('the refresh epoch', () => {
  it('when InfluxDB does not store the epoch in time (the writer waits it out), then the pass is told so instead of waiting', async () => {
    const never = { write: () => new Promise<void>(() => undefined) }
    const snapshots = new HistorySnapshots(
      '/nonexistent/h.bin',
      {} as InfluxQueryClient,
      never,
      undefined,
      50
    )
    const err: unknown = await snapshots.beginRefresh(Date.now()).catch((e: unknown) => e)
    expect(isAppError(err, 'INFLUX_UNAVAILABLE')).toBe(true)
  })

  it('when the writer stores the epoch, then the refresh gets a fresh id written as a rollup_refresh point', async () => {
    const written: string[] = []
    const writer = { write: async (lines: readonly string[]) => void written.push(...lines) }
    const snapshots = new HistorySnapshots('/nonexistent/h.bin', {} as InfluxQueryClient, writer)
    const a = await snapshots.beginRefresh(1763856000000)
    const b = await snapshots.beginRefresh(1763856000001)
    expect(a).not.toBe(b)
    expect(written).toEqual([
      `rollup_refresh id="${a}" 1763856000000000000`,
      `rollup_refresh id="${b}" 1763856000001000000`
    ])
  })
})
