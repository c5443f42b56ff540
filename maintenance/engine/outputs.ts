import type { DeviceInfo } from '../../shared/index.js'
import type { LifeEstimate } from './remaining-life.js'

/** A device as the planner needs it: its registry identity and tags, and when it was delivered. */
export type PlannedDevice = DeviceInfo & { deliveredOn: string | null }

/** What a pass computed, for the planners' boards: every component's life and each device's 30-day forecast. */
export interface EngineOutputs {
  today: number
  health: { device: PlannedDevice; part: string; life: LifeEstimate }[]
  forecasts: {
    device: PlannedDevice
    unit: string
    day: number
    expected: number
    low: number
    high: number
  }[]
}
