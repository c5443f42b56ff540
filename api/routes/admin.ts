import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ROLES, accountNameSchema, type Registry } from '../../registry/index.js'
import type { DeadLetterStore } from '../../ingest/index.js'
import { deviceIdSchema } from '../../shared/index.js'
import { reasonCodeParam } from '../params.js'

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
    { preHandler: app.requireRole('planner'), schema: { tags: ['operations'] } },
    async () => deps.pipelineStats()
  )

  r.get(
    '/dead-letters',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['operations'],
        querystring: z.object({
          device: deviceIdSchema.optional(),
          code: reasonCodeParam.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100)
        }),
        response: {
          200: z.object({
            counts: z.record(z.string(), z.number()),
            deadLetters: z.array(
              z.object({
                id: z.number(),
                receivedAt: z.string(),
                deviceId: z.string().nullable(),
                topic: z.string(),
                code: z.string(),
                reason: z.string(),
                payload: z.string()
              })
            )
          })
        }
      }
    },
    async (request) => ({
      counts: await deps.deadLetters.countByCode(),
      deadLetters: await deps.deadLetters.list({
        deviceId: request.query.device,
        code: request.query.code,
        limit: request.query.limit
      })
    })
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
}
