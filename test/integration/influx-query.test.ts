import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { InfluxQueryClient, type InfluxSeries } from '../../stores/index.js'
import { freshInflux } from '../helpers/stores.js'

const T0 = 1700000000000

describe('InfluxQueryClient.stream against a real InfluxDB 1.x', () => {
  it('when an answer is longer than a chunk, then every row arrives once, in pieces, equal to the whole answer', async () => {
    const { target, query } = await freshInflux()
    // 30 devices, 250 points each: with 100 points a chunk, each series comes in three pieces
    const lines = Array.from({ length: 30 * 250 }, (_, i) => `m,device=d${i % 30} v=${i} ${T0 + i * 1000}`)
    const res = await fetch(`${target.url}/write?db=${target.database}&precision=ms`, {
      method: 'POST',
      body: lines.join('\n')
    })
    expect(res.status).toBe(204)
    const pieces: InfluxSeries[] = []
    const count = await query.stream(`SELECT v FROM m GROUP BY device`, (s) => pieces.push(s), {
      chunkSize: 100
    })
    expect(count).toBe(pieces.length)
    expect(pieces.length).toBe(90)
    const streamed = new Map<string, unknown[][]>()
    for (const s of pieces)
      streamed.set(s.tags?.device ?? '', [...(streamed.get(s.tags?.device ?? '') ?? []), ...s.values])
    const [whole = []] = await query.raw(`SELECT v FROM m GROUP BY device`)
    expect(whole.length).toBe(30)
    for (const s of whole) expect(streamed.get(s.tags?.device ?? '')).toEqual(s.values)
  })

  it('when the statement fails inside the answer, then stream rejects with the error InfluxDB gave', async () => {
    const { target } = await freshInflux()
    const missing = new InfluxQueryClient({ ...target, database: 'no_such_database' })
    await expect(missing.stream(`SELECT v FROM m GROUP BY device`, () => undefined)).rejects.toMatchObject({
      code: 'INFLUX_QUERY_FAILED',
      message: expect.stringContaining('database not found')
    })
  })

  it('when the caller throws on a piece, then stream rejects with that error and the client keeps working', async () => {
    const { target, query } = await freshInflux()
    const lines = Array.from({ length: 2000 }, (_, i) => `m,device=d${i % 20} v=${i} ${T0 + i * 1000}`)
    await fetch(`${target.url}/write?db=${target.database}&precision=ms`, {
      method: 'POST',
      body: lines.join('\n')
    })
    const refused = new Error('no room for this device')
    await expect(
      query.stream(`SELECT v FROM m GROUP BY device`, () => {
        throw refused
      })
    ).rejects.toBe(refused)
    expect(await query.stream(`SELECT v FROM m GROUP BY device`, () => undefined)).toBe(20)
  })

  it('when the server breaks off in the middle of an answer, then stream rejects as unavailable instead of returning a part', async () => {
    // an HTTP endpoint in InfluxDB's place that sends one chunk and then drops the connection
    const server = createServer((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write(
        `${JSON.stringify({ results: [{ statement_id: 0, series: [{ name: 'm', tags: { device: 'd0' }, columns: ['time', 'v'], values: [[T0, 1]], partial: true }], partial: true }] })}\n`
      )
      setTimeout(() => res.socket?.destroy(), 50)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const client = new InfluxQueryClient({
        url: `http://127.0.0.1:${port}`,
        database: 'x',
        writeApi: 'v1',
        timeoutMs: 5000
      })
      const pieces: InfluxSeries[] = []
      await expect(
        client.stream(`SELECT v FROM m GROUP BY device`, (s) => pieces.push(s))
      ).rejects.toMatchObject({
        code: 'INFLUX_UNAVAILABLE'
      })
      expect(pieces.length).toBe(1)
    } finally {
      server.close()
    }
  })
})
