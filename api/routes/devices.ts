import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { DEVICE_KINDS, deviceIdSchema } from '../../shared/index.js'
import { newDeviceSchema, type Registry } from '../../registry/index.js'

export const deviceSchema = z.object({
  id: z.string(),
  kind: z.enum(DEVICE_KINDS),
  model: z.string(),
  region: z.string(),
  outlet: z.string().nullable(),
  deliveredOn: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.string()
})

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

  r.post(
    '/devices',
    {
      preHandler: writers,
      schema: { tags: ['devices'], body: newDeviceSchema, response: { 201: withSecret } }
    },
    async (request, reply) => reply.status(201).send(await registry.provision(request.body))
  )

  r.get(
    '/devices',
    {
      preHandler: readers,
      schema: {
        tags: ['devices'],
        querystring: z.object({
          region: z.string().optional(),
          kind: z.enum(DEVICE_KINDS).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          offset: z.coerce.number().int().min(0).default(0)
        }),
        response: { 200: z.object({ devices: z.array(deviceSchema) }) }
      }
    },
    async (request) => ({ devices: await registry.listDevices(request.query) })
  )

  r.get(
    '/devices/:id',
    { preHandler: readers, schema: { tags: ['devices'], params: idParams, response: { 200: deviceSchema } } },
    async (request) => registry.getDevice(request.params.id)
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
