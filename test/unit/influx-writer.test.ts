import { HttpError } from '@influxdata/influxdb-client'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { InfluxWriter, writeFailure, type BatchSender } from '../../ingest/index.js'
import { isAppError, silentLogger } from '../../shared/index.js'

/** A sender whose answers the test scripts; it records every batch it was handed, as lines. */
function scriptedSender(
  answer: (lines: readonly string[], call: number) => Error | undefined
): BatchSender & { batches: string[][] } {
  const batches: string[][] = []
  return {
    batches,
    async send(body) {
      const lines = body.split('\n')
      batches.push(lines)
      const err = answer(lines, batches.length)
      if (err) throw err
    }
  }
}

const fast = { minRetryMs: 5, maxRetryMs: 20 }

describe('InfluxWriter (group commit)', () => {
  it('when several writers write within the flush window, then one request carries all their lines and each resolves', async () => {
    const sender = scriptedSender(() => undefined)
    const writer = new InfluxWriter(sender, silentLogger, fast)
    await Promise.all([writer.write(['a 1']), writer.write(['b 1', 'b 2']), writer.write(['c 1'])])
    expect(sender.batches).toEqual([['a 1', 'b 1', 'b 2', 'c 1']])
    expect(writer.stats).toMatchObject({ linesWritten: 4, batchesWritten: 1, queuedLines: 0 })
  })

  it('when a batch would pass batchLines, then it is split between requests without splitting a write', async () => {
    const sender = scriptedSender(() => undefined)
    const writer = new InfluxWriter(sender, silentLogger, { ...fast, batchLines: 3 })
    await Promise.all([writer.write(['a 1', 'a 2']), writer.write(['b 1', 'b 2']), writer.write(['c 1'])])
    expect(sender.batches).toEqual([
      ['a 1', 'a 2'],
      ['b 1', 'b 2', 'c 1']
    ])
  })

  it('when InfluxDB answers 500 twice, then the batch is retried until stored and the writer resolves only then', async () => {
    const sender = scriptedSender((_l, call) =>
      call <= 2 ? new HttpError(500, 'engine: error syncing wal', '') : undefined
    )
    const writer = new InfluxWriter(sender, silentLogger, fast)
    await writer.write(['a 1'])
    expect(sender.batches).toHaveLength(3)
    expect(writer.stats.failedAttempts).toBe(2)
  })

  it('when the server is unreachable, then the writer keeps waiting instead of resolving or dropping', async () => {
    const sender = scriptedSender(() =>
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    )
    const writer = new InfluxWriter(sender, silentLogger, fast)
    let settled = false
    const pending = writer.write(['a 1']).finally(() => (settled = true))
    await new Promise((r) => setTimeout(r, 150))
    expect(settled).toBe(false)
    expect(sender.batches.length).toBeGreaterThan(2)
    await writer.close(10)
    await expect(pending).rejects.toSatisfy((err) => isAppError(err, 'WRITER_CLOSED'))
  })

  it('when the sender fails with a programming error, then the batch fails at once (no retry) and the error is logged with its stack', async () => {
    const sender = scriptedSender(
      () => new TypeError("Cannot read properties of undefined (reading 'length')")
    )
    const logged: { level: number; msg: string; err?: { stack?: string } }[] = []
    const log = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) })
    const writer = new InfluxWriter(sender, log, fast)
    await expect(writer.write(['a 1'])).rejects.toSatisfy((err) => isAppError(err, 'WRITER_FAULT'))
    expect(sender.batches).toHaveLength(1)
    expect(writer.stats).toMatchObject({ queuedLines: 0, inFlight: 0 })
    expect(logged).toHaveLength(1)
    expect(logged[0]?.err?.stack).toContain('TypeError')
  })

  it('when a failure is a network error, a timeout, 5xx or 429, then it is retried; a 400 is refused; anything else is a fault', () => {
    const net = (code: string) => Object.assign(new Error(code), { code })
    expect(
      [
        net('ECONNRESET'),
        net('EAI_AGAIN'),
        net('ENETUNREACH'),
        new HttpError(503, 'x', ''),
        new HttpError(429, 'x', '')
      ].map(writeFailure)
    ).toEqual(['retry', 'retry', 'retry', 'retry', 'retry'])
    expect(writeFailure(new HttpError(400, 'bad', ''))).toBe('refused')
    expect(
      [new TypeError('x'), new RangeError('x'), net('ERR_INVALID_ARG_TYPE'), 'boom'].map(writeFailure)
    ).toEqual(['fault', 'fault', 'fault', 'fault'])
  })

  it('when InfluxDB refuses a shared batch as bad (400), then only the offending write is rejected', async () => {
    const sender = scriptedSender((lines) =>
      lines.some((l) => l.startsWith('bad')) ? new HttpError(400, 'field type conflict', '') : undefined
    )
    const writer = new InfluxWriter(sender, silentLogger, fast)
    const results = await Promise.allSettled([
      writer.write(['good 1']),
      writer.write(['bad 1']),
      writer.write(['good 2'])
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    const reason = (results[1] as PromiseRejectedResult).reason as Error
    expect(isAppError(reason, 'INFLUX_WRITE_REJECTED')).toBe(true)
    expect(reason.message).toContain('field type conflict')
  })

  it('when closing with work in flight, then close waits until it is stored', async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((r) => (release = r))
    const sender: BatchSender = { send: () => gate }
    const writer = new InfluxWriter(sender, silentLogger, fast)
    const written = writer.write(['a 1'])
    await new Promise((r) => setTimeout(r, 20))
    let closed = false
    const closing = writer.close(5000).then(() => (closed = true))
    await new Promise((r) => setTimeout(r, 30))
    expect(closed).toBe(false)
    release()
    await Promise.all([written, closing])
    expect(closed).toBe(true)
  })

  it('when more batches are ready than maxInFlight, then no more than maxInFlight requests run at once', async () => {
    let running = 0
    let peak = 0
    const sender: BatchSender = {
      send: async () => {
        running++
        peak = Math.max(peak, running)
        await new Promise((r) => setTimeout(r, 10))
        running--
      }
    }
    const writer = new InfluxWriter(sender, silentLogger, { ...fast, batchLines: 1, maxInFlight: 3 })
    await Promise.all(Array.from({ length: 20 }, (_, i) => writer.write([`x ${i}`])))
    expect(peak).toBe(3)
  })
})
