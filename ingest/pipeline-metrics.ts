import { Point } from '@influxdata/influxdb-client'
import { measurements, type Clock, type Logger } from '../shared/index.js'
import type { TelemetryWriter } from './influx-writer.js'

/**
 * Writes the pipeline's own counters to InfluxDB every `intervalMs`, so the
 * pipeline-health board shows ingest rate, write latency, dead letters and
 * connections from the same store as the data.
 */
export function startPipelineMetrics(options: {
  writer: TelemetryWriter
  node: string
  intervalMs: number
  clock: Clock
  log: Logger
  fields: () => Record<string, number>
}): { stop(): void } {
  const timer = setInterval(() => {
    const point = new Point(measurements.pipeline).tag('node', options.node)
    for (const [name, value] of Object.entries(options.fields())) point.floatField(name, value)
    point.timestamp(`${BigInt(options.clock.now()) * 1_000_000n}`)
    options.writer
      .write([point.toLineProtocol() ?? ''])
      .catch((err: Error) => options.log.debug({ err: err.message }, 'pipeline metrics not written'))
  }, options.intervalMs)
  timer.unref()
  return { stop: () => clearInterval(timer) }
}
