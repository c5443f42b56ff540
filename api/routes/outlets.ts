import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { outletFilter } from '../outlet-scope.js'
import type { ServiceAccount } from '../../registry/index.js'
import type { PlanDeps } from './plan.js'
import { codeParam } from '../params.js'

/** Service outlets: the regions each covers, visits a day, visit cost; their spare parts and weekly demand. */
export async function outletRoutes(app: FastifyInstance, deps: Pick<PlanDeps, 'outlets'>): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>()
  const outletSchema = z.object({
    code: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    regions: z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/)).min(1),
    capacityPerDay: z.number().int().min(1).max(10000),
    visitCost: z
      .number()
      .min(0)
      .nullish()
      .describe(
        "what a visit costs this outlet; the catalogue's visitCost for the device's kind when not set"
      )
  })
  r.put(
    '/outlets/:code',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        params: z.object({ code: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/) }),
        body: outletSchema.omit({ code: true }).strict(),
        response: { 200: outletSchema }
      }
    },
    async (request) => deps.outlets.upsert({ code: request.params.code, ...request.body })
  )
  r.get(
    '/outlets',
    {
      preHandler: app.requireRole('planner', 'technician'),
      schema: { tags: ['plan'], response: { 200: z.object({ outlets: z.array(outletSchema) }) } }
    },
    async () => ({ outlets: await deps.outlets.list() })
  )

  const stockLine = z.object({
    partNumber: z.string().meta({ examples: ['PP-400-05'] }),
    quantity: z.number().describe('on the shelf'),
    reserved: z.number().describe('set aside for scheduled or dispatched orders'),
    available: z.number()
  })
  const codeParams = z.object({ code: codeParam })
  r.put(
    '/outlets/:code/stock',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        description:
          'Sets the quantities of the part numbers given (others stay as they are). Scheduling an order sets aside a unit of each of its parts the outlet has free; completion takes the replaced parts off the shelf; a part that would be late for its lead time is planned from free stock.',
        params: codeParams,
        body: z
          .object({
            parts: z
              .record(z.string().regex(/^[A-Za-z0-9_./-]{1,64}$/), z.number().int().min(0).max(1_000_000))
              .meta({ examples: [{ 'PP-400-05': 12, 'RO-400-75': 3 }] })
          })
          .strict(),
        response: { 200: z.object({ outlet: z.string(), stock: z.array(stockLine) }) }
      }
    },
    async (request) => ({
      outlet: ownOutlet(request.account, request.params.code),
      stock: await deps.outlets.setStock(request.params.code, request.body.parts)
    })
  )
  r.get(
    '/outlets/:code/stock',
    {
      preHandler: app.requireRole('planner', 'technician'),
      schema: {
        tags: ['plan'],
        params: codeParams,
        response: { 200: z.object({ outlet: z.string(), stock: z.array(stockLine) }) }
      }
    },
    async (request) => ({
      outlet: ownOutlet(request.account, request.params.code),
      stock: await deps.outlets.stock(request.params.code)
    })
  )

  r.get(
    '/outlets/:code/demand',
    {
      preHandler: app.requireRole('planner'),
      schema: {
        tags: ['plan'],
        description:
          "Per ISO week of the visit day and part number: what the outlet's open orders need, its stock, and the units to order that week (what the weeks up to it need beyond the stock, less what earlier weeks ordered; purchase orders are not tracked).",
        params: codeParams,
        response: {
          200: z.object({
            outlet: z.string(),
            demand: z.array(
              z.object({
                week: z.string().meta({ examples: ['2026-W50'] }),
                part: z.string().meta({ examples: ['pp_sediment'] }),
                partNumber: z.string().meta({ examples: ['PP-400-05'] }),
                quantity: z.number(),
                stock: z.number(),
                reorder: z.number()
              })
            )
          })
        }
      }
    },
    async (request) => ({
      outlet: ownOutlet(request.account, request.params.code),
      demand: await deps.outlets.demand(request.params.code)
    })
  )
}

/** The outlet of the path, when the account may work on it (its own, or any for an unbound account). */
function ownOutlet(account: ServiceAccount | undefined, code: string): string {
  outletFilter(account, code)
  return code
}
