import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { InfluxWriter, createLineSender } from '../../ingest/index.js'
import { isAppError, silentLogger } from '../../shared/index.js'
import { countPoints, freshInflux } from '../helpers/stores.js'

describe('InfluxWriter against a real InfluxDB 1.x', () => {
  it('when many writes share batches, then every line lands with nanosecond precision through /write', async () => {
    const { target, query } = await freshInflux()
    const writer = new InfluxWriter(createLineSender(target), silentLogger, { batchLines: 500 })
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

  it('when one write holds more than InfluxDB takes in a request (25 MB), then it goes in batches and every line lands', async () => {
    const { target, query } = await freshInflux()
    const writer = new InfluxWriter(createLineSender(target), silentLogger)
    // a planning pass's outputs for ~6,000 devices: ~27 MB of line protocol in one write
    const lines = Array.from(
      { length: 220000 },
      (_, i) =>
        `usage_forecast,device=dev-${String(i % 6000).padStart(6, '0')},kind=purifier,model=RO-400,outlet=outlet-north-01,region=north-china unit="litres",expected=${(i % 97) + 0.123456},low=1.5,high=2.5 ${1700000000000000000n + BigInt(i)}`
    )
    expect(Buffer.byteLength(lines.join('\n'))).toBeGreaterThan(25_000_000)
    await writer.write(lines)
    await writer.close()
    expect(await countPoints(query, 'usage_forecast', 'expected')).toBe(220000)
    expect(writer.stats.batchesWritten).toBeGreaterThanOrEqual(44)
  })

  it('when InfluxDB answers a request with 500, then send rejects with its error instead of reporting success', async () => {
    // an HTTP endpoint in InfluxDB's place that fails every request
    let requests = 0
    const server = createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        requests++
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end('{"error":"engine: cache maximum memory size exceeded"}')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const sender = createLineSender({
        url: `http://127.0.0.1:${port}`,
        database: 'x',
        writeApi: 'v1',
        timeoutMs: 5000
      })
      const body = Array.from({ length: 250 }, (_, i) => `m v=${i} ${1700000000000000000n + BigInt(i)}`).join(
        '\n'
      )
      await expect(sender.send(body)).rejects.toThrow(/500|cache maximum memory/)
      expect(requests).toBe(1)
    } finally {
      server.close()
    }
  })

  it('when the target is InfluxDB 1.x with a retention policy or 2.x with an org, then the sender posts to that API with the lines as the body', async () => {
    const seen: { url: string; body: string; auth?: string }[] = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => {
        seen.push({ url: req.url ?? '', body, auth: req.headers.authorization })
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const lines = ['m v=1 1700000000000000000', 'm v=2 1700000000000000001']
      const body = lines.join('\n')
      await createLineSender({ url, database: 'tele', retentionPolicy: 'year', writeApi: 'v1' }).send(body)
      await createLineSender({ url, database: 'tele', org: 'acme', token: 't0k', writeApi: 'v2' }).send(body)
      expect(seen.map((r) => r.url)).toEqual([
        '/write?db=tele&precision=ns&rp=year',
        '/api/v2/write?org=acme&bucket=tele&precision=ns'
      ])
      expect(seen.map((r) => r.body)).toEqual([lines.join('\n'), lines.join('\n')])
      expect(seen[1]?.auth).toBe('Token t0k')
    } finally {
      server.close()
    }
  })

  it('when one write in a shared batch has a field type conflict, then only that write is refused and the others are stored', async () => {
    const { target, query } = await freshInflux()
    const writer = new InfluxWriter(createLineSender(target), silentLogger)
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
