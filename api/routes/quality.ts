import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { PlanDeps } from './plan.js'
import { codeParam } from '../params.js'
import { outletFilter, ownOrder } from '../outlet-scope.js'
import { complaintSchema, kpisSchema, runOutSchema } from '../responses.js'
import { complaintBody, idParams, monthSchema } from './shapes.js'

/** The service's quality: complaints about done visits, parts that ran out, each outlet's KPIs. */
export async function qualityRoutes(
  app: FastifyInstance,
  deps: Pick<PlanDeps, 'service' | 'records' | 'kpis' | 'orders'>
): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  r.post(
    '/orders/:id/complaints',
    {
      preHandler: app.requireRole('planner'),
      schema: { tags: ['plan'], params: idParams, body: complaintBody, response: { 201: complaintSchema } }
    },
    async (request, reply) => {
      ownOrder(request.account, await deps.orders.get(request.params.id))
      return reply.code(201).send(await deps.service.complain(request.params.id, request.body))
    }
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
    async (request) => ({
      complaints: await deps.records.complaints({
        ...request.query,
        outlet: outletFilter(request.account, request.query.outlet)
      })
    })
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
    async (request) => {
      const outlet = outletFilter(request.account, undefined)
      const runOuts = await deps.records.runOuts(request.query)
      return { runOuts: outlet === undefined ? runOuts : runOuts.filter((r) => r.outlet === outlet) }
    }
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
    async (request) => {
      const outlet = outletFilter(request.account, undefined)
      const all = (await deps.kpis(request.query.month)) as unknown as z.infer<typeof kpisSchema>['outlets']
      return {
        month: request.query.month,
        outlets: all.filter((k) => outlet === undefined || k.outlet === outlet)
      }
    }
  )
}
