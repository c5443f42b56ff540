import type { Clock } from '../../shared/index.js'
import type { Catalogue } from '../engine/catalogue.js'
import type { BundlingSummary } from '../engine/bundling.js'
import type { EngineOutputs, PlannedDevice } from '../engine/outputs.js'
import type { UsageReader } from '../stores/influx-usage.js'
import type { ComponentUsageStore } from '../stores/component-usage.js'
import type { OrderStore } from '../stores/order-store.js'
import type { LearnedPeak } from '../stores/peak-store.js'
import type { PartRunOut } from '../stores/service-records.js'

export interface PlanningDeps {
  devices: () => Promise<PlannedDevice[]>
  usage: UsageReader
  orders: OrderStore
  catalogue: Catalogue
  /** The stored version of `catalogue`, recorded on the orders the pass proposes. */
  catalogueVersion?: number
  clock: Clock
  /** Visits an outlet can make a day when the outlets table does not say. */
  capacityPerOutlet: number
  capacities?: () => Promise<Map<string, number>>
  /** What a visit costs each outlet that says (else the catalogue's `visitCost` for the device's kind). */
  visitCosts?: () => Promise<Map<string, number>>
  /** Free spare parts per outlet and part number: a part that cannot be on hand in time is booked from them. */
  stock?: () => Promise<Map<string, Map<string, number>>>
  /** Where the pass's forecasts and component health go for the boards (InfluxDB). */
  publish?: (outputs: EngineOutputs) => Promise<{ devices: number; lines: number } | void>
  /** Where parts found past their limit are recorded (once per fitted part) for the omission KPI. */
  runOuts?: { recordRunOuts(list: readonly PartRunOut[]): Promise<number> }
  /**
   * Days of history the pass reads (seasons, forecasts, use since a fit); at least the oldest a sample may
   * be stored (INGEST_MAX_AGE_DAYS), so a day leaving the window can no longer change. Default 400.
   */
  windowDays?: number
  /** Where the use of parts fitted before the window is carried from pass to pass (PostgreSQL). */
  carriedUse?: ComponentUsageStore
  /** Where the learned peak windows go (PostgreSQL, for the planner's board). */
  peaks?: { replace(peaks: readonly LearnedPeak[]): Promise<void> }
}

export interface PlanningSummary {
  today: string
  devices: number
  planned: number
  /** What the pass did to its proposed orders: new work, the same work moved (same id), the same work as it was, work dropped. */
  ordersCreated: number
  ordersUpdated: number
  ordersUnchanged: number
  ordersCancelled: number
  /** Scheduled or dispatched orders now expected to come after their part runs out (flagged `atRisk`). */
  atRisk: number
  /** Proposed visits that cannot come before a part runs out (lead time, capacity): ordered now, flagged `atRisk`. */
  late: number
  /** Devices with no delivery date that have not reported yet: not planned until their first report. */
  notReporting: number
  unassigned: number
  /** What bundling parts into earlier visits threw away and saved (`bundlingSummary`). */
  bundling: BundlingSummary
  /** Models of devices that the catalogue does not describe (those devices are not planned). */
  unknownModels: string[]
  /** The catalogue version the pass planned with. */
  catalogueVersion: number | null
  peaks: { group: string; start: string; end: string }[]
  /** InfluxQL statements of the pass (rollup refresh included) and the days the rollups rebuilt first. */
  influxQueries: number
  rolledDays: number
  /** The pass began from histories kept on disk by a clean stop (the first pass after a start). */
  historiesFromDisk: boolean
  /** Parts found past their limit and not replaced, recorded for the first time by this pass. */
  newRunOuts: number
  seconds: number
  /** Devices and lines the pass wrote for the boards (only what changed since the last pass). */
  published?: { devices: number; lines: number }
  /** Where the seconds went: reading, usage, seasons, engine (forecasts and lives), plan, outputs, orders. */
  stages: Record<string, number>
}
