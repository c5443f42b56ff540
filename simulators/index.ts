export {
  createFleet,
  simulatorFor,
  groundTruth,
  type FleetOptions,
  type DeviceSim,
  type DeviceTruth,
  type ComponentTruth,
  type LimitKind
} from './fleet.js'
export { PurifierSim, purifierDay, roRejection, sedimentDrop } from './purifier-model.js'
export { MachineSim, machineDay } from './machine-model.js'
export { REGIONS, regionByCode, waterSeason, seasonOn, airTemp, type Region } from './regions.js'
export { lifeEvents, isIdle, isOffline, type LifeEvents } from './life-events.js'
export {
  PURIFIER_MODELS,
  MACHINE_MODELS,
  RO_REJECTION_LIMIT,
  SEDIMENT_DROP_LIMIT_KPA,
  purifierModel,
  machineModel
} from './catalogue.js'
export { DAY_MS, dayNumber, isoDay, dayOfYear, addMonths, type DeviceSpec } from './fleet-spec.js'
export { rngFor, type Rng } from './rng.js'
export { backfill, compareStored, RECOUNTS, type BackfillOptions, type BackfillReport } from './backfill.js'
export { runLive, type LiveOptions, type LiveStatus } from './live.js'
export { MqttDevice } from './mqtt-device.js'
export { forEachLimit, type FleetPorts } from './ports.js'
export {
  runLoadtest,
  loadClientSpec,
  countLosses,
  loadtestMarkdown,
  assertLoopback,
  type LoadtestOptions,
  type LoadtestResult,
  type LossCount,
  type StageSummary
} from './loadtest.js'
