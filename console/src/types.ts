/**
 * The shapes the console reads from the API: the server's own types (type-only imports, erased from the
 * bundle), with what the wire adds to them (see /docs for every field).
 */
import type {
  Complaint as ServerComplaint,
  ComponentHealth,
  DeviceReadings,
  Order as ServerOrder,
  Outlet as ServerOutlet,
  OutletKpis,
  PartsDemand
} from '../../maintenance/index.js'
import type { Device as ServerDevice, Site } from '../../registry/index.js'

export type { PartsDemand, Site }
export type Health = ComponentHealth
export type Kpis = OutletKpis
export type Outlet = ServerOutlet

/** An order as the API lists it: with its customer site when asked for and allowed. */
export type Order = ServerOrder & { site?: Site | null }

export type Device = ServerDevice & { site?: Site | null }

export type Complaint = ServerComplaint

export interface OrderPage {
  orders: Order[]
  total: number
  next: string | null
}

export interface PlanDay {
  outlet: string
  day: string
  visits: number
  capacity: number
  over: boolean
}

export type Readings = DeviceReadings

export interface CatalogueModel {
  model: string
  kind: string
  name?: string
  components: { part: string; partNumber: string }[]
}
