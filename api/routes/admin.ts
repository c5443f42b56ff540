import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ROLES, accountNameSchema, type Registry } from '../../registry/index.js'
import type { DeadLetterStore } from '../../ingest/index.js'
import { AppError, deviceIdSchema } from '../../shared/index.js'
import { reasonCodeParam } from '../params.js'
import { pipelineStatsSchema } from '../responses.js'
import { boundOutlet } from '../outlet-scope.js'

/** What /health reports of each store and of the broker. */
export interface HealthReport {
  ok: boolean
  checks: Record<string, { ok: boolean; detail?: string }>
}

export interface AdminDeps {
  registry: Registry
  deadLetters: DeadLetterStore
  health: () => Promise<HealthReport>
  pipelineStats: () => Record<string, unknown>
}

/** Characters of each payload a list of dead letters carries: a page of whole payloads can reach megabytes. */
const LISTED_PAYLOAD_CHARS = 2000

/** Health, pipeline statistics, dead letters and service accounts. */
export async function adminRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        response: {
          200: z.object({
            ok: z.boolean(),
            checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() }))
          }),
          503: z.object({
            ok: z.boolean(),
            checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() }))
          })
        }
      }
    },
    async (_request, reply) => {
      const report = await deps.health()
      return reply.status(report.ok ? 200 : 503).send(report)
    }
  )

  r.get(
    '/pipeline/stats',
    {
      preHandler: app.requireRole('planner'),
      schema: { tags: ['operations'], response: { 200: pipelineStatsSchema } }
    },
    async () => deps.pipelineStats() as z.infer<typeof pipelineStatsSchema>
  )

  const letter = z.object({
    id: z.number(),
    receivedAt: z.string(),
    deviceId: z.string().nullable(),
    topic: z.string(),
    code: z.string(),
    reason: z.string(),
    payload: z.string(),
    payloadLength: z.number().describe('the whole payload’s length; a list shows its first 2,000 characters')
  })
  r.get(
    '/dead-letters',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['operations'],
        summary: 'what could not be stored, newest first, a page at a time',
        description:
          'Each payload is cut to its first 2,000 characters (`payloadLength` says how long it is; GET /dead-letters/{id} has it whole). `next` is the `before` of the following page.',
        querystring: z.object({
          device: deviceIdSchema.optional(),
          code: reasonCodeParam.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          before: z.coerce.number().int().positive().optional().describe('an id: letters older than it')
        }),
        response: {
          200: z.object({
            counts: z.record(z.string(), z.number()),
            deadLetters: z.array(letter),
            next: z.number().nullable()
          })
        }
      }
    },
    async (request) => {
      if (boundOutlet(request.account) !== undefined)
        throw new AppError(
          'FORBIDDEN',
          'dead letters span every outlet: they are for accounts of every outlet'
        )
      const deadLetters = await deps.deadLetters.list({
        deviceId: request.query.device,
        code: request.query.code,
        limit: request.query.limit,
        before: request.query.before,
        payloadChars: LISTED_PAYLOAD_CHARS
      })
      return {
        counts: await deps.deadLetters.countByCode(),
        deadLetters,
        next: deadLetters.length === request.query.limit ? (deadLetters.at(-1)?.id ?? null) : null
      }
    }
  )

  r.get(
    '/dead-letters/:id',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['operations'],
        summary: 'one dead letter with its whole payload',
        params: z.object({ id: z.coerce.number().int().positive() }),
        response: { 200: letter }
      }
    },
    async (request) => {
      if (boundOutlet(request.account) !== undefined)
        throw new AppError(
          'FORBIDDEN',
          'dead letters span every outlet: they are for accounts of every outlet'
        )
      const found = await deps.deadLetters.get(request.params.id)
      if (!found) throw new AppError('NOT_FOUND', `no dead letter ${request.params.id}`)
      return found
    }
  )

  r.post(
    '/accounts',
    {
      preHandler: app.requireRole('admin'),
      schema: {
        tags: ['operations'],
        body: z
          .object({
            name: accountNameSchema,
            roles: z.array(z.enum(ROLES)).min(1),
            outlet: z
              .string()
              .regex(/^[A-Za-z0-9_.-]{1,64}$/)
              .nullish()
              .describe('bind the account to one service outlet (a technician sees its devices’ sites)')
          })
          .strict(),
        response: {
          201: z.object({
            account: z.object({
              name: z.string(),
              roles: z.array(z.string()),
              disabled: z.boolean(),
              outlet: z.string().nullable()
            }),
            token: z.string().describe('the bearer token; shown this once')
          })
        }
      }
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await deps.registry.createAccount(
            request.body.name,
            request.body.roles,
            request.body.outlet ?? null
          )
        )
  )

  const accountSchema = z.object({
    name: z.string(),
    roles: z.array(z.string()),
    disabled: z.boolean(),
    outlet: z.string().nullable()
  })
  const nameParams = z.object({ name: accountNameSchema })
  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false]
  ] as const)
    r.post(
      `/accounts/:name/${action}`,
      {
        preHandler: app.requireRole('admin'),
        schema: {
          tags: ['operations'],
          summary: `${action} a service account`,
          description: disabled
            ? 'Its token is refused by the API and the broker at once; its MQTT sessions on every node are closed.'
            : 'Its token works again.',
          params: nameParams,
          response: { 200: accountSchema }
        }
      },
      async (request) => deps.registry.setAccountDisabled(request.params.name, disabled)
    )

  r.post(
    '/accounts/:name/token',
    {
      preHandler: app.requireRole('admin'),
      schema: {
        tags: ['operations'],
        summary: "rotate a service account's token",
        description:
          'The old token stops working at once; its MQTT sessions are closed. The new token is shown once.',
        params: nameParams,
        response: { 200: z.object({ account: accountSchema, token: z.string() }) }
      }
    },
    async (request) => deps.registry.rotateToken(request.params.name)
  )
}
