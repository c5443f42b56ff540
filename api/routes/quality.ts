import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { PlanDeps } from './plan.js'
import { codeParam } from '../params.js'
import { complaintSchema, kpisSchema, runOutSchema } from '../responses.js'
import { complaintBody, idParams, monthSchema } from './shapes.js'

/** The service's quality: complaints about done visits, parts that ran out, each outlet's KPIs. */
export async function qualityRoutes(
  app: FastifyInstance,
  deps: Pick<PlanDeps, 'service' | 'records' | 'kpis'>
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  r.post(
    '/orders/:id/complaints',
    {
      preHandler: app.requireRole('planner'),
      schema: { tags: ['plan'], params: idParams, body: complaintBody, response: { 201: complaintSchema } }
    },
    async (request, reply) =>
      reply.code(201).send(await deps.service.complain(request.params.id, request.body))
  )
  r.get(
    '/complaints',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        querystring: z.object({ outlet: codeParam.optional(), month: monthSchema.optional() }),
        response: { 200: z.object({ complaints: z.array(complaintSchema) }) }
      }
    },
    async (request) => ({ complaints: await deps.records.complaints(request.query) })
  )
  r.get(
    '/run-outs',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        querystring: z.object({ month: monthSchema.optional() }),
        response: { 200: z.object({ runOuts: z.array(runOutSchema) }) }
      }
    },
    async (request) => ({ runOuts: await deps.records.runOuts(request.query) })
  )

  r.get(
    '/kpis',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        querystring: z.object({
          month: monthSchema.default(() => new Date().toISOString().slice(0, 7))
        }),
        response: { 200: kpisSchema }
      }
    },
    async (request) => ({
      month: request.query.month,
      outlets: (await deps.kpis(request.query.month)) as unknown as z.infer<typeof kpisSchema>['outlets']
    })
  )
}
