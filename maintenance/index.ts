/**
 * The maintenance engine's pure core: catalogue, daily usage from counters,
 * seasonal profiles and peak windows, device forecasts, remaining life, and
 * the visit planner. Adapters (InfluxDB rollups, orders in PostgreSQL, the
 * API) build on these.
 */
export {
  defaultCatalogue,
  parseCatalogue,
  modelOf,
  usageUnit,
  usageLimit,
  type Catalogue,
  type CatalogueModel,
  type Component
} from './catalogue.js'
export {
  eachDay,
  packUsage,
  usageFromCounters,
  type DailyCounter,
  type DailyUsage,
  type PackedUsage,
  type UsageDays,
  type UsageSeries
} from './usage.js'
export { DayTable } from './day-table.js'
export {
  learnProfile,
  peakWindow,
  nextPeak,
  forecastDevice,
  usageOn,
  dayOfYear,
  FLAT_PROFILE,
  DEFAULT_FORECAST,
  type SeasonalProfile,
  type PeakWindow,
  type DeviceForecast,
  type ForecastOptions
} from './forecast.js'
export {
  remainingLife,
  conditionLimitUse,
  addMonths,
  type ComponentState,
  type LifeEstimate,
  type LimitBy
} from './remaining-life.js'
export {
  plan,
  isoWeek,
  DEFAULT_PLAN_OPTIONS,
  type Plan,
  type PlanDevice,
  type PlanComponent,
  type PlanOptions,
  type PlannedVisit,
  type VisitType
} from './planner.js'
export {
  SqlOrderStore,
  TRANSITIONS,
  SCORE,
  type Completion,
  type Order,
  type NewOrder,
  type OrderStore,
  type OrderStatus,
  type OrderType
} from './order-store.js'
export { InfluxUsageReader, type UsageReader } from './influx-usage.js'
export { emptyHistory, type DeviceHistory, type CounterDays, type ReadingDays } from './device-history.js'
export { DailyRollups, ranges as rollupRanges, type RollupResult } from './rollups.js'
export { HistorySnapshots, type KeptHistories } from './history-snapshot.js'
export {
  runPlanningPass,
  type EngineOutputs,
  type PlanningDeps,
  type PlanningSummary,
  type PlannedDevice
} from './planning-pass.js'
export { LiveRules, LIVE_LIMITS, SUSTAINED, type RuleAction } from './live-rules.js'
export { liveRuleHandler } from './live-orders.js'
export { learnSeasons, seasonKey, type Seasons, type UsageOfDevice } from './seasons.js'
export {
  outletKpis,
  readKpiInput,
  storeKpiSnapshot,
  previousMonth,
  DEFAULT_KPI_TARGETS,
  type OutletKpis,
  type JobRow,
  type KpiInput,
  type KpiTargets
} from './kpis.js'
export { SqlOutletStore, outletMigrations, type Outlet } from './outlets.js'
export { orderMigrations } from './order-migrations.js'
export { PlanLease, planLeaseMigrations, type LeaseAnswer } from './plan-lease.js'
export { SqlPeakStore, type LearnedPeak } from './peak-store.js'
export {
  SqlServiceRecords,
  type Complaint,
  type ComplaintCategory,
  type PartRunOut
} from './service-records.js'
