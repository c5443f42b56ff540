import { z } from 'zod'
import { DEVICE_KINDS, deviceIdSchema } from '../shared/index.js'
import type { Role } from './account-store.js'
import type { NewDevice } from './device-store.js'

const label = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 of A-Z a-z 0-9 _ . -')

export const siteSchema = z
  .object({
    name: z.string().min(1).max(200).nullish().describe('the customer or site name'),
    address: z.string().min(1).max(500).nullish(),
    phone: z
      .string()
      .regex(/^\+?[0-9][0-9 ()-]{2,31}$/, 'a phone number: digits, spaces, ( ) -, an optional leading +')
      .nullish(),
    lat: z.number().min(-90).max(90).nullish(),
    lon: z.number().min(-180).max(180).nullish()
  })
  .strict()
  .describe(
    'the customer site: personal data, shown only to admins, planners and technicians of the device’s outlet; never written to InfluxDB, logs or dead letters'
  )

export const newDeviceSchema = z
  .object({
    id: deviceIdSchema,
    kind: z.enum(DEVICE_KINDS),
    model: label.describe('a model of the catalogue, of this kind'),
    region: label,
    outlet: label.nullish().describe('a service outlet that covers the region'),
    deliveredOn: z.iso.date().nullish(),
    site: siteSchema.nullish()
  })
  .strict()

/** One thing wrong with a device: the field and what was expected. */
export interface DeviceIssue {
  field: string
  message: string
}

/**
 * Checks a new or imported device against what the service knows (the catalogue's models, the outlets
 * and their regions); built once per request, then called for each device.
 */
export type DeviceCheck = (device: NewDevice) => DeviceIssue[]

export const accountNameSchema = z.string().regex(/^[a-z0-9_-]{1,32}$/, '1-32 of a-z 0-9 _ -')

/** An external broker's accounts for devices, kept in step with the registry (see broker/dynsec.ts). */
export interface BrokerAccounts {
  /** Creates the device's client with this secret and its ACL, or gives it the new secret. */
  setDevice(id: string, secret: string): Promise<void>
  setDeviceEnabled(id: string, enabled: boolean): Promise<void>
  /** A service account's client (`svc:<name>`, its token) with what its MQTT roles allow; none without them. */
  setService(name: string, token: string, roles: readonly Role[]): Promise<void>
  setServiceEnabled(name: string, roles: readonly Role[], enabled: boolean): Promise<void>
}
