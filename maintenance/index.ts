/**
 * The maintenance engine's pure core: catalogue, daily usage from counters,
 * seasonal profiles and peak windows, device forecasts, remaining life, and
 * the visit planner. Adapters (InfluxDB rollups, orders in PostgreSQL, the
 * API) build on these.
 */
export {
  catalogueSchema,
  catalogueJsonSchema,
  checkCatalogue,
  defaultCatalogue,
  parseCatalogue,
  modelOf,
  faultOf,
  modelsOfKind,
  FAULT_GRADES,
  usageUnit,
  usageLimit,
  type Catalogue,
  type CatalogueInput,
  type CatalogueIssue,
  type Fault,
  type CatalogueModel,
  type Component
} from './engine/catalogue.js'
export {
  eachDay,
  packUsage,
  usageFromCounters,
  type DailyCounter,
  type DailyUsage,
  type PackedUsage,
  type UsageDays,
  type UsageSeries
} from './engine/usage.js'
export { DayTable } from './engine/day-table.js'
export { componentState, firstReport, type UseBefore } from './engine/component-state.js'
export { SqlComponentUsage, type CarriedUse, type ComponentUsageStore } from './stores/component-usage.js'
export { learnProfile, dayOfYear, FLAT_PROFILE, type SeasonalProfile } from './engine/forecast.js'
export {
  forecastDevice,
  usageOn,
  DEFAULT_FORECAST,
  type DeviceForecast,
  type ForecastOptions
} from './engine/device-forecast.js'
export {
  remainingLife,
  outlasts,
  conditionLimitUse,
  addMonths,
  type ComponentState,
  type LifeEstimate,
  type LimitBy
} from './engine/remaining-life.js'
export {
  plan,
  DEFAULT_PLAN_OPTIONS,
  type Plan,
  type PlanDevice,
  type PlanComponent,
  type PlanOptions,
  type PlannedVisit
} from './engine/planner.js'
export { partsDemand, isoWeek } from './engine/parts-demand.js'
export { DAY_MS, dayOfIso, isoOfDay } from './engine/days.js'
export { bundlingSummary, thrownLife, type BundlingSummary, type Bundled } from './engine/bundling.js'
export {
  COMMITTED_STATUSES,
  COMPLAINT_CATEGORIES,
  OPEN_STATUSES,
  ORDER_STATUSES,
  ORDER_TYPES,
  SCORE,
  TRANSITIONS,
  VISIT_TYPES,
  type ComplaintCategory,
  type Completion,
  type CompletionRecord,
  type LiveOrder,
  type NewOrder,
  type Order,
  type OrderStatus,
  type OrderType,
  type VisitType
} from './engine/order.js'
export { reconcile, workKey, type PlannedWork } from './engine/reconcile.js'
export {
  SqlOrderStore,
  type CommittedWork,
  type OrderFilter,
  type OrderStore,
  type PartChange
} from './stores/order-store.js'
export type { ProposedChanges } from './stores/proposed-orders.js'
export { completionDigest } from './stores/order-completion.js'
export { ServiceOrders, type ServiceOrderDeps } from './service/orders.js'
export { InfluxUsageReader, type UsageReader } from './stores/influx-usage.js'
export { MemoryUsageReader, type ReportedSample } from './stores/memory-usage.js'
export {
  counterDays,
  emptyHistory,
  type DeviceHistory,
  type CounterDays,
  type ReadingDays
} from './engine/device-history.js'
export { DailyRollups, ranges as rollupRanges, type RollupResult } from './stores/rollups.js'
export { HistorySnapshots, type KeptHistories } from './stores/history-snapshot.js'
export { runPlanningPass, type PlanningDeps, type PlanningSummary } from './service/planning-pass.js'
export type { EngineOutputs, PlannedDevice } from './engine/outputs.js'
export { LiveRules, LIVE_LIMITS, SUSTAINED, type RuleAction, type FaultInfo } from './engine/live-rules.js'
export { liveRuleHandler } from './service/live-orders.js'
export {
  learnSeasons,
  seasonKey,
  peakWindow,
  peakWindows,
  nextPeak,
  type PeakWindow,
  type Seasons,
  type UsageOfDevice
} from './engine/seasons.js'
export {
  outletKpis,
  readKpiInput,
  storeKpiSnapshot,
  previousMonth,
  suspendedOutlets,
  DEFAULT_KPI_TARGETS,
  type OutletKpis,
  type JobRow,
  type KpiInput,
  type KpiTargets
} from './service/kpis.js'
export { SqlOutletStore, outletMigrations, type Outlet, type PartsDemand } from './stores/outlets.js'
export { orderMigrations } from './stores/order-migrations.js'
export {
  engineOutputSink,
  deviceHealth,
  type ComponentHealth,
  type LineWriter
} from './stores/engine-outputs.js'
export { deviceReadings, type DeviceReadings } from './stores/device-readings.js'
export { planRunner } from './service/planning.js'
export { PlanLease, planLeaseMigrations, type LeaseAnswer } from './stores/plan-lease.js'
export { SqlPeakStore, type LearnedPeak } from './stores/peak-store.js'
export { SqlServiceRecords, type Complaint, type PartRunOut } from './stores/service-records.js'
export { deviceIssues, type DeviceFacts } from './engine/device-check.js'
export { SqlCatalogueStore, type StoredCatalogue, type CatalogueVersion } from './stores/catalogue-store.js'
export { Catalogues, changesBetween, type CatalogueChanges } from './service/catalogue.js'
