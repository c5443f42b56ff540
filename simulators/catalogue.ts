/**
 * What the simulators build: purifier models with four stages and machine
 * types with their service items. Ratings follow ../shared/REFERENCE.md
 * (stage litres and months; oil 500 h, hydraulic filter 1,000 h, hydraulic
 * oil 2,000 h, coolant 4,000 h; concrete-pump wear parts by pumped m³).
 */
export interface PurifierStage {
  part: 'pp_sediment' | 'carbon' | 'ro_membrane' | 'post_carbon'
  litres: number
  months: number
}

export interface PurifierModel {
  model: string
  stages: readonly PurifierStage[]
}

export const PURIFIER_MODELS: readonly PurifierModel[] = [
  {
    model: 'RO-400',
    stages: [
      { part: 'pp_sediment', litres: 2000, months: 6 },
      { part: 'carbon', litres: 4000, months: 12 },
      { part: 'ro_membrane', litres: 7500, months: 24 },
      { part: 'post_carbon', litres: 4000, months: 12 }
    ]
  },
  {
    model: 'RO-600',
    stages: [
      { part: 'pp_sediment', litres: 3000, months: 6 },
      { part: 'carbon', litres: 6000, months: 12 },
      { part: 'ro_membrane', litres: 10000, months: 24 },
      { part: 'post_carbon', litres: 6000, months: 12 }
    ]
  },
  {
    model: 'C1',
    stages: [
      { part: 'pp_sediment', litres: 7200, months: 12 },
      { part: 'carbon', litres: 7200, months: 12 },
      { part: 'ro_membrane', litres: 7200, months: 24 },
      { part: 'post_carbon', litres: 7200, months: 12 }
    ]
  }
]

/** Salt rejection below which an RO membrane is spent (GE: 75 %; makers 75–80 %). */
export const RO_REJECTION_LIMIT = 0.8
/** Pressure drop across the sediment stage at which it is spent (~1 bar). */
export const SEDIMENT_DROP_LIMIT_KPA = 100

export type MachineType = 'concrete_pump' | 'tower_crane' | 'paver' | 'road_roller'

export interface ServiceItem {
  part: string
  hours?: number
  m3?: number
  months?: number
}

export interface MachineModel {
  model: string
  type: MachineType
  /** Engine hours on a full working day at the busiest time of year. */
  baseHours: number
  items: readonly ServiceItem[]
}

const ENGINE_ITEMS: readonly ServiceItem[] = [
  { part: 'engine_oil', hours: 500, months: 6 },
  { part: 'hydraulic_filter', hours: 1000 },
  { part: 'hydraulic_oil', hours: 2000 },
  { part: 'coolant', hours: 4000, months: 24 }
]

export const MACHINE_MODELS: readonly MachineModel[] = [
  {
    model: 'PUMP-52',
    type: 'concrete_pump',
    baseHours: 7,
    items: [
      ...ENGINE_ITEMS,
      { part: 'wear_plate', m3: 30000 },
      { part: 'cutting_ring', m3: 30000 },
      { part: 'delivery_pipe', m3: 20000 }
    ]
  },
  { model: 'CRANE-T7', type: 'tower_crane', baseHours: 9, items: ENGINE_ITEMS },
  { model: 'PAVER-9', type: 'paver', baseHours: 8, items: ENGINE_ITEMS },
  { model: 'ROLLER-20', type: 'road_roller', baseHours: 7, items: ENGINE_ITEMS }
]

export function purifierModel(model: string): PurifierModel {
  const found = PURIFIER_MODELS.find((m) => m.model === model)
  if (!found) throw new Error(`unknown purifier model ${model}`)
  return found
}

export function machineModel(model: string): MachineModel {
  const found = MACHINE_MODELS.find((m) => m.model === model)
  if (!found) throw new Error(`unknown machine model ${model}`)
  return found
}
