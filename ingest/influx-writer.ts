import { AppError, describeError, type Logger } from '../shared/index.js'
import { writeFailure, type BatchSender } from './batch-sender.js'

/**
 * Stores line protocol durably: `write` resolves only when InfluxDB has accepted the lines. A write longer
 * than a request may carry goes in several; it rejects if any of them is refused (the others may be stored).
 */
export interface TelemetryWriter {
  write(lines: readonly string[]): Promise<void>
  close(timeoutMs?: number): Promise<void>
  readonly stats: WriterStats
}

export interface WriterStats {
  linesWritten: number
  batchesWritten: number
  failedAttempts: number
  rejectedWrites: number
  queuedLines: number
  inFlight: number
  lastWriteMs: number
  lastError?: string
}

export interface WriterOptions {
  /** Lines per request at most. */
  batchLines: number
  /** Requests in flight at most (WriteApi has no such cap; a burst put 200 in flight). */
  maxInFlight: number
  /** First and largest back-off between retries of a failed batch, ms. */
  minRetryMs: number
  maxRetryMs: number
}

export const DEFAULT_WRITER_OPTIONS: WriterOptions = {
  batchLines: 5000,
  maxInFlight: 4,
  minRetryMs: 200,
  maxRetryMs: 5000
}

/**
 * One write, its lines already joined: a write's text is one flat string from then on, not its lines (an
 * upload's 100 lines are ~100 string trees each) — less for the young generation to copy while the write
 * waits for its batch, and the request body is a join of a few flat strings.
 */
interface Part {
  text: string
  lines: number
  resolve: () => void
  reject: (err: Error) => void
}

/**
 * Group commit into InfluxDB: writes from many devices share one request;
 * each writer's promise settles with the request that carried its lines.
 * Server trouble (down, 5xx, timeouts) is retried with back-off for as long
 * as it lasts, so callers wait (back-pressure) and nothing they were promised
 * is lost; a batch InfluxDB refuses as bad (4xx) is split so only the
 * offending write fails.
 */
export class InfluxWriter implements TelemetryWriter {
  readonly stats: WriterStats = {
    linesWritten: 0,
    batchesWritten: 0,
    failedAttempts: 0,
    rejectedWrites: 0,
    queuedLines: 0,
    inFlight: 0,
    lastWriteMs: 0
  }
  private readonly options: WriterOptions
  private open: Part[] = []
  private openLines = 0
  private immediate?: NodeJS.Immediate
  private readonly queue: Part[][] = []
  private closing = false
  private abandoned = false
  private idle?: () => void

  constructor(
    private readonly sender: BatchSender,
    private readonly log: Logger,
    options: Partial<WriterOptions> = {}
  ) {
    this.options = { ...DEFAULT_WRITER_OPTIONS, ...options }
  }

  write(lines: readonly string[]): Promise<void> {
    if (this.closing) return Promise.reject(new AppError('WRITER_CLOSED', 'the telemetry writer is closed'))
    if (lines.length === 0) return Promise.resolve()
    const most = this.options.batchLines
    if (lines.length > most) {
      // a request carries at most batchLines (InfluxDB refuses bodies over 25 MB by default): a big write
      // (a planning pass's outputs) goes as several, and resolves when all are stored
      const parts: Promise<void>[] = []
      for (let i = 0; i < lines.length; i += most) parts.push(this.write(lines.slice(i, i + most)))
      return Promise.all(parts).then(() => undefined)
    }
    return new Promise<void>((resolve, reject) => {
      if (this.openLines > 0 && this.openLines + lines.length > this.options.batchLines) this.seal()
      this.open.push({ text: lines.join('\n'), lines: lines.length, resolve, reject })
      this.openLines += lines.length
      this.stats.queuedLines += lines.length
      if (this.openLines >= this.options.batchLines) this.seal()
      // with every request slot busy, lines gather until one frees (see pump)
      else if (this.stats.inFlight < this.options.maxInFlight) this.sealSoon()
    })
  }

  /**
   * A free request slot sends at once, after the writes of this turn of the
   * event loop have joined; when every slot is busy, lines gather until one
   * frees. Idle: lowest latency; busy: big batches.
   */
  private sealSoon(): void {
    if (this.immediate) return
    this.immediate = setImmediate(() => {
      this.immediate = undefined
      this.seal()
    })
  }

  /**
   * Sends what is pending and waits for every batch to settle, at most
   * `timeoutMs`; after that, batches still failing are abandoned: their
   * writers are rejected (so their devices get no PUBACK and resend later).
   */
  async close(timeoutMs = 10000): Promise<void> {
    this.closing = true
    this.seal()
    if (this.stats.inFlight === 0 && this.queue.length === 0) return
    const drained = new Promise<void>((resolve) => (this.idle = resolve))
    const timer = setTimeout(() => {
      this.abandoned = true
      for (const batch of this.queue.splice(0))
        this.fail(batch, new AppError('WRITER_CLOSED', 'writer closed before InfluxDB accepted the data'))
    }, timeoutMs)
    await drained
    clearTimeout(timer)
  }

  private seal(): void {
    if (this.open.length === 0) return
    this.queue.push(this.open)
    this.open = []
    this.openLines = 0
    this.pump()
  }

  private pump(): void {
    while (this.stats.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.shift() as Part[]
      this.stats.inFlight++
      void this.deliver(batch).finally(() => {
        this.stats.inFlight--
        if (this.queue.length === 0 && this.open.length > 0) this.seal()
        this.pump()
        if (this.stats.inFlight === 0 && this.queue.length === 0) this.idle?.()
      })
    }
  }

  /** Sends a batch until it is stored, refused as bad, or the writer is abandoned. Never rejects. */
  private async deliver(batch: Part[]): Promise<void> {
    const body = batch.map((p) => p.text).join('\n')
    const lines = batch.reduce((n, p) => n + p.lines, 0)
    for (let attempt = 1; ; attempt++) {
      if (this.abandoned)
        return this.fail(
          batch,
          new AppError('WRITER_CLOSED', 'writer closed before InfluxDB accepted the data')
        )
      const started = performance.now()
      try {
        await this.sender.send(body)
        this.stats.lastWriteMs = performance.now() - started
        this.stats.linesWritten += lines
        this.stats.batchesWritten++
        this.stats.queuedLines -= lines
        for (const part of batch) part.resolve()
        return
      } catch (err) {
        this.stats.failedAttempts++
        this.stats.lastError = describeError(err)
        const failure = writeFailure(err)
        if (failure === 'refused') return this.refused(batch, err)
        if (failure === 'fault') {
          this.log.error({ err, lines }, 'InfluxDB write failed with a programming error; the batch fails')
          return this.fail(
            batch,
            new AppError('WRITER_FAULT', `the write failed: ${describeError(err)}`, {
              cause: err,
              operational: false
            })
          )
        }
        const delay = Math.min(
          this.options.maxRetryMs,
          this.options.minRetryMs * 2 ** Math.min(attempt - 1, 10)
        )
        this.log.warn(
          { attempt, lines, retryInMs: delay, err: this.stats.lastError },
          'InfluxDB write failed; retrying'
        )
        await new Promise((r) => setTimeout(r, delay * (0.75 + Math.random() * 0.5)))
      }
    }
  }

  /** InfluxDB called the data bad: find which write it was by sending each alone. */
  private async refused(batch: Part[], err: unknown): Promise<void> {
    if (batch.length === 1) {
      const part = batch[0] as Part
      this.stats.rejectedWrites++
      this.stats.queuedLines -= part.lines
      part.reject(
        new AppError('INFLUX_WRITE_REJECTED', `InfluxDB refused the data: ${describeError(err)}`, {
          cause: err
        })
      )
      return
    }
    for (const part of batch) await this.deliver([part])
  }

  private fail(batch: Part[], err: Error): void {
    for (const part of batch) {
      this.stats.queuedLines -= part.lines
      part.reject(err)
    }
  }
}
