/**
 * The fault codes machines report (`devices/{id}/events`, type `fault`), with
 * what service practice records of each: machine type, category, cause,
 * grade (A = stops the machine … C = cosmetic; 1..3 within) and the workload
 * coefficient that sizes the technician's job (A3 = 10 … C1 = 1).
 * Part of the device contract, so simulators and the engine read the same list.
 */
export type FaultGrade = 'A1' | 'A2' | 'A3' | 'B1' | 'B2' | 'B3' | 'C1' | 'C2' | 'C3'

export interface FaultCode {
  code: string
  title: string
  machineTypes: readonly string[]
  category: 'electrical' | 'mechanical' | 'hydraulic' | 'other'
  cause: 'misuse' | 'repair' | 'replace_part'
  grade: FaultGrade
  workload: number
  parts: readonly string[]
  /** Relative frequency among faults of a machine type. */
  weight: number
}

const ALL = ['concrete_pump', 'tower_crane', 'paver', 'road_roller']

export const FAULT_CATALOGUE: readonly FaultCode[] = [
  {
    code: 'E101',
    title: 'engine coolant overheat',
    machineTypes: ALL,
    category: 'mechanical',
    cause: 'repair',
    grade: 'A2',
    workload: 8,
    parts: ['coolant'],
    weight: 3
  },
  {
    code: 'E102',
    title: 'engine oil pressure low',
    machineTypes: ALL,
    category: 'mechanical',
    cause: 'replace_part',
    grade: 'A1',
    workload: 6,
    parts: ['engine_oil'],
    weight: 3
  },
  {
    code: 'E201',
    title: 'hydraulic oil temperature high',
    machineTypes: ALL,
    category: 'hydraulic',
    cause: 'repair',
    grade: 'B1',
    workload: 4,
    parts: ['hydraulic_oil'],
    weight: 4
  },
  {
    code: 'E202',
    title: 'hydraulic filter clogged',
    machineTypes: ALL,
    category: 'hydraulic',
    cause: 'replace_part',
    grade: 'B2',
    workload: 3,
    parts: ['hydraulic_filter'],
    weight: 5
  },
  {
    code: 'E203',
    title: 'main pump pressure loss',
    machineTypes: ['concrete_pump'],
    category: 'hydraulic',
    cause: 'replace_part',
    grade: 'A3',
    workload: 10,
    parts: ['wear_plate', 'cutting_ring'],
    weight: 2
  },
  {
    code: 'E204',
    title: 'delivery pipe blockage',
    machineTypes: ['concrete_pump'],
    category: 'mechanical',
    cause: 'misuse',
    grade: 'B1',
    workload: 4,
    parts: ['delivery_pipe'],
    weight: 4
  },
  {
    code: 'E301',
    title: 'controller CAN bus error',
    machineTypes: ALL,
    category: 'electrical',
    cause: 'repair',
    grade: 'B3',
    workload: 2,
    parts: [],
    weight: 4
  },
  {
    code: 'E302',
    title: 'slewing limit switch fault',
    machineTypes: ['tower_crane'],
    category: 'electrical',
    cause: 'replace_part',
    grade: 'A2',
    workload: 6,
    parts: [],
    weight: 3
  },
  {
    code: 'E303',
    title: 'screed heater fault',
    machineTypes: ['paver'],
    category: 'electrical',
    cause: 'repair',
    grade: 'B2',
    workload: 3,
    parts: [],
    weight: 3
  },
  {
    code: 'E304',
    title: 'vibration drum bearing noise',
    machineTypes: ['road_roller'],
    category: 'mechanical',
    cause: 'replace_part',
    grade: 'B1',
    workload: 5,
    parts: [],
    weight: 3
  },
  {
    code: 'E401',
    title: 'cab display flicker',
    machineTypes: ALL,
    category: 'electrical',
    cause: 'repair',
    grade: 'C1',
    workload: 1,
    parts: [],
    weight: 5
  },
  {
    code: 'E402',
    title: 'operator left engine idling over limit',
    machineTypes: ALL,
    category: 'other',
    cause: 'misuse',
    grade: 'C2',
    workload: 1,
    parts: [],
    weight: 4
  }
]

export function faultByCode(code: string): FaultCode | undefined {
  return FAULT_CATALOGUE.find((f) => f.code === code)
}
