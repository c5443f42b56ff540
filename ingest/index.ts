export { Ingest, type IngestOptions, type IngestStats } from './ingest.js'
export {
  InfluxWriter,
  DEFAULT_WRITER_OPTIONS,
  type TelemetryWriter,
  type WriterOptions,
  type WriterStats
} from './influx-writer.js'
export { createLineSender, writeFailure, type BatchSender } from './batch-sender.js'
export {
  SqlDeadLetterStore,
  deadLetterMigrations,
  type DeadLetter,
  type DeadLetterStore,
  type DeadLetterFilter
} from './dead-letter-store.js'
export { normalise, pointTime, sampleLine, type Rejection, type RejectCode } from './normalise.js'
export { startPipelineMetrics } from './pipeline-metrics.js'
