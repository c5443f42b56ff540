import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { ComponentHealth, DeviceReadings } from '../../maintenance/index.js'
import { deviceIdSchema, type DeviceKind } from '../../shared/index.js'
import { ownDevice as visible } from '../outlet-scope.js'
import { healthSchema } from '../responses.js'

export interface DevicePageDeps {
  /** A device's kind and outlet (DEVICE_NOT_FOUND when not registered). */
  device: (deviceId: string) => Promise<{ id: string; kind: DeviceKind; outlet: string | null }>
  /** The last planning pass's estimate for each component of a device (from InfluxDB). */
  deviceHealth: (deviceId: string) => Promise<ComponentHealth[]>
  /** The device's last `days` of readings by hour, its usage forecast and faults (from InfluxDB). */
  deviceReadings: (device: { id: string; kind: DeviceKind }, days: number) => Promise<DeviceReadings>
}

const readingsSchema = z.object({
  device: z.string(),
  kind: z.string(),
  hours: z
    .array(z.record(z.string(), z.union([z.string(), z.number(), z.null()])))
    .describe(
      'per hour with data: purifiers tdsIn, tdsOut, rejection (1 − out/in), liters; machines engineHours, coolantC, hydOilC'
    ),
  forecast: z.array(
    z.object({ day: z.string(), unit: z.string(), expected: z.number(), low: z.number(), high: z.number() })
  ),
  faults: z.array(
    z.object({ time: z.string(), code: z.string(), active: z.boolean(), grade: z.string().nullable() })
  )
})

/** What a device page shows: its components' health, its readings, forecast and faults. */
export async function devicePageRoutes(app: FastifyInstance, deps: DevicePageDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  // a device of another outlet answers as an unknown one to an account bound to an outlet
  const ownDevice = async (request: FastifyRequest, id: string) =>
    visible(request.account, await deps.device(id))

  r.get(
    '/devices/:id/health',
    {
      preHandler: app.requireRole('planner', 'technician'),
      schema: { tags: ['plan'], params: z.object({ id: deviceIdSchema }), response: { 200: healthSchema } }
    },
    async (request) => {
      await ownDevice(request, request.params.id)
      return { device: request.params.id, components: await deps.deviceHealth(request.params.id) }
    }
  )

  r.get(
    '/devices/:id/telemetry',
    {
      preHandler: app.requireRole('planner', 'technician'),
      schema: {
        tags: ['devices'],
        params: z.object({ id: deviceIdSchema }),
        querystring: z.object({ days: z.coerce.number().int().min(1).max(90).default(30) }),
        response: { 200: readingsSchema }
      }
    },
    async (request) => {
      const device = await ownDevice(request, request.params.id)
      const readings = await deps.deviceReadings(device, request.query.days)
      return { device: device.id, kind: device.kind, ...readings }
    }
  )
}
