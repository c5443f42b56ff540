import { describe, expect, it } from 'vitest'
import { InfluxWriter, createWriteApiSender } from '../../ingest/index.js'
import { isAppError, silentLogger } from '../../shared/index.js'
import { countPoints, freshInflux } from '../helpers/stores.js'

describe('InfluxWriter against a real InfluxDB 1.x', () => {
  it('when many writes share batches, then every line lands with nanosecond precision through /write', async () => {
    const { target, query } = await freshInflux()
    const writer = new InfluxWriter(createWriteApiSender(target, 500), silentLogger, { batchLines: 500 })
    await Promise.all(
      Array.from({ length: 40 }, (_, w) =>
        writer.write(
          Array.from(
            { length: 50 },
            (_, i) => `m,w=${w} v=${i} ${1700000000000000000n + BigInt(w * 1000 + i)}`
          )
        )
      )
    )
    await writer.close()
    expect(await countPoints(query, 'm', 'v')).toBe(2000)
    const [row] = await query.rows(`SELECT v FROM m WHERE w = '3' ORDER BY time DESC LIMIT 1`)
    expect(row?.v).toBe(49)
  })

  it('when one write in a shared batch has a field type conflict, then only that write is refused and the others are stored', async () => {
    const { target, query } = await freshInflux()
    const writer = new InfluxWriter(createWriteApiSender(target, 100), silentLogger)
    await writer.write(['c v=1 1700000000000000000'])
    const results = await Promise.allSettled([
      writer.write(['c v=2 1700000000000000001']),
      writer.write(['c v="text" 1700000000000000002']),
      writer.write(['c v=3 1700000000000000003'])
    ])
    await writer.close()
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    const reason = (results[1] as PromiseRejectedResult).reason
    expect(isAppError(reason, 'INFLUX_WRITE_REJECTED')).toBe(true)
    expect(String((reason as Error).message)).toMatch(/field type conflict/)
    expect(await countPoints(query, 'c', 'v')).toBe(3)
  })
})
