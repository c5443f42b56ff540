import { DAY_MS, dayOfYear } from './fleet-spec.js'

/**
 * Regions of a simulated fleet. Figures follow ../shared/REFERENCE.md:
 * household water use peaks in July–August in Chinese cities; construction
 * machines follow the KOMTRAX calendar (Spring Festival trough in
 * January–February, April–May peak, summer dip, autumn plateau).
 */
export interface Region {
  code: string
  name: string
  /** Map centre for machine job sites. */
  lat: number
  lon: number
  /** Day of year of the water-use peak, and its height: daily use swings ±amplitude around the mean. */
  waterPeakDay: number
  waterAmplitude: number
  /** Mean inlet TDS, ppm (hard water wears RO membranes faster). */
  tdsIn: number
  /** Mean air temperature and its seasonal swing, °C, warmest on this day of year (late July in the north). */
  meanTempC: number
  tempSwingC: number
  warmestDay?: number
  /** Machine hours by month (January first), relative to the busiest month. */
  machineMonthly: readonly number[]
  /** Outlets serving the region. */
  outlets: readonly string[]
}

/** KOMTRAX China 2020 shape: Jan 59, Feb 31, Mar 113, Apr 144, May 147, Jun 126, … Oct 137, Nov 136 h. */
const CHINA_CALENDAR = [0.4, 0.21, 0.77, 0.98, 1.0, 0.86, 0.74, 0.72, 0.85, 0.93, 0.93, 0.66]

export const REGIONS: readonly Region[] = [
  {
    code: 'cn-east',
    name: 'Shanghai / Jiangsu',
    lat: 31.23,
    lon: 121.47,
    waterPeakDay: 210,
    waterAmplitude: 0.35,
    tdsIn: 220,
    meanTempC: 17,
    tempSwingC: 12,
    machineMonthly: CHINA_CALENDAR,
    outlets: ['sh-01', 'sh-02', 'nj-01']
  },
  {
    code: 'cn-south',
    name: 'Guangdong',
    lat: 23.13,
    lon: 113.26,
    waterPeakDay: 200,
    waterAmplitude: 0.45,
    tdsIn: 140,
    meanTempC: 22,
    tempSwingC: 8,
    machineMonthly: [0.45, 0.25, 0.8, 0.97, 1.0, 0.8, 0.7, 0.72, 0.86, 0.95, 0.95, 0.72],
    outlets: ['gz-01', 'sz-01']
  },
  {
    code: 'cn-north',
    name: 'Beijing / Hebei',
    lat: 39.9,
    lon: 116.4,
    waterPeakDay: 205,
    waterAmplitude: 0.3,
    tdsIn: 420,
    meanTempC: 12,
    tempSwingC: 15,
    // a longer winter: frozen ground slows work from December into March
    machineMonthly: [0.3, 0.18, 0.6, 0.95, 1.0, 0.9, 0.75, 0.75, 0.9, 0.95, 0.8, 0.45],
    outlets: ['bj-01', 'bj-02', 'tj-01']
  },
  {
    code: 'cn-west',
    name: 'Sichuan / Chongqing',
    lat: 30.66,
    lon: 104.06,
    waterPeakDay: 215,
    waterAmplitude: 0.4,
    tdsIn: 300,
    meanTempC: 16,
    tempSwingC: 10,
    machineMonthly: CHINA_CALENDAR,
    outlets: ['cd-01', 'cq-01']
  },
  {
    // south of the equator: summer (and the water peak) in January, the construction break at Christmas
    code: 'au-east',
    name: 'Sydney / New South Wales',
    lat: -33.87,
    lon: 151.21,
    waterPeakDay: 25,
    waterAmplitude: 0.35,
    tdsIn: 120,
    meanTempC: 18,
    tempSwingC: 5,
    warmestDay: 25,
    machineMonthly: [0.55, 0.85, 0.95, 0.9, 0.88, 0.85, 0.85, 0.9, 0.95, 1.0, 0.98, 0.7],
    outlets: ['syd-01']
  },
  {
    // the tropics: no season to speak of, for water or for work
    code: 'sg',
    name: 'Singapore',
    lat: 1.35,
    lon: 103.82,
    waterPeakDay: 150,
    waterAmplitude: 0.03,
    tdsIn: 60,
    meanTempC: 27.5,
    tempSwingC: 1,
    machineMonthly: [0.95, 0.93, 0.97, 0.98, 1.0, 0.98, 0.97, 0.98, 0.99, 1.0, 0.98, 0.96],
    outlets: ['sg-01']
  }
]

export function regionByCode(code: string): Region {
  const region = REGIONS.find((r) => r.code === code)
  if (!region) throw new Error(`unknown region ${code}; known: ${REGIONS.map((r) => r.code).join(', ')}`)
  return region
}

/** Seasonal factor for water use on a day of year: 1 ± amplitude, peaking on waterPeakDay. */
export function waterSeason(region: Region, dayOfYear: number): number {
  return 1 + region.waterAmplitude * Math.cos((2 * Math.PI * (dayOfYear - region.waterPeakDay)) / 365)
}

/**
 * The season a region's devices of a kind follow on a UTC day: water by a cosine over the year, machine
 * work by the month. The ground truth of the seasons (the simulators draw use from it).
 */
export function seasonOn(region: Region, kind: 'purifier' | 'machine', day: number): number {
  return kind === 'purifier'
    ? waterSeason(region, dayOfYear(day))
    : (region.machineMonthly[new Date(day * DAY_MS).getUTCMonth()] ?? 1)
}

/** Air temperature on a day of year. */
export function airTemp(region: Region, dayOfYear: number): number {
  return (
    region.meanTempC +
    region.tempSwingC * Math.cos((2 * Math.PI * (dayOfYear - (region.warmestDay ?? 205))) / 365)
  )
}
