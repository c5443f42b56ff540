import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { DEVICE_KINDS, deviceIdSchema } from '../../shared/index.js'
import { codeParam } from '../params.js'
import { outletFilter, ownDevice } from '../outlet-scope.js'
import {
  importDevices,
  maySeeSite,
  newDeviceSchema,
  siteSchema,
  type Device,
  type Registry,
  type ServiceAccount
} from '../../registry/index.js'

export const deviceSchema = z.object({
  id: z.string(),
  kind: z.enum(DEVICE_KINDS),
  model: z.string(),
  region: z.string(),
  outlet: z.string().nullable(),
  deliveredOn: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.string(),
  site: siteSchema
    .nullable()
    .optional()
    .describe(
      'the customer site (personal data): present only for admins, planners (of every outlet or this one) and technicians of the device’s outlet'
    )
})

/** Rows one import request may carry (the CLI sends a file in requests of this size). */
export const IMPORT_ROWS_PER_REQUEST = 10000

const withSecret = z.object({
  device: deviceSchema,
  secret: z.string().describe('the MQTT password; shown this once, only its hash is stored')
})
const idParams = z.object({ id: deviceIdSchema })

/** Device registry routes: provision, list, read, rotate a secret, disable and enable. */
export async function deviceRoutes(app: FastifyInstance, opts: { registry: Registry }): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const { registry } = opts
  const readers = app.requireRole('provisioner', 'planner', 'technician')
  const writers = app.requireRole('provisioner')

  /** A device with its site when the caller may see it. */
  const shown = async (device: Device, account?: ServiceAccount) =>
    maySeeSite(account, device.outlet) ? { ...device, site: await registry.site(device.id) } : device

  r.post(
    '/devices',
    {
      preHandler: writers,
      schema: {
        tags: ['devices'],
        summary: 'provision a device',
        description:
          'The model must be in the catalogue and of the device’s kind; the outlet must exist and cover the region (400 DEVICE_INVALID names the field and lists what is known). The site is personal data: it is stored apart, never written to InfluxDB, logs or dead letters.',
        body: newDeviceSchema,
        response: { 201: withSecret }
      }
    },
    async (request, reply) => {
      const { device, secret } = await registry.provision(request.body)
      return reply.status(201).send({ device: await shown(device, request.account), secret })
    }
  )

  r.post(
    '/devices/import',
    {
      preHandler: writers,
      bodyLimit: 32 * 1024 * 1024,
      schema: {
        tags: ['devices'],
        summary: 'import a fleet (up to 10,000 rows a request)',
        description:
          'Every row is validated first (fields, catalogue model and kind, outlet and region, a device’s stored kind, ids repeated); then all rows are written in one transaction — nothing when a row fails, unless `partial`. Importing the same rows again changes nothing. A row may carry the device’s existing `secret` (16+ characters) or `secretHash` (`sha256$<salt base64>$<SHA-256(salt ‖ secret) base64>`), so devices in the field keep their credentials; new devices without one get a secret, returned once in `secrets`.',
        body: z
          .object({
            rows: z.array(z.unknown()).max(IMPORT_ROWS_PER_REQUEST),
            partial: z.boolean().default(false).describe('write the good rows even when some fail'),
            dryRun: z.boolean().default(false).describe('validate only; write nothing'),
            firstRow: z
              .number()
              .int()
              .min(1)
              .default(1)
              .describe('the number of the first row, so errors name rows of the whole file')
          })
          .strict(),
        response: {
          200: z.object({
            rows: z.number(),
            created: z.number(),
            updated: z.number(),
            unchanged: z.number(),
            failed: z.number(),
            written: z.boolean(),
            errors: z.array(z.object({ row: z.number(), field: z.string(), message: z.string() })),
            secrets: z.array(z.object({ id: z.string(), secret: z.string() }))
          })
        }
      }
    },
    async (request) => importDevices(registry, request.body.rows, request.body)
  )

  r.get(
    '/devices',
    {
      preHandler: readers,
      schema: {
        tags: ['devices'],
        querystring: z.object({
          region: codeParam.optional(),
          kind: z.enum(DEVICE_KINDS).optional(),
          outlet: codeParam.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0)
        }),
        response: { 200: z.object({ devices: z.array(deviceSchema) }) }
      }
    },
    async (request) => {
      const devices = await registry.listDevices({
        ...request.query,
        outlet: outletFilter(request.account, request.query.outlet)
      })
      const visible = devices.filter((d) => maySeeSite(request.account, d.outlet))
      const sites = visible.length > 0 ? await registry.sites(visible.map((d) => d.id)) : new Map()
      return {
        devices: devices.map((d) =>
          maySeeSite(request.account, d.outlet) ? { ...d, site: sites.get(d.id) ?? null } : d
        )
      }
    }
  )

  r.get(
    '/devices/:id',
    { preHandler: readers, schema: { tags: ['devices'], params: idParams, response: { 200: deviceSchema } } },
    async (request) =>
      shown(ownDevice(request.account, await registry.getDevice(request.params.id)), request.account)
  )

  r.post(
    '/devices/:id/secret',
    { preHandler: writers, schema: { tags: ['devices'], params: idParams, response: { 200: withSecret } } },
    async (request) => registry.rotateSecret(request.params.id)
  )

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false]
  ] as const) {
    r.post(
      `/devices/:id/${action}`,
      {
        preHandler: writers,
        schema: { tags: ['devices'], params: idParams, response: { 200: deviceSchema } }
      },
      async (request) => registry.setDisabled(request.params.id, disabled)
    )
  }
}
