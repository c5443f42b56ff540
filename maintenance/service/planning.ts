import os from 'node:os'
import path from 'node:path'
import type { Clock, Config, Logger } from '../../shared/index.js'
import type { InfluxQueryClient, SqlClient } from '../../stores/index.js'
import { engineOutputSink, type LineWriter } from '../stores/engine-outputs.js'
import { HistorySnapshots } from '../stores/history-snapshot.js'
import { InfluxUsageReader } from '../stores/influx-usage.js'
import type { OrderStore } from '../stores/order-store.js'
import type { SqlOutletStore } from '../stores/outlets.js'
import { SqlComponentUsage } from '../stores/component-usage.js'
import { SqlPeakStore } from '../stores/peak-store.js'
import { PlanLease } from '../stores/plan-lease.js'
import { DailyRollups } from '../stores/rollups.js'
import type { SqlServiceRecords } from '../stores/service-records.js'
import { previousMonth, storeKpiSnapshot } from './kpis.js'
import type { PlannedDevice } from '../engine/outputs.js'
import { runPlanningPass, type PlanningSummary } from './planning-pass.js'
import type { Catalogues } from './catalogue.js'

/**
 * The planning pass as `aftercare start` runs it (on its schedule and for `POST /plan/run`): only on the
 * node holding the plan lease (its kept histories assume one node refreshes the rollups; a node taking
 * over forgets what it kept from an earlier turn), then the KPI snapshots the boards read. After each pass the
 * kept histories are written to the data folder for the next start's first pass; `keep` (a clean stop) waits
 * for that, or writes them if a pass is still running.
 */
export function planRunner(deps: {
  sql: SqlClient
  influx: InfluxQueryClient
  /** Every enabled device with its tags and delivery day (the registry). */
  devices: () => Promise<PlannedDevice[]>
  /** Runs before each pass (part changes a completion committed but InfluxDB has not stored yet). */
  beforePass?: () => Promise<void>
  orders: OrderStore
  /** The catalogue in use: each pass plans with the newest stored version. */
  catalogues: Catalogues
  outlets: SqlOutletStore
  records: SqlServiceRecords
  writer: LineWriter
  config: Config
  log: Logger
  clock: Clock
}): { run: () => Promise<PlanningSummary>; keep: () => Promise<boolean> } {
  const { sql, influx, config, clock } = deps
  const snapshots = new HistorySnapshots(
    path.join(config.AFTERCARE_DATA_DIR, 'planning', 'histories.bin'),
    influx,
    deps.writer,
    (reason) => deps.log.info({ reason }, 'planning histories on disk not used; the pass reads every device')
  )
  const usage = new InfluxUsageReader(influx, new DailyRollups(influx, clock), 1000, 2, 300000, snapshots)
  // the lease outlives two missed scheduled passes (an hour when passes run only on demand)
  const lease = new PlanLease(
    sql,
    `${os.hostname()}:${path.resolve(config.AFTERCARE_DATA_DIR)}`,
    Math.max(2 * config.PLAN_EVERY_HOURS, 1) * 3600000,
    clock
  )
  // one sink for every pass: it remembers what the boards hold and writes only what changed
  const publish = engineOutputSink(deps.writer, clock)
  const run = async () => {
    if ((await lease.require()).takenOver) usage.forget()
    await deps.beforePass?.()
    const { catalogue, version } = await deps.catalogues.refresh()
    const summary = await runPlanningPass({
      devices: deps.devices,
      usage,
      orders: deps.orders,
      catalogue,
      catalogueVersion: version,
      clock,
      capacityPerOutlet: config.OUTLET_CAPACITY_PER_DAY,
      capacities: async () => new Map((await deps.outlets.list()).map((o) => [o.code, o.capacityPerDay])),
      stock: () => deps.outlets.available(),
      visitCosts: async () =>
        new Map(
          (await deps.outlets.list()).flatMap((o) =>
            o.visitCost === null || o.visitCost === undefined ? [] : [[o.code, o.visitCost] as const]
          )
        ),
      publish,
      runOuts: deps.records,
      peaks: new SqlPeakStore(sql),
      windowDays: Math.max(400, config.INGEST_MAX_AGE_DAYS + 1),
      carriedUse: new SqlComponentUsage(sql)
    })
    // the boards read the KPIs as of the last pass: this month's and last month's (late feedback)
    const month = new Date(clock.now()).toISOString().slice(0, 7)
    await storeKpiSnapshot(sql, previousMonth(month))
    await storeKpiSnapshot(sql, month)
    // kept on disk after every pass, so a crash (not only a clean stop) starts from them; the next pass waits
    usage
      .save()
      .catch((err: Error) =>
        deps.log.warn({ err: err.message }, 'could not keep the planning histories on disk')
      )
    return summary
  }
  return { run, keep: () => usage.save() }
}
